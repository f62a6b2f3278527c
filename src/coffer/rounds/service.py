"""What rounds offer other features and the composition root: its wallet completion handlers."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import rows_changed, utcnow
from coffer.rounds import answers, counting, events
from coffer.rounds import idempotency as actions
from coffer.rounds.cancel import complete_refund
from coffer.rounds.models import PlayerAction, Round
from coffer.seamless.models import WalletInstruction
from coffer.seamless.service import Completion, Finished

ROLLED_BACK = "the wallet never confirmed the debit"


async def debit_finished(session: AsyncSession, debit: WalletInstruction, how: Finished) -> None:
    """The resolver rolled a purchase's debit back: void the round, answer a waiting retry."""
    if how != "rolled_back" or debit.round_id is None:
        return
    voided = await session.execute(
        update(Round)
        .where(Round.id == debit.round_id, Round.status == "pending")
        .values(status="voided", voided_at=utcnow())
    )
    round_ = await session.get(Round, debit.round_id, populate_existing=True)
    assert round_ is not None
    if rows_changed(voided) == 1:
        await counting.release(session, round_)
        await events.round_voided(session, round_, ROLLED_BACK)
    waiting = await session.scalar(
        select(PlayerAction.id).where(
            PlayerAction.round_id == round_.id, PlayerAction.state == "running"
        )
    )
    if waiting is not None:
        reason = f"{ROLLED_BACK}; rolled back"
        answer = answers.unavailable(round_.public_id, round_.status, reason)
        await actions.finish(session, waiting, round_.id, answer)


async def refund_finished(session: AsyncSession, credit: WalletInstruction, how: Finished) -> None:
    """The resolver's re-sent refund was accepted: the round is refunded."""
    if how == "accepted" and credit.round_id is not None:
        await complete_refund(session, credit.round_id)


async def payout_finished(
    _session: AsyncSession, _credit: WalletInstruction, _how: Finished
) -> None:
    """A cash payout changes nothing in the round once the wallet accepts it."""


WALLET_HANDLERS: dict[str, Completion] = {
    "purchase": debit_finished,
    "refund": refund_finished,
    "payout": payout_finished,
}
