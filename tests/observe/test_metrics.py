"""``/metrics`` (issue 16): Prometheus text that parses, counters that move with the right
labels, route templates instead of raw paths, and queue gauges that match the database."""

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update

from coffer.runtime import Runtime
from coffer.seamless.models import WalletInstruction
from coffer.webhooks.models import WebhookEvent
from tests.support.shop import PLAYER, Shop, body_of, shop
from tests.support.webhooks import write_events

__all__ = ["shop"]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    """Every sample of one scrape, by name and labels."""
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series does not exist yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def routes(samples: Samples) -> set[str]:
    return {
        dict(labels)["route"]
        for name, labels in samples
        if name == "coffer_http_request_duration_seconds_count"
    }


async def test_a_purchase_moves_the_counters_with_its_outcome_and_its_wallet_kind(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    before = await scrape(client)
    bought = await shop.buy("metrics-1")
    assert bought.status_code == 200, bought.text
    replayed = await shop.buy("metrics-1")
    assert body_of(replayed) == body_of(bought)
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("coffer_purchases_total", outcome="settled") == 1
    assert moved("coffer_purchases_total", outcome="replayed") == 1
    debit = {"kind": "wallet.debit", "outcome": "accepted"}
    assert moved("coffer_wallet_rpc_duration_seconds_count", **debit) == 1
    assert moved("coffer_wallet_rpc_duration_seconds_sum", **debit) > 0
    route = {"route": "/api/s2s/purchase", "method": "POST", "status": "200"}
    assert moved("coffer_http_request_duration_seconds_count", **route) == 2


async def test_a_refused_purchase_counts_under_its_code(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    before = await scrape(client)
    refused = await shop.buy("broke", playerExternalId="u_broke")  # never deposited
    assert body_of(refused)["error"]["code"] == "INSUFFICIENT_FUNDS", refused.text
    after = await scrape(client)
    labels = {"outcome": "insufficient_funds"}
    assert value(after, "coffer_purchases_total", **labels) == (
        value(before, "coffer_purchases_total", **labels) + 1
    )
    refusal = {"kind": "wallet.debit", "outcome": "refused"}
    assert value(after, "coffer_wallet_rpc_duration_seconds_count", **refusal) >= 1


async def test_routes_are_labelled_by_template_and_unknown_paths_as_other(
    client: httpx.AsyncClient, operator: object
) -> None:
    headers = {"Authorization": "Bearer test-admin-token"}
    found = {"route": "/api/admin/operators/{slug}", "method": "GET", "status": "404"}
    before = value(await scrape(client), "coffer_http_request_duration_seconds_count", **found)
    for slug in ("acme", "nobody-1", "nobody-2"):
        await client.get(f"/api/admin/operators/{slug}", headers=headers)
    for n in range(3):
        assert (await client.get(f"/no/such/path/{n}")).status_code == 404
    samples = await scrape(client)
    seen = routes(samples)
    assert "/api/admin/operators/{slug}" in seen
    assert "other" in seen
    assert not [route for route in seen if "acme" in route or "nobody" in route or "/no/" in route]
    assert value(samples, "coffer_http_request_duration_seconds_count", **found) == before + 2


async def test_the_webhook_and_resolver_gauges_are_what_the_database_holds(
    client: httpx.AsyncClient, shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    assert (await shop.buy("gauges-1")).status_code == 200
    await write_events(runtime, shop.operator.operator_id, "u_gauges", 3)
    async with runtime.sessions() as session:
        await session.execute(  # one instruction left to the resolver
            update(WalletInstruction).where(WalletInstruction.id == 1).values(state="uncertain")
        )
        await session.commit()
        pending = await session.scalar(select(func.count()).where(WebhookEvent.status == "pending"))
    samples = await scrape(client)
    assert pending is not None
    assert pending >= 3
    assert value(samples, "coffer_webhook_queue_depth") == pending
    assert value(samples, "coffer_webhook_oldest_pending_age_seconds") >= 0
    assert value(samples, "coffer_resolver_backlog") == 1


async def test_metrics_are_not_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert "/metrics" not in document["paths"]
