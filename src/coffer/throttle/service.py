"""Fixed-window rate limits counted where every node can see them.

On PostgreSQL, where several nodes run: one statement per request, an upsert that starts the
caller's window afresh or adds one hit and returns the count, on an UNLOGGED table (no WAL),
on the connection authentication already holds, outside a transaction. SQLite serves one
process (``--workers`` is refused there), so its counts stay in that process: a commit per
request would queue every read behind SQLite's single writer (bench/ratelimit.py).
"""

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, case
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


_STATEMENTS = {"postgresql": _upsert("postgresql")}


async def hit(conn: AsyncConnection, caller: str, limit: Quota, now_s: float) -> None:
    """Count one request of ``caller``; RATE_LIMITED with ``retryAfter`` past the quota."""
    window = int(now_s) // WINDOW_S * WINDOW_S
    key = f"{limit.surface}:{caller}"[:200]
    if conn.dialect.name == "postgresql":
        hits = await _shared_hit(conn, key, window)
    else:
        hits = _local_hit(_local.setdefault(conn.sync_engine, {}), key, window)
    if hits > limit.per_minute:
        retry = max(1, window + WINDOW_S - int(now_s))
        raise RateLimited(
            f"More than {limit.per_minute} requests a minute from this "
            f"{SURFACE_NAMES.get(limit.surface, limit.surface)}; retry in {retry} s, or ask the "
            "operator's admin to raise its rate limit.",
            extra={"retryAfter": retry, "limitPerMinute": limit.per_minute},
        )


async def _shared_hit(conn: AsyncConnection, key: str, window: int) -> int:
    values = {"key": key, "window_start": window, "hits": 1}
    hits = int((await conn.execute(_STATEMENTS["postgresql"], values)).scalar_one())
    options = conn.sync_connection.get_execution_options() if conn.sync_connection else {}
    if options.get("isolation_level") != "AUTOCOMMIT":
        await conn.commit()  # counted even when the request fails later
    return hits


Counts = dict[str, tuple[int, int]]
# One table per engine (per database the process serves), gone with the engine.
_local: "WeakKeyDictionary[Engine, Counts]" = WeakKeyDictionary()
LOCAL_KEYS = 100_000


def _local_hit(counts: Counts, key: str, window: int) -> int:
    """The same fixed window in this process's memory (one event loop: no race between the
    read and the write); callers of past windows are dropped when the table is full."""
    start, hits = counts.get(key, (window, 0))
    hits = hits + 1 if start == window else 1
    if len(counts) >= LOCAL_KEYS and key not in counts:
        for stale in [k for k, (began, _) in counts.items() if began != window]:
            del counts[stale]
    counts[key] = (window, hits)
    return hits
