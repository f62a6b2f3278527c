"""The purchase benchmark's operator, its HTTP load, and the capture of one real purchase."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from capture import Recorder, Script

from coffer import signing
from coffer.app import create_app
from coffer.kit.db import make_engine
from coffer.kit.secrets import SecretBox
from coffer.kit.settings import Settings
from coffer.runtime import Runtime
from coffer.seamless.client import WalletClient

SLUG = "bench"
PLAYER_TOKEN, ACTION_TOKEN = "capplayer", "capaction0001"


@dataclass
class Shop:
    key_id: str
    secret: str
    outbound_secret: str
    box_version_id: int
    operator_id: int


async def seed(base: str, admin: str, wallet_url: str) -> Shop:
    """An operator with an S2S key and a published two-prize box (80/20), priced 500 EUR."""
    async with httpx.AsyncClient(base_url=base) as http:
        return await seed_with(http, admin, wallet_url)


async def seed_with(http: httpx.AsyncClient, admin: str, wallet_url: str) -> Shop:
    """``seed`` through a given client (a live server, or the app in-process)."""
    http.headers["Authorization"] = f"Bearer {admin}"
    ops = "/api/admin/operators"
    op = await _ok(
        http.post(
            ops,
            json={
                "slug": SLUG, "name": "Bench", "baseCurrency": "EUR", "walletUrl": wallet_url
            },
        )
    )  # fmt: skip
    key = await _ok(http.post(f"{ops}/{SLUG}/keys", json={}))
    sword = {"name": "Sword", "type": "physical", "valueMinor": 320, "currency": "EUR"}
    item = await _ok(http.post(f"{ops}/{SLUG}/items", json={**sword, "cashbackBps": 2500}))
    other = await _ok(
        http.post(
            f"{ops}/{SLUG}/items",
            json={"name": "Key", "type": "digital", "valueMinor": 900, "currency": "EUR"},
        )
    )
    prizes = [
        {"itemId": item["itemId"], "weight": 80},
        {"itemId": other["itemId"], "weight": 20},
    ]
    box_body = {"name": "Bench", "slug": "bench", "priceMinor": 500, "currency": "EUR"}
    box = await _ok(http.post(f"{ops}/{SLUG}/boxes", json={**box_body, "prizes": prizes}))
    version = await _ok(http.post(f"{ops}/{SLUG}/boxes/{box['boxId']}/publish"))
    return Shop(
        key["keyId"], key["secret"], op["outboundSecret"], version["boxVersionId"], op["operatorId"]
    )


async def _ok(pending: Any) -> Any:
    response: httpx.Response = await pending
    if response.status_code >= 300:
        raise SystemExit(f"seeding failed: {response.status_code} {response.text}")
    return response.json()


async def set_wallet(base: str, admin: str, url: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        await _ok(
            http.patch(
                f"/api/admin/operators/{SLUG}",
                json={"walletUrl": url},
                headers={"Authorization": f"Bearer {admin}"},
            )
        )


async def deposit(casino_port: int, prefix: str, clients: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{casino_port}") as http:
        for n in range(clients):
            await _ok(
                http.post(
                    f"/casino/players/{prefix}_{n}/deposit",
                    json={"currency": "EUR", "amountMinor": 10**12},
                )
            )


def signed_purchase(
    shop: Shop, player: str, action: str, version: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """An atomic purchase's body and signed headers (the shop's box unless told otherwise)."""
    body = {
        "playerExternalId": player,
        "gameKey": "mystery_box",
        "clientActionId": action,
        "reels": [{"reelIndex": 0, "boxVersionId": version or shop.box_version_id}],
    }
    raw = json.dumps(body).encode()
    headers = signing.signed_headers(
        shop.secret, "POST", "/api/s2s/purchase", raw, key_id=shop.key_id
    )
    return raw, {**headers, "Content-Type": "application/json"}


def signed_launch(shop: Shop, player: str) -> tuple[bytes, dict[str, str]]:
    """A launch's body and signed headers for ``player`` (the shop's box as its target)."""
    body = {"playerExternalId": player, "gameKey": "mystery_box"}
    raw = json.dumps(body).encode()
    headers = signing.signed_headers(
        shop.secret, "POST", "/api/s2s/launches", raw, key_id=shop.key_id
    )
    return raw, {**headers, "Content-Type": "application/json"}


async def http_run(
    base: str, shop: Shop, prefix: str, clients: int, seconds: float
) -> tuple[int, float, list[float]]:
    """Signed atomic purchases, each client its own player, until time is up; any non-2xx
    raises AssertionError with the answer."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while time.monotonic() < deadline:
            raw, headers = signed_purchase(shop, f"{prefix}_{n}", f"{prefix}-{n}-{i}")
            started = time.perf_counter()
            response = await http.post("/api/s2s/purchase", content=raw, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status_code < 300:
                raise AssertionError(f"HTTP {response.status_code}: {response.text}")
            i += 1

    started = time.monotonic()
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    return len(latencies), time.monotonic() - started, latencies


def _accept(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json={"accepted": True, "balanceAfterMinor": 10**12, "providerTxnRef": "capture"}
    )


@asynccontextmanager
async def with_app(url: str, key: str) -> AsyncIterator[tuple[httpx.AsyncClient, Shop]]:
    """The app in-process on ``url`` with a wallet that accepts at once, seeded; its client."""
    settings = Settings(database_url=url, admin_token="t", secret_key=key, background_jobs=False)
    runtime = Runtime.build(settings, make_engine(url), SecretBox(key.encode()))
    runtime.wallet = WalletClient(httpx.AsyncClient(transport=httpx.MockTransport(_accept)), 0)
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://coffer") as http:
        shop = await seed_with(http, "t", "https://wallet.example/rpc")
        yield http, shop
    await runtime.close()


async def capture_script(
    url: str, key: str, admin: str, shop: Shop, clients: int
) -> tuple[Script, list[int]]:
    """Record one real signed purchase in-process (same app, same database, a wallet that
    accepts); players 0..clients-1 exist afterwards for the replays."""
    settings = Settings(database_url=url, admin_token=admin, secret_key=key, background_jobs=False)
    engine = make_engine(url)
    runtime = Runtime.build(settings, engine, SecretBox(key.encode()))
    runtime.wallet = WalletClient(httpx.AsyncClient(transport=httpx.MockTransport(_accept)), 0)
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://coffer") as http:

        async def buy(player: str, action: str) -> None:
            raw, headers = signed_purchase(shop, player, action)
            response = await http.post("/api/s2s/purchase", content=raw, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"capture failed: {response.status_code} {response.text}")

        for player in [PLAYER_TOKEN, *map(str, range(clients))]:
            await buy(player, f"prime-{player}")
        await buy(PLAYER_TOKEN, "warm-up")
        with Recorder(engine) as recorder:
            recorder.on = True
            await buy(PLAYER_TOKEN, ACTION_TOKEN)
            recorder.on = False
    script = recorder.script({PLAYER_TOKEN: "player", ACTION_TOKEN: "act"})
    await runtime.close()
    return script, list(range(clients))
