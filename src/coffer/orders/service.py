"""Placing and listing a player's orders (SPEC §14): the use cases every surface calls.

An order's ``client_order_ref_id`` is claimed by a unique constraint before anything moves, so
concurrent repeats wait for the first and answer its stored body. Each entry runs in its own
savepoint: with ``is_transaction`` the first failure rolls every entry back (the failed one
keeps its result, the others say ``rollback``); without it, each entry stands on its own.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.kit.db import connection, insert_ignoring_conflict, rows_changed, table
from coffer.kit.direct import run
from coffer.kit.errors import IdempotencyKeyReused
from coffer.kit.schemas import iso_z
from coffer.loot.events import tell
from coffer.orders import results
from coffer.orders.asks import OrderAsk
from coffer.orders.entries import Ctx, Details, apply_entry
from coffer.orders.models import PlayerOrder
from coffer.orders.records import player_uuid
from coffer.orders.results import EntryFailed
from coffer.players.service import hold_player

Outcome = tuple[str, Details]


@dataclass(frozen=True)
class Who:
    operator_id: int
    player_id: int
    external_id: str


async def place_order(
    session: AsyncSession, who: Who, ask: OrderAsk, now: datetime
) -> dict[str, Any]:
    """Apply the order once; a repeat of its ``client_order_ref_id`` answers the first body."""
    await hold_player(session, who.player_id)
    order_id = f"po_{ULID()}"
    row = {
        "public_id": order_id,
        "operator_id": who.operator_id,
        "player_id": who.player_id,
        "client_order_ref_id": ask.client_order_ref_id,
        "body": {},
        "created_at": now,
    }
    ref = ask.client_order_ref_id
    if ref is not None and not await _claim(session, row):
        first = await _first(session, who.player_id, ref)
        if ask.trusted and _asked(first) != ask.entry_echoes:  # S2S keys are strict
            raise IdempotencyKeyReused(
                "This idempotency key was used for a different change; use a new key."
            )
        return first
    ctx = Ctx(session, who.operator_id, who.player_id, order_id, now, ask.trusted)
    outcomes = await _run(ctx, ask)
    body = _body(order_id, who.player_id, now, ask, outcomes)
    conn = await connection(session)
    if ref is None:  # nothing to claim: the order is written once, whole
        await run(conn, ADD_ORDER, row | {"body": body})
    else:
        await run(conn, SET_BODY, {"b_id": order_id, "body": body})
    player = (who.player_id, who.external_id)
    await tell(session, who.operator_id, player, order_id, ctx.effects)
    return body


ORDERS = table(PlayerOrder)
ADD_ORDER = insert(ORDERS)
SET_BODY = update(ORDERS).where(ORDERS.c.public_id == bindparam("b_id"))


async def _claim(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Claim the order's ref before anything moves (a concurrent repeat waits on it here);
    False when an earlier order has it."""
    keys = ["player_id", "client_order_ref_id"]
    claimed = await session.execute(insert_ignoring_conflict(session, PlayerOrder, row, keys))
    return rows_changed(claimed) == 1


async def _first(session: AsyncSession, player_id: int, ref: str | None) -> dict[str, Any]:
    body = await session.scalar(
        select(PlayerOrder.body).where(
            PlayerOrder.player_id == player_id, PlayerOrder.client_order_ref_id == ref
        )
    )
    assert body, "an order claimed by a committed transaction has its body"
    return dict(body)


def _asked(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries as they were asked, without what applying them added."""
    added = ("entry_id", "result", "details")
    return [{k: v for k, v in entry.items() if k not in added} for entry in body["entries"]]


async def _run(ctx: Ctx, ask: OrderAsk) -> list[Outcome]:
    if not ask.is_transaction:
        return [await _one(ctx, index, entry) for index, entry in enumerate(ask.entries)]
    outcomes: list[Outcome] = []
    try:
        async with ctx.session.begin_nested():
            for index, entry in enumerate(ask.entries):
                outcomes.append((results.SUCCESS, await apply_entry(ctx, index, entry)))
    except EntryFailed as failed:
        done = len(outcomes)
        ctx.effects.clear()
        outcomes = [(results.ROLLBACK, []) for _ in ask.entries]
        outcomes[done] = (failed.result, [])
    return outcomes


async def _one(ctx: Ctx, index: int, entry: Any) -> Outcome:
    kept = len(ctx.effects)
    try:
        async with ctx.session.begin_nested():
            return results.SUCCESS, await apply_entry(ctx, index, entry)
    except EntryFailed as failed:
        del ctx.effects[kept:]  # rolled back with the savepoint
        return failed.result, []


def _body(
    order_id: str, player_id: int, now: datetime, ask: OrderAsk, outcomes: list[Outcome]
) -> dict[str, Any]:
    entries = [
        {**echo, "entry_id": f"{order_id}.{index}", "result": result, "details": details}
        for index, (echo, (result, details)) in enumerate(
            zip(ask.entry_echoes, outcomes, strict=True)
        )
    ]
    return {
        **ask.echo,
        "is_transaction": ask.is_transaction,
        # The operator's own keys (S2S grants) are not the player's to see.
        "client_order_ref_id": None if ask.trusted else ask.client_order_ref_id,
        "order_id": order_id,
        "player_uuid": player_uuid(player_id),
        "created_time": iso_z(now),
        "entries": entries,
    }
