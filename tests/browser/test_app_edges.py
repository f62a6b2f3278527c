"""The app's edges in Chromium: foreign messages, a phone-width screen, shipping with field
errors, the keyboard, and the round verifier agreeing with ``coffer verify``."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Literal

from playwright.sync_api import Browser, FrameLocator, Page, Request, expect

from tests.browser.conftest import Demo, shot, watch
from tests.browser.test_player_app import TIMEOUT_MS, open_lobby, wait_for_count

FOREIGN = "http://foreign.test"


def test_messages_from_a_foreign_origin_are_ignored(browser: Browser, demo: Demo) -> None:
    # bypass_csp lets the lobby hold a frame from another origin, the attacker's stand-in.
    context = browser.new_context(bypass_csp=True, reduced_motion="reduce")
    context.route(f"{FOREIGN}/**", lambda route: route.fulfill(body="<p>elsewhere</p>"))
    page = context.new_page()
    balance_reads: list[str] = []

    def count(request: Request) -> None:
        if "/api/play/wallet/balance" in request.url:
            balance_reads.append(request.url)

    page.on("request", count)
    open_lobby(page, demo)
    wait_for_count(page, "resize", 1)
    reads_after_boot = len(balance_reads)
    page.evaluate(
        """src => { const f = document.createElement('iframe'); f.name = 'foreign';
        f.src = src; document.body.append(f); return new Promise(r => f.onload = r); }""",
        f"{FOREIGN}/page",
    )
    foreign = page.frame(name="foreign")
    assert foreign is not None
    assert foreign.url.startswith(FOREIGN)
    foreign.evaluate("() => parent.frames['coffer'].postMessage({type: 'wallet:refresh'}, '*')")
    page.evaluate("() => frames['coffer'].postMessage({type: 'wallet:refresh'}, '*')")
    changed = wait_for_count(page, "wallet:balance-changed", 1)
    assert changed[0]["balanceMinor"] == demo.casino_balance()
    assert len(balance_reads) == reads_after_boot + 1  # the lobby's message only
    context.close()


PAGE_ERRORS: dict[int, list[str]] = {}


def done(page: Page) -> None:
    """Close a phone page's context; it must have logged no script or CSP error."""
    errors = PAGE_ERRORS.pop(id(page), [])
    page.context.close()
    assert not errors, f"errors in the page: {errors}"


def phone(
    browser: Browser, demo: Demo, motion: Literal["reduce", "no-preference"] = "reduce"
) -> Page:
    """The app opened directly (not framed) at 360 px, as a phone would show it."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, reduced_motion=motion)
    page = context.new_page()
    PAGE_ERRORS[id(page)] = watch(page)
    page.goto(demo.launch(boxId=1))
    expect(page.locator("#box-name")).to_be_visible(timeout=TIMEOUT_MS)
    assert "token=" not in page.url  # the launch token left the address bar
    return page


def fits(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide at 360px"


def test_at_360px_a_player_ships_an_item_with_field_errors_first(
    browser: Browser, demo: Demo, tmp_path: Path
) -> None:
    page = phone(browser, demo)
    fits(page)
    shot(page, "07-phone-360px", tmp_path)
    ship = page.locator("#won button:text-is('Ship to me')")
    for _ in range(20):  # the Golden Sword (70%) ships; keep opening until one is won
        page.locator("#open").click()
        expect(page.locator("#result")).to_be_visible()
        if ship.count():
            break
    ship.first.click()
    expect(page.locator("#ship")).to_be_visible()
    page.locator("#ship-form button[type=submit]").click()
    expect(page.locator("#ship-city-error")).not_to_be_empty()
    expect(page.locator("#ship-city")).to_have_attribute("aria-invalid", "true")
    fits(page)
    shot(page, "08-shipping-field-errors", tmp_path)
    for field, value in {
        "name": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "region": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
        "email": "ada@example.com",
    }.items():
        page.locator(f"#ship-{field}").fill(value)
    page.locator("#ship-form button[type=submit]").click()
    expect(page.locator("#ship")).to_be_hidden()
    expect(page.locator("#won .note").first).to_contain_text("Shipping requested")
    done(page)


def test_the_tabs_work_from_the_keyboard_and_every_control_is_labelled(
    page: Page, demo: Demo, tmp_path: Path
) -> None:
    app = open_lobby(page, demo)
    app.locator("#tab-box").focus()
    page.keyboard.press("ArrowRight")
    expect(app.locator("#tab-items")).to_be_focused()
    expect(app.locator("#view-items")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(app.locator("#view-fairness")).to_be_visible()
    views = [m["view"] for m in wait_for_count(page, "navigation:changed", 2)]
    assert views == ["items", "fairness"]
    unlabelled = app.locator("body").evaluate(
        """body => [...body.querySelectorAll('input, select')]
             .filter(c => !body.querySelector(`label[for="${c.id}"]`)).map(c => c.id)"""
    )
    assert unlabelled == []
    nameless = app.locator("body").evaluate(
        "body => [...body.querySelectorAll('button')].filter(b => !b.textContent.trim()).length"
    )
    assert nameless == 0


def test_german_launches_speak_german(page: Page, demo: Demo) -> None:
    page.goto(f"{demo.lobby}?autostart=0")
    page.locator("#locale").select_option("de")
    page.get_by_role("button", name="Play Starter Box").click()
    app: FrameLocator = page.frame_locator("#coffer")
    expect(app.locator("#open")).to_have_text("Öffnen", timeout=TIMEOUT_MS)
    expect(app.locator("#tab-items")).to_have_text("Meine Gegenstände")


def coffer_verify(demo: Demo, seed: str, client_seed: str, nonce: str, version: str) -> list[str]:
    """``coffer verify``'s reel rows as 'reel ticket prizeId'."""
    snapshot = f"{demo.coffer}/fairness/box-version/{version}/snapshot"
    arguments = ["--server-seed", seed, "--client-seed", client_seed, "--nonce", nonce]
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "coffer",
            "verify",
            *arguments,
            "--reels",
            "3",
            "--snapshot",
            snapshot,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "200", "PATH": ""},
    ).stdout
    rows = re.findall(r"│\s*(\d+)\s*│\s*(\d+)\s*│\s*\[[^│]*│\s*(\d+)\s*│", printed)
    return [" ".join(row) for row in rows]


def test_the_verifier_page_and_coffer_verify_agree_on_a_round(
    browser: Browser, demo: Demo, tmp_path: Path
) -> None:
    page = phone(browser, demo)
    page.locator("#reels").select_option("3")
    page.locator("#open").click()
    expect(page.locator("#result")).to_be_visible()
    verify_url = page.locator("#round-verify").get_attribute("href")
    assert verify_url is not None
    page.locator("#tab-fairness").click()
    page.locator("#client-seed").fill("lucky-seven")
    page.locator("#rotate").click()
    expect(page.locator("#revealed")).to_be_visible()
    seed = page.locator("#revealed-seed").text_content() or ""
    assert page.locator("#client-seed").input_value() == "lucky-seven"  # the new pair's
    shot(page, "09-fairness-rotated", tmp_path)

    page.goto(f"{demo.coffer}{verify_url}")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "match")
    shot(page, "10-verifier", tmp_path)
    reels = page.locator("#checks li[data-reel]")
    expect(reels).to_have_count(3)
    in_browser = [
        f"{r.get_attribute('data-reel')} {r.get_attribute('data-ticket')} "
        f"{r.get_attribute('data-prize')}"
        for r in reels.all()
    ]
    assert page.locator("#v-seed").text_content() == seed
    client_seed = page.locator("#v-client").text_content() or ""
    nonce = page.locator("#v-nonce").text_content() or ""
    round_id = verify_url.split("round=")[1].split("&")[0]
    public = page.request.get(f"{demo.coffer}/fairness/rounds/{round_id}").json()["round"]
    version = str(public["reels"][0]["boxVersionId"])
    assert coffer_verify(demo, seed, client_seed, nonce, version) == in_browser
    done(page)


def test_the_browser_draw_meets_the_spec_test_vector(page: Page, demo: Demo) -> None:
    page.goto(f"{demo.coffer}/fairness/verify")
    tickets = page.evaluate(
        """async () => {
          const d = await import('/play/static/draw.js');
          const us = await d.uniforms('a'.repeat(64), 'client-seed', 1, 3);
          return [await d.sha256Hex('a'.repeat(64)), us.map(u => d.ticketOf(u, 100000))];
        }"""
    )
    assert tickets == [
        "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
        [27897, 54016, 61375],
    ]


def test_the_reveal_spins_unless_motion_is_reduced(browser: Browser, demo: Demo) -> None:
    page = phone(browser, demo, motion="no-preference")
    page.locator("#open").click()
    expect(page.locator("#reveal .slot:not(.landed)")).to_have_count(1)  # spinning
    expect(page.locator("#reveal .slot.landed")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(page.locator("#result")).to_be_visible()
    done(page)


def test_a_used_launch_link_says_so_in_the_players_language(browser: Browser, demo: Demo) -> None:
    url = demo.launch(boxId=1, locale="de")
    context = browser.new_context()
    first = context.new_page()
    first.goto(url)
    expect(first.locator("#box-name")).to_be_visible(timeout=TIMEOUT_MS)
    again = context.new_page()
    again.goto(url)
    expect(again.locator("#status")).to_have_text(
        "Dieser Spiellink wurde schon benutzt. Geh zurück ins Casino und öffne das Spiel erneut."
    )
    context.close()


def test_a_parent_of_another_origin_hears_nothing_and_is_not_obeyed(
    browser: Browser, demo: Demo
) -> None:
    # Both origins may frame the app, but this launch was minted for the casino's: a page on
    # the other one (localhost, not 127.0.0.1) that frames it is neither told nor obeyed.
    foreign = demo.casino.replace("127.0.0.1", "localhost")
    demo.admin("PATCH", "/operators/demo", {"allowedOrigins": [demo.casino, foreign]})
    context = browser.new_context()
    try:
        page = context.new_page()
        reads: list[str] = []
        page.on("request", lambda r: reads.append(r.url) if "/wallet/balance" in r.url else None)
        page.goto(f"{foreign}/casino/lobby?autostart=0")
        page.evaluate(
            """url => {
            addEventListener('message', () => { window.heard = (window.heard || 0) + 1; });
            const f = document.createElement('iframe'); f.name = 'app'; f.src = url;
            document.body.append(f); }""",
            demo.launch(boxId=1),
        )
        app = page.frame_locator("iframe[name=app]")
        expect(app.locator("#box-name")).to_be_visible(timeout=TIMEOUT_MS)
        frame = page.frame(name="app")
        assert frame is not None
        frame.evaluate("() => addEventListener('message', () => { window.delivered = true; })")
        page.evaluate("() => frames['app'].postMessage({type: 'wallet:refresh'}, '*')")
        frame.wait_for_function("() => window.delivered === true")  # after the app's listener
        booted = len(reads)
        with page.expect_response(lambda r: "/api/play/inventory" in r.url):
            app.locator("#tab-items").click()  # a later request: a marker in order
        assert len(reads) == booted  # the refresh was not obeyed
        assert page.evaluate("() => window.heard || 0") == 0  # and nothing was posted to it
    finally:
        context.close()
        demo.admin("PATCH", "/operators/demo", {"allowedOrigins": [demo.casino]})


def test_the_box_fingerprint_link_checks_the_prize_table(browser: Browser, demo: Demo) -> None:
    page = phone(browser, demo)
    href = page.locator("#snapshot-link").get_attribute("href")
    assert href is not None
    assert href.startswith("/fairness/verify?boxVersion=")
    page.goto(f"{demo.coffer}{href}")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "match")
    forged = re.sub(r"hash=[0-9a-f]{64}", "hash=" + "0" * 64, href)
    page.goto(f"{demo.coffer}{forged}")  # another fingerprint: refused
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "mismatch")
    done(page)


def test_reels_are_drawn_in_reel_index_order_whatever_the_numbers(
    browser: Browser, demo: Demo
) -> None:
    box = demo.s2s("GET", "/api/s2s/boxes/1")["box"]
    reels = [{"reelIndex": n, "boxVersionId": box["boxVersionId"]} for n in (7, 3)]
    body = {"playerExternalId": "u_8431", "clientActionId": "gaps", "currency": "EUR"}
    bought = demo.s2s("POST", "/api/s2s/purchase", {**body, "reels": reels})
    demo.s2s(
        "POST",
        "/api/s2s/fairness/rotate",
        {"playerExternalId": "u_8431", "clientActionId": "gaps-rotate"},
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{demo.coffer}/fairness/verify?round={bought['round']['publicId']}")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "match")
    reel_marks = page.locator("#checks li[data-reel]").evaluate_all(
        "rows => rows.map(r => r.dataset.reel)"
    )
    assert reel_marks == ["3", "7"]
    context.close()


def test_the_app_keeps_its_session_alive_while_open(browser: Browser, demo: Demo) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.clock.install()  # the app's timers run on a clock the test moves
    page.goto(demo.launch(boxId=1))
    expect(page.locator("#box-name")).to_be_visible(timeout=TIMEOUT_MS)
    with page.expect_response("**/api/play/session/heartbeat") as beat:
        page.clock.run_for(61_000)
    assert beat.value.status == 200
    assert "expiresAt" in beat.value.json()
    context.close()
