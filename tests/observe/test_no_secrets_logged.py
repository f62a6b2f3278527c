"""No secret, token or signature is ever logged (issue 16): a whole story runs with every logger
at DEBUG into JSON lines, then the lines are searched for every credential the story used.

The search can fail: ``test_the_search_finds_a_token_that_was_logged`` logs a token on purpose
and checks that ``leaks`` reports it; and an access line that kept the query (``/play?token=lt_…``)
made the story fail when tried, so a green story is not a search that matches nothing.
"""

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from coffer import signing
from coffer.runtime import Runtime
from coffer.webhooks import delivery
from tests.conftest import ADMIN_TOKEN, SECRET_KEY
from tests.support.api import scoped_token
from tests.support.inventory import cash_out, won_sword
from tests.support.logs import Captured, json_logs
from tests.support.lootlocker import LootLocker
from tests.support.shop import PLAYER, Shop, shop

__all__ = ["shop"]


def leaks(captured: Captured, secrets: set[str]) -> list[str]:
    """The secrets that appear anywhere in the captured log text."""
    text = captured.text()
    return sorted(secret for secret in secrets if secret and secret in text)


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every X-Signature made in the test: the S2S calls', the wallet's and the webhooks'."""
    made: list[str] = []
    original = signing.signed_headers

    def spy(*args: Any, **kwargs: Any) -> dict[str, str]:
        headers = original(*args, **kwargs)
        made.extend(v for k, v in headers.items() if k.startswith("X-Signature"))
        return headers

    monkeypatch.setattr(signing, "signed_headers", spy)
    return made


@pytest.fixture
def captured() -> Iterator[Captured]:
    """Listed first, so the operator, its key and its boxes are made while it captures."""
    with json_logs(logging.DEBUG) as lines:
        yield lines


async def play_session(shop: Shop, client: httpx.AsyncClient) -> set[str]:
    """A launch redeemed for a player session, used on the player API; the tokens."""
    origins = {"allowedOrigins": ["https://casino.example"]}
    await shop.admin.call("PATCH", f"/operators/{shop.operator.slug}", origins)
    minted = await shop.operator.s2s.post(
        "/api/s2s/launches", {"playerExternalId": PLAYER, "gameKey": "mystery_box"}
    )
    assert minted.status_code == 201, minted.text
    launch = minted.json()["launchToken"]
    assert (await client.get("/play", params={"token": launch})).status_code == 200
    started = await client.post("/api/play/session/init", json={"launchToken": launch})
    assert started.status_code == 200, started.text
    session = started.json()["sessionToken"]
    bearer = {"Authorization": f"Bearer {session}"}
    assert (await client.get("/api/play/inventory", headers=bearer)).status_code == 200
    assert (await client.get("/api/play/wallet/balance", headers=bearer)).status_code == 200
    return {launch, session}


async def purchases(shop: Shop) -> None:
    """A settled purchase, a cashout, a prepay and the open of the held round, and a refusal."""
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item = await won_sword(shop, "story-1")
    assert (await cash_out(shop, item)).status_code == 200
    held = await shop.buy("story-2", mode="prepay")
    assert held.status_code == 201, held.text
    opened = await shop.buy("story-3", reels=..., roundPublicId=held.json()["round"]["publicId"])
    assert opened.status_code == 200, opened.text
    assert (await shop.buy("story-4", playerExternalId="u_poor")).status_code == 422


async def compat_sessions(client: httpx.AsyncClient, shop: Shop, runtime: Runtime) -> set[str]:
    """LootLocker's server session and PlayFab's session ticket, each used once; the tokens."""
    lootlocker = await LootLocker.start(client, runtime)
    assert "pong" in await lootlocker.call("GET", "ping")
    await shop.admin.call(
        "PATCH", f"/operators/{shop.operator.slug}", {"policies": {"clientLogin": True}}
    )
    body = {"TitleId": shop.operator.slug, "CustomId": "p1", "CreateAccount": True}
    login = await client.post("/compat/playfab/Client/LoginWithCustomID", json=body)
    assert login.status_code == 200, login.text
    ticket = login.json()["data"]["SessionTicket"]
    inventory = await client.post(
        "/compat/playfab/Client/GetUserInventory", json={}, headers={"X-Authorization": ticket}
    )
    assert inventory.status_code == 200, inventory.text
    return {lootlocker.headers["x-auth-token"], ticket}


async def staff_calls(shop: Shop, client: httpx.AsyncClient, runtime: Runtime) -> set[str]:
    """The admin player view with a global and a scoped token, and a refused bad signature."""
    staff = await scoped_token(runtime, shop.operator.slug)
    picture = f"/api/admin/operators/{shop.operator.slug}/players/{PLAYER}"
    for token in (ADMIN_TOKEN, staff):
        answer = await client.get(picture, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
    forged = signing.signed_headers("not-the-secret", "GET", "/api/s2s/boxes", b"")
    forged["X-Key-Id"] = shop.operator.s2s.key_id
    refused = await client.get("/api/s2s/boxes", headers=forged)
    assert refused.status_code == 401, refused.text
    return {staff}


@pytest.fixture
async def story_secrets(
    captured: Captured, signatures: list[str], shop: Shop, client: httpx.AsyncClient,
    runtime: Runtime,
) -> set[str]:  # fmt: skip
    """Run the story; every credential it used or was given."""
    await purchases(shop)
    tokens = await play_session(shop, client)
    tokens |= await compat_sessions(client, shop, runtime)
    tokens |= await staff_calls(shop, client, runtime)
    report = await delivery.drain(runtime.courier)
    assert report.delivered >= 4, report
    return tokens | set(signatures) | {
        ADMIN_TOKEN, SECRET_KEY, shop.operator.s2s.secret, shop.operator.outbound_secret,
    }  # fmt: skip


async def test_a_whole_story_logs_no_secret_token_or_signature(
    captured: Captured, story_secrets: set[str], signatures: list[str]
) -> None:
    lines = captured.lines()
    assert len({line["requestId"] for line in lines if line["logger"] == "coffer.access"}) >= 20
    assert len(signatures) >= 15  # S2S calls, wallet RPCs and webhook deliveries
    assert {s[:3] for s in story_secrets} >= {"lt_", "ps_", "whs"}
    assert leaks(captured, story_secrets) == []


def test_the_search_finds_a_token_that_was_logged() -> None:
    with json_logs(logging.DEBUG) as captured:
        logging.getLogger("coffer.observe").debug("careless: %s", "ps_deliberately_logged")
    assert leaks(captured, {"ps_deliberately_logged", "ps_never_logged"}) == [
        "ps_deliberately_logged"
    ]
