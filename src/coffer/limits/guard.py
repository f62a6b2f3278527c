"""Limits checked inside the purchase's transaction, on Core.

A player without a limits row costs one primary-key read. With limits, each period's usage row
is raised by a conditional update (``… WHERE spent + :spend <= :limit``) whose row count
decides: on PostgreSQL concurrent purchases queue on the row and each re-checks the condition
after the one before commits, so no two can pass a limit together; SQLite has one writer.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from coffer.kit.db import insert_or_skip, rows_changed, table
from coffer.kit.direct import run
from coffer.kit.errors import PlayerLimitReached, PlayerSelfExcluded
from coffer.kit.schemas import iso_z
from coffer.limits.models import PlayerLimit, PlayerUsage
from coffer.limits.rules import Usage, day_of, resets_at, week_of

LIMITS, USAGE = table(PlayerLimit), table(PlayerUsage)
READ_LIMITS = select(
    LIMITS.c.spend_per_day_minor,
    LIMITS.c.spend_per_week_minor,
    LIMITS.c.opens_per_day,
    LIMITS.c.self_excluded_until,
).where(LIMITS.c.player_id == bindparam("b_player"))
ADJECTIVE = {"day": "daily", "week": "weekly"}
USAGE_KEYS = ("player_id", "period", "starts_on")
_ROW = and_(
    USAGE.c.player_id == bindparam("b_player"),
    USAGE.c.period == bindparam("b_period"),
    USAGE.c.starts_on == bindparam("b_starts"),
)


async def admit(
    conn: AsyncConnection, player_id: int, usage: Usage, now: datetime, base: str
) -> None:
    """Count the purchase against the player's limits, or refuse it (nothing counted)."""
    found = (await run(conn, READ_LIMITS, {"b_player": player_id})).one_or_none()
    if found is None:
        return
    per_day, per_week, opens_per_day, excluded_until = found
    if excluded_until is not None and excluded_until > now:
        raise PlayerSelfExcluded(
            f"The player is self-excluded until {iso_z(excluded_until)}; no purchases until then.",
            extra={"selfExcludedUntil": iso_z(excluded_until)},
        )
    if per_day is not None or opens_per_day is not None:
        await _count(conn, player_id, ("day", day_of(now)), usage, (per_day, opens_per_day), base)
    if per_week is not None:
        await _count(conn, player_id, ("week", week_of(now)), usage, (per_week, None), base)


async def release(conn: AsyncConnection, player_id: int, usage: Usage, when: datetime) -> None:
    """Give back what a voided purchase counted (it moved no money and opened nothing).

    A purchase was counted only if the player had limits when it was made; when the limits were
    set (or changed) after it, nothing is given back, so a void can never lift usage below what
    was really counted: at worst the player keeps the round's share until the period ends."""
    limits_since = await conn.scalar(
        select(LIMITS.c.updated_at).where(LIMITS.c.player_id == player_id)
    )
    if limits_since is None or limits_since > when:
        return
    for period, starts in (("day", day_of(when)), ("week", week_of(when))):
        await conn.execute(
            update(USAGE)
            .where(_ROW)
            .values(
                spent_minor=USAGE.c.spent_minor - usage.spent_base_minor,
                opens=USAGE.c.opens - usage.opens,
            ),
            {"b_player": player_id, "b_period": period, "b_starts": starts},
        )


async def _count(
    conn: AsyncConnection,
    player_id: int,
    period: tuple[str, date],
    usage: Usage,
    limits: tuple[int | None, int | None],
    base: str,
) -> None:
    name, starts = period
    spend_limit, open_limit = limits
    start = {"player_id": player_id, "period": name, "starts_on": starts, "spent_minor": 0}
    await run(conn, insert_or_skip(conn.dialect.name, USAGE, USAGE_KEYS), {**start, "opens": 0})
    condition: list[Any] = [_ROW]
    if spend_limit is not None:
        condition.append(USAGE.c.spent_minor + usage.spent_base_minor <= spend_limit)
    if open_limit is not None:
        condition.append(USAGE.c.opens + usage.opens <= open_limit)
    raised = await conn.execute(
        update(USAGE)
        .where(*condition)
        .values(
            spent_minor=USAGE.c.spent_minor + usage.spent_base_minor,
            opens=USAGE.c.opens + usage.opens,
        ),
        {"b_player": player_id, "b_period": name, "b_starts": starts},
    )
    if rows_changed(raised) != 1:
        await _refuse(conn, player_id, period, limits, base)


async def _refuse(
    conn: AsyncConnection,
    player_id: int,
    period: tuple[str, date],
    limits: tuple[int | None, int | None],
    base: str,
) -> None:
    """PLAYER_LIMIT_REACHED naming the limit, what is used of it and when it resets."""
    name, starts = period
    spent, opens = (
        await conn.execute(
            select(USAGE.c.spent_minor, USAGE.c.opens).where(_ROW),
            {"b_player": player_id, "b_period": name, "b_starts": starts},
        )
    ).one()
    spend_limit, open_limit = limits
    again = iso_z(resets_at(name, starts))
    details: dict[str, Any] = {"period": name, "resetsAt": again, "currency": base}
    details |= {"spentMinor": spent, "spendLimitMinor": spend_limit}
    details |= {"opens": opens, "opensLimit": open_limit}
    raise PlayerLimitReached(
        f"This purchase would pass the player's {ADJECTIVE[name]} limit (spent {spent} of "
        f"{spend_limit if spend_limit is not None else 'no limit'} {base} minor units, "
        f"{opens} of {open_limit if open_limit is not None else 'unlimited'} opens); "
        f"it resets at {again}.",
        extra=details,
    )
