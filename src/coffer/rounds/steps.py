"""The purchase's transactions, one function each: write the round, apply the debit, pay out.

Each step runs inside the transaction ``seamless.exchange`` opens, and hands back either a
result or the next instruction to send (``Send``), whose ``finish`` is the next step.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import rows_changed, utcnow
from coffer.kit.errors import RoundNotFound, RoundNotHeld
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.players.service import ensure_player
from coffer.rounds import answers, counting, events
from coffer.rounds import idempotency as actions
from coffer.rounds.answers import Failure, Fairness, Held, Result, Settled
from coffer.rounds.commands import Purchase
from coffer.rounds.draw import Settlement, claim_for_draw, draw_round
from coffer.rounds.models import Round, RoundReel
from coffer.rounds.pricing import (
    rates_from_snapshot,
)
from coffer.seamless import service as seamless
from coffer.seamless.client import Accepted, CallResult, Refused
from coffer.seamless.models import WalletInstruction
from coffer.seamless.service import Gateway, Send

KNOWN_REFUSALS = ("INSUFFICIENT_FUNDS", "PLAYER_BLOCKED")


@dataclass(frozen=True)
class Replay:
    """The action exists already: wait for (or read) its stored result."""

    operator_id: int
    player_id: int
    client_action_id: str
    wait_s: float


Outcome = Result | Replay
Step = Send[Outcome] | Outcome


async def round_instruction(
    session: AsyncSession,
    round_: Round,
    *,
    kind: str,
    rpc: str,
    key: str,
    amount_minor: int,
    resolver_after: datetime | None = None,
) -> WalletInstruction:
    """A money instruction of this round: its operator, player, currency, funding and ids."""
    return await seamless.add_instruction(
        session,
        operator_id=round_.operator_id,
        player_id=round_.player_id,
        kind=kind,
        rpc=rpc,
        key=key,
        amount_minor=amount_minor,
        currency=round_.currency,
        funding=round_.funding,
        round_id=round_.id,
        round_public_id=round_.public_id,
        resolver_after=resolver_after,
    )


def replay_wait(gateway: Gateway, operator: Operator) -> float:
    """How long a retry waits for the first request: as long as the resolver leaves it alone."""
    return gateway.grace(gateway.target(operator)).total_seconds()


def _replay(gateway: Gateway, operator: Operator, player: Player, command: Purchase) -> Replay:
    wait = replay_wait(gateway, operator)
    return Replay(operator.id, player.id, command.client_action_id, wait)


async def abandoned(session: AsyncSession, action_id: int, round_id: int, reason: str) -> Outcome:
    """Settling failed after the wallet answered: answer as the round stands now."""
    round_now = await load_round(session, round_id)
    answer = answers.unavailable(round_now.public_id, round_now.status, reason)
    return await actions.finish(session, action_id, round_now.id, answer)


async def apply_debit(
    session: AsyncSession,
    gateway: Gateway,
    action_id: int,
    round_id: int,
    result: CallResult,
    owned: bool,
) -> Step:
    """Move the round on after the wallet's answer: held, drawn, voided or left pending."""
    round_ = await load_round(session, round_id)
    outcome = result.outcome
    answer: Result
    if not owned:
        answer = answers.unavailable(
            round_.public_id, round_.status, "the resolver took over this debit"
        )
    elif isinstance(outcome, Accepted):
        return await after_accepted(session, gateway, action_id, round_, outcome)
    elif isinstance(outcome, Refused):
        code = outcome.code if outcome.code in KNOWN_REFUSALS else "WALLET_REFUSED"
        await _void(session, round_, f"the wallet refused the debit ({outcome.code})")
        balance = outcome.balance_after_minor
        answer = Failure(code, outcome.message, round_.public_id, "voided", balance, True)
    else:
        answer = answers.unavailable(round_.public_id, round_.status, outcome.reason)
    return await actions.finish(session, action_id, round_.id, answer)


async def after_accepted(
    session: AsyncSession, gateway: Gateway, action_id: int, round_: Round, outcome: Accepted
) -> Step:
    balance = outcome.balance_after_minor
    if round_.mode != "prepay":
        return await settle(session, gateway, action_id, round_, "pending", balance)
    moved = await session.execute(
        update(Round)
        .where(Round.id == round_.id, Round.status == "pending")
        .values(status="held", purchased_at=utcnow())
    )
    await session.refresh(round_)
    if rows_changed(moved) != 1:
        answer: Result = answers.unavailable(
            round_.public_id, round_.status, "the round was resolved meanwhile"
        )
        return await actions.finish(session, action_id, round_.id, answer)
    reels = await session.scalars(
        select(RoundReel.box_version_id)
        .where(RoundReel.round_id == round_.id)
        .order_by(RoundReel.reel_index)
    )
    assert round_.purchased_at is not None
    held = Held(
        round_.public_id,
        round_.bet_minor,
        round_.currency,
        round_.funding,
        tuple(reels),
        round_.purchased_at,
        balance,
    )
    return await actions.finish(session, action_id, round_.id, held)


async def settle(
    session: AsyncSession,
    gateway: Gateway,
    action_id: int,
    round_: Round,
    from_status: str,
    balance: int | None,
) -> Step:
    """Draw the round; answer now, or hand back the cash payout still to be credited."""
    claimed = await claim_for_draw(session, round_.id, from_status)
    await session.refresh(round_)
    if not claimed:
        if from_status == "held":
            raise RoundNotHeld()
        answer: Result = answers.unavailable(
            round_.public_id, round_.status, "the round was resolved meanwhile"
        )
        return await actions.finish(session, action_id, round_.id, answer)
    operator = await session.get(Operator, round_.operator_id)
    player = await session.get(Player, round_.player_id)
    assert operator is not None
    assert player is not None
    rates = rates_from_snapshot(round_.fx_rates)
    settlement = await draw_round(
        session, gateway.secrets, round_, player, rates, operator.policies
    )
    if from_status == "held":
        key = f"open:round:{round_.public_id}"
        await round_instruction(session, round_, kind="open", rpc="none", key=key, amount_minor=0)
    # The result is stored with the draw, so a crash before the payout still leaves it to
    # replay; balanceAfterMinor is the wallet's balance after the debit (the payout is its own
    # credit).
    settled = _settled(round_, settlement, balance)
    stored = await actions.finish(session, action_id, round_.id, settled)
    await events.round_settled(session, round_, settled, settlement.bonuses)
    if settlement.cash_minor == 0:
        return stored
    return await _payout(session, gateway, operator, player, round_, settlement.cash_minor, stored)


def _settled(round_: Round, settlement: Settlement, balance: int | None) -> Settled:
    assert round_.settled_at is not None
    assert round_.nonce is not None
    assert round_.payout_minor is not None
    fairness = Fairness(
        str(round_.server_seed_hash),
        str(round_.client_seed),
        round_.nonce,
        str(round_.algorithm_key),
    )
    return Settled(
        round_.public_id,
        round_.bet_minor,
        round_.payout_minor,
        round_.currency,
        round_.funding,
        round_.settled_at,
        tuple(settlement.reels),
        tuple(settlement.won),
        fairness,
        balance,
    )


async def _payout(
    session: AsyncSession,
    gateway: Gateway,
    operator: Operator,
    player: Player,
    round_: Round,
    cash_minor: int,
    answer: Result,
) -> Send[Outcome]:
    """Write the cash payout credit (key payout:round:<id>); the resolver re-sends it if need be."""
    target = gateway.target(operator)
    credit = await round_instruction(
        session,
        round_,
        kind="payout",
        rpc="wallet.credit",
        key=f"payout:round:{round_.public_id}",
        amount_minor=cash_minor,
        resolver_after=gateway.resolver_after(target),
    )

    async def finish(_session: AsyncSession, _result: CallResult, _owned: bool) -> Outcome:
        return answer

    request = seamless.request_for(credit, player.external_id)
    return Send(credit.id, target, request, finish, retry_refused=True)


async def start_open(
    session: AsyncSession, gateway: Gateway, operator: Operator, command: Purchase
) -> Step:
    """Open a held round: no debit, the price and version were fixed when it was bought."""
    assert command.round_public_id is not None
    player = await ensure_player(session, operator, command.player_external_id)
    digest = actions.request_hash(command.fingerprint())
    if await actions.known(session, operator.id, player.id, command.client_action_id, digest):
        return _replay(gateway, operator, player, command)
    round_ = await find_round(session, player, command.round_public_id)
    action_id = await actions.claim(
        session, operator.id, player.id, command.client_action_id, digest
    )
    if action_id is None:
        return _replay(gateway, operator, player, command)
    await actions.attach_round(session, action_id, round_.id)
    return await settle(session, gateway, action_id, round_, "held", None)


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


async def load_round(session: AsyncSession, round_id: int) -> Round:
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
    if rows_changed(voided) == 1:
        await counting.release(session, round_)
        await events.round_voided(session, round_, reason)
