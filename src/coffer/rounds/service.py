"""Purchase steps, each inside one transaction: write the round, apply the debit, pay out."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.catalog.service import openable_version
from coffer.kit.db import utcnow
from coffer.kit.errors import RoundNotFound, RoundNotHeld, WalletUnavailable
from coffer.operators.models import Operator
from coffer.operators.service import load_rates
from coffer.players.models import Player
from coffer.players.service import ensure_player
from coffer.rounds import answers as views
from coffer.rounds import events
from coffer.rounds import idempotency as actions
from coffer.rounds.draw import claim_for_draw, draw_round
from coffer.rounds.idempotency import StoredAnswer
from coffer.rounds.models import Round, RoundReel
from coffer.rounds.pricing import (
    check_expected,
    price_reels,
    rate_for,
    rates_from_snapshot,
    snapshot_rates,
)
from coffer.rounds.schemas import PurchaseRequest
from coffer.runtime import Runtime
from coffer.seamless import service as wallet
from coffer.seamless.client import (
    Accepted,
    CallResult,
    Refused,
    Uncertain,
    WalletRequest,
    WalletTarget,
)

KNOWN_REFUSALS = ("INSUFFICIENT_FUNDS", "PLAYER_BLOCKED")


@dataclass(frozen=True)
class Replay:
    """The action exists already: wait for (or read) its stored answer."""

    operator_id: int
    player_id: int
    client_action_id: str
    wait_s: float


@dataclass(frozen=True)
class Pending:
    """A round written as pending, with the debit to send (None when operator-funded)."""

    action_id: int
    round_id: int
    instruction_id: int | None
    target: WalletTarget
    request: WalletRequest | None


@dataclass(frozen=True)
class Payout:
    """A settled round whose cash prizes still have to be credited."""

    instruction_id: int
    target: WalletTarget
    request: WalletRequest
    answer: StoredAnswer


Step = Replay | Pending | Payout | StoredAnswer


def replay_wait(runtime: Runtime, operator: Operator) -> float:
    """How long a retry waits for the first request: as long as the resolver leaves it alone."""
    target = wallet.target_for(operator, runtime.secrets, runtime.settings)
    return wallet.grace_period(runtime.settings, target.timeout_s).total_seconds()


async def start_purchase(
    session: AsyncSession, runtime: Runtime, operator: Operator, body: PurchaseRequest
) -> Step:
    """Check and price the reels, claim the action, write the pending round and its debit."""
    assert body.reels is not None
    if body.funding == "player" and operator.wallet_url is None:
        raise WalletUnavailable("No wallet URL is configured for this operator; set walletUrl.")
    player = await ensure_player(session, operator, body.player_external_id)
    digest = actions.request_hash(body.model_dump(mode="json"))
    if await actions.known(session, operator.id, player.id, body.client_action_id, digest):
        return Replay(operator.id, player.id, body.client_action_id, replay_wait(runtime, operator))
    reels = sorted(body.reels, key=lambda r: r.reel_index)
    versions = [await openable_version(session, operator, r.box_version_id) for r in reels]
    rates = await load_rates(session, operator)
    currency = body.currency or operator.base_currency
    rate_for(rates, currency)
    prices = price_reels([(v.price_minor, v.currency) for v in versions], currency, rates)
    check_expected(sum(prices), body.expected_price_minor, operator.fx_tolerance_bps)
    action_id = await actions.claim(session, operator.id, player.id, body.client_action_id, digest)
    if action_id is None:
        return Replay(operator.id, player.id, body.client_action_id, replay_wait(runtime, operator))
    round_ = Round(
        public_id=f"r_{ULID()}",
        operator_id=operator.id,
        player_id=player.id,
        status="pending",
        mode="atomic" if body.mode == "open" else "prepay",
        funding=body.funding,
        currency=currency,
        bet_minor=sum(prices),
        created_at=utcnow(),
        fx_rates=snapshot_rates(rates, {currency, *(v.currency for v in versions)}),
    )
    session.add(round_)
    await session.flush()
    await actions.attach_round(session, action_id, round_.id)
    for reel, version, price in zip(reels, versions, prices, strict=True):
        session.add(
            RoundReel(
                round_id=round_.id,
                reel_index=reel.reel_index,
                box_version_id=version.id,
                price_minor=price,
                snapshot_hash=version.snapshot_hash,
            )
        )
    pending = await _debit(session, runtime, operator, player, round_, action_id)
    if pending.request is None:  # operator-funded: nothing to send, settle in this transaction
        return await _after_accepted(session, runtime, pending, round_, Accepted(None, None))
    return pending


async def _debit(
    session: AsyncSession,
    runtime: Runtime,
    operator: Operator,
    player: Player,
    round_: Round,
    action_id: int,
) -> Pending:
    target = wallet.target_for(operator, runtime.secrets, runtime.settings)
    operator_funded = round_.funding == "operator"
    instruction = await wallet.add_instruction(
        session,
        operator_id=operator.id,
        player_id=player.id,
        kind="purchase",
        rpc="none" if operator_funded else "wallet.debit",
        key=f"round:{round_.public_id}",
        amount_minor=round_.bet_minor,
        currency=round_.currency,
        funding=round_.funding,
        round_id=round_.id,
        resolver_after=utcnow() + wallet.grace_period(runtime.settings, target.timeout_s),
    )
    request = (
        None
        if operator_funded
        else wallet.request_for(instruction, player.external_id, round_.public_id)
    )
    return Pending(
        action_id, round_.id, None if operator_funded else instruction.id, target, request
    )


async def apply_debit(
    session: AsyncSession, runtime: Runtime, pending: Pending, result: CallResult
) -> Payout | StoredAnswer:
    """Record the wallet's answer and move the round on: held, drawn, voided or left pending."""
    round_ = await _round(session, pending.round_id)
    owned = pending.instruction_id is None or await wallet.record_result(
        session, pending.instruction_id, result, retry_at=utcnow()
    )
    outcome = result.outcome
    if not owned:
        answer = views.unavailable(round_, "the resolver took over this debit")
    elif isinstance(outcome, Accepted):
        return await _after_accepted(session, runtime, pending, round_, outcome)
    elif isinstance(outcome, Refused):
        code = outcome.code if outcome.code in KNOWN_REFUSALS else "WALLET_REFUSED"
        await _void(session, round_, f"the wallet refused the debit ({outcome.code})")
        answer = views.refused(round_, code, outcome.message, outcome.balance_after_minor)
    else:
        answer = views.unavailable(round_, outcome.reason)
    return await actions.finish(session, pending.action_id, round_.id, answer)


async def abandon_debit(
    session: AsyncSession, pending: Pending, result: CallResult, error: Exception
) -> StoredAnswer:
    """Settling failed after the wallet answered: leave the debit to the resolver's rollback."""
    assert pending.instruction_id is not None
    reason = f"settling failed after the wallet answered ({type(error).__name__})"
    await wallet.record_result(
        session,
        pending.instruction_id,
        CallResult(Uncertain(reason), result.attempts),
        retry_at=utcnow(),
    )
    round_ = await _round(session, pending.round_id)
    answer = views.unavailable(round_, reason)
    return await actions.finish(session, pending.action_id, round_.id, answer)


async def _after_accepted(
    session: AsyncSession, runtime: Runtime, pending: Pending, round_: Round, outcome: Accepted
) -> Payout | StoredAnswer:
    balance = outcome.balance_after_minor
    if round_.mode != "prepay":
        return await settle(session, runtime, pending.action_id, round_, "pending", balance)
    moved = await session.execute(
        update(Round)
        .where(Round.id == round_.id, Round.status == "pending")
        .values(status="held", purchased_at=utcnow())
    )
    await session.refresh(round_)
    if getattr(moved, "rowcount", 0) != 1:
        answer = views.unavailable(round_, "the round was resolved meanwhile")
        return await actions.finish(session, pending.action_id, round_.id, answer)
    reels = await session.scalars(
        select(RoundReel.box_version_id)
        .where(RoundReel.round_id == round_.id)
        .order_by(RoundReel.reel_index)
    )
    answer = views.held(round_, list(reels), balance)
    return await actions.finish(session, pending.action_id, round_.id, answer)


async def settle(
    session: AsyncSession,
    runtime: Runtime,
    action_id: int,
    round_: Round,
    from_status: str,
    balance: int | None,
) -> Payout | StoredAnswer:
    """Draw the round; answer now, or hand back the cash payout still to be credited."""
    claimed = await claim_for_draw(session, round_.id, from_status)
    await session.refresh(round_)
    if not claimed:
        if from_status == "held":
            raise RoundNotHeld()
        answer = views.unavailable(round_, "the round was resolved meanwhile")
        return await actions.finish(session, action_id, round_.id, answer)
    operator = await session.get(Operator, round_.operator_id)
    player = await session.get(Player, round_.player_id)
    assert operator is not None
    assert player is not None
    rates = rates_from_snapshot(round_.fx_rates)
    settlement = await draw_round(session, runtime, round_, player, rates, operator.policies)
    if from_status == "held":
        await wallet.add_instruction(
            session,
            operator_id=operator.id,
            player_id=player.id,
            kind="open",
            rpc="none",
            key=f"open:round:{round_.public_id}",
            amount_minor=0,
            currency=round_.currency,
            funding=round_.funding,
            round_id=round_.id,
        )
    # The answer is stored with the draw, so a crash before the payout still leaves it to replay;
    # balanceAfterMinor is the wallet's balance after the debit (the payout is its own credit).
    answer = await actions.finish(
        session,
        action_id,
        round_.id,
        views.settled(round_, settlement.reels, settlement.won, balance),
    )
    await events.round_settled(session, round_, answer, settlement.bonuses)
    if settlement.cash_minor == 0:
        return answer
    return await _payout(session, runtime, operator, player, round_, settlement.cash_minor, answer)


async def _payout(
    session: AsyncSession,
    runtime: Runtime,
    operator: Operator,
    player: Player,
    round_: Round,
    cash_minor: int,
    answer: StoredAnswer,
) -> Payout:
    """Write the cash payout credit (key payout:round:<id>) for the caller to send."""
    target = wallet.target_for(operator, runtime.secrets, runtime.settings)
    credit = await wallet.add_instruction(
        session,
        operator_id=operator.id,
        player_id=player.id,
        kind="payout",
        rpc="wallet.credit",
        key=f"payout:round:{round_.public_id}",
        amount_minor=cash_minor,
        currency=round_.currency,
        funding=round_.funding,
        round_id=round_.id,
        resolver_after=utcnow() + wallet.grace_period(runtime.settings, target.timeout_s),
    )
    request = wallet.request_for(credit, player.external_id, round_.public_id)
    return Payout(credit.id, target, request, answer)


async def apply_payout(session: AsyncSession, payout: Payout, result: CallResult) -> StoredAnswer:
    """Record the payout credit; the resolver re-sends it until accepted."""
    await wallet.record_result(
        session, payout.instruction_id, wallet.as_credit(result), retry_at=utcnow()
    )
    return payout.answer


async def start_open(
    session: AsyncSession, runtime: Runtime, operator: Operator, body: PurchaseRequest
) -> Replay | Payout | StoredAnswer:
    """Open a held round: no debit, the price and version were fixed when it was bought."""
    assert body.round_public_id is not None
    player = await ensure_player(session, operator, body.player_external_id)
    digest = actions.request_hash(body.model_dump(mode="json"))
    if await actions.known(session, operator.id, player.id, body.client_action_id, digest):
        return Replay(operator.id, player.id, body.client_action_id, replay_wait(runtime, operator))
    round_ = await find_round(session, player, body.round_public_id)
    action_id = await actions.claim(session, operator.id, player.id, body.client_action_id, digest)
    if action_id is None:
        return Replay(operator.id, player.id, body.client_action_id, replay_wait(runtime, operator))
    await actions.attach_round(session, action_id, round_.id)
    return await settle(session, runtime, action_id, round_, "held", None)


async def find_round(session: AsyncSession, player: Player, public_id: str) -> Round:
    """The player's round by public id, or ROUND_NOT_FOUND (also for another player's)."""
    round_ = (
        await session.execute(
            select(Round).where(Round.public_id == public_id, Round.player_id == player.id)
        )
    ).scalar_one_or_none()
    if round_ is None:
        raise RoundNotFound(f"Player {player.external_id!r} has no round {public_id}.")
    return round_


async def _round(session: AsyncSession, round_id: int) -> Round:
    round_ = await session.get(Round, round_id, populate_existing=True)
    assert round_ is not None
    return round_


async def _void(session: AsyncSession, round_: Round, reason: str) -> None:
    voided = await session.execute(
        update(Round)
        .where(Round.id == round_.id, Round.status == "pending")
        .values(status="voided", voided_at=utcnow())
    )
    await session.refresh(round_)
    if getattr(voided, "rowcount", 0) == 1:
        await events.round_voided(session, round_, reason)
