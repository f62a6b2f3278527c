"""The README's examples, run as written: every shell block of the sections marked "after the
first command", in order, against a fresh ``coffer serve --demo`` on free ports.

The blocks are read from the README, not copied here, so a wrong step fails this test. The one
line a reader pastes by hand (the ``export`` of the demo's credentials, shown with ``…``) comes
from the demo's own banner instead.
"""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
RUNNABLE = "(after the first command)"


def runnable_blocks(text: str) -> list[str]:
    """The ``sh`` blocks of every section whose heading says it runs after the first command."""
    blocks = []
    for section in re.split(r"\n(?=## )", text):
        heading = section.splitlines()[0]
        if heading.startswith("## ") and RUNNABLE in heading:
            blocks += re.findall(r"```sh\n(.*?)```", section, re.S)
    return blocks


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_ready(log: Path, process: "subprocess.Popen[bytes]") -> str:
    """The demo's output once it says Ready (both servers listen); fails if it exits first."""
    for _ in range(1200):
        text = log.read_text()
        if "Ready" in text:
            return text
        assert process.poll() is None, text
        time.sleep(0.05)  # a process we do not own: nothing to await but its output
    raise AssertionError(log.read_text())


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh demo in its own folder on free ports; the environment its banner exports."""
    (tmp_path / ".venv").symlink_to(BIN.parent)  # the README calls .venv/bin/coffer
    env = {**os.environ, "COFFER_PORT": str(free_port()), "COFFER_CASINO_PORT": str(free_port())}
    env.pop("COFFER_DATABASE_URL", None)
    env.pop("COFFER_ADMIN_TOKEN", None)
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "coffer"), "serve", "--demo"], cwd=tmp_path, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    banner = wait_for_ready(log, process)
    exports = re.search(r"export (COFFER_KEY_ID=\S+ COFFER_SECRET=\S+ COFFER_ADMIN_TOKEN=\S+)",
                        banner.replace("\n", " "))  # fmt: skip
    assert exports, banner
    try:
        yield tmp_path, {**env, **dict(pair.split("=", 1) for pair in exports.group(1).split())}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_readme_blocks_run_in_order_against_a_fresh_demo(
    demo: tuple[Path, dict[str, str]],
) -> None:
    folder, env = demo
    blocks = runnable_blocks(README)
    assert len(blocks) >= 6
    pasted = [line for line in "\n".join(blocks).splitlines() if not line.startswith("export ")]
    script = "set -euo pipefail\n" + "\n".join(pasted)
    ran = subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    out = ran.stdout
    assert '"status":"settled"' in out  # the purchase
    assert "settled [" in out  # the purchase from Python, through coffer.client
    assert "server seed hash matches --server-seed-hash" in out  # coffer verify
    assert '"result":"success"' in out  # the player's order of the potion pack
    assert '"currency":"GEM"' in out  # the gem chest's round
    assert '"status":"pending"' in out  # the redelivered event
