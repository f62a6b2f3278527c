"""What the shared rate-limit counter costs per request, against the counter's statement alone.

For each backend it starts two `coffer serve` processes on one fresh database, one counting
(COFFER_RATE_LIMITS=true, a quota no run reaches) and one not, seeds an operator and runs,
interleaved, at 16 clients sharing one S2S key (every request hits the same counter row):
  upsert   the counter's own statement from 16 plain connections (asyncpg; sqlite3 threads):
           the limit, what the database can count on one row
  off      signed GET /api/s2s/boxes?perPage=1 against the server that does not count
  on       the same against the server that counts
Each line gives requests/s, p50, p99 and the server's CPU ms per request.

Run: .venv/bin/python bench/ratelimit.py [--seconds 10] [--backends postgresql,sqlite]
"""

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

import asyncpg
import httpx
from bench_support import cpu_seconds, fresh_postgres, start_coffer, tail, wait_ready
from cryptography.fernet import Fernet
from load import Shop, seed

from coffer import signing
from coffer.migrate import upgrade_to_head

ADMIN = "bench-admin-token"
ON_PORT, OFF_PORT = 8741, 8742
CLIENTS = 16
TARGET = "/api/s2s/boxes?perPage=1"
UPSERT = (
    "INSERT INTO rate_buckets (key, window_start, hits) VALUES ($1, $2, 1) "
    "ON CONFLICT (key) DO UPDATE SET hits = CASE WHEN rate_buckets.window_start = "
    "excluded.window_start THEN rate_buckets.hits + 1 ELSE 1 END, "
    "window_start = excluded.window_start RETURNING hits"
)


def line(label: str, count: int, seconds: float, latencies: list[float], cpu: float | None) -> str:
    rate = count / seconds
    p50 = statistics.median(latencies) if latencies else 0.0
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 100 else 0.0
    per = f"  {cpu * 1000 / count:5.2f} CPU ms/request" if cpu is not None else ""
    return f"  {label:7} {rate:8.0f}/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms{per}"


async def http_requests(base: str, shop: Shop, seconds: float) -> tuple[int, float, list[float]]:
    """Signed GETs from 16 clients on one key until time is up; any non-2xx raises."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            headers = signing.signed_headers(shop.secret, "GET", TARGET, b"", key_id=shop.key_id)
            started = time.perf_counter()
            response = await http.get(TARGET, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise AssertionError(f"HTTP {response.status_code}: {response.text}")

    started = time.monotonic()
    limits = httpx.Limits(max_connections=CLIENTS + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
    return len(latencies), time.monotonic() - started, latencies


async def pg_upserts(url: str, seconds: float) -> tuple[int, float, list[float]]:
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client() -> None:
        conn = await asyncpg.connect(dsn)
        statement = await conn.prepare(UPSERT)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                await statement.fetchval("s2s:bench", int(time.time()) // 60 * 60)
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            await conn.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return len(latencies), time.monotonic() - started, latencies


def sqlite_upserts(path: Path, seconds: float) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    statement = UPSERT.replace("$1", "?").replace("$2", "?")

    def client() -> None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.execute(statement, ("s2s:bench", int(time.time()) // 60 * 60)).fetchone()
            latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), time.monotonic() - started, latencies


async def one_backend(backend: str, seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"coffer-ratelimit-{backend}-"))
    db_path = workdir / "coffer.db"
    url = (
        f"sqlite+aiosqlite:///{db_path}"
        if backend == "sqlite"
        else await fresh_postgres("coffer_bench_rl")
    )
    await asyncio.to_thread(upgrade_to_head, url)
    env = {
        "COFFER_DATABASE_URL": url,
        "COFFER_ADMIN_TOKEN": ADMIN,
        "COFFER_SECRET_KEY": Fernet.generate_key().decode(),
        "COFFER_BACKGROUND_JOBS": "false",
        "COFFER_RATE_LIMIT_S2S_PER_MINUTE": str(10**9),
    }
    servers = {
        "on": start_coffer(["serve", "--no-migrate", "--port", str(ON_PORT)],
                           {**env, "COFFER_RATE_LIMITS": "true"}, workdir / "on.log"),
        "off": start_coffer(["serve", "--no-migrate", "--port", str(OFF_PORT)],
                            {**env, "COFFER_RATE_LIMITS": "false"}, workdir / "off.log"),
    }  # fmt: skip
    bases = {"on": f"http://127.0.0.1:{ON_PORT}", "off": f"http://127.0.0.1:{OFF_PORT}"}
    try:
        for base in bases.values():
            await wait_ready(base + "/healthz")
        shop = await seed(bases["on"], ADMIN, "https://wallet.example/rpc")
        print(f"\n{backend}, {CLIENTS} clients on one S2S key (logs in {workdir})")
        for _ in range(2):
            if backend == "postgresql":
                print(line("upsert", *await pg_upserts(url, seconds), None))
            else:
                print(
                    line("upsert", *await asyncio.to_thread(sqlite_upserts, db_path, seconds), None)
                )
            for name in ("off", "on"):
                before = cpu_seconds(servers[name].pid)
                count, spent, latencies = await http_requests(bases[name], shop, seconds)
                cpu = cpu_seconds(servers[name].pid) - before
                print(line(name, count, spent, latencies, cpu))
    except AssertionError:
        for name in servers:
            print(tail(workdir / f"{name}.log"))
        raise
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backends", default="postgresql,sqlite")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        asyncio.run(one_backend(backend, args.seconds))


if __name__ == "__main__":
    main()
