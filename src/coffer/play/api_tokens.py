"""Player tokens the operator's backend mints over S2S (SPEC §14) for a game client's own calls.

Such a token is a player-app session (``ps_…``) opened from a launch consumed on the spot, so
it lives, idles out and logs out exactly like one the player app opened, and no page frames it.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.secrets import new_secret, token_hash
from coffer.operators.models import Operator
from coffer.play.launches import LAUNCH_TTL
from coffer.play.models import Launch
from coffer.play.sessions import Started, start
from coffer.players.service import ensure_player

API_GAME = "api"  # never a game key a launch URL can carry


async def mint_api_token(
    session: AsyncSession, operator: Operator, external_id: str, now: datetime
) -> Started:
    """A new session for the player, in the operator's base currency, paying as the player."""
    player = await ensure_player(session, operator, external_id)
    launch_token = new_secret("lt_")
    session.add(
        Launch(
            operator_id=operator.id,
            player_id=player.id,
            token_hash=token_hash(launch_token),
            game_key=API_GAME,
            target_box_id=None,
            auto_open=False,
            locale="en",
            currency=operator.base_currency,
            return_url=None,
            parent_origin="",
            balance_minor=None,
            funding="player",
            funding_rounds=0,
            created_at=now,
            expires_at=now + LAUNCH_TTL,
        )
    )
    await session.flush()
    return await start(session, launch_token, now)
