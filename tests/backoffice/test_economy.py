"""The back office's Economy page: currencies, item definitions, loots, promotions and coupons
as the admin API answers them; creation through the page's API calls under CSRF; tenancy."""

import httpx
from sqlalchemy import func, select

from coffer.ledger.models import VirtualCurrency
from coffer.runtime import Runtime
from tests.conftest import ADMIN_TOKEN, OperatorCtx, make_operator
from tests.support.api import AdminApi, scoped_token
from tests.support.backoffice import csrf_of, sign_in
from tests.support.economy import build, item, loot

TIMES = "\N{MULTIPLICATION SIGN}"

GOLD = {"code": "GOLD", "name": "Gold", "decimals": 2, "initialGrantMinor": 500,
        "regenAmountMinor": 10, "regenPeriodSeconds": 3600, "regenCapMinor": 1000}  # fmt: skip


async def currency_count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        found = select(func.count()).select_from(VirtualCurrency)
        return int(await session.scalar(found) or 0)


async def test_the_page_shows_the_economy_the_admin_api_made(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    slug = operator.slug
    economy = await build(admin, slug)
    await admin.call("POST", f"/operators/{slug}/virtual-currencies", GOLD, expect=201)
    table = await loot(
        admin, slug, name="Chest drops", kind="drop_table",
        contents=[{"itemId": economy.potion, "quantity": 2, "weight": 3},
                  {"itemId": economy.sword, "quantity": 1, "weight": 1}],
    )  # fmt: skip
    chest = await item(admin, slug, name="Iron chest", kind="container", lootId=table,
                       keyItemId=economy.ticket)  # fmt: skip
    promo = {"code": "WELCOME", "lootId": economy.starter, "uses": 100}
    await admin.call("POST", f"/operators/{slug}/promotions", promo, expect=201)
    await sign_in(client, ADMIN_TOKEN)
    shown = await client.get(f"/admin/o/{slug}/economy")
    assert shown.status_code == 200, shown.text
    assert "frame-ancestors 'none'" in shown.headers["content-security-policy"]
    expected = [
        'aria-current="page">Economy',
        "<strong>GOLD</strong>", "+10 every 1 h, up to 1000",  # the regeneration in words
        f"3 {TIMES} Potion #{economy.potion}", "100 GEM",  # the starter pack's contents
        "<li>200 GEM</li>", f"<li>2 {TIMES} Ticket #{economy.ticket}</li>",  # two price options
        "weight 3, 75 %", "weight 1, 25 %",  # the drop table's odds
        f"container Iron chest #{chest}, key Ticket #{economy.ticket}",
        "<code>WELCOME</code>", f"Starter pack #{economy.starter}",  # the promotion
        "Half off", "50 %",  # the coupon
        "stackable, max 10",  # the potion's traits
        f'data-api="/api/admin/operators/{slug}/loots/{table}" data-method="PATCH"',  # edit
        f'{{"itemId": {economy.sword}, "quantity": 1, "weight": 1}}',  # its contents to edit
    ]  # fmt: skip
    for shown_text in expected:
        assert shown_text in shown.text, shown_text


async def test_another_operators_token_gets_404(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    rival = await make_operator(admin, client, "rival")
    await sign_in(client, await scoped_token(runtime, rival.slug))
    assert (await client.get(f"/admin/o/{operator.slug}/economy")).status_code == 404
    assert (await client.get(f"/admin/o/{rival.slug}/economy")).status_code == 200


async def test_a_currency_made_from_the_page_needs_its_csrf_token(
    client: httpx.AsyncClient, operator: OperatorCtx, runtime: Runtime
) -> None:
    await sign_in(client, ADMIN_TOKEN)
    url = f"/api/admin/operators/{operator.slug}/virtual-currencies"
    bare = await client.post(url, json=GOLD)
    assert (bare.status_code, bare.json()["error"]["code"]) == (403, "CSRF_REFUSED")
    assert await currency_count(runtime) == 0
    csrf = await csrf_of(client, f"/admin/o/{operator.slug}/economy")
    made = await client.post(url, json=GOLD, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    assert await currency_count(runtime) == 1
    shown = await client.get(f"/admin/o/{operator.slug}/economy")
    assert "<strong>GOLD</strong>" in shown.text


async def test_item_definitions_page_by_cursor(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    for n in range(51):
        await item(admin, operator.slug, name=f"Thing {n:02}")
    await sign_in(client, ADMIN_TOKEN)
    first = await client.get(f"/admin/o/{operator.slug}/economy")
    assert "Thing 49" in first.text
    assert "Thing 50" not in first.text
    cursor = first.text.split("?items=", 1)[1].split("#", 1)[0]
    second = await client.get(f"/admin/o/{operator.slug}/economy", params={"items": cursor})
    assert "Thing 50" in second.text
    assert "Thing 00" not in second.text
    bad = await client.get(f"/admin/o/{operator.slug}/economy", params={"items": "nope"})
    assert bad.status_code == 422
