"""The player app's first load in Chromium: bytes transferred and the time until ``ready``.

Runs ``coffer serve --demo`` (SQLite, the reference casino) in a temporary folder, then for each
run opens the casino's lobby in a fresh browser context (cold cache), which mints a launch and
frames ``/play``. Counts every request the iframe makes (images apart, as the target says) and
the time from the iframe's navigation to the ``ready`` message. Baseline, same session: the
same shell loaded without a launch token (HTML, CSS and scripts, no API call), to its ``load``.

Run: .venv/bin/python bench/page.py [--runs 10]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Response, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PORT, CASINO_PORT = 8751, 8752
LOBBY = f"http://127.0.0.1:{CASINO_PORT}/casino/lobby"
READY_AT = """() => new Promise(done => addEventListener('message', e => {
  if (e.data && e.data.type === 'ready') {
    const frame = performance.getEntriesByType('resource')
      .find(r => r.initiatorType === 'iframe' && r.name.includes('/play?'));
    done(performance.now() - frame.startTime);
  }
}))"""


def start_demo(folder: Path) -> subprocess.Popen[str]:
    """The demo on its own ports; returns once it says both servers listen."""
    command = [sys.executable, "-m", "coffer", "serve", "--demo", "--port", str(PORT)]
    command += ["--casino-port", str(CASINO_PORT)]
    process = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Ready: open"):
            return process
    raise SystemExit("coffer serve --demo did not start")


def first_load(browser: Browser) -> tuple[int, int, float]:
    """(bytes without images, image bytes, ms from the iframe's navigation to ready)."""
    context = browser.new_context()
    page = context.new_page()
    seen: list[Response] = []

    def keep(response: Response) -> None:
        if response.frame.name == "coffer":
            seen.append(response)

    page.on("response", keep)
    page.goto(LOBBY, wait_until="commit")
    ready_ms: float = page.evaluate(READY_AT)
    sizes: list[tuple[str, dict[str, Any]]] = [
        (r.request.resource_type, dict(r.request.sizes())) for r in seen
    ]
    context.close()
    total = images = 0
    for kind, size in sizes:
        moved = size["responseBodySize"] + size["responseHeadersSize"]
        moved += size["requestBodySize"] + size["requestHeadersSize"]
        if kind == "image":
            images += moved
        else:
            total += moved
    return total, images, ready_ms


def shell_load(browser: Browser) -> float:
    """Baseline: the same page and scripts with no launch (no API call), to its load event."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{PORT}/play", wait_until="load")
    ms: float = page.evaluate("() => performance.getEntriesByType('navigation')[0].duration")
    context.close()
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as driver:
        process = start_demo(Path(folder))
        try:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            loads = [first_load(browser) for _ in range(runs)]
            shells = [shell_load(browser) for _ in range(runs)]
            browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    weight = statistics.median(load[0] for load in loads)
    print(f"first load of /play in Chromium, {runs} cold runs (median)")
    print(f"  bytes without images   {weight / 1024:.1f} KB  (target <= 150 KB)")
    print(f"  image bytes            {statistics.median(load[1] for load in loads) / 1024:.1f} KB")
    ready = statistics.median(load[2] for load in loads)
    shell = statistics.median(shells)
    p90 = sorted(load[2] for load in loads)[max(0, int(runs * 0.9) - 1)]
    print(f"  navigation -> ready    {ready:.0f} ms  (p90 {p90:.0f} ms)")
    print(f"  baseline: shell load   {shell:.0f} ms  (no launch, no API call)")
    print(f"  ready / baseline       {ready / shell:.2f}x")


if __name__ == "__main__":
    main()
