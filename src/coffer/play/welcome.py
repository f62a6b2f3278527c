"""What the player app needs to draw its first screen, read once at session init."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.listing import BoxQuery, LiveBox, live_box
from coffer.fairness.rotation import SeedState, state_of
from coffer.fairness.service import active_pair
from coffer.kit.secrets import SecretBox
from coffer.play.sessions import PlayContext
from coffer.players.models import Player


@dataclass(frozen=True)
class Welcome:
    """The launch's target box (priced in the session currency), the fairness commitment the
    next draw uses, and the operator's policies."""

    target: LiveBox | None
    fairness: SeedState
    policies: dict[str, Any]


async def welcome(session: AsyncSession, secrets: SecretBox, context: PlayContext) -> Welcome:
    """Read the first screen's data; creates the player's seed pair on first use."""
    target = None
    if context.launch.target_box_id is not None:
        query = BoxQuery(currency=context.currency, locale=context.launch.locale, real_money=True)
        target = await live_box(session, context.operator, context.launch.target_box_id, query)
    player = await session.get(Player, context.player.id)
    assert player is not None
    pair = await active_pair(session, secrets, player)
    return Welcome(target, state_of(pair), dict(context.operator.policies or {}))
