"""Player tokens the operator's backend mints over S2S (SPEC §14) for a game client's own calls.

Such a token is a player-app session (``ps_…``) opened from a launch consumed on the spot, so
it lives, idles out and logs out exactly like one the player app opened, and no page frames it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.errors import Forbidden, NotFound, UnknownPlayer
from coffer.kit.secrets import new_secret, token_hash
from coffer.operators.models import Operator
from coffer.play.launches import LAUNCH_TTL
from coffer.play.models import Launch
from coffer.play.sessions import Started, start
from coffer.players.service import add_player, ensure_player, find_player

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


@dataclass(frozen=True)
class ClientLogin:
    started: Started
    player_id: int
    created: bool


async def client_login(
    session: AsyncSession, title: str, external_id: str, create: bool, now: datetime
) -> ClientLogin:
    """A game client signs in by its player's external id alone (PlayFab's custom id), so only
    where the operator's ``clientLogin`` policy allows it; ``title`` is the operator's slug."""
    operator = await session.scalar(select(Operator).where(Operator.slug == title.lower()))
    if operator is None or operator.status != "active":
        raise NotFound(f"No title {title!r}: use your operator's slug as the title id.")
    if not operator.policies.get("client_login", False):
        raise Forbidden(
            f"Operator {operator.slug} does not let game clients sign in by custom id; "
            "turn on its clientLogin policy (PATCH /api/admin/operators/{slug})."
        )
    return await login(session, operator, external_id, create, now)


async def login(
    session: AsyncSession, operator: Operator, external_id: str, create: bool, now: datetime
) -> ClientLogin:
    """A session for the player (created on demand); the caller decided it may have one."""
    if create:  # the insert decides who created it, concurrent logins included
        created = await add_player(session, operator, external_id)
    elif await find_player(session, operator, external_id) is None:
        raise UnknownPlayer(f"No player {external_id!r}; send CreateAccount to create one.")
    else:
        created = False
    started = await mint_api_token(session, operator, external_id, now)
    return ClientLogin(started, started.context.player.id, created)
