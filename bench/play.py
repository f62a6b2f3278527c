"""Opens through the player app's API against the same opens through S2S, in one run.

One `coffer serve` on PostgreSQL (or SQLite), the stub wallet (bench/stub_wallet.py), one box.
At 1 and 16 clients, taking turns: signed S2S purchases (each client its own player), then
`POST /api/play/rounds/open` with a session token (each client a session of its own player,
minted through `POST /api/s2s/launches` and `session/init`). Prints opens/s, p50, p99 and the
server's CPU per open, and the player app's rate as a share of the S2S rate (target >= 90%).

Run: .venv/bin/python bench/play.py [--seconds 10] [--backends postgresql,sqlite]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from bench_support import (
    cpu_seconds,
    fresh_postgres,
    start_coffer,
    start_python,
    tail,
    wait_ready,
)
from cryptography.fernet import Fernet
from load import SLUG, Shop, http_run, seed, signed_launch

from coffer.migrate import upgrade_to_head

ADMIN, PORT, STUB_PORT = "bench-admin-token", 8741, 8743
HERE = Path(__file__).parent
ORIGIN = "https://casino.example"


async def sessions(base: str, shop: Shop, prefix: str, clients: int) -> list[str]:
    """A launched, initialised session per client, each its own player."""
    tokens = []
    async with httpx.AsyncClient(base_url=base) as http:
        for n in range(clients):
            raw, headers = signed_launch(shop, f"{prefix}_{n}")
            minted = await http.post("/api/s2s/launches", content=raw, headers=headers)
            assert minted.status_code == 201, minted.text
            started = await http.post(
                "/api/play/session/init", json={"launchToken": minted.json()["launchToken"]}
            )
            assert started.status_code == 200, started.text
            tokens.append(started.json()["sessionToken"])
    return tokens


async def play_run(
    base: str, shop: Shop, tokens: list[str], tag: str, seconds: float
) -> tuple[int, float, list[float]]:
    """Player app opens, one loop per session, until time is up; any non-2xx raises."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    reels = [{"reelIndex": 0, "boxVersionId": shop.box_version_id}]

    async def client(n: int, token: str, http: httpx.AsyncClient) -> None:
        i, headers = 0, {"Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            body = {"clientActionId": f"{tag}-{n}-{i}", "reels": reels}
            started = time.perf_counter()
            response = await http.post("/api/play/rounds/open", json=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status_code < 300:
                raise AssertionError(f"HTTP {response.status_code}: {response.text}")
            i += 1

    started = time.monotonic()
    limits = httpx.Limits(max_connections=len(tokens) + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(n, t, http) for n, t in enumerate(tokens)))
    return len(latencies), time.monotonic() - started, latencies


def line(label: str, n: int, elapsed: float, latencies: list[float], cpu_s: float) -> str:
    cuts = statistics.quantiles(latencies, n=100)
    return (
        f"  {label:<10} {n / elapsed:8.1f}/s  p50 {cuts[49]:6.1f} ms  p99 {cuts[98]:6.1f} ms  "
        f"CPU {cpu_s / n * 1000:5.2f} ms/open"
    )


async def one_backend(backend: str, seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"coffer-play-{backend}-"))
    url = (
        f"sqlite+aiosqlite:///{workdir / 'coffer.db'}"
        if backend == "sqlite"
        else await fresh_postgres("coffer_play_bench")
    )
    await asyncio.to_thread(upgrade_to_head, url)
    env = {"COFFER_DATABASE_URL": url, "COFFER_ADMIN_TOKEN": ADMIN,
           "COFFER_SECRET_KEY": Fernet.generate_key().decode(),
           "COFFER_BACKGROUND_JOBS": "false", "COFFER_EGRESS_ALLOW": "127.0.0.1"}  # fmt: skip
    log = workdir / "coffer.log"
    coffer = start_coffer(["serve", "--no-migrate", "--port", str(PORT)], env, log)
    stub = start_python(HERE / "stub_wallet.py", ["--port", str(STUB_PORT)])
    base = f"http://127.0.0.1:{PORT}"
    try:
        await wait_ready(base + "/healthz")
        shop = await seed(base, ADMIN, f"http://127.0.0.1:{STUB_PORT}/wallet")
        async with httpx.AsyncClient(base_url=base) as http:
            await http.patch(f"/api/admin/operators/{SLUG}", json={"allowedOrigins": [ORIGIN]},
                             headers={"Authorization": f"Bearer {ADMIN}"})  # fmt: skip
        print(f"\n{backend}  (server log: {log})")
        for clients in (1, 16):
            tokens = await sessions(base, shop, f"play{clients}", clients)
            await http_run(base, shop, f"warm{clients}", clients, 2)
            await play_run(base, shop, tokens, f"warm{clients}", 2)
            used = cpu_seconds(coffer.pid)
            n, elapsed, lat = await http_run(base, shop, f"s2s{clients}", clients, seconds)
            s2s_cpu, used = cpu_seconds(coffer.pid) - used, cpu_seconds(coffer.pid)
            m, played, plat = await play_run(base, shop, tokens, f"play{clients}", seconds)
            play_cpu = cpu_seconds(coffer.pid) - used
            print(line(f"S2S {clients:>2}", n, elapsed, lat, s2s_cpu))
            print(line(f"play {clients:>2}", m, played, plat, play_cpu)
                  + f"  {(m / played) / (n / elapsed):6.1%} of S2S", flush=True)  # fmt: skip
    except AssertionError as failure:
        raise SystemExit(f"{failure}\n--- end of {log} ---\n{tail(log)}") from None
    finally:
        for process in (coffer, stub):
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
