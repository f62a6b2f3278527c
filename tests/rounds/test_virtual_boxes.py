"""Boxes priced in a virtual currency: bought, paid and verified through the ledger, and no path
from a virtual balance reaches the casino's wallet (SPEC §12)."""

import asyncio
from fractions import Fraction
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from coffer.catalog.models import BoxVersion
from coffer.fairness.verify import verify_draw
from coffer.inventory.models import InventoryItem
from coffer.kit.money import Rate, convert, virtual_rate
from coffer.rounds.models import Round
from coffer.runtime import Runtime
from coffer.seamless.models import WalletInstruction
from coffer.webhooks.models import WebhookEvent
from tests.play.test_play_api import HOST, launch
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]
GEMS = {"code": "GEM", "name": "Gems", "initialGrantMinor": 1000}
BALANCES = "/api/s2s/virtual-currencies/balances"


async def gem_box(shop: Shop, name: str, prize: dict[str, Any], price: int = 300) -> int:
    """A published box priced in GEM with one prize; its version id."""
    slug = shop.operator.slug
    body = {
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "priceMinor": price,
        "currency": "GEM",
    }
    box = await shop.admin.call(
        "POST", f"/operators/{slug}/boxes", {**body, "prizes": [{**prize, "weight": 1}]}, expect=201
    )
    published = await shop.admin.call(
        "POST", f"/operators/{slug}/boxes/{box['boxId']}/publish", expect=201
    )
    return int(published["boxVersionId"])


async def gems(shop: Shop) -> int:
    read = await shop.operator.s2s.get(BALANCES, {"playerExternalId": PLAYER})
    [balance] = read.json()["balances"]
    return int(balance["balanceMinor"])


def reels(*versions: int) -> list[dict[str, int]]:
    return [{"reelIndex": i, "boxVersionId": v} for i, v in enumerate(versions)]


async def instructions(runtime: Runtime) -> list[tuple[str, str, str, int, str]]:
    async with runtime.sessions() as session:
        rows = await session.scalars(select(WalletInstruction).order_by(WalletInstruction.id))
        return [(i.kind, i.rpc, i.state, i.amount_minor, i.currency) for i in rows]


async def test_a_gem_box_is_paid_and_pays_in_gems_and_verifies(
    shop: Shop, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await shop.admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    version = await gem_box(shop, "Gem chest", {"cashMinor": 700})
    answer = await shop.buy("g-1", reels=reels(version))
    assert answer.status_code == 200, answer.text
    body = body_of(answer)
    settled = body["round"]
    assert (settled["status"], settled["currency"]) == ("settled", "GEM")
    assert (settled["betMinor"], settled["payoutMinor"], body["balanceAfterMinor"]) == (
        300,
        700,
        700,
    )
    assert await gems(shop) == 1400
    again = await shop.buy("g-1", reels=reels(version))
    assert body_of(again) == body  # the first answer, and nothing moved twice
    assert await gems(shop) == 1400
    history = body_of(await shop.operator.s2s.get("/api/s2s/history", {"playerExternalId": PLAYER}))
    rows = [(r["type"], r["amountMinor"], r["currency"], r["status"]) for r in history["items"]]
    assert rows == [("payout", 700, "GEM", "accepted"), ("purchase", -300, "GEM", "accepted")]
    assert [r["idempotencyKey"] for r in history["items"]] == [
        f"payout:round:{settled['publicId']}",
        f"round:{settled['publicId']}",
    ]  # the ledger's own keys: the history joins the ledger as it joins a wallet
    async with runtime.sessions() as session:
        kinds = (await session.scalars(select(WebhookEvent.type).order_by(WebhookEvent.id))).all()
    assert sorted(kinds) == ["balance_changed", "balance_changed", "round_settled"]
    await shop.operator.s2s.post(
        "/api/s2s/fairness/rotate", {"playerExternalId": PLAYER, "clientActionId": "reveal"}
    )
    shown = (await client.get(f"/fairness/rounds/{settled['publicId']}")).json()["round"]
    assert shown["serverSeedHash"] == settled["fairness"]["serverSeedHash"]
    snapshot = (await client.get(shown["reels"][0]["snapshotUrl"])).json()
    [drawn] = verify_draw(snapshot, shown["serverSeed"], shown["clientSeed"], shown["nonce"], 1)
    assert (drawn.prize_id, drawn.value_minor) == (shown["reels"][0]["prizeId"], 700)
    assert shop.casino.ledger() == []


async def test_a_gem_box_house_edge_counts_its_cash_prizes_only(shop: Shop) -> None:
    await shop.admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    body = {"name": "Half", "slug": "half", "priceMinor": 300, "currency": "GEM"}
    prizes = [{"itemId": shop.sword_item, "weight": 1}, {"cashMinor": 100, "weight": 1}]
    box = await shop.admin.call(
        "POST", "/operators/acme/boxes", {**body, "prizes": prizes}, expect=201
    )
    published = await shop.admin.call(
        "POST", f"/operators/acme/boxes/{box['boxId']}/publish", expect=201
    )
    # Expected prize 50 GEM (the sword is worth nothing in GEM) of a 300 GEM price: RTP 16.67%.
    assert published["houseEdgeBps"] == 8333


async def test_a_gem_purchase_past_the_balance_takes_nothing(shop: Shop, runtime: Runtime) -> None:
    await shop.admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    version = await gem_box(shop, "Dear chest", {"cashMinor": 1}, price=1001)
    refused = await shop.buy("too-dear", reels=reels(version))
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "INSUFFICIENT_FUNDS")
    assert await gems(shop) == 1000
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Round)) == 0
    assert await instructions(runtime) == []


async def test_concurrent_gem_purchases_spend_exactly_the_balance(
    shop: Shop, runtime: Runtime
) -> None:
    await shop.admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    version = await gem_box(shop, "Tenner", {"cashMinor": 0}, price=100)
    await gems(shop)  # the account exists before the race
    answers = await asyncio.gather(*(shop.buy(f"c-{n}", reels=reels(version)) for n in range(16)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 10 + [422] * 6, [a.text for a in answers if a.status_code != 200][:2]
    assert await gems(shop) == 0
    async with runtime.sessions() as session:
        settled = await session.scalar(select(func.count()).select_from(Round))
    assert settled == 10


async def test_no_path_leads_from_gems_to_the_wallet(
    shop: Shop, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    """Every way a virtual balance or prize could reach the casino: each refused or kept in GEM."""
    await shop.admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    slug = shop.operator.slug
    sword_gems = await gem_box(shop, "Sword chest", {"itemId": shop.sword_item})
    won = body_of(await shop.buy("sword", reels=reels(sword_gems)))["round"]["wonItems"][0]
    assert won["cashbackMinor"] is None  # a virtual round's prize has no cash value
    item = won["inventoryItemId"]
    cash = await shop.operator.s2s.post(
        "/api/s2s/cashout", {"playerExternalId": PLAYER, "inventoryItemId": item, "currency": "EUR"}
    )
    assert (cash.status_code, cash.json()["error"]["code"]) == (422, "CASHBACK_NOT_AVAILABLE")
    forward = await shop.operator.s2s.post(
        "/api/s2s/inventory/forward", {"playerExternalId": PLAYER, "inventoryItemId": item}
    )
    assert forward.status_code == 409
    async with runtime.sessions() as session:
        row = await session.get(InventoryItem, item)
        assert row is not None
        assert (row.origin, row.state) == ("vc_round", "unresolved")
    await _refused_purchases(shop, sword_gems)
    await _refused_settings(shop)
    box_id = await _box_of(runtime, sword_gems)
    await shop.admin.call("PATCH", f"/operators/{slug}", {"allowedOrigins": [HOST]})
    aimed = await shop.operator.s2s.post(
        "/api/s2s/launches",
        {"playerExternalId": PLAYER, "gameKey": "mystery_box", "target": {"boxId": box_id}},
    )
    assert aimed.status_code == 404, aimed.text  # the player app sells for real money only
    app = await launch(shop, client)
    assert (await app.get(f"/boxes/{box_id}")).status_code == 404
    opened = await app.post("/rounds/open", {"clientActionId": "app", "reels": reels(sword_gems)})
    assert (opened.status_code, opened.json()["error"]["code"]) == (409, "BOX_NOT_PLAYABLE")
    listed = body_of(await shop.operator.s2s.get("/api/s2s/boxes", {"currency": "USD"}))
    shown = {box["name"]: (box["priceMinor"], box["currency"]) for box in listed["boxes"]}
    assert shown["Sword chest"] == (300, "GEM")  # never converted
    assert shown["Sword"] == (543, "USD")
    assert shop.casino.ledger() == []  # the casino never moved money
    assert {rpc for _kind, rpc, *_ in await instructions(runtime)} == {"ledger"}
    assert await gems(shop) == 700


async def _refused_purchases(shop: Shop, sword_gems: int) -> None:
    """A gem box in euros, a euro box in gems, both together, or held: each refused."""
    refusals: list[tuple[str, dict[str, Any], str]] = [
        ("in-eur", {"reels": reels(sword_gems), "currency": "EUR"}, "UNSUPPORTED_CURRENCY"),
        ("eur-in-gems", {"currency": "GEM"}, "UNSUPPORTED_CURRENCY"),
        ("mixed", {"reels": reels(sword_gems, shop.sword_version)}, "UNSUPPORTED_CURRENCY"),
        ("held", {"reels": reels(sword_gems), "mode": "prepay"}, "VALIDATION_ERROR"),
    ]
    for action, fields, code in refusals:
        answer = await shop.buy(action, **fields)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, code), action


async def _refused_settings(shop: Shop) -> None:
    """No gem box may pay a casino bonus, and no rate may link gems to money."""
    slug = shop.operator.slug
    bonus = await shop.admin.client.post(
        f"/api/admin/operators/{slug}/boxes",
        json={"name": "Spins", "slug": "spins", "priceMinor": 5, "currency": "GEM",
              "prizes": [{"itemId": shop.bonus_item, "weight": 1}]},
        headers=shop.admin.headers,
    )  # fmt: skip
    assert bonus.status_code == 422, bonus.text  # a casino bonus is real money's
    rate = await shop.admin.client.put(
        f"/api/admin/operators/{slug}/currencies/GEM",
        json={"rateToBase": "1", "minorDigits": 0},
        headers=shop.admin.headers,
    )
    assert rate.status_code == 422  # no rate ever links GEM to EUR


async def _box_of(runtime: Runtime, version_id: int) -> int:
    async with runtime.sessions() as session:
        version = await session.get(BoxVersion, version_id)
        assert version is not None
        return version.box_id


def test_no_rate_converts_a_virtual_currency() -> None:
    gem, eur = virtual_rate("GEM", 0), Rate("EUR", Fraction(1), 2)
    assert convert(500, gem, gem) == 500
    for source, target in ((gem, eur), (eur, gem)):
        with pytest.raises(ValueError, match="no rate links"):
            convert(500, source, target)
