"""The background-loop runner: one pass, sleep, again; a failed pass is logged, never fatal."""

import asyncio
import logging
from collections.abc import Awaitable, Callable


async def run_forever(name: str, step: Callable[[], Awaitable[object]], interval_s: float) -> None:
    """Run ``step`` every ``interval_s`` seconds until cancelled; the next pass retries."""
    log = logging.getLogger(f"coffer.{name}")
    while True:
        try:
            await step()
        except Exception:  # the loop must survive a bad pass
            log.exception("%s pass failed", name)
        await asyncio.sleep(interval_s)
