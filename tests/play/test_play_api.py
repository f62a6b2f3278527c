"""Every /api/play route answers as its S2S twin, for the session's player only (SPEC §11)."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from coffer.rounds.models import Round
from coffer.runtime import Runtime
from tests.conftest import make_operator
from tests.support.api import AdminApi
from tests.support.catalog import published_box
from tests.support.shipping import ADDRESS
from tests.support.shop import PLAYER, Shop, shop

__all__ = ["shop"]

HOST = "https://casino.example"


class PlayerApp:
    """The player app's calls, with its session token."""

    def __init__(self, client: httpx.AsyncClient, token: str, session: dict[str, Any]) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.session = session

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.client.post(f"/api/play{path}", json=body, headers=self.headers)

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(f"/api/play{path}", params=params, headers=self.headers)


async def launch(shop: Shop, client: httpx.AsyncClient, **body: Any) -> PlayerApp:
    await shop.admin.call("PATCH", f"/operators/{shop.operator.slug}", {"allowedOrigins": [HOST]})
    minted = await shop.operator.s2s.post(
        "/api/s2s/launches", {"playerExternalId": PLAYER, "gameKey": "mystery_box", **body}
    )
    assert minted.status_code == 201, minted.text
    started = await client.post(
        "/api/play/session/init", json={"launchToken": minted.json()["launchToken"]}
    )
    assert started.status_code == 200, started.text
    return PlayerApp(client, started.json()["sessionToken"], started.json())


def sword_reel(shop: Shop) -> list[dict[str, int]]:
    return [{"reelIndex": 0, "boxVersionId": shop.sword_version}]


async def test_a_player_opens_a_box_through_the_wallet_and_cashes_the_item_back(
    shop: Shop, client: httpx.AsyncClient
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 2_000)
    app = await launch(shop, client)
    opened = await app.post("/rounds/open", {"clientActionId": "o1", "reels": sword_reel(shop)})
    assert opened.status_code == 200, opened.text
    round_ = opened.json()["round"]
    assert (round_["funding"], round_["betMinor"]) == ("player", 500)
    assert opened.json()["balanceAfterMinor"] == 1_500
    again = await app.post("/rounds/open", {"clientActionId": "o1", "reels": sword_reel(shop)})
    assert again.content == opened.content  # a retry replays the first answer
    balance = await app.get("/wallet/balance")
    assert balance.json() == {"balanceMinor": 1_500, "currency": "EUR"}
    items = (await app.get("/inventory")).json()["items"]
    assert [i["itemId"] for i in items] == [shop.sword_item]
    cashed = await app.post("/cashout", {"inventoryItemId": items[0]["id"]})
    assert cashed.status_code == 200, cashed.text
    assert (await app.get("/wallet/balance")).json()["balanceMinor"] == 1_500 + 80
    assert (await app.get("/inventory")).json()["items"] == []


async def test_insufficient_funds_is_the_s2s_refusal_and_moves_nothing(
    shop: Shop, client: httpx.AsyncClient
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100)
    app = await launch(shop, client)
    refused = await app.post("/rounds/open", {"clientActionId": "o1", "reels": sword_reel(shop)})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "INSUFFICIENT_FUNDS"
    assert (await app.get("/wallet/balance")).json()["balanceMinor"] == 100
    assert (await app.get("/inventory")).json()["items"] == []


async def test_free_opens_are_the_launchs_target_box_only_and_capped(
    shop: Shop, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 2_000)
    app = await launch(
        shop, client, target={"boxId": shop.sword_box}, funding="operator", fundingRounds=2
    )
    assert app.session["game"]["target"]["freeOpens"] == 2
    other = [{"reelIndex": 0, "boxVersionId": shop.cash_version}]
    paid = await app.post("/rounds/open", {"clientActionId": "c1", "reels": other})
    assert paid.json()["round"]["funding"] == "player"  # another box: paid, no free open used
    two = [{**sword_reel(shop)[0], "reelIndex": n} for n in range(2)]
    several = await app.post("/rounds/open", {"clientActionId": "two", "reels": two})
    assert several.json()["round"]["funding"] == "player"  # a free open is one box, never two
    fundings = []
    for n in range(3):
        body = {"clientActionId": f"f{n}", "reels": sword_reel(shop), "funding": "operator"}
        opened = await app.post("/rounds/open", body)
        assert opened.status_code == 200, opened.text
        fundings.append(opened.json()["round"]["funding"])
    assert fundings == ["operator", "operator", "player"]
    retry = await app.post("/rounds/open", {"clientActionId": "f0", "reels": sword_reel(shop)})
    assert retry.json()["round"]["funding"] == "operator"  # replayed, no third free open
    spent = 500 + 2 * 500 + 500  # the other box, the two-box open, the third target open
    assert (await app.get("/wallet/balance")).json()["balanceMinor"] == 2_000 - spent + 700


async def test_a_player_cannot_fund_their_own_open(shop: Shop, client: httpx.AsyncClient) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    app = await launch(shop, client)
    body = {"clientActionId": "o1", "reels": sword_reel(shop), "funding": "operator"}
    opened = await app.post("/rounds/open", body)
    assert opened.json()["round"]["funding"] == "player"
    assert (await app.get("/wallet/balance")).json()["balanceMinor"] == 500


async def test_another_operators_ids_answer_not_found(
    shop: Shop, client: httpx.AsyncClient, admin: AdminApi, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    await make_operator(admin, client, "other")
    foreign_box, foreign_version = await published_box(admin, "other")
    app = await launch(shop, client)
    box = await app.get(f"/boxes/{foreign_box}")
    assert box.status_code == 404
    reels = [{"reelIndex": 0, "boxVersionId": foreign_version}]
    opened = await app.post("/rounds/open", {"clientActionId": "x", "reels": reels})
    assert opened.status_code == 404
    assert opened.json()["error"]["code"] == "UNKNOWN_BOX"
    cashed = await app.post("/cashout", {"inventoryItemId": 1})
    assert cashed.status_code == 404
    async with runtime.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Round)) == 0
    assert (await app.get("/wallet/balance")).json()["balanceMinor"] == 1_000


async def test_the_box_page_fairness_and_rotation(shop: Shop, client: httpx.AsyncClient) -> None:
    app = await launch(shop, client, currency="USD")
    box = await app.get(f"/boxes/{shop.sword_box}")
    assert box.status_code == 200, box.text
    assert box.json()["box"]["currency"] == "USD"
    state = (await app.get("/fairness/state")).json()
    assert state["nextNonce"] == 0
    rotated = await app.post("/fairness/rotate", {"clientActionId": "r1", "clientSeed": "mine"})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["revealed"]["serverSeedHash"] == state["serverSeedHash"]
    assert rotated.json()["current"]["clientSeed"] == "mine"


@pytest.mark.parametrize("path", ["/inventory", "/wallet/balance", "/fairness/state", "/boxes/1"])
async def test_every_play_read_needs_a_session(client: httpx.AsyncClient, path: str) -> None:
    refused = await client.get(f"/api/play{path}", headers={"Authorization": "Bearer ps_nope"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "SESSION_INVALID"


@pytest.mark.parametrize(
    "path", ["/rounds/open", "/cashout", "/shipping/orders", "/fairness/rotate"]
)
async def test_every_play_write_needs_a_session(client: httpx.AsyncClient, path: str) -> None:
    refused = await client.post(f"/api/play{path}", json={})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "SESSION_INVALID"


async def test_a_player_ships_their_item_and_a_bad_address_names_its_fields(
    shop: Shop, client: httpx.AsyncClient
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    app = await launch(shop, client)
    await app.post("/rounds/open", {"clientActionId": "o1", "reels": sword_reel(shop)})
    [item] = (await app.get("/inventory")).json()["items"]
    contact = {"email": "ada@example.com"}
    bad = {**ADDRESS, "country": "XX", "postalCode": ""}
    refused = await app.post(
        "/shipping/orders", {"inventoryItemIds": [item["id"]], "address": bad, "contact": contact}
    )
    assert refused.status_code == 422, refused.text
    assert {"address.country", "address.postalCode"} <= set(refused.json()["error"]["fields"])
    body = {"inventoryItemIds": [item["id"]], "address": ADDRESS, "contact": contact}
    ordered = await app.post("/shipping/orders", body)
    assert ordered.status_code == 201, ordered.text
    shipped = (await app.get("/inventory", state="ship_requested")).json()["items"]
    assert [i["id"] for i in shipped] == [item["id"]]


async def test_the_rate_pinned_at_init_is_checked_at_open(
    shop: Shop, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "USD", 10_000)
    app = await launch(shop, client, currency="USD")
    await shop.admin.put_currency(shop.operator.slug, "USD", "0.5")  # the euro doubles in USD
    moved = await app.post("/rounds/open", {"clientActionId": "o1", "reels": sword_reel(shop)})
    assert moved.status_code == 422, moved.text
    assert moved.json()["error"]["code"] == "FX_RATE_MOVED"
    assert shop.casino.balance(PLAYER, "USD") == 10_000
    async with runtime.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Round)) == 0
