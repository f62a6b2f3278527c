"""The README's promises: two set-up commands first, and a signing example that really signs."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coffer import signing

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_exactly_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    assert README.index("```sh") < README.index("\n## ")
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("coffer serve --demo")
    assert commands[1].endswith("scripts/check.py")
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("POST", "/api/s2s/fairness/rotate", '{"playerExternalId":"u_8431"}'),
        ("GET", "/api/s2s/history?playerExternalId=u_8431", ""),
    ],
)
def test_readme_signing_snippet_matches_the_signing_module(
    method: str, target: str, body: str
) -> None:
    snippet = re.search(r"<<'PY'\n(.*?)\nPY\n", README, re.S)
    assert snippet is not None
    env = {**os.environ, "COFFER_KEY_ID": "igk_test", "COFFER_SECRET": "igs_secret"}
    printed = subprocess.run(
        [sys.executable, "-", method, target, *([body] if body else [])],
        input=snippet.group(1),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    headers = dict(value.split(":", 1) for value in printed[1::2])
    assert printed[0::2] == ["-H", "-H", "-H"]
    assert headers["X-Key-Id"] == "igk_test"
    assert signing.verify(
        "igs_secret",
        headers["X-Timestamp"],
        method,
        target,
        body.encode(),
        headers["X-Signature"],
    )
