"""An order's currency moves post against the right system account and regenerate first."""

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from coffer.kit.db import utcnow
from coffer.ledger.models import LedgerAccount, VirtualCurrency
from coffer.ledger.queries import system_totals
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.orders.test_orders import client_for, gems
from tests.support.api import AdminApi
from tests.support.economy import build, buy, results


async def test_a_price_goes_to_the_burn_and_a_bundled_credit_comes_from_the_mint(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    orders = await client_for(client, operator)
    order = await orders.order(buy(eco.starter, eco.gem, 200))  # pays 200, the pack holds 100
    assert results(order) == ["success"]
    async with runtime.sessions() as session:
        currency = await session.scalar(select(VirtualCurrency.id))
        assert currency is not None
        # the initial grant of 1000 and the pack's 100 from the mint; the price to the burn
        assert await system_totals(session, currency) == {"mint": -1100, "burn": 200}


async def test_an_order_regenerates_the_balance_before_it_spends(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    eco = await build(admin)
    regen = {"code": "NRG", "name": "Energy", "initialGrantMinor": 2,
             "regenAmountMinor": 1, "regenPeriodSeconds": 600, "regenCapMinor": 5}  # fmt: skip
    energy = await admin.call("POST", "/operators/acme/virtual-currencies", regen, expect=201)
    pack = await admin.call(
        "POST", "/operators/acme/loots",
        {"name": "Nap", "contents": [{"itemId": eco.potion, "quantity": 1}],
         "prices": [{"priceItemId": energy["itemId"], "price": 4}]},
        expect=201,
    )  # fmt: skip
    orders = await client_for(client, operator)
    refused = await orders.order(buy(pack["lootId"], energy["itemId"], 4))
    assert results(refused) == ["cannot_afford_price"]  # 2 of energy
    await gems(operator)  # a balance read opens the accounts, regen counted from now
    async with runtime.sessions() as session:  # 25 minutes pass: two whole periods are owed
        await session.execute(
            update(LedgerAccount)
            .where(LedgerAccount.player_id.is_not(None), LedgerAccount.regen_from.is_not(None))
            .values(regen_from=utcnow() - timedelta(minutes=25))
        )
        await session.commit()
    order = await orders.order(buy(pack["lootId"], energy["itemId"], 4))
    assert results(order) == ["success"]
    spent = order["entries"][0]["details"][0]["inv_change"]
    assert (spent["before"]["count"], spent["after"]["count"]) == (4, 0)
    assert await gems(operator) == 1000  # the other currency did not move
