"""The money history of a player (SPEC §7): one row per instruction, newest first, keyset paged."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.cursors import decode_cursor as decode_cursor_fields
from coffer.kit.cursors import encode_cursor as encode_cursor_fields
from coffer.kit.schemas import iso_z
from coffer.operators.models import Operator
from coffer.players.service import get_player
from coffer.rounds.models import Round
from coffer.seamless.models import WalletInstruction

TYPES = ("purchase", "open", "refund", "cashback", "payout", "rollback")
CREDITS = ("payout", "refund", "cashback", "rollback")


@dataclass(frozen=True)
class HistoryQuery:
    player_external_id: str
    types: list[str]
    since: datetime | None
    until: datetime | None
    limit: int
    cursor: str | None


def encode_cursor(last_id: int) -> str:
    return encode_cursor_fields({"before": last_id}, padded=True, spaced=True)


def decode_cursor(cursor: str) -> int:
    """The id to page below; a cursor that was not ours is a validation error on ``cursor``."""
    before: int = decode_cursor_fields(cursor, {"before": None})["before"]
    return before


def parse_types(text: str | None) -> list[str]:
    """A comma list; unknown tokens are ignored, nothing given means every type."""
    if not text:
        return list(TYPES)
    return [t for t in (part.strip() for part in text.split(",")) if t in TYPES]


def row(instruction: WalletInstruction, round_: Round | None) -> dict[str, Any]:
    """One history row in the player's view: debits negative, credits positive."""
    signed = instruction.amount_minor
    if instruction.kind == "purchase":
        signed = -signed if instruction.funding == "player" else 0
    body: dict[str, Any] = {
        "id": instruction.id,
        "type": instruction.kind,
        "roundPublicId": round_.public_id if round_ else None,
        "amountMinor": signed if instruction.kind in (*CREDITS, "purchase") else 0,
        "currency": instruction.currency,
        "status": instruction.state,
        "funding": instruction.funding,
        "idempotencyKey": instruction.idempotency_key,
        "providerTxnRef": instruction.provider_txn_ref,
        "occurredAt": iso_z(instruction.created_at),
    }
    if instruction.inventory_item_id is not None:
        body["inventoryItemId"] = instruction.inventory_item_id
    if instruction.kind in ("purchase", "open") and round_ is not None:
        body["payoutMinor"] = round_.payout_minor
    return body


async def history(session: AsyncSession, operator: Operator, query: HistoryQuery) -> dict[str, Any]:
    """A page of the player's instructions, newest first, with an opaque next cursor."""
    player = await get_player(session, operator, query.player_external_id)
    stmt = (
        select(WalletInstruction, Round)
        .outerjoin(Round, Round.id == WalletInstruction.round_id)
        .where(WalletInstruction.player_id == player.id)
        .where(WalletInstruction.kind.in_(query.types))
        .order_by(WalletInstruction.id.desc())
        .limit(query.limit + 1)
    )
    if query.since is not None:
        stmt = stmt.where(WalletInstruction.created_at >= query.since)
    if query.until is not None:
        stmt = stmt.where(WalletInstruction.created_at < query.until)
    if query.cursor is not None:
        stmt = stmt.where(WalletInstruction.id < decode_cursor(query.cursor))
    found = [(row[0], row[1]) for row in await session.execute(stmt)]
    page = found[: query.limit]
    next_cursor = encode_cursor(page[-1][0].id) if len(found) > query.limit else None
    return {"items": [row(i, r) for i, r in page], "cursor": {"next": next_cursor}}
