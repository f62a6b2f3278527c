"""Rate limits per S2S key, player session and admin token, counted in the shared database."""

import time

import httpx
import pytest

from coffer.api import ratelimit
from coffer.api.ratelimit import count_request
from coffer.app import create_app
from coffer.kit.errors import RateLimited
from coffer.runtime import Runtime
from coffer.throttle.service import hit, quota
from tests.conftest import OperatorCtx
from tests.play.test_play_api import launch
from tests.support.api import AdminApi, SignedClient, operator_staff
from tests.support.shop import Shop, body_of, shop

__all__ = ["shop"]


@pytest.fixture(autouse=True)
def still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request at the start of one minute, so no window turns during a test."""
    start = time.time() // 60 * 60 + 60
    monkeypatch.setattr(ratelimit, "seconds_now", lambda: start)


async def limit(api: AdminApi, slug: str, **per_minute: int) -> None:
    await api.call("PATCH", f"/operators/{slug}", {"rateLimits": per_minute})


def refused(response: httpx.Response) -> None:
    """A 429 in the SPEC envelope, retrying when the (still) minute ends."""
    assert response.status_code == 429, response.text
    assert body_of(response)["error"]["code"] == "RATE_LIMITED"
    assert response.headers["retry-after"] == "60"


async def test_each_s2s_key_has_its_own_quota_and_bad_signatures_spend_none(
    operator: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    await limit(admin, operator.slug, s2s=3)
    forged = SignedClient(client, operator.s2s.key_id, "not-the-secret")
    for _ in range(5):
        assert (await forged.get("/api/s2s/boxes")).status_code == 401
    for _ in range(3):
        assert (await operator.s2s.get("/api/s2s/boxes")).status_code == 200
    refused(await operator.s2s.get("/api/s2s/boxes"))
    second = await admin.create_key(operator.slug)
    other = SignedClient(client, second["keyId"], second["secret"])
    assert (await other.get("/api/s2s/boxes")).status_code == 200
    shown = await admin.call("GET", f"/operators/{operator.slug}")
    assert shown["rateLimits"] == {"s2s": 3, "play": None, "admin": None}


async def test_an_admin_token_is_limited_and_only_a_global_admin_sets_limits(
    operator: OperatorCtx, admin: AdminApi, runtime: Runtime
) -> None:
    staff = await operator_staff(admin, runtime, operator.slug)
    await staff.call("PATCH", f"/operators/{operator.slug}", {"rateLimits": {"admin": 9}}, 403)
    await limit(admin, operator.slug, admin=2)
    await staff.call("GET", f"/operators/{operator.slug}")  # the refused PATCH counted too
    answer = await staff.client.get(f"/api/admin/operators/{operator.slug}", headers=staff.headers)
    refused(answer)
    assert (await admin.call("GET", f"/operators/{operator.slug}"))["slug"] == operator.slug


async def test_a_player_session_is_limited(shop: Shop, client: httpx.AsyncClient) -> None:
    await limit(shop.admin, shop.operator.slug, play=2)
    app = await launch(shop, client)
    assert (await app.get("/fairness/state")).status_code == 200
    assert (await app.get("/fairness/state")).status_code == 200
    refused(await app.get("/fairness/state"))
    again = await launch(shop, client)  # a new session counts afresh
    assert (await again.get("/fairness/state")).status_code == 200


async def test_every_node_reads_the_same_counters(
    operator: OperatorCtx, admin: AdminApi, runtime: Runtime
) -> None:
    """Two app instances, each with its own pool, on one PostgreSQL database (SQLite serves
    one process and counts in it)."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("several nodes need PostgreSQL; SQLite counts in its one process")
    await limit(admin, operator.slug, s2s=4)
    second = Runtime.from_settings(runtime.settings)  # another node: its own pool, same database
    try:
        app = create_app(runtime=second)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://node-b") as http:
            node_b = SignedClient(http, operator.s2s.key_id, operator.s2s.secret)
            for node in (operator.s2s, node_b, operator.s2s, node_b):
                assert (await node.get("/api/s2s/boxes")).status_code == 200
            refused(await node_b.get("/api/s2s/boxes"))
            refused(await operator.s2s.get("/api/s2s/boxes"))
    finally:
        await second.close()


async def test_a_window_starts_afresh_and_says_when(runtime: Runtime) -> None:
    per_minute = quota("s2s", 2, None)
    async with runtime.engine.connect() as conn:
        await hit(conn, "k", per_minute, 120.0)
        await hit(conn, "k", per_minute, 150.0)
        with pytest.raises(RateLimited) as third:
            await hit(conn, "k", per_minute, 170.5)
        assert third.value.extra["retryAfter"] == 10
        await hit(conn, "k", per_minute, 180.0)  # the next minute
    assert quota("s2s", 5, {"s2s": True}).per_minute == 5  # a boolean is no override


async def test_limits_can_be_turned_off(runtime: Runtime) -> None:
    off = runtime.settings.model_copy(update={"rate_limits": False})
    async with runtime.engine.connect() as conn:
        for _ in range(3):
            await count_request(conn, off, ("s2s", "k"), {"s2s": 1})
        await count_request(conn, runtime.settings, ("s2s", "k"), {"s2s": 1})  # counting again
        with pytest.raises(RateLimited):
            await count_request(conn, runtime.settings, ("s2s", "k"), {"s2s": 1})
