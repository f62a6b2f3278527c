"""The purchase use cases: short transactions around the wallet calls, never one across them."""

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit import metrics
from coffer.kit.errors import CofferError
from coffer.operators.models import Operator
from coffer.rounds import buying, cancel, settling, steps
from coffer.rounds import idempotency as actions
from coffer.rounds.answers import Failure, Held, Replayed, Result, Settled
from coffer.rounds.commands import Cancel, Purchase
from coffer.seamless.models import WalletInstruction
from coffer.seamless.service import Gateway, exchange

REPLAY_MARGIN_S = 5.0


async def purchase(gateway: Gateway, operator: Operator | int, command: Purchase) -> Result:
    """Atomic open, prepay or open of a held round; every retry gets the first result.

    ``operator`` is the row authentication already read, or its id. Each is counted by outcome:
    ``coffer_opens_total`` for the open of a held round, ``coffer_purchases_total`` else."""
    counter = metrics.PURCHASES if command.round_public_id is None else metrics.OPENS
    try:
        result, replayed = await _purchase(gateway, operator, command)
    except CofferError as error:
        counter.labels(metrics.word(error.code)).inc()
        raise
    except Exception:
        counter.labels("error").inc()
        raise
    counter.labels("replayed" if replayed else outcome_label(result)).inc()
    return result


def outcome_label(result: Result) -> str:
    """settled, held, or the refusal's code (insufficient_funds, wallet_unavailable, ...)."""
    if isinstance(result, Failure):
        return metrics.word(result.code)
    return {Settled: "settled", Held: "held", Replayed: "replayed"}.get(type(result), "other")


async def _purchase(
    gateway: Gateway, operator: Operator | int, command: Purchase
) -> tuple[Result, bool]:
    """The result, and whether it was the replay of an earlier request's."""

    async def begin(session: AsyncSession) -> steps.Step:
        signer = operator if isinstance(operator, Operator) else await _operator(session, operator)
        if command.round_public_id is not None:
            return await steps.start_open(session, gateway, signer, command)
        bought = await buying.write_round(session, gateway, signer, command)
        return await settling.debit(session, gateway, bought)

    try:
        outcome: steps.Outcome = await exchange(gateway, begin)
    except buying.AlreadyClaimed as claimed:
        outcome = claimed.replay
    if isinstance(outcome, steps.Replay):
        return await _replay(gateway, outcome), True
    return outcome, False


async def cancel_round(gateway: Gateway, operator_id: int, command: Cancel) -> Result:
    """Refund a held round through wallet.credit."""

    async def begin(session: AsyncSession) -> cancel.Step:
        operator = await _operator(session, operator_id)
        return await cancel.start_cancel(session, gateway, operator, command)

    return await exchange(gateway, begin)


async def _operator(session: AsyncSession, operator_id: int) -> Operator:
    operator = await session.get(Operator, operator_id)
    assert operator is not None
    return operator


async def _replay(gateway: Gateway, replay: steps.Replay) -> Result:
    limit = replay.wait_s + REPLAY_MARGIN_S
    stored = await actions.wait_for_answer(
        gateway.sessions, replay.operator_id, replay.player_id, replay.client_action_id, limit
    )
    if stored is None:
        raise WalletStillWorking()
    return await _as_it_stands(gateway, stored)


async def _as_it_stands(gateway: Gateway, stored: Result) -> Result:
    """A stored "will be rolled back" answer whose rollback the wallet refused says so instead:
    the money is held until staff reconcile it (every other answer replays as stored)."""
    if not (isinstance(stored, Failure) and stored.round_status == "pending"):
        return stored
    async with gateway.sessions() as session:
        state = await session.scalar(
            select(WalletInstruction.state).where(
                WalletInstruction.idempotency_key == f"round:{stored.round_public_id}",
                WalletInstruction.kind == "purchase",
            )
        )
    if state != "review":
        return stored
    return replace(
        stored,
        message="The wallet refused to roll back this round's debit: the amount is held and "
        "the round stays pending until the operator's staff reconcile it. Do not retry it; "
        "buy again with a new clientActionId.",
    )


class WalletStillWorking(CofferError):
    """The first request of this action has not finished; the caller may retry the same id."""

    code = "WALLET_UNAVAILABLE"
    default_message = "The first request with this clientActionId is still waiting on the wallet."
