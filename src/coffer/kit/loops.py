"""The background-loop runner: one pass, sleep, again; a failed pass is logged, never fatal."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from coffer.kit.logs import traced


async def run_forever(name: str, step: Callable[[], Awaitable[object]], interval_s: float) -> None:
    """Run ``step`` every ``interval_s`` seconds until cancelled; the next pass retries.
    Each pass has its own id (``job_<ulid>``) in log lines and the wallet rows it writes."""
    log = logging.getLogger(f"coffer.{name}")
    while True:
        with traced("job"):
            try:
                await step()
            except Exception:  # the loop must survive a bad pass
                log.exception("%s pass failed", name)
        await asyncio.sleep(interval_s)
