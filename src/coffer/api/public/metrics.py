"""``/metrics``: Prometheus' text format, for ops on loopback or behind the ingress (SPEC §1).

Counters and histograms come from ``coffer.kit.metrics`` (every worker's, added up, under
``PROMETHEUS_MULTIPROC_DIR``); the queue gauges are read from the database once per scrape, so
they are the same whichever worker answers and cost nothing between scrapes.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from coffer.api.deps import RuntimeDep
from coffer.kit import metrics
from coffer.runtime import Runtime
from coffer.seamless import resolver
from coffer.webhooks import service as webhooks

router = APIRouter(tags=["operations"])
log = logging.getLogger("coffer.metrics")


@dataclass(frozen=True)
class Queues(Collector):
    """What the database says at scrape time; None when it could not be read."""

    resolver_backlog: int | None = None
    webhook_depth: int | None = None
    webhook_oldest_age_s: float | None = None

    def collect(self) -> Iterable[Metric]:
        """The gauges, each left out when its value is unknown."""
        gauges = [
            ("coffer_resolver_backlog", self.resolver_backlog,
             "Wallet instructions still open: pending, uncertain or rolling back."),
            ("coffer_webhook_queue_depth", self.webhook_depth,
             "Webhook events pending delivery."),
            ("coffer_webhook_oldest_pending_age_seconds", self.webhook_oldest_age_s,
             "Age of the oldest pending webhook event (0 when none waits)."),
        ]  # fmt: skip
        for name, value, help_text in gauges:
            if value is not None:
                yield GaugeMetricFamily(name, help_text, value=value)


class _Process(Collector):
    """This process's own registry (one worker: no files to add up)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


async def read_queues(runtime: Runtime) -> Queues:
    """The backlog and queue gauges; a database that does not answer leaves them out."""
    try:
        async with runtime.sessions() as session:
            backlog = await resolver.backlog(session)
            depth, age = await webhooks.queue_depth(session)
    except Exception:  # the counters are still worth a scrape
        log.warning("metrics: the database did not answer", exc_info=True)
        return Queues()
    return Queues(backlog, depth, 0.0 if age is None else age)


def exposition(queues: Queues) -> bytes:
    """Every metric in the text format: the processes' counters, then the queue gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if metrics.multiprocess():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Process())
    registry.register(queues)
    return generate_latest(registry)


@router.get("/metrics", include_in_schema=False)
async def scrape(runtime: RuntimeDep) -> Response:
    """Prometheus' scrape target."""
    return Response(exposition(await read_queues(runtime)), media_type=CONTENT_TYPE_LATEST)
