"""Instructions a person must reconcile: a rollback the wallet refused leaves the round pending
with the player's money held (state ``review``). Staff retry it now, or close it as settled
outside Coffer with a note; the round is then voided, counted as rolled back by staff."""

from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import rows_changed, utcnow
from coffer.kit.errors import Conflict, NotFound
from coffer.operators.models import Operator
from coffer.seamless.models import WalletInstruction
from coffer.seamless.service import Gateway

REVIEW = "review"
STILL_OPEN = ("pending", "uncertain", "rolling_back")


async def in_review(
    session: AsyncSession, operator: Operator, attention_after: timedelta
) -> list[WalletInstruction]:
    """What needs a person, oldest first: refused rollbacks (``review``), and instructions still
    unresolved after ``attention_after`` (the resolver keeps retrying those)."""
    stuck = and_(
        WalletInstruction.state.in_(STILL_OPEN),
        WalletInstruction.created_at < utcnow() - attention_after,
        WalletInstruction.kind != "rollback",
    )
    found = await session.scalars(
        select(WalletInstruction)
        .where(WalletInstruction.operator_id == operator.id)
        .where(or_(WalletInstruction.state == REVIEW, stuck))
        .order_by(WalletInstruction.id)
    )
    return list(found)


async def retry_now(
    session: AsyncSession, operator: Operator, instruction_id: int
) -> WalletInstruction:
    """Hand the instruction back to the resolver at once (its rollback is sent again)."""
    await _move(
        session,
        operator,
        instruction_id,
        state="uncertain",
        next_attempt_at=utcnow(),
        last_error="retried by staff",
    )
    instruction = await _get(session, operator, instruction_id)
    await session.execute(  # its refused rollback is sent again under the same key
        update(WalletInstruction)
        .where(
            WalletInstruction.operator_id == operator.id,
            WalletInstruction.idempotency_key == f"rollback:{instruction.idempotency_key}",
            WalletInstruction.state == "refused",
        )
        .values(state="pending", refusal_code=None, resolved_at=None, updated_at=utcnow())
    )
    return instruction


async def settle_outside(
    session: AsyncSession, gateway: Gateway, operator: Operator, instruction_id: int, note: str
) -> WalletInstruction:
    """Close it as settled outside Coffer (audited by the note); the owner voids its round."""
    now = utcnow()
    await _move(
        session,
        operator,
        instruction_id,
        state="settled_outside",
        next_attempt_at=None,
        resolved_at=now,
        last_error=f"settled outside Coffer by staff at {now.isoformat()}: {note}",
    )
    instruction = await _get(session, operator, instruction_id)
    await gateway.handlers[instruction.kind](session, instruction, "rolled_back")
    return instruction


async def _move(
    session: AsyncSession, operator: Operator, instruction_id: int, **values: object
) -> None:
    moved = await session.execute(
        update(WalletInstruction)
        .where(
            WalletInstruction.id == instruction_id,
            WalletInstruction.operator_id == operator.id,
            WalletInstruction.state == REVIEW,
        )
        .values(updated_at=utcnow(), **values)
    )
    if rows_changed(moved) != 1:
        found = await _get(session, operator, instruction_id)
        raise Conflict(
            f"Instruction {instruction_id} is {found.state}; only one in review can be acted on.",
            extra={"state": found.state},
        )


async def _get(session: AsyncSession, operator: Operator, instruction_id: int) -> WalletInstruction:
    found = await session.scalar(
        select(WalletInstruction)
        .where(WalletInstruction.id == instruction_id, WalletInstruction.operator_id == operator.id)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(f"No wallet instruction {instruction_id} for operator {operator.slug}.")
    return found
