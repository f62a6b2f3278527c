"""The rate limits' one entry for every surface: which quota, which caller, on which connection."""

import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from coffer.kit.settings import Settings
from coffer.runtime import Runtime
from coffer.throttle import service as throttle


def seconds_now() -> float:
    """The clock windows are cut from (tests hold it still so a minute never turns mid-test)."""
    return time.time()


async def count_request(
    conn: AsyncConnection, settings: Settings, caller: tuple[str, str], overrides: dict[str, Any]
) -> None:
    """One hit on the caller's shared counter, only once it is authenticated (nobody can spend
    another caller's quota); RATE_LIMITED past it. ``caller`` is (surface, who)."""
    if not settings.rate_limits:
        return
    surface, who = caller
    default = getattr(settings, f"rate_limit_{surface}_per_minute")
    await throttle.hit(conn, who, throttle.quota(surface, default, overrides), seconds_now())


async def count_on_own_connection(
    runtime: Runtime, caller: tuple[str, str], overrides: dict[str, Any]
) -> None:
    """``count_request`` outside the route's unit of work, so a request that fails still counts."""
    if not runtime.settings.rate_limits:
        return
    async with runtime.engine.connect() as conn:
        counter = conn
        if conn.dialect.name == "postgresql":
            counter = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await count_request(counter, runtime.settings, caller, overrides)
