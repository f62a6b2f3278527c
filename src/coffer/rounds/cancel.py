"""Cancelling a held, player-funded round: refunding → refunded once the credit is accepted."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import utcnow
from coffer.kit.errors import RefundNotAllowed, RoundNotRefundable
from coffer.operators.models import Operator
from coffer.players.service import ensure_player
from coffer.rounds import answers as views
from coffer.rounds import events
from coffer.rounds.idempotency import StoredAnswer
from coffer.rounds.models import Round
from coffer.rounds.schemas import CancelRequest
from coffer.rounds.service import KNOWN_REFUSALS, find_round
from coffer.runtime import Runtime
from coffer.seamless import service as wallet
from coffer.seamless.client import Accepted, CallResult, Refused, WalletRequest, WalletTarget
from coffer.seamless.models import WalletInstruction


@dataclass(frozen=True)
class Refund:
    """A round marked refunding, with the credit to send (or send again)."""

    round_id: int
    instruction_id: int
    target: WalletTarget
    request: WalletRequest


async def start_cancel(
    session: AsyncSession, runtime: Runtime, operator: Operator, body: CancelRequest
) -> Refund | StoredAnswer:
    """Mark a held round refunding and write its credit; a refunded round answers as before."""
    player = await ensure_player(session, operator, body.player_external_id)
    round_ = await find_round(session, player, body.round_public_id)
    key = f"refund:round:{round_.public_id}"
    if round_.status == "refunded":
        return views.refunded(round_, await _refund_balance(session, operator, key))
    if round_.funding != "player" or round_.status not in ("held", "refunding"):
        raise RoundNotRefundable(
            f"Round {round_.public_id} is {round_.status} and {round_.funding}-funded; "
            "only a held, player-funded round can be refunded."
        )
    if round_.status == "held" and not operator.policies.get("refund_enabled", True):
        raise RefundNotAllowed()
    target = wallet.target_for(operator, runtime.secrets, runtime.settings)
    if round_.status == "held" and await _claim_held(session, round_):
        instruction = await wallet.add_instruction(
            session,
            operator_id=operator.id,
            player_id=player.id,
            kind="refund",
            rpc="wallet.credit",
            key=key,
            amount_minor=round_.bet_minor,
            currency=round_.currency,
            funding=round_.funding,
            round_id=round_.id,
            resolver_after=utcnow() + wallet.grace_period(runtime.settings, target.timeout_s),
        )
    elif round_.status == "refunded":  # a concurrent cancel finished first
        return views.refunded(round_, await _refund_balance(session, operator, key))
    else:  # refunding: send the same credit again; the wallet applies one key once
        instruction = (
            await session.execute(
                select(WalletInstruction).where(
                    WalletInstruction.operator_id == operator.id,
                    WalletInstruction.idempotency_key == key,
                )
            )
        ).scalar_one()
    request = wallet.request_for(instruction, player.external_id, round_.public_id)
    return Refund(round_.id, instruction.id, target, request)


async def _claim_held(session: AsyncSession, round_: Round) -> bool:
    """held → refunding; False (and the round re-read) when a concurrent request moved it."""
    moved = await session.execute(
        update(Round)
        .where(Round.id == round_.id, Round.status == "held")
        .values(status="refunding")
    )
    if getattr(moved, "rowcount", 0) == 1:
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
    if getattr(moved, "rowcount", 0) == 1:
        await events.round_refunded(session, round_)
    return round_


async def apply_refund(session: AsyncSession, refund: Refund, result: CallResult) -> StoredAnswer:
    """Record the credit; refused or unsure credits are retried by the resolver until accepted."""
    await wallet.record_result(
        session, refund.instruction_id, wallet.as_credit(result), retry_at=utcnow()
    )
    outcome = result.outcome
    if isinstance(outcome, Accepted):
        round_ = await complete_refund(session, refund.round_id)
        return views.refunded(round_, outcome.balance_after_minor)
    current = await session.get(Round, refund.round_id, populate_existing=True)
    assert current is not None
    if current.status == "refunded":
        return views.refunded(current, None)
    if isinstance(outcome, Refused):
        code = outcome.code if outcome.code in KNOWN_REFUSALS else "WALLET_REFUSED"
        return views.error(code, f"{outcome.message} The refund will be retried.")
    return views.error("WALLET_UNAVAILABLE", f"{outcome.reason}; the refund will be retried.")
