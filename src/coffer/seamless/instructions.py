"""Wallet instructions in the database: written before the RPC, finished by conditional updates."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.kit.db import connection, table, utcnow
from coffer.kit.direct import run
from coffer.kit.logs import current_request_id
from coffer.kit.untrusted import bounded, bounded_or_none
from coffer.seamless.client import (
    Accepted,
    CallResult,
    Refused,
    Uncertain,
    WalletRequest,
)
from coffer.seamless.models import WalletAttempt, WalletInstruction

OPEN_STATES = ("pending", "uncertain")
INSTRUCTIONS, ATTEMPTS = table(WalletInstruction), table(WalletAttempt)
ADD_INSTRUCTION = insert(INSTRUCTIONS).returning(INSTRUCTIONS.c.id)
ADD_ATTEMPTS = insert(ATTEMPTS)
# The other columns to set are given with the parameters, as each outcome sets its own.
RECORD = (
    update(INSTRUCTIONS)
    .where(INSTRUCTIONS.c.id == bindparam("b_id"), INSTRUCTIONS.c.state.in_(OPEN_STATES))
    .values(attempts=INSTRUCTIONS.c.attempts + bindparam("b_attempts"))
)
# Column sizes for what a wallet answered; longer answers are kept cut, with a hash (kit.untrusted).
REF_CHARS, CODE_CHARS, ERROR_CHARS, DETAIL_CHARS = 200, 64, 1000, 4096


# Instructions no wallet ever hears of, and the state they are written in.
LEDGER = "ledger"
UNSENT = {"none": "skipped", LEDGER: "accepted"}


def instruction_row(
    *,
    operator_id: int,
    player_id: int,
    kind: str,
    rpc: str,
    key: str,
    amount_minor: int,
    currency: str,
    funding: str,
    round_id: int | None = None,
    round_public_id: str | None = None,
    inventory_item_id: int | None = None,
    rollback_of: str | None = None,
    resolver_after: datetime | None = None,
) -> dict[str, Any]:
    """The row of an instruction about to be sent; ``rpc='none'`` records one never sent, and
    ``rpc='ledger'`` one already applied to Coffer's own ledger (a virtual currency's)."""
    now = utcnow()
    unsent = rpc in UNSENT
    return {
        "operator_id": operator_id,
        "player_id": player_id,
        "round_id": round_id,
        "round_public_id": round_public_id,
        "inventory_item_id": inventory_item_id,
        "kind": kind,
        "rpc": rpc,
        "idempotency_key": key,
        "rollback_of": rollback_of,
        "amount_minor": amount_minor,
        "currency": currency,
        "funding": funding,
        "state": UNSENT.get(rpc, "pending"),
        "attempts": 0,
        "next_attempt_at": None if unsent else resolver_after or now,
        "created_at": now,
        "updated_at": now,
        "resolved_at": now if unsent else None,
        "request_id": current_request_id(),  # the request or job pass that wrote it
    }


async def add_instruction(session: AsyncSession, **fields: Any) -> WalletInstruction:
    """Record an instruction before it is sent (fields as ``instruction_row`` takes them)."""
    instruction = WalletInstruction(**instruction_row(**fields))
    session.add(instruction)
    await session.flush()
    return instruction


async def insert_instruction(conn: AsyncConnection, row: dict[str, Any]) -> int:
    """``add_instruction`` for the purchase path (Core): the new instruction's id."""
    return int((await run(conn, ADD_INSTRUCTION, row)).scalar())


async def record_result(
    session: AsyncSession, instruction_id: int, result: CallResult, *, retry_at: datetime
) -> bool:
    """Store the outcome if the instruction is still open; False when someone else finished it."""
    now = utcnow()
    values: dict[str, object] = {"updated_at": now}
    outcome = result.outcome
    if isinstance(outcome, Accepted):
        values |= {
            "state": "accepted",
            "balance_after_minor": outcome.balance_after_minor,
            "provider_txn_ref": bounded_or_none(outcome.provider_txn_ref, REF_CHARS),
            "resolved_at": now,
            "next_attempt_at": None,
        }
    elif isinstance(outcome, Refused):
        values |= {
            "state": "refused",
            "refusal_code": bounded(outcome.code, CODE_CHARS),
            "balance_after_minor": outcome.balance_after_minor,
            "last_error": bounded(outcome.message, ERROR_CHARS),
            "resolved_at": now,
            "next_attempt_at": None,
        }
    else:
        reason = bounded(outcome.reason, ERROR_CHARS)
        values |= {"state": "uncertain", "last_error": reason, "next_attempt_at": retry_at}
    if result.attempts:
        values["latency_ms"] = result.attempts[-1].latency_ms
    conn = await connection(session)
    keys = {"b_id": instruction_id, "b_attempts": len(result.attempts)}
    changed = await run(conn, RECORD, {**keys, **values})
    if result.attempts:
        await run(conn, ADD_ATTEMPTS, _attempt_rows(instruction_id, result))
    return changed.rowcount == 1


def _attempt_rows(instruction_id: int, result: CallResult) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "instruction_id": instruction_id,
            "number": number,
            "outcome": attempt.outcome,
            "http_status": attempt.http_status,
            "latency_ms": attempt.latency_ms,
            "detail": bounded(attempt.detail, DETAIL_CHARS),
            "request_id": current_request_id(),
            "created_at": now,
        }
        for number, attempt in enumerate(result.attempts, start=1)
    ]


def is_uncertain(result: CallResult) -> bool:
    """True when the wallet never gave a definite answer."""
    return isinstance(result.outcome, Uncertain)


def as_credit(result: CallResult) -> CallResult:
    """A refused credit is not final: SPEC §8 retries credits until accepted."""
    if isinstance(result.outcome, Refused):
        reason = f"refused: {result.outcome.code}; retried until accepted"
        return CallResult(Uncertain(reason), result.attempts)
    return result


def request_for(instruction: WalletInstruction, player_external_id: str) -> WalletRequest:
    """The RPC body for a stored instruction: every send and re-send is built the same way."""
    return WalletRequest(
        instruction.rpc,
        instruction.idempotency_key,
        player_external_id,
        instruction.amount_minor,
        instruction.currency,
        round_public_id=instruction.round_public_id,
        inventory_item_id=instruction.inventory_item_id,
        funding=instruction.funding,
        rollback_of=instruction.rollback_of,
    )
