"""What every benchmark script needs: a fresh PostgreSQL database and `coffer` subprocesses."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import text

from coffer.kit.db import make_engine

BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get(
    "COFFER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def fresh_postgres(name: str) -> str:
    """A new, empty database ``name`` for this run (dropped and made again each time)."""
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await conn.execute(text(f"CREATE DATABASE {name}"))
    await admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def start_coffer(
    args: list[str], env: dict[str, str], log: Path | None = None
) -> subprocess.Popen[bytes]:
    """``coffer <args>`` from this venv with ``env`` added to ours; output to ``log`` if given."""
    out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [str(BIN / "coffer"), *args], env={**os.environ, **env}, stdout=out, stderr=out
    )


def start_python(script: Path, args: list[str]) -> subprocess.Popen[bytes]:
    """A helper script from bench/ in its own process (so its CPU is not Coffer's)."""
    return subprocess.Popen([sys.executable, str(script), *args])


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _tree(pid: int) -> list[int]:
    """``pid`` and every live descendant (uvicorn's worker processes)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(parents.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU a process and its live children have used (Linux /proc)."""
    ticks = 0
    for member in _tree(pid):
        try:
            fields = _stat(member)
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    """Resident memory of a process and its live children now, in MB (Linux /proc)."""
    total = 0
    for member in _tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log file, for a failure message."""
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


async def wait_ready(url: str) -> None:
    """Poll ``url`` until it answers below 500 (30 s at most)."""
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(url)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")
