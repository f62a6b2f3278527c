"""The server's resident memory under steady purchases: one process, PostgreSQL, 16 clients.

Starts `coffer serve` and the stub wallet, then runs signed purchases from 16 clients for the
given minutes, printing the server's resident memory (RSS) and the purchases made each minute.

Run: .venv/bin/python bench/memory.py [--minutes 10]
"""

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench_support import fresh_postgres, resident_mb, start_coffer, start_python, wait_ready
from cryptography.fernet import Fernet
from load import http_run, seed

from coffer.migrate import upgrade_to_head

PORT, STUB_PORT = 8751, 8753
HERE = Path(__file__).parent


async def main(minutes: int) -> None:
    url = await fresh_postgres("coffer_memory")
    await asyncio.to_thread(upgrade_to_head, url)
    env = {
        "COFFER_DATABASE_URL": url,
        "COFFER_ADMIN_TOKEN": "bench",
        "COFFER_SECRET_KEY": Fernet.generate_key().decode(),
        "COFFER_BACKGROUND_JOBS": "false",
        "COFFER_EGRESS_ALLOW": "127.0.0.1",
    }
    log = Path(tempfile.mkdtemp(prefix="coffer-memory-")) / "coffer.log"
    coffer = start_coffer(["serve", "--no-migrate", "--port", str(PORT)], env, log)
    stub = start_python(HERE / "stub_wallet.py", ["--port", str(STUB_PORT)])
    base = f"http://127.0.0.1:{PORT}"
    try:
        await wait_ready(base + "/healthz")
        shop = await seed(base, "bench", f"http://127.0.0.1:{STUB_PORT}/wallet")
        print(f"minute  RSS MB  purchases/s   (server log: {log})")
        print(f"{0:>6} {resident_mb(coffer.pid):>7.1f}", flush=True)
        for minute in range(1, minutes + 1):
            done, elapsed, _ = await http_run(base, shop, f"m{minute}", 16, 60)
            rate = done / elapsed
            print(f"{minute:>6} {resident_mb(coffer.pid):>7.1f} {rate:>12.1f}", flush=True)
    finally:
        for process in (coffer, stub):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=int, default=10)
    asyncio.run(main(parser.parse_args().minutes))
