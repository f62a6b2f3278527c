"""Staff set a player's limits and self-exclusion; every change is audited."""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.audit.service import Change, record
from coffer.kit.db import dialect_insert, utcnow
from coffer.kit.schemas import iso_z
from coffer.limits.models import PlayerLimit, PlayerUsage
from coffer.limits.rules import day_of, resets_at, week_of
from coffer.operators.models import Operator
from coffer.players.service import ensure_player, get_player


@dataclass(frozen=True)
class Limits:
    """A null limit is no limit; spend is in the operator's base currency's minor units."""

    spend_per_day_minor: int | None = None
    spend_per_week_minor: int | None = None
    opens_per_day: int | None = None
    self_excluded_until: datetime | None = None

    def audited(self) -> dict[str, Any]:
        """JSON-ready, for the audit log."""
        out = asdict(self)
        until = self.self_excluded_until
        out["self_excluded_until"] = iso_z(until) if until else None
        return out


@dataclass(frozen=True)
class PeriodUsage:
    period: str
    starts_on: date
    resets_at: datetime
    spent_minor: int
    opens: int


@dataclass(frozen=True)
class Standing:
    """A player's limits and what the current day and week have used of them."""

    limits: Limits
    usage: tuple[PeriodUsage, ...]
    currency: str


async def standing(
    session: AsyncSession, operator: Operator, external_id: str, now: datetime | None = None
) -> Standing:
    """UNKNOWN_PLAYER for a player Coffer never saw."""
    player = await get_player(session, operator, external_id)
    when = now or utcnow()
    return Standing(
        await _limits(session, player.id),
        await _usage(session, player.id, when),
        operator.base_currency,
    )


async def set_limits(
    session: AsyncSession,
    operator: Operator,
    external_id: str,
    limits: Limits,
    actor: str,
    request_id: str | None,
) -> Standing:
    """Replace the player's limits (creating the player if new) and audit before and after."""
    player = await ensure_player(session, operator, external_id)
    before = await _limits(session, player.id)
    values = {**asdict(limits), "updated_at": utcnow()}
    upsert = dialect_insert(session.get_bind().dialect.name, PlayerLimit).values(
        player_id=player.id, operator_id=operator.id, **values
    )
    await session.execute(upsert.on_conflict_do_update(index_elements=["player_id"], set_=values))
    change = Change(
        actor, "player.limits_set", f"player:{external_id}", before.audited(), limits.audited()
    )
    await record(session, operator.id, change, request_id)
    return Standing(limits, await _usage(session, player.id, utcnow()), operator.base_currency)


async def _limits(session: AsyncSession, player_id: int) -> Limits:
    row = await session.get(PlayerLimit, player_id, populate_existing=True)
    if row is None:
        return Limits()
    return Limits(
        row.spend_per_day_minor,
        row.spend_per_week_minor,
        row.opens_per_day,
        row.self_excluded_until,
    )


async def _usage(session: AsyncSession, player_id: int, now: datetime) -> tuple[PeriodUsage, ...]:
    found = []
    for period, starts in (("day", day_of(now)), ("week", week_of(now))):
        row = (
            await session.execute(
                select(PlayerUsage.spent_minor, PlayerUsage.opens).where(
                    PlayerUsage.player_id == player_id,
                    PlayerUsage.period == period,
                    PlayerUsage.starts_on == starts,
                )
            )
        ).one_or_none()
        spent, opens = row if row is not None else (0, 0)
        found.append(PeriodUsage(period, starts, resets_at(period, starts), spent, opens))
    return tuple(found)
