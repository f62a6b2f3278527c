"""The back office in Chromium: sign in, build and publish a box, redeliver a webhook, move a
shipping order, CSRF and tenancy; a screenshot of every page (docs/screenshots/admin/)."""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import PLAYER, Demo, shot, watch

SLUG = "demo"
ADDRESS = {"name": "Ada Lovelace", "line1": "1 St James's Square", "city": "London",
           "region": "London", "postalCode": "SW1Y 4JU", "country": "GB"}  # fmt: skip
WIDE: ViewportSize = {"width": 1280, "height": 900}
NARROW: ViewportSize = {"width": 768, "height": 1000}


def signed_in(browser: Browser, demo: Demo, token: str, viewport: ViewportSize) -> Page:
    """A fresh context signed in through the form, with its page errors watched."""
    page = browser.new_context(viewport=viewport, reduced_motion="reduce").new_page()
    page.errors = watch(page)  # type: ignore[attr-defined]
    page.goto(f"{demo.coffer}/admin")
    expect(page).to_have_url(f"{demo.coffer}/admin/login")
    page.fill("#token", token)
    page.click("button[type=submit]")
    return page


def done(page: Page) -> None:
    errors = page.errors  # type: ignore[attr-defined]
    page.context.close()
    assert not errors, f"errors in the page: {errors}"


def fits(page: Page) -> None:
    """Nothing wider than the window: usable without sideways scrolling of the page."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"


def test_build_a_box_see_its_odds_and_publish_it(
    browser: Browser, demo: Demo, tmp_path: Path
) -> None:
    page = signed_in(browser, demo, demo.admin_token, WIDE)
    shot(page, "admin/01-operators", tmp_path)
    page.click(f"a[href='/admin/o/{SLUG}']")
    shot(page, "admin/02-settings-and-keys", tmp_path)
    page.click("text=Items")
    form = page.locator("#new-item")
    form.locator("[name=name]").fill("Crystal Mug")
    form.locator("[name=valueMinor]").fill("800")
    form.locator("[name=cashbackBps]").fill("5000")
    form.locator("[name=shippable]").check()
    form.locator("[name=valueMinor]").fill("800")
    form.locator("[name=customAttributes]").fill('{"colour": {"nested": true}}')
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_contain_text("customAttributes")  # the API's refusal
    form.locator("[name=customAttributes]").fill('{"colour": "blue"}')
    form.locator("button[type=submit]").click()
    row = page.locator("tr", has_text="Crystal Mug")
    row.locator("summary", has_text="Edit").click()
    row.locator("[name=imageUrl]").fill("https://cdn.example/mug.png")
    row.locator("button", has_text="Save Crystal Mug").click()
    expect(page.locator("tr", has_text="Crystal Mug").locator("img.thumb")).to_have_attribute(
        "src", "https://cdn.example/mug.png"
    )
    shot(page, "admin/03-items", tmp_path)
    box_id = _build_box(page, tmp_path)
    shot(page, "admin/05-box-published", tmp_path)
    listed = demo.s2s("GET", f"/api/s2s/boxes/{box_id}")["box"]
    assert [p["name"] for p in listed["prizes"]] == ["Crystal Mug", "1.00 EUR cash"]
    assert listed["houseEdgeBps"] == 4500  # what the editor showed as the draft's house edge
    done(page)


def _build_box(page: Page, tmp_path: Path) -> int:
    """Start a box, give it the mug and a cash prize, watch the odds, save and publish."""
    page.click("text=Boxes")
    form = page.locator("#new-box")
    form.locator("[name=name]").fill("Mug Box")
    form.locator("[name=slug]").fill("mug-box")
    form.locator("[name=priceMinor]").fill("500")
    form.locator("button[type=submit]").click()
    expect(page.locator("#editor")).to_be_visible()
    box_id = int(page.url.rsplit("/", 1)[1])
    first = page.locator("#prizes tbody tr").nth(0)
    first.locator(".cash").fill("100")
    first.locator(".weight").fill("3")
    page.click("#add-prize")
    mug = page.locator("#prizes tbody tr").nth(1)
    mug.locator(".kind").select_option("item")
    mug.locator(".item").select_option(label="Crystal Mug (800 EUR)")
    mug.locator(".weight").fill("1")
    mug.locator(".sort").fill("0")
    first.locator(".sort").fill("1")
    expect(page.locator("#total")).to_have_text("4")
    expect(mug.locator(".odds")).to_have_text("25.0000 %")
    expect(page.locator("#rtp")).to_have_text("55.00 %")  # (800 + 3 * 100) / 4 / 500
    expect(page.locator("#edge")).to_have_text("45.00 %")
    mug.locator(".weight").fill("0")
    page.click("#save")
    expect(page.locator("[data-error-for='prizes[1].weight']")).not_to_be_empty()
    mug.locator(".weight").fill("1")
    page.click("#simulate")
    figures = page.locator("#sim-figures")
    expect(figures).to_contain_text("Exact RTP55.00 %")  # the same figure, from the server
    expect(figures).to_contain_text("Behind after 100 opens")
    expect(page.locator("#sim-chart")).to_have_attribute("src", re.compile("^data:image/svg"))
    shot(page, "admin/04-box-editor", tmp_path)
    page.click("#review")
    expect(page.locator("#diff")).to_be_visible()
    expect(page.locator("#diff-table tr.changed").first).to_be_visible()
    page.click("#publish")
    expect(page.locator(".live")).to_contain_text("Live: version 1")
    return box_id


def _failed_event(demo: Demo) -> str:
    """The demo's newest delivered event, marked failed as 24 hours of refusals would leave it."""
    with sqlite3.connect(demo.workdir / "coffer.db") as db:
        row = db.execute(
            "SELECT id, public_id FROM webhook_events WHERE status = 'delivered' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:  # no event yet: a purchase makes one
            demo.s2s("POST", "/api/s2s/purchase", _purchase(demo, "for-an-event"))
            return _failed_event(demo)
        db.execute("UPDATE webhook_events SET status = 'failed' WHERE id = ?", (row[0],))
    return str(row[1])


def _purchase(demo: Demo, action: str) -> dict[str, object]:
    boxes = demo.s2s("GET", "/api/s2s/boxes")["boxes"]
    version = boxes[0]["boxVersionId"]
    return {"playerExternalId": PLAYER, "gameKey": "mystery_box", "clientActionId": action,
            "reels": [{"reelIndex": 0, "boxVersionId": version}]}  # fmt: skip


def test_redeliver_a_failed_webhook(browser: Browser, demo: Demo, tmp_path: Path) -> None:
    event = _failed_event(demo)
    page = signed_in(browser, demo, demo.admin_token, WIDE)
    page.goto(f"{demo.coffer}/admin/o/{SLUG}/webhooks?status=failed")
    row = page.locator("tr", has_text=event)
    expect(row).to_contain_text("failed")
    shot(page, "admin/06-webhooks-failed", tmp_path)
    row.locator("button", has_text="Redeliver").click()
    expect(page.locator("tr", has_text=event)).to_have_count(0)  # the page reloads: not failed
    page.goto(f"{demo.coffer}/admin/o/{SLUG}/webhooks")
    expect(page.locator("tr", has_text=event)).not_to_contain_text("failed")
    page.click(f"a:has-text('{event}')")
    expect(page.locator("h2", has_text="Attempts")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("200")  # its first delivery's answer
    shot(page, "admin/12-webhook-attempts", tmp_path)
    done(page)


def test_move_a_shipping_order_across_the_board(
    browser: Browser, demo: Demo, tmp_path: Path
) -> None:
    order = _shipping_order(demo)
    page = signed_in(browser, demo, demo.admin_token, WIDE)
    page.goto(f"{demo.coffer}/admin/o/{SLUG}/shipping")
    card = page.locator(f"[data-state=pending] [data-order='{order}']")
    card.locator("[name=carrier]").fill("DHL")
    card.locator("[name=trackingNumber]").fill("JD014600003")
    card.locator("button", has_text="Ship").click()
    shipped = page.locator(f"[data-state=shipped] [data-order='{order}']")
    expect(shipped).to_contain_text("DHL JD014600003")
    shot(page, "admin/07-shipping-board", tmp_path)
    shipped.locator("button", has_text="Mark delivered").click()
    expect(page.locator(f"[data-state=delivered] [data-order='{order}']")).to_be_visible()
    done(page)


def _shipping_order(demo: Demo) -> str:
    """A shipping order of an item the demo player won (buying until a shippable item comes)."""
    for attempt in range(40):
        won = demo.s2s("POST", "/api/s2s/purchase", _purchase(demo, f"ship-{attempt}"))
        for item in won["round"]["wonItems"]:
            ids = [item["inventoryItemId"]]
            body = {"playerExternalId": PLAYER, "inventoryItemIds": ids, "address": ADDRESS,
                    "contact": {"email": "ada@example.com"}}  # fmt: skip
            try:
                made = demo.s2s("POST", "/api/s2s/shipping/orders", body)
            except AssertionError:
                continue  # not shippable: try the next prize
            return str(made["order"]["publicId"])
    raise AssertionError("no shippable prize in 40 opens")


def test_a_post_without_the_csrf_token_is_refused(browser: Browser, demo: Demo) -> None:
    page = signed_in(browser, demo, demo.admin_token, WIDE)
    page.goto(f"{demo.coffer}/admin/o/{SLUG}/items")
    before = page.locator("tbody tr").count()
    status = page.evaluate(
        """async slug => (await fetch(`/api/admin/operators/${slug}/items`, {method: "POST",
        credentials: "same-origin", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({name: "Forged", type: "digital", valueMinor: 1,
        currency: "EUR"})})).status""",
        SLUG,
    )
    assert status == 403
    page.reload()
    assert page.locator("tbody tr").count() == before
    expect(page.locator("td", has_text="Forged")).to_have_count(0)
    done(page)


def test_an_operator_token_cannot_open_another_operators_pages(
    browser: Browser, demo: Demo, tmp_path: Path
) -> None:
    demo.admin("POST", "/operators", {"slug": "rival", "name": "Rival", "baseCurrency": "EUR"})
    env = {"COFFER_DATABASE_URL": f"sqlite+aiosqlite:///{demo.workdir / 'coffer.db'}"}
    made = subprocess.run(
        [sys.executable, "-m", "coffer", "admin-token", "-o", "rival"],
        cwd=demo.workdir, env={**os.environ, **env},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    token = made.stdout.split()[-1]
    page = signed_in(browser, demo, token, WIDE)
    expect(page).to_have_url(f"{demo.coffer}/admin/o/rival")
    for tab in ("", "/items", "/boxes", "/players", "/shipping", "/webhooks", "/audit"):
        answer = page.goto(f"{demo.coffer}/admin/o/{SLUG}{tab}")
        assert answer is not None
        assert answer.status == 404, tab
    done(page)


PAGES = [
    ("08-players", f"/admin/o/{SLUG}/players?externalId={PLAYER}"),
    ("09-audit-log", f"/admin/o/{SLUG}/audit"),
    ("10-webhooks", f"/admin/o/{SLUG}/webhooks"),
    ("11-boxes", f"/admin/o/{SLUG}/boxes"),
]
ALSO_NARROW = [
    ("02-settings-and-keys", f"/admin/o/{SLUG}"),
    ("03-items", f"/admin/o/{SLUG}/items"),
    ("07-shipping-board", f"/admin/o/{SLUG}/shipping"),
]


def test_every_page_fits_1280_and_768_pixels(browser: Browser, demo: Demo, tmp_path: Path) -> None:
    for name, viewport in (("", WIDE), ("-768px", NARROW)):
        page = signed_in(browser, demo, demo.admin_token, viewport)
        for shot_name, path in [*PAGES, *ALSO_NARROW]:
            page.goto(f"{demo.coffer}{path}")
            fits(page)
            if name or shot_name in dict(PAGES):
                shot(page, f"admin/{shot_name}{name}", tmp_path)
        done(page)
