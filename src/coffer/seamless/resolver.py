"""Finishes what a timeout or a crash left open: debits are rolled back, credits retried.

Each instruction is claimed with a conditional update (a lease) and goes through the same
``exchange`` as a live request; several resolvers may run at once without sending one
instruction twice at once. When the wallet's answer is final, the feature that owns the
instruction's kind hears of it through its registered completion handler.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit import loops
from coffer.kit.backoff import backoff
from coffer.kit.db import insert_ignoring_conflict, rows_changed, utcnow
from coffer.kit.logs import current_request_id
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.seamless.client import Accepted, CallResult, Refused, Uncertain
from coffer.seamless.instructions import OPEN_STATES, request_for
from coffer.seamless.models import WalletInstruction
from coffer.seamless.service import Completion, Gateway, Send, exchange

log = logging.getLogger("coffer.resolver")
RESOLVABLE = (*OPEN_STATES, "rolling_back")
DEBIT = "wallet.debit"

# Longer than any call can take (3 attempts of at most 60 s each, with backoff), so no second
# resolver sends the same instruction while the first is still waiting for an answer.
LEASE = timedelta(minutes=5)
Finish = Callable[[AsyncSession, CallResult, bool], Awaitable[None]]


@dataclass
class ResolverReport:
    """How many instructions a pass finished or left for later."""

    rolled_back: int = 0
    credited: int = 0
    still_open: int = 0
    ids: list[int] = field(default_factory=list)


async def run_once(
    gateway: Gateway, now: datetime | None = None, limit: int = 100
) -> ResolverReport:
    """Resolve every due instruction once."""
    now = now or utcnow()
    async with gateway.sessions() as session:
        due = list(
            await session.execute(
                select(WalletInstruction.id, WalletInstruction.kind)
                .where(WalletInstruction.state.in_(RESOLVABLE))
                .where(WalletInstruction.kind != "rollback")
                .where(WalletInstruction.next_attempt_at <= now)
                .order_by(WalletInstruction.id)
                .limit(limit)
            )
        )
    report = ResolverReport()
    for instruction_id, kind in due:
        if kind not in gateway.handlers:  # a feature that was not wired in: never guess
            log.error("no completion handler for wallet instructions of kind %r", kind)
            report.still_open += 1
            continue
        try:
            await resolve_one(gateway, instruction_id, now, report)
        except Exception:  # one broken instruction must not hold up the others
            log.exception("could not resolve wallet instruction %s", instruction_id)
            report.still_open += 1
    return report


async def backlog(session: AsyncSession) -> int:
    """Instructions left open (pending, uncertain, rolling back) for the resolver, for metrics;
    a live request's own pending instruction counts until it is answered."""
    found = await session.scalar(
        select(func.count())
        .select_from(WalletInstruction)
        .where(WalletInstruction.state.in_(RESOLVABLE), WalletInstruction.kind != "rollback")
    )
    return int(found or 0)


async def resolve_one(
    gateway: Gateway, instruction_id: int, now: datetime, report: ResolverReport
) -> None:
    """Roll back an unsettled debit, or send an unconfirmed credit again."""

    async def begin(session: AsyncSession) -> Send[None] | None:
        return await claim(session, gateway, instruction_id, now, report)

    await exchange(gateway, begin)


async def claim(
    session: AsyncSession,
    gateway: Gateway,
    instruction_id: int,
    now: datetime,
    report: ResolverReport,
) -> Send[None] | None:
    """Lease the instruction and write what to send; a debit is taken from the live request."""
    taken = await session.execute(
        update(WalletInstruction)
        .where(WalletInstruction.id == instruction_id)
        .where(WalletInstruction.state.in_(RESOLVABLE))
        .where(WalletInstruction.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
    )
    if rows_changed(taken) != 1:
        return None
    report.ids.append(instruction_id)
    await session.execute(
        update(WalletInstruction)
        .where(WalletInstruction.id == instruction_id, WalletInstruction.rpc == DEBIT)
        .values(state="rolling_back", updated_at=utcnow())
    )
    instruction = await session.get(WalletInstruction, instruction_id, populate_existing=True)
    assert instruction is not None
    operator = await session.get(Operator, instruction.operator_id)
    player = await session.get(Player, instruction.player_id)
    assert operator is not None
    assert player is not None
    target = gateway.target(operator)
    completion = gateway.handlers[instruction.kind]
    if instruction.rpc == DEBIT:
        rollback = await _rollback_row(session, instruction)
        request = request_for(rollback, player.external_id)
        finish = _after_rollback(instruction, completion, report)
        return Send(rollback.id, target, request, finish)
    return Send(
        instruction.id,
        target,
        request_for(instruction, player.external_id),
        _after_credit(instruction, completion, report),
        retry_refused=instruction.kind != "cashback",
        retry_in=lambda result: backoff(instruction.attempts + len(result.attempts) + 1),
    )


async def _rollback_row(session: AsyncSession, debit: WalletInstruction) -> WalletInstruction:
    """The rollback instruction (key ``rollback:<debit key>``), written once before it is sent."""
    key = f"rollback:{debit.idempotency_key}"
    now = utcnow()
    values = {
        "operator_id": debit.operator_id,
        "player_id": debit.player_id,
        "round_id": debit.round_id,
        "round_public_id": debit.round_public_id,
        "kind": "rollback",
        "rpc": "wallet.rollback",
        "idempotency_key": key,
        "rollback_of": debit.idempotency_key,
        "amount_minor": debit.amount_minor,
        "currency": debit.currency,
        "funding": debit.funding,
        "state": "pending",
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
        "request_id": current_request_id(),
    }
    await session.execute(
        insert_ignoring_conflict(
            session, WalletInstruction, values, ["operator_id", "idempotency_key"]
        )
    )
    found = await session.scalar(
        select(WalletInstruction).where(
            WalletInstruction.operator_id == debit.operator_id,
            WalletInstruction.idempotency_key == key,
        )
    )
    assert found is not None
    return found


def _after_rollback(
    debit: WalletInstruction, completion: Completion, report: ResolverReport
) -> Finish:
    async def finish(session: AsyncSession, result: CallResult, _owned: bool) -> None:
        outcome = result.outcome
        if isinstance(outcome, Uncertain):
            await _retry_later(session, debit)
            report.still_open += 1
        elif isinstance(outcome, Refused):
            await _needs_review(session, debit, outcome.code)
            report.still_open += 1
        elif await _close_debit(session, debit):
            await completion(session, debit, "rolled_back")
            report.rolled_back += 1

    return finish


def _after_credit(
    credit: WalletInstruction, completion: Completion, report: ResolverReport
) -> Finish:
    async def finish(session: AsyncSession, result: CallResult, owned: bool) -> None:
        outcome = result.outcome
        if isinstance(outcome, Accepted):
            report.credited += 1
        elif not (credit.kind == "cashback" and isinstance(outcome, Refused)):
            report.still_open += 1
        if isinstance(outcome, Accepted):
            await completion(session, credit, "accepted")
        elif owned and isinstance(outcome, Refused) and credit.kind == "cashback":
            await completion(session, credit, "refused")  # a refused cashback is final

    return finish


async def _close_debit(session: AsyncSession, debit: WalletInstruction) -> bool:
    """The rollback is definite: the debit is undone (True unless someone else closed it)."""
    now = utcnow()
    closed = await session.execute(
        update(WalletInstruction)
        .where(WalletInstruction.id == debit.id, WalletInstruction.state == "rolling_back")
        .values(state="rolled_back", resolved_at=now, updated_at=now, next_attempt_at=None)
    )
    return rows_changed(closed) == 1


async def _needs_review(session: AsyncSession, debit: WalletInstruction, code: str) -> None:
    """The wallet refused the rollback: a person must reconcile; the round stays pending."""
    log.error("wallet refused rollback of %s (%s): needs review", debit.idempotency_key, code)
    await session.execute(
        update(WalletInstruction)
        .where(WalletInstruction.id == debit.id, WalletInstruction.state == "rolling_back")
        .values(
            state="review",
            last_error=f"rollback refused: {code}",
            next_attempt_at=None,
            updated_at=utcnow(),
        )
    )


async def _retry_later(session: AsyncSession, instruction: WalletInstruction) -> None:
    await session.execute(
        update(WalletInstruction)
        .where(WalletInstruction.id == instruction.id)
        .values(
            next_attempt_at=utcnow() + backoff(instruction.attempts + 2),
            attempts=WalletInstruction.attempts + 1,
        )
    )


async def run_forever(gateway: Gateway, interval_s: float) -> None:
    """The background loop inside ``coffer serve`` and the worker."""
    await loops.run_forever("resolver", lambda: run_once(gateway), interval_s)
