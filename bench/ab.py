"""Two builds of Coffer, interleaved: HTTP purchases at 16 clients on PostgreSQL, same minute.

The machine's speed drifts by ±20% from one minute to the next (its two cores are shared), so
a before/after claim is measured with both servers up at once, each on its own fresh database,
taking turns: before, after, before, after, ... with the stub wallet (bench/stub_wallet.py).
It prints each turn's purchases/s, p50, p99 and the server's CPU per purchase, then the
medians and their ratio.

Run: .venv/bin/python bench/ab.py --before /path/to/older/checkout [--rounds 3] [--seconds 15]
(the older checkout has its own .venv with its Coffer installed: ``pip install -e .``).
"""

import argparse
import asyncio
import os
import statistics
import subprocess
from pathlib import Path
from typing import Any

from bench_support import cpu_seconds, fresh_postgres, start_python, wait_ready
from cryptography.fernet import Fernet
from load import http_run, seed

HERE = Path(__file__).parent
STUB_PORT = 8763


async def start(name: str, root: Path, port: int) -> tuple[subprocess.Popen[bytes], str, Any]:
    """Migrate a fresh database with that build, serve it, seed it, warm it up."""
    url = await fresh_postgres(f"coffer_ab_{name}")
    coffer = str(root / ".venv" / "bin" / "coffer")
    env = {**os.environ, "COFFER_DATABASE_URL": url, "COFFER_ADMIN_TOKEN": "a",
           "COFFER_SECRET_KEY": Fernet.generate_key().decode(),
           "COFFER_BACKGROUND_JOBS": "false", "COFFER_EGRESS_ALLOW": "127.0.0.1"}  # fmt: skip
    migrate = [coffer, "migrate"]
    await asyncio.to_thread(subprocess.run, migrate, env=env, check=True, capture_output=True)
    log = open(f"/tmp/coffer-ab-{name}.log", "wb")  # noqa: SIM115, ASYNC230
    serve = [coffer, "serve", "--no-migrate", "--port", str(port)]
    process = subprocess.Popen(serve, env=env, stdout=log, stderr=log)  # noqa: ASYNC220
    base = f"http://127.0.0.1:{port}"
    await wait_ready(base + "/healthz")
    shop = await seed(base, "a", f"http://127.0.0.1:{STUB_PORT}/wallet")
    await http_run(base, shop, "warm", 16, 3)
    return process, base, shop


async def main(before: Path, rounds: int, seconds: float) -> None:
    builds = {"before": before, "after": HERE.parent}
    stub = start_python(HERE / "stub_wallet.py", ["--port", str(STUB_PORT)])
    servers: dict[str, tuple[subprocess.Popen[bytes], str, Any]] = {}
    try:
        for n, (name, root) in enumerate(builds.items()):
            servers[name] = await start(name, root, 8771 + n)
        rates: dict[str, list[float]] = {name: [] for name in builds}
        for turn in range(rounds):
            for name, (process, base, shop) in servers.items():
                used = cpu_seconds(process.pid)
                n, elapsed, latencies = await http_run(base, shop, f"t{turn}", 16, seconds)
                cpu_ms = (cpu_seconds(process.pid) - used) / n * 1000
                cuts = statistics.quantiles(latencies, n=100)
                rates[name].append(n / elapsed)
                line = f"{name:<7} turn {turn}: {n / elapsed:7.1f}/s  p50 {cuts[49]:6.1f} ms  "
                print(line + f"p99 {cuts[98]:6.1f} ms  CPU {cpu_ms:5.2f} ms/purchase", flush=True)
        old, new = statistics.median(rates["before"]), statistics.median(rates["after"])
        print(f"median: before {old:.1f}/s, after {new:.1f}/s, {new / old:.2f}x")
    finally:
        for process, *_ in servers.values():
            process.terminate()
            process.wait()
        stub.terminate()
        stub.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    asyncio.run(main(args.before, args.rounds, args.seconds))
