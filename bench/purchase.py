"""Purchases per second against the database's own speed, in one interleaved run.

For each backend it seeds an operator through a running `coffer serve`, captures the SQL of one
real signed purchase (bench/capture.py), then at 1 and 16 clients runs, one after the other:
  pgbench     the captured statements in their transactions (PostgreSQL, -M prepared)
  asyncpg     the same statements from a plain asyncpg loop (sqlite3 on SQLite)
  HTTP+stub   signed purchases through HTTP, the wallet a stub that accepts at once
  HTTP+casino the same with the reference casino as the wallet
then, on PostgreSQL, both HTTP runs again at 16 clients against `coffer serve --workers 2` (x2).
Each line gives purchases/s, p50, p99 and, for Coffer, its process's CPU ms per purchase; the
header gives the round trips Coffer made per purchase against the statements that exist. Any
non-2xx answer stops the run with the answer and the end of the server's log.

Run: .venv/bin/python bench/purchase.py [--seconds 10] [--backends postgresql,sqlite]
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_support import (
    PG_ADMIN_URL,
    cpu_seconds,
    fresh_postgres,
    start_coffer,
    start_python,
    tail,
    wait_ready,
)
from capture import Script
from cryptography.fernet import Fernet
from load import Shop, capture_script, deposit, http_run, seed, set_wallet
from replay import asyncpg_dsn, asyncpg_loop, pgbench_script, sqlite_loop

from coffer.migrate import upgrade_to_head

ADMIN = "bench-admin-token"
COFFER_PORT, CASINO_PORT, STUB_PORT = 8731, 8732, 8733
HERE = Path(__file__).parent


@dataclass
class Figures:
    purchases: int
    seconds: float
    latencies_ms: list[float]
    cpu_s: float | None = None
    unit: str = "purchase"

    @property
    def rate(self) -> float:
        return self.purchases / self.seconds

    def line(self, label: str, baseline: float | None) -> str:
        cuts = statistics.quantiles(self.latencies_ms, n=100)
        p50, p99 = cuts[49], cuts[98]
        text = f"{label:<13} {self.rate:>8.1f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
        text += f"  p99/p50 {p99 / p50:4.1f}"
        if self.cpu_s is not None:
            text += f"  CPU {self.cpu_s / self.purchases * 1000:5.2f} ms/{self.unit}"
        if baseline:
            text += f"  {self.rate / baseline:6.1%} of baseline"
        return text


def pgbench_run(workdir: Path, dbname: str, clients: int, seconds: float) -> Figures:
    """pgbench over the captured script; one script run is one purchase."""
    prefix = workdir / f"pgbench-{clients}"
    for old in workdir.glob(f"pgbench-{clients}*"):
        old.unlink()
    command = [
        "pgbench", "-n", "-M", "prepared", "-h", "127.0.0.1", "-U", "postgres",
        "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
        "-T", str(int(seconds)), "-l", f"--log-prefix={prefix}",
        "-f", str(workdir / "purchase.sql"), dbname,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "aborted" in done.stderr:
        raise SystemExit(f"pgbench failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    latencies = [
        int(line.split()[2]) / 1000
        for log in workdir.glob(f"pgbench-{clients}*")
        for line in log.read_text().splitlines()
    ]
    return Figures(len(latencies), seconds, latencies)


async def one_backend(backend: str, seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"coffer-bench-{backend}-"))
    dbname = "coffer_bench"
    url = (
        f"sqlite+aiosqlite:///{workdir / 'coffer.db'}"
        if backend == "sqlite"
        else await fresh_postgres(dbname)
    )
    await asyncio.to_thread(upgrade_to_head, url)
    key = Fernet.generate_key().decode()
    env = {
        "COFFER_DATABASE_URL": url,
        "COFFER_ADMIN_TOKEN": ADMIN,
        "COFFER_SECRET_KEY": key,
        "COFFER_BACKGROUND_JOBS": "false",
        "COFFER_EGRESS_ALLOW": "127.0.0.1",
    }
    base = f"http://127.0.0.1:{COFFER_PORT}"
    log = workdir / "coffer.log"
    serve = ["serve", "--no-migrate", "--port", str(COFFER_PORT)]
    coffer = start_coffer(serve, env, log)
    stub = start_python(HERE / "stub_wallet.py", ["--port", str(STUB_PORT)])
    casino = None
    try:
        await wait_ready(base + "/healthz")
        stub_url = f"http://127.0.0.1:{STUB_PORT}/wallet"
        casino_url = f"http://127.0.0.1:{CASINO_PORT}/casino/wallet"
        shop = await seed(base, ADMIN, stub_url)
        casino_args = ["casino", "serve", "--port", str(CASINO_PORT)]
        casino_args += ["--database", str(workdir / "casino.db")]
        casino = start_coffer(
            casino_args, {"CASINO_OUTBOUND_SECRET": shop.outbound_secret}, workdir / "casino.log"
        )
        await wait_ready(f"http://127.0.0.1:{CASINO_PORT}/casino/ledger")
        script, players = await capture_script(url, key, ADMIN, shop, clients=16)
        (workdir / "purchase.sql").write_text(pgbench_script(script))
        print(f"\n{backend}  (logs and the pgbench script in {workdir})")
        print(
            f"  per purchase: {script.statements} statements in "
            f"{sum(1 for s in script.steps if s.kind == 'begin')} transactions; Coffer makes "
            f"{script.round_trips} database round trips ({script.pings} pool pings)"
        )
        run = Run(backend, base, shop, url, dbname, workdir, coffer, log, script, players)
        baseline = await interleaved(run, seconds, stub_url, casino_url)
        if backend == "postgresql":  # several processes need PostgreSQL
            coffer.terminate()
            coffer.wait(timeout=10)
            coffer = start_coffer([*serve, "--workers", "2"], env, log)
            run.coffer = coffer
            await wait_ready(base + "/healthz")
            await http_lines(run, 16, seconds, (stub_url, casino_url), baseline, " x2")
    finally:
        for process in (coffer, casino, stub):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)


@dataclass
class Run:
    """One backend's running services and captured purchase."""

    backend: str
    base: str
    shop: Shop
    url: str
    dbname: str
    workdir: Path
    coffer: subprocess.Popen[bytes]
    log: Path
    script: Script
    players: list[int]


async def interleaved(run: Run, seconds: float, stub_url: str, casino_url: str) -> float:
    """Every measure at 1 client, then every measure at 16, so each ratio shares its minute;
    the 16-client baseline rate."""
    script = run.script
    rate = 0.0
    for clients in (1, 16):
        mine = run.players[:clients]
        baseline: Figures | None = None
        if run.backend == "postgresql":
            baseline = await asyncio.to_thread(
                pgbench_run, run.workdir, run.dbname, clients, seconds
            )
            print("  " + baseline.line(f"pgbench {clients:>2}", None), flush=True)
            n, elapsed, lat = await asyncpg_loop(asyncpg_dsn(run.url), script, mine, seconds)
            print("  " + Figures(n, elapsed, lat).line(f"asyncpg {clients:>2}", baseline.rate))
        else:
            path = run.url.split("///", 1)[1]
            n, elapsed, lat = await asyncio.to_thread(sqlite_loop, path, script, mine, seconds)
            baseline = Figures(n, elapsed, lat)
            print("  " + baseline.line(f"sqlite3 {clients:>2}", None), flush=True)
        await http_lines(run, clients, seconds, (stub_url, casino_url), baseline.rate, "")
        rate = baseline.rate
    return rate


async def http_lines(
    run: Run, clients: int, seconds: float, wallets: tuple[str, str], baseline: float, tag: str
) -> None:
    """HTTP purchases with the stub wallet, then with the casino, against ``baseline``."""
    for label, wallet in zip(("stub", "casino"), wallets, strict=True):
        await set_wallet(run.base, ADMIN, wallet)
        prefix = f"{label}{clients}{tag}"
        if label == "casino":
            await deposit(CASINO_PORT, prefix, clients)
        before = cpu_seconds(run.coffer.pid)
        try:
            n, elapsed, lat = await http_run(run.base, run.shop, prefix, clients, seconds)
        except AssertionError as failure:
            raise SystemExit(f"{failure}\n--- end of {run.log} ---\n{tail(run.log)}") from None
        figures = Figures(n, elapsed, lat, cpu_seconds(run.coffer.pid) - before)
        print("  " + figures.line(f"HTTP+{label} {clients:>2}{tag}", baseline), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backends", default="postgresql,sqlite")
    args = parser.parse_args()
    print(f"PostgreSQL server: {PG_ADMIN_URL}; {os.cpu_count()} CPUs; {time.ctime()}")
    for backend in args.backends.split(","):
        asyncio.run(one_backend(backend, args.seconds))


if __name__ == "__main__":
    main()
