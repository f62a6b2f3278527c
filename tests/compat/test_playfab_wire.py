"""PlayFab's wrapper on the wire: statuses, X-ReportErrorAsSuccess, validation, what is listed."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from coffer.inventory.models import InventoryItem
from coffer.kit.db import utcnow
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.economy import build

BASE = "/compat/playfab"
AS_SUCCESS = {"X-ReportErrorAsSuccess": "true"}


async def login(client: httpx.AsyncClient, admin: AdminApi, custom_id: str = "p1") -> str:
    await admin.call("PATCH", "/operators/acme", {"policies": {"clientLogin": True}})
    body = {"TitleId": "acme", "CustomId": custom_id, "CreateAccount": True}
    path = f"{BASE}/Client/LoginWithCustomID?sdk=PythonSdk-0.0.201014"  # the SDK's query
    answer = await client.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["SessionTicket"])


def failure(answer: httpx.Response) -> tuple[int, int, str, str]:
    body: dict[str, Any] = answer.json()
    assert set(body) == {"code", "status", "error", "errorCode", "errorMessage", "errorDetails"}
    return answer.status_code, body["code"], body["status"], body["error"]


async def test_errors_keep_their_status_unless_asked_to_report_them_as_success(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    unknown = await client.post(f"{BASE}/Client/GetStoreItems", json={})
    assert failure(unknown) == (404, 404, "NotFound", "InvalidAPIEndpoint")
    reported = await client.post(f"{BASE}/Client/GetStoreItems", json={}, headers=AS_SUCCESS)
    assert failure(reported) == (200, 404, "NotFound", "InvalidAPIEndpoint")
    no_ticket = await client.post(f"{BASE}/Client/GetUserInventory", json={})
    assert failure(no_ticket) == (401, 401, "Unauthorized", "NotAuthenticated")
    not_json = await client.post(f"{BASE}/Client/LoginWithCustomID", content=b"{oops")
    assert failure(not_json) == (400, 400, "BadRequest", "InvalidParams")
    missing = await client.post(f"{BASE}/Client/LoginWithCustomID", json={"TitleId": "acme"})
    assert failure(missing) == (400, 400, "BadRequest", "InvalidParams")
    assert "CustomId" in missing.json()["errorDetails"]
    wrong_verb = await client.get(f"{BASE}/Client/GetUserInventory")
    assert failure(wrong_verb)[:2] == (405, 405)
    assert wrong_verb.json()["error"] == "InvalidAPIEndpoint"


async def test_expired_and_used_up_instances_are_not_listed(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    eco = await build(admin)
    ticket = await login(client, admin)
    grant = {"playerExternalId": "p1", "idempotencyKey": "g",
             "items": [{"itemId": eco.potion, "quantity": 2}, {"itemId": eco.sword},
                       {"itemId": eco.ticket}]}  # fmt: skip
    assert (await operator.s2s.post("/api/s2s/inventory/grants", grant)).status_code == 200
    async with runtime.sessions() as session:
        await session.execute(
            update(InventoryItem)
            .where(InventoryItem.item_id == eco.sword)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.execute(
            update(InventoryItem).where(InventoryItem.item_id == eco.ticket).values(count=0)
        )
        await session.commit()
    answer = await client.post(
        f"{BASE}/Client/GetUserInventory", json={}, headers={"X-Authorization": ticket}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["code"], body["status"]) == (200, "OK")
    listed = [entry["ItemId"] for entry in body["data"]["Inventory"]]
    assert listed == [str(eco.potion)]  # the sword expired, the tickets are used up


async def test_a_regenerating_currency_says_when_it_next_grows(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    energy = {"code": "NRG", "name": "Energy", "initialGrantMinor": 2,
              "regenAmountMinor": 1, "regenPeriodSeconds": 600, "regenCapMinor": 5}  # fmt: skip
    await admin.call("POST", "/operators/acme/virtual-currencies", energy, expect=201)
    ticket = await login(client, admin)
    answer = await client.post(
        f"{BASE}/Client/GetUserInventory", json={}, headers={"X-Authorization": ticket}
    )
    data = answer.json()["data"]
    assert data["VirtualCurrency"] == {"NRG": 2}
    times = data["VirtualCurrencyRechargeTimes"]["NRG"]
    assert times["RechargeMax"] == 5
    assert 0 < times["SecondsToRecharge"] <= 600
    assert times["RechargeTime"].endswith("Z")


async def test_concurrent_first_logins_create_the_player_once(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    await admin.call("PATCH", "/operators/acme", {"policies": {"clientLogin": True}})
    body = {"TitleId": "acme", "CustomId": "racer", "CreateAccount": True}
    answers = await asyncio.gather(
        *(client.post(f"{BASE}/Client/LoginWithCustomID", json=body) for _ in range(8))
    )
    datas = [answer.json()["data"] for answer in answers]
    assert [d["NewlyCreated"] for d in datas].count(True) == 1
    assert len({d["PlayFabId"] for d in datas}) == 1
