"""The economy's tables page by keyset cursor, in the admin API and on the back office page:
currencies, loots, promotions and coupons, each table by its own cursor."""

import httpx

from coffer.kit.cursors import encode_keyset
from tests.conftest import ADMIN_TOKEN, OperatorCtx
from tests.support.api import AdminApi
from tests.support.backoffice import sign_in
from tests.support.economy import build, item, loot

GEMS = {"name": "Coin", "initialGrantMinor": 0}


def section(page: httpx.Response, name: str) -> str:
    """One table's card of the page."""
    return page.text.split(f'id="{name}"', 1)[1].split("</section>", 1)[0]


async def test_the_admin_api_pages_currencies_loots_and_promotions(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    base = f"/operators/{operator.slug}"
    for code in ("CA", "CB", "CC"):
        await admin.call("POST", f"{base}/virtual-currencies", {**GEMS, "code": code}, expect=201)
    eco = await build(admin, operator.slug)  # GEM, the fourth currency; loots starter and daily
    await loot(admin, operator.slug, name="Third", contents=[{"itemId": eco.potion, "quantity": 1}])
    for code in ("P1", "P2", "P3"):
        promo = {"code": code, "lootId": eco.starter}
        await admin.call("POST", f"{base}/promotions", promo, expect=201)
    for path, key, field, everything in (
        ("virtual-currencies", "currencies", "code", ["CA", "CB", "CC", "GEM"]),
        ("loots", "loots", "name", ["Starter pack", "Daily", "Third"]),
        ("promotions", "promotions", "code", ["P1", "P2", "P3"]),
    ):
        seen, cursor, pages = [], None, 0
        while True:
            query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
            answer = await admin.call("GET", f"{base}/{path}{query}")
            assert len(answer[key]) <= 2
            seen += [row[field] for row in answer[key]]
            pages, cursor = pages + 1, answer["cursor"]["next"]
            if cursor is None:
                break
        assert (seen, pages) == (everything, 2), path  # oldest first, no row twice or missed
        bad = await admin.call("GET", f"{base}/{path}?cursor=nope", expect=422)
        assert bad["error"]["fields"] == {"cursor": "not a cursor this API returned"}


async def test_each_economy_table_on_the_page_pages_by_its_own_cursor(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    slug = operator.slug
    eco = await build(admin, slug)  # two loots, one coupon
    made = []
    for n in range(49):
        contents = [{"itemId": eco.gem, "quantity": n + 1}]
        made.append(await loot(admin, slug, name=f"Pouch {n:02}", contents=contents))
    last = made[-1]  # the 51st loot: the first on page 2
    holder = await item(admin, slug, name="Pouch holder", kind="bundle", lootId=last)
    for n in range(50):
        await item(admin, slug, name=f"Coupon {n:02}", coupon={"percentOffBps": 100 + n})
    await sign_in(client, ADMIN_TOKEN)
    first = await client.get(f"/admin/o/{slug}/economy")
    loots, coupons = section(first, "loots"), section(first, "coupons")
    assert "Pouch 47" in loots
    assert "Pouch 48" not in loots
    assert "Half off" in coupons
    assert "Coupon 48" in coupons
    assert "Coupon 49" not in coupons  # 51 coupons: one on the next page
    loots_next = loots.split("?loots=", 1)[1].split("#", 1)[0]
    coupons_next = coupons.split("?coupons=", 1)[1].split("#", 1)[0]
    second = await client.get(f"/admin/o/{slug}/economy", params={"loots": loots_next})
    loots = section(second, "loots")
    assert "Pouch 48" in loots
    assert "Pouch 00" not in loots
    assert "49 GEM" in loots  # its contents named by code, read by id beyond the page
    assert f"bundle Pouch holder #{holder}" in loots  # its holder, found for this page
    assert "?loots=" not in loots  # the last page offers no next one
    assert "Half off" in section(second, "coupons")  # the other tables start over
    more = await client.get(f"/admin/o/{slug}/economy", params={"coupons": coupons_next})
    coupons = section(more, "coupons")
    assert "Coupon 49" in coupons
    assert "Coupon 48" not in coupons


async def test_a_list_that_pages_forward_refuses_a_prev_cursor(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    backwards = encode_keyset("prev", 10)
    for path in ("loots", "keys", "audit", "promotions", "virtual-currencies"):
        refused = await admin.call(
            "GET", f"/operators/{operator.slug}/{path}?cursor={backwards}", expect=422
        )
        assert refused["error"]["fields"] == {"cursor": "this list pages forward only: use next"}
