"""A real browser against a running ``coffer serve --demo`` (Coffer and the reference casino).

Playwright drives Debian's Chromium at /usr/bin/chromium; no browser is ever downloaded. Without
Chromium these tests skip with one line, except under ``CI=true``, where they must run.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from coffer import signing
from tests.conftest import IN_CI

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("COFFER_SCREENSHOTS")  # e.g. docs/screenshots to refresh the README's
PLAYER = "u_8431"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Demo:
    """The running demo: Coffer's and the casino's base URLs."""

    coffer: str
    casino: str
    workdir: Path
    admin_token: str
    key_id: str
    secret: str

    def s2s(self, method: str, target: str, body: dict[str, Any] | None = None) -> Any:
        """A signed S2S call with the demo operator's key, as its backend makes them."""
        raw = b"" if body is None else json.dumps(body).encode()
        headers = signing.signed_headers(self.secret, method, target, raw, key_id=self.key_id)
        headers["Content-Type"] = "application/json"
        answer = httpx.request(method, f"{self.coffer}{target}", content=raw, headers=headers)
        assert answer.is_success, answer.text
        return answer.json()

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The admin API with the demo's admin token."""
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        answer = httpx.request(method, f"{self.coffer}/api/admin{path}", json=body, headers=headers)
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    @property
    def lobby(self) -> str:
        return f"{self.casino}/casino/lobby"

    def debits(self) -> int:
        """How many debits the casino's books hold for the player (deposits are not debits)."""
        rows = httpx.get(f"{self.casino}/casino/ledger", params={"player": PLAYER}).json()
        return sum(1 for row in rows["entries"] if row["type"] == "wallet.debit")

    def casino_balance(self, currency: str = "EUR") -> int:
        """The player's balance in the casino's own books."""
        view = httpx.get(f"{self.casino}/casino/players/{PLAYER}/balances").json()
        found = [b["balanceMinor"] for b in view["balances"] if b["currency"] == currency]
        return found[0] if found else 0

    def launch(self, **wish: Any) -> str:
        """A launch URL minted through the casino's backend, as its lobby does."""
        body = {"parentOrigin": self.casino, **wish}
        answer = httpx.post(f"{self.casino}/casino/lobby/launch", json=body)
        answer.raise_for_status()
        url: str = answer.json()["launchUrl"]
        return url


def _drain(source: IO[str], sink: IO[str]) -> None:
    """Keep reading the server's output so its pipe never fills (access logs add up)."""
    for line in source:
        sink.write(line)
        sink.flush()


def _browser_problem() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium package)"
    return None


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``coffer serve --demo`` on free ports with its own SQLite file, stopped afterwards."""
    problem = _browser_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true but the browser tests cannot run: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")
    workdir = tmp_path_factory.mktemp("demo")
    port, casino_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "COFFER_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'coffer.db'}",
        "CASINO_DATABASE_PATH": str(workdir / "casino.db"),
    }
    command = [sys.executable, "-m", "coffer", "serve", "--demo", "--port", str(port)]
    command += ["--casino-port", str(casino_port)]
    log = (workdir / "serve.log").open("w+")
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    admin_token = launch_url = key_id = secret = ""
    for line in process.stdout:  # blocks until the demo says both servers listen
        log.write(line)
        if line.strip().startswith("admin token"):
            admin_token = line.split()[-1]
        if line.strip().startswith("S2S key id"):
            key_id = line.split()[-1]
        if line.strip().startswith("S2S secret"):
            secret = line.split()[-1]
        if line.strip().startswith("launch URL"):
            launch_url = line.split()[2]
        if line.startswith("Ready: open"):
            break
    else:
        pytest.fail(f"coffer serve --demo exited: {(workdir / 'serve.log').read_text()}")
    drain = threading.Thread(target=_drain, args=(process.stdout, log), daemon=True)
    drain.start()
    urls = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{casino_port}"
    demo = Demo(*urls, workdir, admin_token, key_id, secret)
    assert launch_url.startswith(f"{demo.coffer}/play?token=lt_")  # the demo prints one to try
    # Enough money for every story in this process, whatever they win.
    deposit = {"currency": "EUR", "amountMinor": 1_000_00}
    httpx.post(f"{demo.casino}/casino/players/{PLAYER}/deposit", json=deposit).raise_for_status()
    yield demo
    process.terminate()
    process.wait(timeout=30)
    drain.join(timeout=30)
    process.stdout.close()
    log.close()


@pytest.fixture
def browser(demo: Demo) -> Iterator[Browser]:
    """Chromium for one test. Playwright's sync API runs an event loop in this thread while it
    is open, which would break the asyncio tests that share this worker, so it never outlives
    a test."""
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def watch(page: Page) -> list[str]:
    """Script errors and console errors (CSP refusals among them) of the page and its frames."""
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # A refused request (a 422 the app shows, an image host out of reach) is logged as
        # "Failed to load resource"; CSP refusals and script errors are what count here.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", console)
    return errors


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context per test; motion reduced so reveals land at once."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors = watch(page)
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"


def shot(page: Page, name: str, tmp_path: Path) -> Path:
    """A full-page screenshot, into ``COFFER_SCREENSHOTS`` when set (the committed ones)."""
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path
