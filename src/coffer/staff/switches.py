"""Kill switches: staff stop new purchases for an operator or one box, audited; vault actions,
cashouts, held rounds and webhooks go on."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.audit.service import Change, record
from coffer.catalog.models import Box
from coffer.kit.errors import UnknownBox
from coffer.operators.models import Operator


async def pause_operator(
    session: AsyncSession,
    operator: Operator,
    paused: bool,
    change: tuple[str, str, str | None],
) -> bool:
    """Set the operator's switch; ``change`` is (actor, reason, request id)."""
    actor, reason, request_id = change
    before = operator.purchases_paused
    await session.execute(
        update(Operator).where(Operator.id == operator.id).values(purchases_paused=paused)
    )
    entry = Change(
        actor,
        "operator.purchases_paused" if paused else "operator.purchases_resumed",
        f"operator:{operator.slug}",
        {"purchasesPaused": before},
        {"purchasesPaused": paused, "reason": reason},
    )
    await record(session, operator.id, entry, request_id)
    return paused


async def pause_box(
    session: AsyncSession,
    operator: Operator,
    box_id: int,
    paused: bool,
    change: tuple[str, str, str | None],
) -> bool:
    """Set one box's switch; UNKNOWN_BOX for another operator's box."""
    actor, reason, request_id = change
    before = await session.scalar(
        select(Box.purchases_paused).where(Box.id == box_id, Box.operator_id == operator.id)
    )
    if before is None:
        raise UnknownBox(f"Operator {operator.slug} has no box {box_id}.")
    await session.execute(update(Box).where(Box.id == box_id).values(purchases_paused=paused))
    entry = Change(
        actor,
        "box.purchases_paused" if paused else "box.purchases_resumed",
        f"box:{box_id}",
        {"purchasesPaused": before},
        {"purchasesPaused": paused, "reason": reason},
    )
    await record(session, operator.id, entry, request_id)
    return paused
