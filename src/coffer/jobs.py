"""The background worker: wallet resolver, webhook delivery, item expiry and retention, each on its
own loop.

``coffer worker`` runs them in a process of their own; ``coffer serve`` runs them in the server
unless ``COFFER_BACKGROUND_JOBS=false`` (or ``--no-worker``), for deployments with separate
workers. Every loop is safe to run in several processes at once.
"""

import asyncio
import logging
from datetime import datetime

from coffer.inventory.expiry import expire_batch, operators_with_window
from coffer.kit import loops
from coffer.kit.db import utcnow
from coffer.retention.pruning import Counts, Windows, prune
from coffer.runtime import Runtime
from coffer.seamless import resolver
from coffer.webhooks import delivery

log = logging.getLogger("coffer.jobs")


async def expire_once(runtime: Runtime, now: datetime | None = None) -> int:
    """Expire every overdue item, one short transaction per batch; how many expired."""
    when = now or utcnow()
    batch = runtime.settings.expiry_batch
    async with runtime.sessions() as session:
        operator_ids = await operators_with_window(session)
    total = 0
    for operator_id in operator_ids:
        while True:
            async with runtime.sessions() as session:
                expired = await expire_batch(session, operator_id, when, batch)
                await session.commit()
            total += expired
            if expired < batch:
                break
    return total


async def prune_once(runtime: Runtime, now: datetime | None = None) -> Counts:
    """Prune everything past its retention window, one short transaction per batch."""
    settings = runtime.settings
    counts = await prune(
        runtime.sessions,
        runtime.writer,
        Windows.of(settings),
        now or utcnow(),
        settings.retention_batch,
    )
    if any(counts.values()):
        log.info("pruned %s", ", ".join(f"{n} {table}" for table, n in counts.items() if n))
    return counts


async def run_all(runtime: Runtime) -> None:
    """Every background loop, until cancelled."""
    settings = runtime.settings
    await asyncio.gather(
        resolver.run_forever(runtime.gateway, settings.resolver_interval_s),
        delivery.run_forever(runtime.courier, settings.webhook_interval_s),
        loops.run_forever("expiry", lambda: expire_once(runtime), settings.expiry_interval_s),
        loops.run_forever("retention", lambda: prune_once(runtime), settings.retention_interval_s),
    )
