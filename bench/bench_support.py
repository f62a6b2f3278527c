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


def start_coffer(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``coffer <args>`` from this venv, quiet, with ``env`` added to ours."""
    return subprocess.Popen(
        [str(BIN / "coffer"), *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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
