"""The whole test suite as CI runs it: lint, format, types, rules, then pytest on every database."""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

STEPS: list[tuple[str, list[str]]] = [
    ("ruff check", [str(BIN / "ruff"), "check", "."]),
    ("ruff format --check", [str(BIN / "ruff"), "format", "--check", "."]),
    ("mypy --strict", [str(BIN / "mypy"), "--strict"]),
    ("sizes and imports", [sys.executable, str(ROOT / "scripts" / "rules.py")]),
    # Two workers, one per core: each has its own test databases (see tests/conftest.py).
    ("pytest", [str(BIN / "pytest"), "-n", "2", *sys.argv[1:]]),
]


def main() -> int:
    """Run each step, stop at the first failure, and say which one failed."""
    for name, command in STEPS:
        started = time.monotonic()
        print(f"==> {name}", flush=True)
        code = subprocess.call(command, cwd=ROOT)  # noqa: S603 - fixed argv
        print(
            f"<== {name}: {'ok' if code == 0 else f'FAILED ({code})'} "
            f"in {time.monotonic() - started:.1f}s",
            flush=True,
        )
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
