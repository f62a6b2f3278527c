"""Finishes what a timeout or a crash left open: debits are rolled back, credits retried.

Each instruction is claimed with a conditional update (a lease), sent outside any transaction,
then recorded; several resolvers may run at once without sending one instruction twice at once.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory.cashout import finish_item
from coffer.kit.db import insert_ignoring_conflict, utcnow
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.rounds import answers as views
from coffer.rounds import events
from coffer.rounds import idempotency as actions
from coffer.rounds.cancel import complete_refund
from coffer.rounds.models import PlayerAction, Round
from coffer.runtime import Runtime
from coffer.seamless import service as wallet
from coffer.seamless.client import Accepted, Refused, Uncertain, WalletRequest, WalletTarget
from coffer.seamless.models import WalletInstruction

log = logging.getLogger("coffer.resolver")
RESOLVABLE = (*wallet.OPEN_STATES, "rolling_back")


# Longer than any call can take (3 attempts of at most 60 s each, with backoff), so no second
# resolver sends the same instruction while the first is still waiting for an answer.
LEASE = timedelta(minutes=5)


MAX_BACKOFF_S = 3600


@dataclass
class ResolverReport:
    """How many instructions a pass finished or left for later."""

    rolled_back: int = 0
    credited: int = 0
    still_open: int = 0
    ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Claimed:
    instruction: WalletInstruction
    target: WalletTarget
    player_external_id: str
    round_public_id: str | None


def backoff(attempts: int) -> timedelta:
    """Capped exponential backoff: 1 s, 2 s, 4 s … 1 h."""
    return timedelta(seconds=min(2 ** min(attempts, 12), MAX_BACKOFF_S))


async def run_once(
    runtime: Runtime, now: datetime | None = None, limit: int = 100
) -> ResolverReport:
    """Resolve every due instruction once."""
    now = now or utcnow()
    async with runtime.sessions() as session:
        due = list(
            await session.scalars(
                select(WalletInstruction.id)
                .where(WalletInstruction.state.in_(RESOLVABLE))
                .where(WalletInstruction.kind != "rollback")
                .where(WalletInstruction.next_attempt_at <= now)
                .order_by(WalletInstruction.id)
                .limit(limit)
            )
        )
    report = ResolverReport()
    for instruction_id in due:
        try:
            await resolve_one(runtime, instruction_id, now, report)
        except Exception:  # one broken instruction must not hold up the others
            log.exception("could not resolve wallet instruction %s", instruction_id)
            report.still_open += 1
    return report


async def _claim(runtime: Runtime, instruction_id: int, now: datetime) -> Claimed | None:
    """Lease the instruction; a debit is taken from the live request (state rolling_back)."""
    async with runtime.sessions() as session:
        taken = await session.execute(
            update(WalletInstruction)
            .where(WalletInstruction.id == instruction_id)
            .where(WalletInstruction.state.in_(RESOLVABLE))
            .where(WalletInstruction.next_attempt_at <= now)
            .values(next_attempt_at=max(now, utcnow()) + LEASE)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return None
        await session.execute(
            update(WalletInstruction)
            .where(WalletInstruction.id == instruction_id)
            .where(WalletInstruction.rpc == "wallet.debit")
            .values(state="rolling_back", updated_at=utcnow())
        )
        instruction = await session.get(WalletInstruction, instruction_id)
        assert instruction is not None
        operator = await session.get(Operator, instruction.operator_id)
        player = await session.get(Player, instruction.player_id)
        assert operator is not None
        assert player is not None
        round_ = await session.get(Round, instruction.round_id) if instruction.round_id else None
        target = wallet.target_for(operator, runtime.secrets, runtime.settings)
        await session.commit()
    return Claimed(instruction, target, player.external_id, round_.public_id if round_ else None)


async def resolve_one(
    runtime: Runtime, instruction_id: int, now: datetime, report: ResolverReport
) -> None:
    """Roll back an unsettled debit, or send an unconfirmed credit again."""
    claimed = await _claim(runtime, instruction_id, now)
    if claimed is None:
        return
    report.ids.append(instruction_id)
    if claimed.instruction.rpc == "wallet.debit":
        await _roll_back(runtime, claimed, report)
    else:
        await _credit_again(runtime, claimed, report)


async def _roll_back(runtime: Runtime, claimed: Claimed, report: ResolverReport) -> None:
    debit = claimed.instruction
    key = f"rollback:{debit.idempotency_key}"
    request = WalletRequest(
        "wallet.rollback",
        key,
        claimed.player_external_id,
        debit.amount_minor,
        debit.currency,
        round_public_id=claimed.round_public_id,
        funding=debit.funding,
        rollback_of=debit.idempotency_key,
    )
    result = await runtime.wallet.call(claimed.target, request)
    async with runtime.sessions() as session:
        rollback_id = await _rollback_row(session, debit, key)
        await wallet.record_result(session, rollback_id, result, retry_at=utcnow())
        if isinstance(result.outcome, Uncertain):
            await _retry_later(session, debit)
            report.still_open += 1
        elif isinstance(result.outcome, Refused):
            await _needs_review(session, debit, result.outcome.code)
            report.still_open += 1
        else:
            await _close_debit(session, debit)
            report.rolled_back += 1
        await session.commit()


async def _rollback_row(session: AsyncSession, debit: WalletInstruction, key: str) -> int:
    now = utcnow()
    values = {
        "operator_id": debit.operator_id,
        "player_id": debit.player_id,
        "round_id": debit.round_id,
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
    }
    await session.execute(
        insert_ignoring_conflict(
            session, WalletInstruction, values, ["operator_id", "idempotency_key"]
        )
    )
    found = await session.scalar(
        select(WalletInstruction.id).where(
            WalletInstruction.operator_id == debit.operator_id,
            WalletInstruction.idempotency_key == key,
        )
    )
    assert found is not None

    return int(found)


async def _close_debit(session: AsyncSession, debit: WalletInstruction) -> None:
    """The rollback is definite: the debit is undone, the round voided, a waiting retry told."""
    now = utcnow()
    await session.execute(
        update(WalletInstruction)
        .where(WalletInstruction.id == debit.id, WalletInstruction.state == "rolling_back")
        .values(state="rolled_back", resolved_at=now, updated_at=now, next_attempt_at=None)
    )
    if debit.round_id is None:
        return
    voided = await session.execute(
        update(Round)
        .where(Round.id == debit.round_id, Round.status == "pending")
        .values(status="voided", voided_at=now)
    )
    round_ = await session.get(Round, debit.round_id, populate_existing=True)
    assert round_ is not None
    if getattr(voided, "rowcount", 0) == 1:
        await events.round_voided(session, round_, "the wallet never confirmed the debit")
    waiting = await session.scalar(
        select(PlayerAction.id).where(
            PlayerAction.round_id == round_.id, PlayerAction.state == "running"
        )
    )
    if waiting is not None:
        answer = views.unavailable(round_, "the wallet never confirmed the debit; rolled back")
        await actions.finish(session, waiting, round_.id, answer)


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
            next_attempt_at=utcnow() + backoff(instruction.attempts + 1),
            attempts=WalletInstruction.attempts + 1,
        )
    )


async def _credit_again(runtime: Runtime, claimed: Claimed, report: ResolverReport) -> None:
    credit = claimed.instruction
    request = wallet.request_for(credit, claimed.player_external_id, claimed.round_public_id)
    result = await runtime.wallet.call(claimed.target, request)
    cashback = credit.kind == "cashback"
    async with runtime.sessions() as session:
        retry_at = utcnow() + backoff(credit.attempts + len(result.attempts))
        # A refused cashback is final (the item becomes actionable again); other credits retry.
        recorded = result if cashback else wallet.as_credit(result)
        owned = await wallet.record_result(session, credit.id, recorded, retry_at=retry_at)
        if isinstance(result.outcome, Accepted):
            report.credited += 1
            if credit.kind == "refund" and credit.round_id is not None:
                await complete_refund(session, credit.round_id)
        elif not (cashback and isinstance(result.outcome, Refused)):
            report.still_open += 1
        definite = not isinstance(result.outcome, Uncertain)
        if cashback and owned and definite and credit.inventory_item_id is not None:
            accepted = isinstance(result.outcome, Accepted)
            await finish_item(session, credit.inventory_item_id, accepted=accepted)
        await session.commit()


async def run_forever(runtime: Runtime, interval_s: float) -> None:
    """The background loop inside ``coffer serve`` and the worker."""
    while True:
        try:
            await run_once(runtime)
        except Exception:  # the loop must survive a bad pass; the next one retries
            log.exception("resolver pass failed")
        await asyncio.sleep(interval_s)
