"""Refresh src/coffer/api/examples.json from a real run: the test suite on SQLite, recording.

Run: .venv/bin/python scripts/examples.py  (or with test paths: record only those, keep the rest)
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from coffer.api.examples import HERE, MAX_BYTES, hidden  # noqa: E402


def too_long(example: dict[str, object]) -> bool:
    return len(json.dumps(example)) > MAX_BYTES


def main() -> None:
    """With test paths as arguments, record only those tests and keep every other example."""
    only = sys.argv[1:]
    with tempfile.TemporaryDirectory() as folder:
        lines = Path(folder) / "examples.jsonl"
        env = {**os.environ, "COFFER_RECORD_EXAMPLES": str(lines)}
        command = [sys.executable, "-m", "pytest", "-q", "-n", "2", "-k", "not postgresql",
                   "-p", "no:cacheprovider", *(only or ["tests"]),
                   "--ignore=tests/browser"]  # fmt: skip
        subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603 - our own suite
        kept: dict[str, dict[str, object]] = json.loads(HERE.read_text()) if only else {}
        for line in lines.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            shown = {
                "status": record["status"],
                "request": hidden(record["request"]),
                "response": hidden(record["response"]),
            }
            earlier = kept.get(record["key"])
            if earlier is None or (too_long(earlier) and not too_long(shown)):
                kept[record["key"]] = shown
    HERE.write_text(json.dumps(dict(sorted(kept.items())), indent=1) + "\n", encoding="utf-8")
    print(f"{len(kept)} operations recorded in {HERE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
