"""Purchases per second and latency through HTTP with the reference casino, against the raw rate.

Starts `coffer serve` and `coffer casino serve` as subprocesses on loopback, seeds an operator
whose wallet is the casino, then runs signed atomic purchases from 1 and 16 concurrent clients
(each client its own player). In the same run it measures the raw rate of the same database work
without HTTP: the purchase use case called in-process with a wallet that accepts at once.

Run: .venv/bin/python bench/purchase.py [--seconds 10] [--backends sqlite,postgresql]
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from bench_support import fresh_postgres, start_coffer, wait_ready
from cryptography.fernet import Fernet

from coffer import signing
from coffer.api.s2s.purchase_bodies import PurchaseRequest
from coffer.kit.db import make_engine
from coffer.kit.secrets import SecretBox
from coffer.kit.settings import Settings
from coffer.migrate import upgrade_to_head
from coffer.rounds import purchasing
from coffer.rounds.answers import Settled
from coffer.runtime import Runtime
from coffer.seamless.client import Accepted, CallResult, WalletRequest, WalletTarget

ADMIN = "bench-admin-token"
COFFER_PORT, CASINO_PORT = 8731, 8732


@dataclass
class Shop:
    key_id: str
    secret: str
    outbound_secret: str
    box_version_id: int
    operator_id: int


@dataclass
class Figures:
    purchases: int
    seconds: float
    latencies_ms: list[float]

    def line(self, label: str) -> str:
        rate = self.purchases / self.seconds
        if not self.latencies_ms:
            return f"{label:<34} {rate:>9.1f}/s"
        cuts = statistics.quantiles(self.latencies_ms, n=100)
        p50, p99 = cuts[49], cuts[98]
        spread = p99 / p50
        return (
            f"{label:<34} {rate:>9.1f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
            f"  p99/p50 {spread:4.1f}"
        )


async def seed(base: str, casino_wallet: str) -> Shop:
    auth = {"Authorization": f"Bearer {ADMIN}"}
    async with httpx.AsyncClient(base_url=base, headers=auth) as http:
        op = (
            await http.post(
                "/api/admin/operators",
                json={
                    "slug": "bench",
                    "name": "Bench",
                    "baseCurrency": "EUR",
                    "walletUrl": casino_wallet,
                },
            )
        ).json()
        key = (await http.post("/api/admin/operators/bench/keys", json={})).json()
        item = (
            await http.post(
                "/api/admin/operators/bench/items",
                json={
                    "name": "Sword",
                    "type": "physical",
                    "valueMinor": 320,
                    "currency": "EUR",
                    "cashbackBps": 2500,
                },
            )
        ).json()
        other = (
            await http.post(
                "/api/admin/operators/bench/items",
                json={"name": "Key", "type": "digital", "valueMinor": 900, "currency": "EUR"},
            )
        ).json()
        box = (
            await http.post(
                "/api/admin/operators/bench/boxes",
                json={
                    "name": "Bench",
                    "slug": "bench",
                    "priceMinor": 500,
                    "currency": "EUR",
                    "prizes": [
                        {"itemId": item["itemId"], "weight": 80},
                        {"itemId": other["itemId"], "weight": 20},
                    ],
                },
            )
        ).json()
        version = (
            await http.post(f"/api/admin/operators/bench/boxes/{box['boxId']}/publish")
        ).json()
    return Shop(
        key["keyId"], key["secret"], op["outboundSecret"], version["boxVersionId"], op["operatorId"]
    )


def purchase_body(player: str, action: str, version: int) -> dict[str, Any]:
    return {
        "playerExternalId": player,
        "gameKey": "mystery_box",
        "clientActionId": action,
        "reels": [{"reelIndex": 0, "boxVersionId": version}],
    }


async def http_run(base: str, shop: Shop, clients: int, seconds: float) -> Figures:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while time.monotonic() < deadline:
            body = json.dumps(purchase_body(f"p{clients}_{n}", f"a{n}_{i}", shop.box_version_id))
            raw = body.encode()
            headers = signing.signed_headers(
                shop.secret, "POST", "/api/s2s/purchase", raw, key_id=shop.key_id
            )
            headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            response = await http.post("/api/s2s/purchase", content=raw, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            i += 1

    started = time.monotonic()
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    return Figures(len(latencies), time.monotonic() - started, latencies)


class InstantWallet:
    """Accepts every instruction at once: the raw database work without any network."""

    def __init__(self) -> None:
        self.http = httpx.AsyncClient()

    async def call(self, target: WalletTarget, request: WalletRequest) -> CallResult:
        return CallResult(Accepted(1_000_000, f"raw-{request.idempotency_key}"))


async def raw_run(url: str, key: bytes, shop: Shop, clients: int, seconds: float) -> Figures:
    settings = Settings(
        database_url=url, admin_token=ADMIN, secret_key=key.decode(), background_jobs=False
    )
    runtime = Runtime.build(settings, make_engine(url), SecretBox(key))
    runtime.wallet = InstantWallet()  # type: ignore[assignment]
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        i = 0
        while time.monotonic() < deadline:
            body = PurchaseRequest.model_validate(
                purchase_body(f"raw{clients}_{n}", f"r{n}_{i}", shop.box_version_id)
            )
            started = time.perf_counter()
            answer = await purchasing.purchase(runtime.gateway, shop.operator_id, body.command())
            latencies.append((time.perf_counter() - started) * 1000)
            assert isinstance(answer, Settled)
            i += 1

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.monotonic() - started
    await runtime.close()
    return Figures(len(latencies), elapsed, latencies)


async def bench_backend(backend: str, seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"coffer-bench-{backend}-"))
    url = (
        f"sqlite+aiosqlite:///{workdir / 'coffer.db'}"
        if backend == "sqlite"
        else await fresh_postgres("coffer_bench")
    )
    await asyncio.to_thread(upgrade_to_head, url)
    key = Fernet.generate_key()
    env = {
        "COFFER_DATABASE_URL": url,
        "COFFER_ADMIN_TOKEN": ADMIN,
        "COFFER_SECRET_KEY": key.decode(),
        "COFFER_BACKGROUND_JOBS": "false",
        "COFFER_EGRESS_ALLOW": "127.0.0.1",
    }
    base = f"http://127.0.0.1:{COFFER_PORT}"
    coffer = start_coffer(["serve", "--no-migrate", "--port", str(COFFER_PORT)], env)
    casino = None
    try:
        await wait_ready(base + "/healthz")
        shop = await seed(base, f"http://127.0.0.1:{CASINO_PORT}/casino/wallet")
        casino = start_coffer(
            [
                "casino",
                "serve",
                "--port",
                str(CASINO_PORT),
                "--database",
                str(workdir / "casino.db"),
            ],
            {"CASINO_OUTBOUND_SECRET": shop.outbound_secret},
        )
        await wait_ready(f"http://127.0.0.1:{CASINO_PORT}/casino/ledger")
        print(f"\n{backend}")
        for clients in (1, 16):
            async with httpx.AsyncClient() as http:
                for n in range(clients):
                    await http.post(
                        f"http://127.0.0.1:{CASINO_PORT}/casino/players/p{clients}_{n}/deposit",
                        json={"currency": "EUR", "amountMinor": 10**12},
                    )
            print(
                " ",
                (await http_run(base, shop, clients, seconds)).line(
                    f"HTTP + casino, {clients:>2} client(s)"
                ),
                flush=True,
            )
        for clients in (1, 16):
            print(
                " ",
                (await raw_run(url, key, shop, clients, seconds)).line(
                    f"raw use case, {clients:>2} client(s)"
                ),
                flush=True,
            )
    finally:
        for process in (coffer, casino):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        asyncio.run(bench_backend(backend, args.seconds))


if __name__ == "__main__":
    main()
