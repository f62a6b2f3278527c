"""Player app sessions (SPEC §11): redeem a launch once, then authenticate every request.

A session pins its currency's rate at init (§4), lives until its absolute end and dies earlier
when idle longer than the operator allows (a heartbeat keeps it alive). Its token is returned
once and stored only as its hash; a logged-out session's token is invalid, not expired.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.kit.db import connection, rows_changed, table
from coffer.kit.direct import run
from coffer.kit.errors import TenantSuspended
from coffer.kit.money import Rate
from coffer.kit.secrets import new_secret, token_hash
from coffer.operators.models import Operator
from coffer.operators.service import load_rates, rate_for
from coffer.play.errors import (
    LaunchTokenConsumed,
    LaunchTokenExpired,
    LaunchTokenInvalid,
    SessionExpired,
    SessionInvalid,
)
from coffer.play.models import Launch, PlaySession
from coffer.players.models import Player

LAUNCHES, SESSIONS = table(Launch), table(PlaySession)
PLAYERS, OPERATORS = table(Player), table(Operator)


@dataclass(frozen=True)
class SessionPlayer:
    """The session's player: our id and the operator's."""

    id: int
    external_id: str


@dataclass(frozen=True, slots=True)
class LaunchTerms:
    """What the operator's backend fixed for the session when it minted the launch."""

    game_key: str
    target_box_id: int | None
    auto_open: bool
    locale: str
    return_url: str | None
    parent_origin: str
    balance_minor: int | None
    funding: str

    @classmethod
    def of(cls, values: dict[str, Any]) -> "LaunchTerms":
        """From a launch row's columns by name."""
        return cls(
            game_key=values["game_key"],
            target_box_id=values["target_box_id"],
            auto_open=values["auto_open"],
            locale=values["locale"],
            return_url=values["return_url"],
            parent_origin=values["parent_origin"],
            balance_minor=values["balance_minor"],
            funding=values["funding"],
        )


@dataclass(frozen=True)
class PlayContext:
    """Who an authenticated player app request acts for, and what its launch allowed."""

    session_id: int
    operator: Operator  # bound to no database session
    player: SessionPlayer
    rate: Rate  # the session currency's rate, pinned at init
    launch: LaunchTerms
    expires_at: datetime
    free_opens_left: int  # operator-funded opens of the launch's target box still granted

    @property
    def currency(self) -> str:
        return self.rate.currency


@dataclass(frozen=True)
class Started:
    token: str
    context: PlayContext


CONSUME = (
    update(LAUNCHES)
    .where(
        LAUNCHES.c.token_hash == bindparam("b_hash"),
        LAUNCHES.c.consumed_at.is_(None),
        LAUNCHES.c.expires_at > bindparam("b_now"),
    )
    .values(consumed_at=bindparam("b_now"))
)


async def start(session: AsyncSession, launch_token: str, now: datetime) -> Started:
    """Consume the launch (once, whoever races) and open its session."""
    digest = token_hash(launch_token)
    consumed = await session.execute(CONSUME, {"b_hash": digest, "b_now": now})
    launch = await session.scalar(select(Launch).where(Launch.token_hash == digest))
    if rows_changed(consumed) != 1 or launch is None:
        raise _why_not(launch)
    operator = await session.get(Operator, launch.operator_id)
    player = await session.get(Player, launch.player_id)
    assert operator is not None
    assert player is not None
    if operator.status != "active":
        raise TenantSuspended()
    rate = rate_for(await load_rates(session, operator), launch.currency)
    token = new_secret("ps_")
    row = PlaySession(
        operator_id=operator.id,
        player_id=player.id,
        launch_id=launch.id,
        token_hash=token_hash(token),
        currency=rate.currency,
        rate_to_base=f"{rate.to_base.numerator}/{rate.to_base.denominator}",
        minor_digits=rate.minor_digits,
        free_opens_left=launch.funding_rounds,
        created_at=now,
        last_seen_at=now,
        idle_seconds=operator.session_idle_minutes * 60,
        ends_at=now + timedelta(minutes=operator.session_max_minutes),
    )
    session.add(row)
    await session.flush()
    expires = min(row.ends_at, now + timedelta(seconds=row.idle_seconds))
    terms = LaunchTerms.of({c.key: getattr(launch, c.key) for c in LAUNCHES.c})
    context = PlayContext(row.id, operator, SessionPlayer(player.id, player.external_id), rate,
                          terms, expires, row.free_opens_left)  # fmt: skip
    return Started(token, context)


def _why_not(launch: Launch | None) -> Exception:
    if launch is None:
        return LaunchTokenInvalid()
    if launch.consumed_at is not None:
        return LaunchTokenConsumed()
    return LaunchTokenExpired()


LOOKUP = (
    select(SESSIONS, PLAYERS.c.external_id, LAUNCHES, OPERATORS)
    .join(PLAYERS, PLAYERS.c.id == SESSIONS.c.player_id)
    .join(LAUNCHES, LAUNCHES.c.id == SESSIONS.c.launch_id)
    .join(OPERATORS, OPERATORS.c.id == SESSIONS.c.operator_id)
    .where(SESSIONS.c.token_hash == bindparam("b_hash"))
)
_SESSION_WIDTH, _LAUNCH_WIDTH = len(SESSIONS.c), len(LAUNCHES.c)


async def authenticate(conn: AsyncConnection, session_token: str, now: datetime) -> PlayContext:
    """The live session this bearer token names, in one read; SESSION_INVALID or
    SESSION_EXPIRED otherwise."""
    row = (await run(conn, LOOKUP, {"b_hash": token_hash(session_token)})).one_or_none()
    if row is None:
        raise SessionInvalid()
    values = tuple(row)
    mine = dict(zip((c.key for c in SESSIONS.c), values[:_SESSION_WIDTH], strict=True))
    start_of_launch = _SESSION_WIDTH + 1
    launch = LaunchTerms.of(
        _columns(LAUNCHES, values[start_of_launch : start_of_launch + _LAUNCH_WIDTH])
    )
    operator = Operator(**_columns(OPERATORS, values[start_of_launch + _LAUNCH_WIDTH :]))
    if mine["ended_at"] is not None:
        raise SessionInvalid()
    idle_end = mine["last_seen_at"] + timedelta(seconds=mine["idle_seconds"])
    expires = min(mine["ends_at"], idle_end)
    if now >= expires:
        raise SessionExpired()
    if operator.status != "active":
        raise TenantSuspended()
    rate = Rate(mine["currency"], Fraction(mine["rate_to_base"]), mine["minor_digits"])
    player = SessionPlayer(mine["player_id"], values[_SESSION_WIDTH])
    return PlayContext(mine["id"], operator, player, rate, launch, expires, mine["free_opens_left"])


def _columns(of: Any, values: tuple[Any, ...]) -> dict[str, Any]:
    return {c.key: v for c, v in zip(of.c, values, strict=True)}


SEEN = (
    update(SESSIONS)
    .where(SESSIONS.c.id == bindparam("b_id"), SESSIONS.c.ended_at.is_(None))
    .values(last_seen_at=bindparam("b_now"))
    .returning(SESSIONS.c.ends_at, SESSIONS.c.idle_seconds)
)
ENDED = (
    update(SESSIONS)
    .where(SESSIONS.c.id == bindparam("b_id"), SESSIONS.c.ended_at.is_(None))
    .values(ended_at=bindparam("b_now"))
)


async def heartbeat(session: AsyncSession, context: PlayContext, now: datetime) -> datetime:
    """Keep the session alive; when it now expires (its absolute end caps it)."""
    conn = await connection(session)
    row = (await run(conn, SEEN, {"b_id": context.session_id, "b_now": now})).one_or_none()
    if row is None:  # logged out meanwhile
        raise SessionInvalid()
    ends_at: datetime = row.ends_at
    return min(ends_at, now + timedelta(seconds=row.idle_seconds))


async def logout(session: AsyncSession, context: PlayContext, now: datetime) -> None:
    """End the session: its token is invalid from now on (a repeat changes nothing)."""
    await session.execute(ENDED, {"b_id": context.session_id, "b_now": now})
