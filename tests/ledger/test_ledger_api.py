"""Virtual currencies through the admin and S2S APIs, on both databases."""

import json

import httpx
from sqlalchemy import select

from coffer.runtime import Runtime
from coffer.webhooks.models import WebhookEvent
from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi

GEMS = {"code": "GEM", "name": "Gems", "initialGrantMinor": 100}


async def events(runtime: Runtime) -> list[dict[str, object]]:
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(WebhookEvent).order_by(WebhookEvent.id))).all()
        return [{"type": row.type, **json.loads(row.body)["data"]} for row in rows]


async def test_a_currency_is_defined_granted_spent_and_replayed(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    made = await admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    assert made["code"] == "GEM"
    listed = await admin.call("GET", "/operators/acme/virtual-currencies")
    assert [c["code"] for c in listed["currencies"]] == ["GEM"]
    read = await operator.s2s.get(
        "/api/s2s/virtual-currencies/balances", {"playerExternalId": "p1"}
    )
    assert read.json() == {"balances": [{"currency": "GEM", "balanceMinor": 100, "decimals": 0}]}
    spend = {
        "playerExternalId": "p1",
        "currency": "GEM",
        "amountMinor": -40,
        "idempotencyKey": "k1",
    }
    first = await operator.s2s.post("/api/s2s/virtual-currencies/postings", spend)
    assert first.json() == {"currency": "GEM", "balanceMinor": 60, "decimals": 0}
    again = await operator.s2s.post("/api/s2s/virtual-currencies/postings", spend)
    assert again.json() == first.json()
    reused = await operator.s2s.post(
        "/api/s2s/virtual-currencies/postings", {**spend, "amountMinor": -41}
    )
    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert [e["type"] for e in await events(runtime)] == ["balance_changed"]  # told once
    assert (await events(runtime))[0]["balanceAfterMinor"] == 60


async def test_an_overdraft_is_refused_and_tells_nobody(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    spend = {
        "playerExternalId": "p1",
        "currency": "GEM",
        "amountMinor": -101,
        "idempotencyKey": "k",
    }
    refused = await operator.s2s.post("/api/s2s/virtual-currencies/postings", spend)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "INSUFFICIENT_FUNDS")
    read = await operator.s2s.get(
        "/api/s2s/virtual-currencies/balances", {"playerExternalId": "p1"}
    )
    assert read.json()["balances"][0]["balanceMinor"] == 100
    assert await events(runtime) == []


async def test_codes_are_checked_and_another_operators_currency_is_not_found(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    for code in ("EUR", "gem", "X"):
        answer = await admin.client.post(
            "/api/admin/operators/acme/virtual-currencies",
            json={**GEMS, "code": code},
            headers=admin.headers,
        )
        assert answer.status_code == 422, code
    other = await make_operator(admin, client, "other")
    await admin.call("POST", "/operators/other/virtual-currencies", GEMS, expect=201)
    spend = {"playerExternalId": "p1", "currency": "GEM", "amountMinor": 5, "idempotencyKey": "k"}
    missing = await operator.s2s.post("/api/s2s/virtual-currencies/postings", spend)
    assert missing.status_code == 404
    assert (await other.s2s.post("/api/s2s/virtual-currencies/postings", spend)).status_code == 200
