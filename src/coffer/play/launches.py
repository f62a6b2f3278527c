"""Minting a launch (SPEC §11): the operator's backend decides, the player's browser redeems.

The token is random, returned once and stored only as its hash; it is good for one session and
60 seconds. Everything the session will be allowed (the target box, operator-funded opens) is
fixed here, by the signed caller, never by the player.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.listing import BoxQuery, check_locale, live_box
from coffer.kit.errors import ValidationFailed
from coffer.kit.secrets import new_secret, token_hash
from coffer.operators.models import Operator
from coffer.operators.service import load_rates, rate_for
from coffer.play.models import Launch
from coffer.players.service import ensure_player

LAUNCH_TTL = timedelta(seconds=60)
GAME_KEYS = ("mystery_box",)


@dataclass(frozen=True)
class LaunchCommand:
    """What the operator's backend asks for (already shape-checked by the surface)."""

    player_external_id: str
    game_key: str
    target_box_id: int | None = None
    auto_open: bool = False
    locale: str = "en"
    currency: str | None = None
    return_url: str | None = None
    parent_origin: str | None = None
    balance_minor: int | None = None
    funding: str = "player"
    funding_rounds: int | None = None


@dataclass(frozen=True)
class Minted:
    launch_token: str
    launch_url: str
    expires_at: datetime


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased as browsers compare origins."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def parent_origin(operator: Operator, asked: str | None) -> str:
    """The origin that will frame the app: one of the operator's allowed origins."""
    allowed = [origin_of(o) for o in operator.allowed_origins or []]
    if not allowed:
        raise ValidationFailed(
            "This operator has no allowedOrigins, so no page may frame the player app; set them "
            "with PATCH /api/admin/operators/{slug} or `coffer operator update --allowed-origin`.",
            fields={"parentOrigin": "no allowed origins are configured"},
        )
    if asked is None:
        return allowed[0]
    wanted = origin_of(asked)
    if wanted != asked.lower().rstrip("/") or wanted not in allowed:
        raise ValidationFailed(
            fields={"parentOrigin": f"must be one of the operator's allowedOrigins: {allowed}"}
        )
    return wanted


async def mint(
    session: AsyncSession, operator: Operator, command: LaunchCommand, base_url: str, now: datetime
) -> Minted:
    """Check the launch against the operator's settings and catalog, then store its hash."""
    if command.game_key not in GAME_KEYS:
        raise ValidationFailed(fields={"gameKey": f"must be one of {list(GAME_KEYS)}"})
    check_locale(command.locale)
    origin = parent_origin(operator, command.parent_origin)
    currency = command.currency or operator.base_currency
    rate_for(await load_rates(session, operator), currency)
    funding_rounds = _funding_rounds(command)
    if command.target_box_id is not None:  # UNKNOWN_BOX unless active and published
        await live_box(
            session, operator, command.target_box_id, BoxQuery(currency=currency, real_money=True)
        )
    player = await ensure_player(session, operator, command.player_external_id)
    token = new_secret("lt_")
    expires_at = now + LAUNCH_TTL
    session.add(
        Launch(
            operator_id=operator.id,
            player_id=player.id,
            token_hash=token_hash(token),
            game_key=command.game_key,
            target_box_id=command.target_box_id,
            auto_open=command.auto_open,
            locale=command.locale,
            currency=currency,
            return_url=command.return_url,
            parent_origin=origin,
            balance_minor=command.balance_minor,
            funding=command.funding,
            funding_rounds=funding_rounds,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    url = f"{base_url.rstrip('/')}/play?token={token}&parent={quote(origin, safe='')}"
    return Minted(token, url, expires_at)


def _funding_rounds(command: LaunchCommand) -> int:
    """How many operator-funded opens of the target box the session grants (0: none)."""
    if command.funding != "operator":
        if command.funding_rounds is not None:
            raise ValidationFailed(fields={"fundingRounds": 'only with funding "operator"'})
        return 0
    if command.target_box_id is None:
        raise ValidationFailed(
            "An operator-funded launch grants free opens of one box: name it in target.boxId.",
            fields={"target.boxId": 'required with funding "operator"'},
        )
    return command.funding_rounds or 1


@dataclass(frozen=True)
class Framing:
    """Who may frame the app for this launch, read before it is redeemed (nothing consumed)."""

    allowed_origins: tuple[str, ...]
    parent_origin: str
    locale: str


async def framing(session: AsyncSession, launch_token: str) -> Framing | None:
    """The framing of the launch this token names; None for a token no launch has."""
    found = (
        await session.execute(
            select(Launch.parent_origin, Launch.locale, Operator.allowed_origins)
            .join(Operator, Operator.id == Launch.operator_id)
            .where(Launch.token_hash == token_hash(launch_token))
        )
    ).first()
    if found is None:
        return None
    parent, locale, allowed = found
    return Framing(tuple(origin_of(o) for o in allowed or []), parent, locale)
