"""The purchase use cases: short transactions around the wallet calls, never one across them."""

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.errors import CofferError
from coffer.operators.models import Operator
from coffer.rounds import cancel, service
from coffer.rounds import idempotency as actions
from coffer.rounds.idempotency import StoredAnswer
from coffer.rounds.schemas import CancelRequest, PurchaseRequest
from coffer.runtime import Runtime
from coffer.seamless.client import Accepted, CallResult

REPLAY_MARGIN_S = 5.0
log = logging.getLogger("coffer.rounds")


async def purchase(runtime: Runtime, operator_id: int, body: PurchaseRequest) -> StoredAnswer:
    """Atomic open, prepay or open of a held round; every retry gets the first answer."""
    async with runtime.sessions() as session:
        operator = await _operator(session, operator_id)
        step: service.Step
        if body.round_public_id is not None:
            step = await service.start_open(session, runtime, operator, body)
        else:
            step = await service.start_purchase(session, runtime, operator, body)
        await session.commit()
    if isinstance(step, service.Replay):
        return await _replay(runtime, step)
    if isinstance(step, service.Pending):
        result = CallResult(Accepted(None, None))
        if step.request is not None:
            result = await runtime.wallet.call(step.target, step.request)
        step = await _apply_debit(runtime, step, result)
    if isinstance(step, service.Payout):
        result = await runtime.wallet.call(step.target, step.request)
        async with runtime.sessions() as session:
            step = await service.apply_payout(session, step, result)
            await session.commit()
    assert isinstance(step, StoredAnswer)
    return step


async def cancel_round(runtime: Runtime, operator_id: int, body: CancelRequest) -> StoredAnswer:
    """Refund a held round through wallet.credit."""
    async with runtime.sessions() as session:
        operator = await _operator(session, operator_id)
        step = await cancel.start_cancel(session, runtime, operator, body)
        await session.commit()
    if isinstance(step, StoredAnswer):
        return step
    result = await runtime.wallet.call(step.target, step.request)
    async with runtime.sessions() as session:
        answer = await cancel.apply_refund(session, step, result)
        await session.commit()
    return answer


async def _operator(session: AsyncSession, operator_id: int) -> Operator:
    operator = await session.get(Operator, operator_id)
    assert operator is not None
    return operator


async def _apply_debit(
    runtime: Runtime, pending: service.Pending, result: CallResult
) -> service.Payout | StoredAnswer:
    """Apply the wallet's answer; if that fails, hand the debit to the resolver and say so."""
    try:
        async with runtime.sessions() as session:
            step = await service.apply_debit(session, runtime, pending, result)
            await session.commit()
        return step
    except Exception as exc:  # the debit may have applied: it must be rolled back, not lost
        log.exception("settling after the debit failed; the resolver will roll it back")
        async with runtime.sessions() as session:
            answer = await service.abandon_debit(session, pending, result, exc)
            await session.commit()
        return answer


async def _replay(runtime: Runtime, replay: service.Replay) -> StoredAnswer:
    limit = replay.wait_s + REPLAY_MARGIN_S
    stored = await actions.wait_for_answer(
        runtime.sessions, replay.operator_id, replay.player_id, replay.client_action_id, limit
    )
    if stored is None:
        raise WalletStillWorking()
    return stored


class WalletStillWorking(CofferError):
    """The first request of this action has not finished; the caller may retry the same id."""

    code = "WALLET_UNAVAILABLE"
    default_message = "The first request with this clientActionId is still waiting on the wallet."
