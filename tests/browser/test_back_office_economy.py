"""The back office's Economy tab in Chromium: a virtual currency and a loot made with the page's
forms (the API's field errors shown beside the fields), at 1280 and 768 pixels, screenshots."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Demo, shot
from tests.browser.test_back_office import NARROW, SLUG, WIDE, done, fits, signed_in

ITEM = {"type": "digital", "valueMinor": 0, "currency": "EUR"}


def _made(demo: Demo, path: str, body: dict[str, Any], key: str) -> int:
    return int(demo.admin("POST", f"/operators/{SLUG}{path}", body)[key])


def _seed(demo: Demo) -> dict[str, int]:
    """A small economy through the admin API: gems, potions, a key, a pack, a chest, codes."""
    gems = {"code": "GEM", "name": "Gems", "initialGrantMinor": 1000}
    gem = _made(demo, "/virtual-currencies", gems, "itemId")
    potion = _made(demo, "/items", {**ITEM, "name": "Potion", "stackable": True, "maxStack": 10},
                   "itemId")  # fmt: skip
    key = _made(demo, "/items", {**ITEM, "name": "Iron key", "stackable": True}, "itemId")
    sword = _made(demo, "/items", {**ITEM, "name": "Sword", "uses": 3}, "itemId")
    contents = [{"itemId": potion, "quantity": 3}, {"itemId": gem, "quantity": 100}]
    prices = [{"priceItemId": gem, "price": 200}]
    pack = {"name": "Starter pack", "contents": contents, "prices": prices}
    starter = _made(demo, "/loots", pack, "lootId")
    entries = [{"itemId": potion, "quantity": 2, "weight": 3},
               {"itemId": sword, "quantity": 1, "weight": 1}]  # fmt: skip
    drops = {"name": "Chest drops", "kind": "drop_table", "contents": entries}
    table = _made(demo, "/loots", drops, "lootId")
    chest = {**ITEM, "name": "Iron chest", "kind": "container", "lootId": table, "keyItemId": key}
    _made(demo, "/items", chest, "itemId")
    promo = {"code": "WELCOME", "lootId": starter, "uses": 1000}
    _made(demo, "/promotions", promo, "promotionId")
    coupon = {**ITEM, "name": "Half off", "stackable": True,
              "coupon": {"percentOffBps": 5000, "lootIds": [starter]}}  # fmt: skip
    _made(demo, "/items", coupon, "itemId")
    return {"gem": gem, "potion": potion}


def test_make_a_currency_and_a_loot_on_the_economy_tab(
    browser: Browser, demo: Demo, tmp_path: Path
) -> None:
    made = _seed(demo)
    page = signed_in(browser, demo, demo.admin_token, WIDE)
    page.click(f"a[href='/admin/o/{SLUG}']")
    page.click("nav.tabs >> text=Economy")
    expect(page.locator("h1")).to_contain_text("Economy")
    form = page.locator("#new-currency")
    form.locator("[name=code]").fill("GOLD")
    form.locator("[name=name]").fill("Gold")
    form.locator("[name=decimals]").fill("2")
    form.locator("[name=initialGrantMinor]").fill("500")
    form.locator("[name=regenAmountMinor]").fill("10")
    form.locator("[name=regenPeriodSeconds]").fill("3600")
    form.locator("[name=regenCapMinor]").fill("1000")
    form.locator("button[type=submit]").click()
    row = page.locator("#currencies tr", has_text="GOLD")
    expect(row).to_contain_text("+10 every 1 h, up to 1000")
    loot = page.locator("#new-loot")
    loot.locator("[name=name]").fill("Gold pouch")
    loot.locator("button[type=submit]").click()  # no contents: the API says why, by the field
    expect(loot.locator("[data-error-for=contents]")).not_to_be_empty()
    contents = f'[{{"itemId": {made["potion"]}, "quantity": 1}}]'
    loot.locator("[name=contents]").fill(contents)
    loot.locator("[name=prices]").fill(f'[{{"priceItemId": {made["gem"]}, "price": 50}}]')
    loot.locator("button[type=submit]").click()
    pouch = page.locator("#loots tr", has_text="Gold pouch")
    expect(pouch).to_contain_text("50 GEM")
    expect(page.locator("#loots tr", has_text="Chest drops")).to_contain_text("75 %")
    fits(page)
    shot(page, "admin/13-economy", tmp_path)
    done(page)
    narrow = signed_in(browser, demo, demo.admin_token, NARROW)
    narrow.goto(f"{demo.coffer}/admin/o/{SLUG}/economy")
    expect(narrow.locator("#currencies tr", has_text="GOLD")).to_be_visible()
    fits(narrow)
    shot(narrow, "admin/13-economy-768px", tmp_path)
    done(narrow)


def test_edit_a_currency_and_a_promotion_in_place(browser: Browser, demo: Demo) -> None:
    gem = _made(demo, "/virtual-currencies", {"code": "RUBY", "name": "Rubies"}, "itemId")
    pack = {"name": "Ruby pack", "contents": [{"itemId": gem, "quantity": 5}]}
    loot = _made(demo, "/loots", pack, "lootId")
    made = _made(
        demo, "/promotions", {"code": "RUBYDAY", "lootId": loot, "uses": 10}, "promotionId"
    )
    page = signed_in(browser, demo, demo.admin_token, WIDE)
    page.goto(f"{demo.coffer}/admin/o/{SLUG}/economy")
    row = page.locator("#currencies tr", has_text="RUBY")
    row.locator("summary").click()
    row.locator("[name=regenPeriodSeconds]").fill("60")
    row.locator("button[type=submit]").click()  # a period with no amount: the API says why
    expect(row.locator("[data-error-for=regenAmountMinor]")).not_to_be_empty()
    row.locator("[name=name]").fill("Red rubies")
    row.locator("[name=regenAmountMinor]").fill("2")
    row.locator("[name=regenCapMinor]").fill("100")
    row.locator("button[type=submit]").click()
    edited = page.locator("#currencies tr", has_text="Red rubies")
    expect(edited).to_contain_text("+2 every 1 min, up to 100")
    promo = page.locator("#promotions tr", has_text="RUBYDAY")
    promo.locator("summary").click()
    demo.admin(
        "PATCH", f"/operators/{SLUG}/promotions/{made}", {"usesLeft": 7}
    )  # claims, meanwhile
    promo.locator("[name=isActive]").uncheck()
    promo.locator("button[type=submit]").click()  # sends only what changed: the 10 shown stays out
    expect(page.locator("#promotions tr", has_text="RUBYDAY")).to_contain_text("7")
    shown = demo.admin("GET", f"/operators/{SLUG}/promotions/{made}")
    assert (shown["usesLeft"], shown["isActive"]) == (7, False)
    done(page)
