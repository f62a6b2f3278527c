"""Cancelling a held, player-funded round: refunding → refunded once the credit is accepted."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import rows_changed, utcnow
from coffer.kit.errors import RefundNotAllowed, RoundNotRefundable
from coffer.operators.models import Operator
from coffer.players.service import ensure_player
from coffer.rounds import events
from coffer.rounds.answers import Failure, Refunded, Result
from coffer.rounds.commands import Cancel
from coffer.rounds.models import Round
from coffer.rounds.steps import KNOWN_REFUSALS, find_round, round_instruction
from coffer.seamless import service as seamless
from coffer.seamless.client import Accepted, CallResult, Refused
from coffer.seamless.models import WalletInstruction
from coffer.seamless.service import Gateway, Send

Step = Send[Result] | Result


async def start_cancel(
    session: AsyncSession, gateway: Gateway, operator: Operator, command: Cancel
) -> Step:
    """Mark a held round refunding and write its credit; a refunded round answers as before."""
    player = await ensure_player(session, operator, command.player_external_id)
    round_ = await find_round(session, player, command.round_public_id)
    key = f"refund:round:{round_.public_id}"
    if round_.status == "refunded":
        return _refunded(round_, await _refund_balance(session, operator, key))
    if round_.funding != "player" or round_.status not in ("held", "refunding"):
        raise RoundNotRefundable(
            f"Round {round_.public_id} is {round_.status} and {round_.funding}-funded; "
            "only a held, player-funded round can be refunded."
        )
    if round_.status == "held" and not operator.policies.get("refund_enabled", True):
        raise RefundNotAllowed()
    target = gateway.target(operator)
    if round_.status == "held" and await _claim_held(session, round_):
        instruction = await round_instruction(
            session,
            round_,
            kind="refund",
            rpc="wallet.credit",
            key=key,
            amount_minor=round_.bet_minor,
            resolver_after=gateway.resolver_after(target),
        )
    elif round_.status == "refunded":  # a concurrent cancel finished first
        return _refunded(round_, await _refund_balance(session, operator, key))
    else:  # refunding: send the same credit again; the wallet applies one key once
        instruction = (
            await session.execute(
                select(WalletInstruction).where(
                    WalletInstruction.operator_id == operator.id,
                    WalletInstruction.idempotency_key == key,
                )
            )
        ).scalar_one()
    request = seamless.request_for(instruction, player.external_id)
    round_id = round_.id

    async def finish(session: AsyncSession, result: CallResult, _owned: bool) -> Result:
        return await apply_refund(session, round_id, result)

    return Send(instruction.id, target, request, finish, retry_refused=True)


def _refunded(round_: Round, balance: int | None) -> Refunded:
    assert round_.refunded_minor is not None
    return Refunded(round_.public_id, round_.refunded_minor, round_.currency, balance)


async def _claim_held(session: AsyncSession, round_: Round) -> bool:
    """held → refunding; False (and the round re-read) when a concurrent request moved it."""
    moved = await session.execute(
        update(Round)
        .where(Round.id == round_.id, Round.status == "held")
        .values(status="refunding")
    )
    if rows_changed(moved) == 1:
        return True
    await session.refresh(round_)
    if round_.status not in ("refunding", "refunded"):
        raise RoundNotRefundable(f"Round {round_.public_id} was opened concurrently.")
    return False


async def _refund_balance(session: AsyncSession, operator: Operator, key: str) -> int | None:
    """The balance the wallet reported for the accepted refund, so repeats answer the same."""
    return await session.scalar(
        select(WalletInstruction.balance_after_minor).where(
            WalletInstruction.operator_id == operator.id,
            WalletInstruction.idempotency_key == key,
        )
    )


async def complete_refund(session: AsyncSession, round_id: int) -> Round:
    """The credit was accepted: the round is refunded (once, with one ``round_refunded``)."""
    moved = await session.execute(
        update(Round)
        .where(Round.id == round_id, Round.status == "refunding")
        .values(status="refunded", refunded_minor=Round.bet_minor, refunded_at=utcnow())
    )
    round_ = await session.get(Round, round_id, populate_existing=True)
    assert round_ is not None
    if rows_changed(moved) == 1:
        await events.round_refunded(session, round_)
    return round_


async def apply_refund(session: AsyncSession, round_id: int, result: CallResult) -> Result:
    """Refused or unsure credits are retried by the resolver until accepted."""
    outcome = result.outcome
    if isinstance(outcome, Accepted):
        round_ = await complete_refund(session, round_id)
        return _refunded(round_, outcome.balance_after_minor)
    current = await session.get(Round, round_id, populate_existing=True)
    assert current is not None
    if current.status == "refunded":
        return _refunded(current, None)
    if isinstance(outcome, Refused):
        code = outcome.code if outcome.code in KNOWN_REFUSALS else "WALLET_REFUSED"
        return Failure(code, f"{outcome.message} The refund will be retried.")
    return Failure("WALLET_UNAVAILABLE", f"{outcome.reason}; the refund will be retried.")
