"""The vendor surfaces count against the same quotas, and refuse in their vendor's shape."""

import time

import httpx
import pytest

from coffer.api import ratelimit
from coffer.runtime import Runtime
from tests.compat.test_playfab_wire import BASE, failure, login
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi, scoped_token
from tests.support.lootlocker import LootLocker, error_of


@pytest.fixture(autouse=True)
def still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    start = time.time() // 60 * 60 + 60
    monkeypatch.setattr(ratelimit, "seconds_now", lambda: start)


async def test_a_playfab_session_ticket_is_a_player_session(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    await admin.call("PATCH", f"/operators/{operator.slug}", {"rateLimits": {"play": 2}})
    ticket = await login(client, admin)
    headers = {"X-Authorization": ticket}
    for _ in range(2):
        answer = await client.post(f"{BASE}/Client/GetUserInventory", json={}, headers=headers)
        assert answer.status_code == 200, answer.text
    limited = await client.post(f"{BASE}/Client/GetUserInventory", json={}, headers=headers)
    assert failure(limited) == (429, 429, "TooManyRequests", "APIClientRequestRateLimitExceeded")
    assert limited.json()["errorCode"] == 1199


async def test_a_playfab_title_key_is_an_admin_token(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await admin.call("PATCH", f"/operators/{operator.slug}", {"rateLimits": {"admin": 1}})
    key = {"X-SecretKey": await scoped_token(runtime, operator.slug)}
    body = {"PlayFabId": "0000000000000001"}
    first = await client.post(f"{BASE}/Server/GetUserInventory", json=body, headers=key)
    assert first.status_code != 429, first.text
    limited = await client.post(f"{BASE}/Server/GetUserInventory", json=body, headers=key)
    assert failure(limited)[3] == "APIClientRequestRateLimitExceeded"


async def test_a_lootlocker_server_session_has_its_own_quota(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await admin.call("PATCH", f"/operators/{operator.slug}", {"rateLimits": {"s2s": 2}})
    game = await LootLocker.start(client, runtime)
    await game.call("GET", "ping")
    await game.call("GET", "ping")
    assert error_of(await game.send("GET", "ping")) == (429, "too_many_requests")
    other = await LootLocker.start(client, runtime)
    await other.call("GET", "ping")
