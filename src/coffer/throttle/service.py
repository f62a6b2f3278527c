"""Fixed-window rate limits counted in the database every node shares.

One statement per request: an upsert that starts the caller's window afresh or adds one hit,
returning the count. On PostgreSQL the table is UNLOGGED (no WAL) and the statement runs on
the connection authentication already holds, outside a transaction.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy.ext.asyncio import AsyncConnection

from coffer.kit.db import dialect_insert, table
from coffer.kit.errors import RateLimited
from coffer.throttle.models import RateBucket

WINDOW_S = 60
BUCKETS = table(RateBucket)
SURFACE_NAMES = {"s2s": "S2S key", "play": "player session", "admin": "admin token"}


@dataclass(frozen=True)
class Quota:
    """Requests a caller may make per minute on one surface."""

    surface: str
    per_minute: int


def quota(surface: str, default: int, overrides: dict[str, Any] | None) -> Quota:
    """The operator's override for the surface when it set a positive integer, else the default."""
    given = (overrides or {}).get(surface)
    if isinstance(given, int) and not isinstance(given, bool) and given > 0:
        return Quota(surface, given)
    return Quota(surface, default)


def _upsert(dialect: str) -> Any:
    insert = dialect_insert(dialect, BUCKETS)
    same_window = BUCKETS.c.window_start == insert.excluded.window_start
    return insert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "hits": case((same_window, BUCKETS.c.hits + 1), else_=1),
            "window_start": insert.excluded.window_start,
        },
    ).returning(BUCKETS.c.hits)


_STATEMENTS = {name: _upsert(name) for name in ("postgresql", "sqlite")}


async def hit(conn: AsyncConnection, caller: str, limit: Quota, now_s: float) -> None:
    """Count one request of ``caller``; RATE_LIMITED with ``retryAfter`` past the quota."""
    window = int(now_s) // WINDOW_S * WINDOW_S
    key = f"{limit.surface}:{caller}"[:200]
    values = {"key": key, "window_start": window, "hits": 1}
    hits = (await conn.execute(_STATEMENTS[conn.dialect.name], values)).scalar_one()
    if (
        conn.sync_connection is None
        or conn.sync_connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
    ):
        await conn.commit()  # counted even when the request fails later
    if hits > limit.per_minute:
        retry = max(1, window + WINDOW_S - int(now_s))
        raise RateLimited(
            f"More than {limit.per_minute} requests a minute from this "
            f"{SURFACE_NAMES.get(limit.surface, limit.surface)}; retry in {retry} s, or ask the "
            "operator's admin to raise its rate limit.",
            extra={"retryAfter": retry, "limitPerMinute": limit.per_minute},
        )
