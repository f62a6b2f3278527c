"""The box editor's live RTP and house edge in Chromium are the server's exact figures, even where
a float computation of the same draft would be a basis point off.

The numbers are chosen for it. The Gold bar's 990869134610949 KWD fils convert to exactly
320284368832397.5 USD cents at these rates, which rounds half-up to ...398 (floats give ...397),
and the draft's exact RTP is 5500.5 bps, which rounds half-up to 55.01 % (floats show 55.00 %
and 45.00 %, with the exact item value too). Odds of 23/640 are exactly 3.59375 %, shown as
3.5938 % (floats show 3.5937 %).
"""

import dataclasses
from decimal import Decimal
from typing import Any

from playwright.sync_api import Browser, Route, expect

from tests.browser.conftest import Demo
from tests.browser.test_back_office import WIDE, done, signed_in

SLUG = "exact-rtp"
RATES: dict[str, dict[str, Any]] = {
    "USD": {"rateToBase": "0.923456789013"},
    "KWD": {"rateToBase": "2.984942859575", "minorDigits": 3},
}
GOLD = {"name": "Gold bar", "type": "physical", "valueMinor": 990869134610949, "currency": "KWD"}
PRICE, CASH = 20925769628875, 82410  # USD cents: sum(weight*value)*10000 / (640*PRICE) = 5500.5


def _operator(demo: Demo) -> tuple[Demo, int]:
    """An operator with the rates, the Gold bar and a box to edit; the demo with its S2S key."""
    demo.admin("POST", "/operators", {"slug": SLUG, "name": "Exact", "baseCurrency": "EUR"})
    for code, rate in RATES.items():
        demo.admin("PUT", f"/operators/{SLUG}/currencies/{code}", rate)
    key = demo.admin("POST", f"/operators/{SLUG}/keys", {"label": "catalog"})
    demo.admin("POST", f"/operators/{SLUG}/items", GOLD)
    box = {"name": "Gold Box", "slug": "gold-box", "priceMinor": 100, "currency": "EUR",
           "prizes": [{"cashMinor": 1, "weight": 1}]}  # fmt: skip
    made = demo.admin("POST", f"/operators/{SLUG}/boxes", box)
    return dataclasses.replace(demo, key_id=key["keyId"], secret=key["secret"]), made["boxId"]


def _bps(shown: str) -> int:
    """The editor shows percents ('44.99 %'); publish answers basis points (4499)."""
    return int(Decimal(shown.removesuffix(" %")) * 100)


def test_the_editor_shows_the_house_edge_publish_records(browser: Browser, demo: Demo) -> None:
    mine, box_id = _operator(demo)
    page = signed_in(browser, demo, demo.admin_token, WIDE)
    page.goto(f"{demo.coffer}/admin/o/{SLUG}/boxes/{box_id}")
    page.fill("#price", str(PRICE))
    page.fill("#currency", "USD")
    cash = page.locator("#prizes tbody tr").nth(0)
    cash.locator(".cash").fill(str(CASH))
    cash.locator(".weight").fill("617")
    page.click("#add-prize")
    gold = page.locator("#prizes tbody tr").nth(1)
    gold.locator(".item").select_option(label="Gold bar (990869134610949 KWD)")
    gold.locator(".weight").fill("23")
    expect(page.locator("#total")).to_have_text("640")
    expect(gold.locator(".value")).to_have_text("320284368832398 USD")
    expect(gold.locator(".odds")).to_have_text("3.5938 %")
    expect(cash.locator(".odds")).to_have_text("96.4063 %")
    expect(page.locator("#rtp")).to_have_text("55.01 %")
    shown = _bps(page.locator("#edge").inner_text())
    assert _bps(page.locator("#rtp").inner_text()) == 10_000 - shown
    published: list[dict[str, Any]] = []

    def keep(route: Route) -> None:
        """Pass the publish on and keep its answer: the page reloads as soon as it has it."""
        answer = route.fetch()
        published.append(answer.json())
        route.fulfill(response=answer)

    page.route("**/publish", keep)
    page.click("#review")
    page.click("#publish")
    expect(page.locator(".live")).to_contain_text("Live: version 1")
    assert [p["houseEdgeBps"] for p in published] == [shown]
    expect(page.locator(".live")).to_contain_text(f"house edge {shown / 100} %")
    live = mine.s2s("GET", f"/api/s2s/boxes/{box_id}")["box"]
    assert live["houseEdgeBps"] == shown == 4499
    assert [p["valueMinor"] for p in live["prizes"]] == [CASH, 320284368832398]
    done(page)
