"""What the inventory offers other features and the composition root: its wallet and webhook
handlers, so the seamless wallet and the webhook worker never import the inventory."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory.cashout import cashback_finished
from coffer.inventory.models import Entitlement
from coffer.seamless.service import Completion
from coffer.webhooks.delivery import Delivered


async def entitlement_delivered(session: AsyncSession, event_id: int, now: datetime) -> None:
    """A ``bonus_entitlement`` reached the operator: the entitlement is delivered."""
    await session.execute(
        update(Entitlement)
        .where(Entitlement.event_id == event_id, Entitlement.delivered_at.is_(None))
        .values(delivered_at=now)
    )


WALLET_HANDLERS: dict[str, Completion] = {"cashback": cashback_finished}
WEBHOOK_HANDLERS: dict[str, Delivered] = {"bonus_entitlement": entitlement_delivered}
