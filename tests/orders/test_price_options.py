"""A loot sold for several currencies at once: an order pays every price of one option."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from coffer.catalog import prices
from coffer.ledger.models import LedgerTransaction
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.orders.test_orders import client_for, gems, held
from tests.support.api import AdminApi
from tests.support.economy import Economy, Orders, build, loot, results


def pay(loot_id: int, *paid: tuple[int, int], quantity: int = 1, **more: Any) -> dict[str, Any]:
    currencies = [{"price_item_id": item, "price": price} for item, price in paid]
    return {"type": "purchase_loot", "loot_id": loot_id, "quantity": quantity,
            "purchase_price": {"currencies": currencies, **more}}  # fmt: skip


async def chest(admin: AdminApi, eco: Economy) -> int:
    """A chest of 2 potions: 200 gems alone, or 50 gems and 1 ticket together."""
    return await loot(
        admin, "acme", name="Chest", contents=[{"itemId": eco.potion, "quantity": 2}],
        prices=[
            {"priceItemId": eco.gem, "price": 200},
            {"priceItemId": eco.gem, "price": 50, "option": "with a ticket"},
            {"priceItemId": eco.ticket, "price": 1, "option": "with a ticket"},
        ],
    )  # fmt: skip


async def grant(operator: OperatorCtx, item_id: int, count: int) -> None:
    body = {"playerExternalId": "p1", "idempotencyKey": f"g{item_id}",
            "items": [{"itemId": item_id, "quantity": count}]}  # fmt: skip
    granted = await operator.s2s.post("/api/s2s/inventory/grants", body)
    assert granted.status_code == 200, granted.text


@pytest.fixture
async def eco(admin: AdminApi, operator: OperatorCtx) -> Economy:
    return await build(admin)


@pytest.fixture
async def stocked(
    eco: Economy, admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> tuple[int, Orders]:
    """The chest, a player holding 3 tickets and 1000 gems, and that player's game client."""
    box = await chest(admin, eco)
    await grant(operator, eco.ticket, 3)
    return box, await client_for(client, operator)


async def test_an_order_pays_both_currencies_of_an_option_and_each_is_debited(
    eco: Economy, stocked: tuple[int, Orders], operator: OperatorCtx, runtime: Runtime
) -> None:
    box, orders = stocked
    order = await orders.order(pay(box, (eco.gem, 50), (eco.ticket, 1), quantity=2))
    assert results(order) == ["success"]
    changes = [d["inv_change"] for d in order["entries"][0]["details"]]
    counts = [(c["before"]["count"] if c["before"] else 0, c["after"]["count"]) for c in changes]
    assert counts[:2] == [(1000, 900), (3, 1)]  # gems, then the tickets: twice each unit price
    assert await gems(operator) == 900
    assert await held(runtime) == {eco.potion: 4, eco.ticket: 1}
    async with runtime.sessions() as session:
        keys = await session.scalars(
            select(LedgerTransaction.idempotency_key).where(LedgerTransaction.reason == "order")
        )
        assert [k.rsplit(":", 2)[-2:] for k in keys] == [["price", str(eco.gem)]]
    alone = await orders.order(pay(box, (eco.gem, 200)))
    assert results(alone) == ["success"]  # the other option still sells alone
    assert await gems(operator) == 700


async def test_a_purchase_must_name_exactly_one_options_items_and_prices(
    eco: Economy, stocked: tuple[int, Orders], operator: OperatorCtx, runtime: Runtime
) -> None:
    box, orders = stocked
    order = await orders.order(
        pay(box, (eco.gem, 50)),  # the ticket is missing: 50 gems alone is no option
        pay(box, (eco.gem, 200), (eco.ticket, 1)),
        pay(box, (eco.gem, 50), (eco.ticket, 2)),
        pay(box, (eco.gem, 50), (eco.gem, 50)),
        pay(box, (eco.gem, 50), (eco.ticket, 1), (eco.potion, 1)),
        pay(box, (eco.gem, 50), (eco.ticket, 1), (eco.coupon, 1)),
    )
    assert results(order) == [
        "price_does_not_match",
        "price_does_not_match",
        "price_does_not_match",
        "price_not_allowed",
        "price_item_not_found",  # players write potions themselves: never a price
        "loot_not_for_sale_with_price_item",
    ]
    assert await gems(operator) == 1000
    assert await held(runtime) == {eco.ticket: 3}


async def test_when_one_currency_falls_short_the_other_is_not_debited(
    eco: Economy, admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient,
    runtime: Runtime,
) -> None:  # fmt: skip
    box = await chest(admin, eco)
    orders = await client_for(client, operator)
    order = await orders.order(pay(box, (eco.gem, 50), (eco.ticket, 1)))
    assert results(order) == ["cannot_afford_price"]  # no tickets
    assert await gems(operator) == 1000
    async with runtime.sessions() as session:
        reasons = list(await session.scalars(select(LedgerTransaction.reason)))
        assert "order" not in reasons


async def test_a_coupon_takes_its_share_off_every_currency_of_the_option(
    eco: Economy, stocked: tuple[int, Orders], admin: AdminApi, operator: OperatorCtx,
    runtime: Runtime,
) -> None:  # fmt: skip
    box, orders = stocked
    half = await admin.call(
        "POST", "/operators/acme/items",
        {"name": "Half", "type": "digital", "valueMinor": 0, "currency": "EUR",
         "stackable": True, "coupon": {"percentOffBps": 5000}},
        expect=201,
    )  # fmt: skip
    gems_only = await admin.call(
        "POST", "/operators/acme/items",
        {"name": "Gems off", "type": "digital", "valueMinor": 0, "currency": "EUR",
         "stackable": True, "coupon": {"percentOffBps": 5000, "priceItemIds": [eco.gem]}},
        expect=201,
    )  # fmt: skip
    await grant(operator, half["itemId"], 1)
    await grant(operator, gems_only["itemId"], 1)
    entry = pay(box, (eco.gem, 50), (eco.ticket, 1), price_coupon_item_id=gems_only["itemId"])
    assert results(await orders.order(entry)) == ["coupon_item_not_applicable_for_price_item"]
    entry = pay(box, (eco.gem, 50), (eco.ticket, 1), price_coupon_item_id=half["itemId"])
    assert results(await orders.order(entry)) == ["success"]
    assert await gems(operator) == 975  # 50 halved
    kept = {eco.potion: 2, eco.ticket: 3, gems_only["itemId"]: 1}  # the refused coupon is kept
    assert await held(runtime) == kept  # 1 ticket halved is 0, rounded down


async def test_options_a_purchase_could_not_tell_apart_are_refused(
    eco: Economy, admin: AdminApi
) -> None:
    twice = [
        {"priceItemId": eco.gem, "price": 5, "option": "a"},
        {"priceItemId": eco.gem, "price": 6, "option": "a"},
    ]
    same = [
        {"priceItemId": eco.gem, "price": 5, "option": "a"},
        {"priceItemId": eco.ticket, "price": 1, "option": "a"},
        {"priceItemId": eco.ticket, "price": 2, "option": "b"},
        {"priceItemId": eco.gem, "price": 9, "option": "b"},
    ]
    alone = [{"priceItemId": eco.gem, "price": 5}, {"priceItemId": eco.gem, "price": 6}]
    for clash in (twice, same, alone):
        body = {"name": "X", "contents": [{"itemId": eco.potion, "quantity": 1}], "prices": clash}
        refused = await admin.call("POST", "/operators/acme/loots", body, expect=422)
        assert "prices" in refused["error"]["fields"]


def test_unit_prices_add_up_over_the_loots_of_a_dynamic_bundle() -> None:
    a = prices.options(
        [{"priceItemId": 1, "price": 10}, {"priceItemId": 1, "price": 3, "option": "x"},
         {"priceItemId": 2, "price": 1, "option": "x"}]
    )  # fmt: skip
    b = prices.options([{"priceItemId": 2, "price": 4, "option": "y"},
                        {"priceItemId": 1, "price": 7, "option": "y"}])  # fmt: skip
    assert a == [{1: 10}, {1: 3, 2: 1}]
    assert prices.unit_price([a, b], frozenset({1, 2})) == {1: 10, 2: 5}
    assert prices.unit_price([a, b], frozenset({1})) is None
    assert prices.unit_price([a], frozenset({1})) == {1: 10}
    assert prices.unit_price([[{1: 3, 2: 1}]], frozenset({1})) is None  # a part is no option
