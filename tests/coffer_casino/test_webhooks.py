"""The reference casino's webhook receiver: signature check and once-only processing."""

import json
from typing import Any

import httpx

from coffer import signing
from tests.support.casino import CasinoServer
from tests.support.wallet_calls import post_signed


def event(event_id: str, kind: str = "round_settled") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": kind,
        "createdAt": "2026-06-03T12:00:05Z",
        "operatorId": 1,
        "data": {"roundPublicId": "r_1", "playerExternalId": "u_1"},
    }


async def deliver(
    http: httpx.AsyncClient, casino: CasinoServer, body: dict[str, Any], secret: str | None = None
) -> httpx.Response:
    headers = {"Webhook-Id": str(body.get("id", ""))}
    return await post_signed(
        http, casino.webhook_url, secret or casino.secret, body, headers=headers
    )


async def test_each_event_is_processed_once(casino: CasinoServer, http: httpx.AsyncClient) -> None:
    first = await deliver(http, casino, event("evt_1"))
    assert first.json() == {"received": True, "duplicate": False}
    again = await deliver(http, casino, event("evt_1"))
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    await deliver(http, casino, event("evt_2", "item_cashed_back"))
    events = casino.webhook_events()
    assert [(e["id"], e["type"], e["receivedCount"]) for e in events] == [
        ("evt_1", "round_settled", 2),
        ("evt_2", "item_cashed_back", 1),
    ]
    assert events[0]["data"] == {"roundPublicId": "r_1", "playerExternalId": "u_1"}
    listed = (await http.get(f"{casino.base_url}/casino/webhooks/events")).json()
    assert [e["receivedCount"] for e in listed["events"]] == [2, 1]


async def test_bad_signature_is_401_and_not_recorded(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    response = await deliver(http, casino, event("evt_bad"), secret="whsec_wrong")
    assert (response.status_code, response.json()["code"]) == (401, "INVALID_SIGNATURE")
    body = json.dumps(event("evt_path")).encode()
    signed_for_wallet = signing.signed_headers(casino.secret, "POST", casino.url, body)
    elsewhere = await http.post(
        casino.webhook_url, content=body, headers=signed_for_wallet | {"Webhook-Id": "evt_path"}
    )
    assert elsewhere.status_code == 401
    assert casino.webhook_events() == []


async def test_webhook_id_is_required_and_must_match(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    body = event("evt_3")
    missing = await post_signed(http, casino.webhook_url, casino.secret, body)
    assert (missing.status_code, missing.json()["code"]) == (400, "MISSING_HEADERS")
    other = await post_signed(
        http, casino.webhook_url, casino.secret, body, headers={"Webhook-Id": "evt_4"}
    )
    assert other.status_code == 400
    assert casino.webhook_events() == []


async def test_faults_can_target_webhooks(casino: CasinoServer, http: httpx.AsyncClient) -> None:
    casino.inject("http_500", on="webhooks")
    assert (await deliver(http, casino, event("evt_5"))).status_code == 500
    assert casino.webhook_events() == []
    assert (await deliver(http, casino, event("evt_5"))).json()["duplicate"] is False
