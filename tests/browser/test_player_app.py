"""The player app in Chromium, framed by the reference casino's lobby (SPEC §11, issue 12).

Each story starts at the lobby, as a player would: the casino's backend mints a launch, the
lobby frames ``launchUrl``, and the app talks back with postMessage.
"""

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import FrameLocator, Page, expect

from tests.browser.conftest import Demo, shot

TIMEOUT_MS = 15_000


def messages(page: Page, kind: str) -> list[dict[str, Any]]:
    """What the lobby received from the app, oldest first."""
    texts = page.locator(f"#log li[data-type='{kind}']").all_text_contents()
    return [json.loads(text) for text in reversed(texts)]


def open_lobby(page: Page, demo: Demo, launch: str | None = None) -> FrameLocator:
    """The lobby, then the app it frames: its first box, or the launch of the button named."""
    page.goto(demo.lobby if launch is None else f"{demo.lobby}?autostart=0")
    if launch is not None:
        page.get_by_role("button", name=launch).click()
    expect(page.locator("#log li[data-type='ready']")).to_have_count(1, timeout=TIMEOUT_MS)
    return page.frame_locator("#coffer")


def wait_for_count(page: Page, kind: str, count: int) -> list[dict[str, Any]]:
    locator = page.locator(f"#log li[data-type='{kind}']")
    expect(locator).to_have_count(count, timeout=TIMEOUT_MS)
    return messages(page, kind)


def show_items(app: FrameLocator) -> None:
    """The Items tab, once its list has loaded (the list is aria-busy while it loads)."""
    app.locator("#tab-items").click()
    expect(app.locator("#items[aria-busy='false']")).to_have_count(1)


def open_boxes(page: Page, app: FrameLocator, opened: int) -> int:
    """One more open from the Box tab; returns how many the story has made, once the lobby has
    heard the balance change of each."""
    app.locator("#tab-box").click()
    app.locator("#open").click()
    expect(app.locator("#result")).to_be_visible()
    wait_for_count(page, "wallet:balance-changed", opened + 1)
    return opened + 1


def test_a_player_opens_a_box_keeps_the_item_and_cashes_it_back(
    page: Page, demo: Demo, tmp_path: Path
) -> None:
    before = demo.casino_balance()
    app = open_lobby(page, demo)
    expect(app.locator("#box-name")).to_have_text("Starter Box")
    expect(app.locator("#prizes tr")).to_have_count(5)
    expect(app.locator("#rtp")).to_contain_text("Return to player")
    shot(page, "01-lobby-box", tmp_path)

    app.locator("#open").click()
    changed = wait_for_count(page, "wallet:balance-changed", 1)[0]
    assert changed["currency"] == "EUR"
    # The answer's balance is the wallet's after the debit; a €10 cash prize (the Starter Box's
    # only one, 2.9%) is credited after it, under its own key, so the casino may be 1000 above.
    assert changed["balanceMinor"] == before - 500
    assert demo.casino_balance() - changed["balanceMinor"] in (0, 1000)
    expect(app.locator("#result")).to_be_visible()
    won = app.locator("#won li").first
    expect(won).to_be_visible()
    shot(page, "02-result", tmp_path)

    show_items(app)
    assert wait_for_count(page, "navigation:changed", 1)[0]["view"] == "items"
    expect(app.locator("#items li").first).to_be_visible()
    shot(page, "03-items", tmp_path)
    cashable = app.locator("#items li:has(button:text-matches('Cash back'))").first
    opened = 1
    while cashable.count() == 0 and opened < 10:  # a cash or bonus prize: open until an item
        opened = open_boxes(page, app, opened)
        show_items(app)
    item = cashable.get_attribute("data-item")
    balance_before_cashback = demo.casino_balance()
    cashable.locator("button:text-matches('Cash back')").click()
    credited = wait_for_count(page, "wallet:balance-changed", opened + 1)[-1]
    assert credited["balanceMinor"] == demo.casino_balance() > balance_before_cashback
    expect(app.locator(f"#items li[data-item='{item}']")).to_have_count(0)  # no longer in hand
    app.locator("#state-filter").select_option("cashed_back")
    expect(app.locator(f"#items li[data-item='{item}']")).to_contain_text("Cashed back")


def test_an_operator_funded_box_opens_itself_with_auto_open(
    page: Page, demo: Demo, tmp_path: Path
) -> None:
    debits = demo.debits()
    app = open_lobby(page, demo, "Free Starter Box (auto-open)")
    expect(app.locator("#result")).to_be_visible(timeout=TIMEOUT_MS)
    expect(app.locator("#open-free")).to_be_hidden()
    assert demo.debits() == debits  # the casino paid: no debit of the player
    shot(page, "04-free-box-opened", tmp_path)
    expect(app.locator("#open")).to_be_visible()  # the free open is spent: now the player pays
    app.locator("#open").click()
    expect(app.locator("#result")).to_be_visible()
    wait_for_count(page, "wallet:balance-changed", 1)
    assert demo.debits() == debits + 1


def test_a_free_box_waits_for_its_button(page: Page, demo: Demo, tmp_path: Path) -> None:
    app = open_lobby(page, demo, "Free Starter Box (button)")
    free = app.get_by_role("button", name="Open your free box")
    expect(free).to_be_visible(timeout=TIMEOUT_MS)
    expect(app.locator("#open")).to_be_hidden()  # no way to pay by mistake while it is free
    expect(app.locator("#result")).to_be_hidden()
    shot(page, "05-free-box-button", tmp_path)
    debits = demo.debits()
    free.click()
    expect(app.locator("#result")).to_be_visible()
    expect(free).to_be_hidden()
    assert demo.debits() == debits


def test_more_than_the_balance_shows_the_insufficient_state(
    page: Page, demo: Demo, tmp_path: Path
) -> None:
    page.goto(f"{demo.lobby}?autostart=0")
    page.locator("#currency").select_option("GBP")  # £100.00, which no other story spends
    page.get_by_role("button", name="Play Tech Box").click()
    wait_for_count(page, "ready", 1)
    app = page.frame_locator("#coffer")
    expect(app.locator("#box-name")).to_have_text("Tech Box", timeout=TIMEOUT_MS)
    before = demo.casino_balance("GBP")
    app.locator("#reels").select_option("5")  # five Tech Boxes: more than £100
    app.locator("#open").click()
    expect(app.locator("#insufficient")).to_be_visible()
    refused = wait_for_count(page, "play:insufficient-balance", 1)[0]
    assert refused["source"] == "coffer"
    assert refused["currency"] == "GBP"
    assert refused["priceMinor"] > before
    assert demo.casino_balance("GBP") == before
    expect(app.locator("#result")).to_be_hidden()
    shot(page, "06-insufficient-balance", tmp_path)


LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20">'
    '<rect width="80" height="20" fill="#0b6e4f"/></svg>'
)


def test_the_operator_theme_colours_the_app_and_shows_its_logo(page: Page, demo: Demo) -> None:
    page.route(
        "https://cdn.example/**",
        lambda route: route.fulfill(body=LOGO, content_type="image/svg+xml"),
    )
    theme = {"primary": "#0b6e4f", "logoUrl": "https://cdn.example/logo.svg"}
    demo.admin("PATCH", "/operators/demo", {"theme": theme})
    try:
        app = open_lobby(page, demo)
        primary = app.locator("html").evaluate(
            "html => getComputedStyle(html).getPropertyValue('--primary').trim()"
        )
        assert primary == "#0b6e4f"
        expect(app.locator("#logo")).to_be_visible()
        assert app.locator("#logo").evaluate("img => img.naturalWidth") == 80
    finally:
        demo.admin("PATCH", "/operators/demo", {"theme": {}})


def test_the_items_tab_pages_by_cursor(page: Page, demo: Demo) -> None:
    app = open_lobby(page, demo)
    older = app.locator("#items-next")
    app.locator("#reels").select_option("5")
    opened = 0
    while not older.is_visible() and opened < 12:  # ~four items per five boxes; ten a page
        opened = open_boxes(page, app, opened)
        show_items(app)
    first_page = app.locator("#items li").evaluate_all("rows => rows.map(r => r.dataset.item)")
    assert len(first_page) == 10
    older.click()
    expect(app.locator("#items-prev")).to_be_visible()
    expect(app.locator("#items[aria-busy='false']")).to_have_count(1)
    second_page = app.locator("#items li").evaluate_all("rows => rows.map(r => r.dataset.item)")
    assert second_page
    assert not set(second_page) & set(first_page)
    assert max(map(int, second_page)) < min(map(int, first_page))  # newest first
    app.locator("#items-prev").click()
    expect(app.locator(f"#items li[data-item='{first_page[0]}']")).to_be_visible()
