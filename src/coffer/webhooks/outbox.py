"""Writing an event: one row in the caller's transaction, so it exists exactly if the change does.

Events are delivered in id order per player. Two transactions that change one player at the same
time get ids in insert order, not commit order; such changes were concurrent, so neither order is
more true, and the receiver gets both.
"""

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from ulid import ULID

from coffer.kit.canonical import compact_json
from coffer.kit.db import table, utcnow
from coffer.kit.direct import run
from coffer.kit.schemas import iso_z
from coffer.players.models import Player
from coffer.webhooks.models import WebhookEvent

EVENT_TYPES = (
    "round_settled",
    "round_voided",
    "round_refunded",
    "bonus_entitlement",
    "item_cashed_back",
    "fulfillment_notice",
    "item_expired",
    "balance_changed",  # a virtual-currency balance moved (issue 13; SPEC §9 lists the rest)
    "inventory_changed",  # generic instances granted, spent or changed (issue 13)
)

EVENTS = table(WebhookEvent)
ADD_EVENT = insert(EVENTS).returning(EVENTS.c.id)


def new_event_id() -> str:
    return f"evt_{ULID()}"


def event_row(
    operator_id: int, player_id: int, external_id: str, kind: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The outbox row of an event; ``data`` gains the player's external id as its first key."""
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {kind!r}")
    now = utcnow()
    public_id = new_event_id()
    body = {
        "id": public_id,
        "type": kind,
        "createdAt": iso_z(now),
        "operatorId": operator_id,
        "data": {"playerExternalId": external_id, **data},
    }
    return {
        "public_id": public_id,
        "operator_id": operator_id,
        "player_id": player_id,
        "type": kind,
        "body": compact_json(body),
        "status": "pending",
        "in_order": True,
        "attempts": 0,
        "next_attempt_at": now,
        "window_started_at": None,
        "created_at": now,
    }


async def emit(
    session: AsyncSession, operator_id: int, player_id: int, kind: str, data: dict[str, Any]
) -> WebhookEvent:
    """Add the event to the outbox, in the caller's transaction."""
    player = await session.get(Player, player_id)
    assert player is not None
    event = WebhookEvent(**event_row(operator_id, player_id, player.external_id, kind, data))
    session.add(event)
    await session.flush()
    return event


async def emit_row(
    conn: AsyncConnection,
    operator_id: int,
    player_id: int,
    external_id: str,
    kind: str,
    data: dict[str, Any],
) -> int:
    """``emit`` for the purchase path (Core, the external id already known); the event's id."""
    row = event_row(operator_id, player_id, external_id, kind, data)
    return int((await run(conn, ADD_EVENT, row)).scalar() or 0)
