"""The operator's outbound secret (SPEC §13): which secrets sign now, and rotating it.

A rotation starts a window in which both the old and the new secret sign every wallet call and
webhook (``X-Signature`` with the old one, ``X-Signature-Next`` with the new one), so the
operator can deploy the new secret whenever it likes inside the window; after it only the new
one signs. Nothing needs to run at the window's end: the secrets in force are read from the
window each time, and the next rotation folds the finished one in.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import rows_changed, utcnow
from coffer.kit.errors import Conflict
from coffer.kit.secrets import SecretBox, new_secret
from coffer.operators.models import Operator


@dataclass(frozen=True)
class Signers:
    """The secret that signs ``X-Signature`` and, during a rotation, the one that signs next."""

    current: str
    next: str | None = None


@dataclass(frozen=True)
class Rotation:
    new_secret: str
    old_retires_at: datetime


def signers(operator: Operator, box: SecretBox, now: datetime | None = None) -> Signers:
    """The secrets that sign outbound calls now."""
    when = now or utcnow()
    pending = operator.next_outbound_secret_sealed
    if pending is None or operator.outbound_rotation_ends_at is None:
        return Signers(box.open(operator.outbound_secret_sealed))
    if when >= operator.outbound_rotation_ends_at:
        return Signers(box.open(pending))
    return Signers(box.open(operator.outbound_secret_sealed), box.open(pending))


async def rotate(
    session: AsyncSession, box: SecretBox, operator: Operator, window: timedelta
) -> Rotation:
    """Start signing with a new secret beside the old one for ``window``; shown once."""
    now = utcnow()
    ends = operator.outbound_rotation_ends_at
    current = operator.outbound_secret_sealed
    if operator.next_outbound_secret_sealed is not None and ends is not None:
        if now < ends:
            raise Conflict(
                f"A rotation of {operator.slug}'s outbound secret runs until "
                f"{ends.isoformat()}; rotate again after it ends."
            )
        current = operator.next_outbound_secret_sealed  # the finished rotation's secret
    secret = new_secret("whsec_")
    pending = operator.next_outbound_secret_sealed
    unchanged = (
        Operator.next_outbound_secret_sealed.is_(None)
        if pending is None
        else Operator.next_outbound_secret_sealed == pending
    )
    moved = await session.execute(
        update(Operator)
        .where(Operator.id == operator.id, unchanged)
        .values(
            outbound_secret_sealed=current,
            next_outbound_secret_sealed=box.seal(secret),
            outbound_rotation_ends_at=now + window,
        )
    )
    if rows_changed(moved) != 1:
        raise Conflict("The outbound secret was rotated concurrently; read it again.")
    await session.refresh(operator)
    return Rotation(secret, now + window)
