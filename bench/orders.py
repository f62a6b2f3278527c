"""Transactional 3-entry player orders per second against the database's own speed.

For each backend it seeds an operator through a running `coffer serve` (a currency, a potion,
a pack of two potions sold for 10 gems, a daily potion a client may fill), gives 17 players a
big gem balance and an orders-API token, captures the SQL of one real order (bench/capture.py),
then at 1 and 16 clients runs, in three slices taken in turn (so the machine's drift from one
minute to the next falls on all three alike):
  pgbench   the captured statements in their transactions (PostgreSQL, -M prepared)
  asyncpg   the same statements from a plain asyncpg loop (sqlite3 on SQLite)
  HTTP      POST /inventory/v1/player/me/order with `is_transaction: true` and three entries
            (purchase_loot, fill_loot, create_new_persistent_inventory)
Then, on PostgreSQL, the 16-client lines again against `coffer serve --workers 2` (x2). Each
line gives orders/s, p50, p99 and, for Coffer, its processes' CPU ms per order. The replays
authenticate as sessions of the same players whose token hashes are their client numbers.

Run: .venv/bin/python bench/orders.py [--seconds 10] [--backends postgresql,sqlite]
"""

import argparse
import asyncio
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from bench_support import PG_ADMIN_URL, cpu_seconds, fresh_postgres, start_coffer, tail, wait_ready
from capture import Recorder, Script
from cryptography.fernet import Fernet
from purchase import Figures, pgbench_run
from replay import asyncpg_dsn, asyncpg_loop, pgbench_script, sqlite_loop
from sqlalchemy import text

from coffer import signing
from coffer.app import create_app
from coffer.kit.db import make_engine
from coffer.kit.secrets import SecretBox, token_hash
from coffer.kit.settings import Settings
from coffer.migrate import upgrade_to_head
from coffer.runtime import Runtime

ADMIN = "bench-admin-token"
PORT = 8741
OPS = "/api/admin/operators/bench"
CAPTURE = "capture"


@dataclass
class Economy:
    key_id: str
    secret: str
    gem: int
    potion: int
    pack: int
    daily: int


async def _ok(pending: Any) -> Any:
    response: httpx.Response = await pending
    if response.status_code >= 300:
        raise SystemExit(f"seeding failed: {response.status_code} {response.text}")
    return response.json()


async def seed(http: httpx.AsyncClient) -> Economy:
    http.headers["Authorization"] = f"Bearer {ADMIN}"
    await _ok(
        http.post(
            "/api/admin/operators", json={"slug": "bench", "name": "B", "baseCurrency": "EUR"}
        )
    )
    key = await _ok(http.post(f"{OPS}/keys", json={}))
    gems = await _ok(http.post(f"{OPS}/virtual-currencies", json={"code": "GEM", "name": "Gems"}))
    potion_body = {"name": "Potion", "type": "digital", "valueMinor": 0, "currency": "EUR",
                   "stackable": True, "clientWritable": True}  # fmt: skip
    potion = (await _ok(http.post(f"{OPS}/items", json=potion_body)))["itemId"]
    pack_body = {"name": "Pack", "contents": [{"itemId": potion, "quantity": 2}],
                 "prices": [{"priceItemId": gems["itemId"], "price": 10}]}  # fmt: skip
    pack = (await _ok(http.post(f"{OPS}/loots", json=pack_body)))["lootId"]
    daily_body = {"name": "Daily", "contents": [{"itemId": potion, "quantity": 1}],
                  "clientFillable": True}  # fmt: skip
    daily = (await _ok(http.post(f"{OPS}/loots", json=daily_body)))["lootId"]
    del http.headers["Authorization"]
    return Economy(key["keyId"], key["secret"], gems["itemId"], potion, pack, daily)


async def signed(http: httpx.AsyncClient, eco: Economy, path: str, body: dict[str, Any]) -> Any:
    raw = json.dumps(body).encode()
    headers = signing.signed_headers(eco.secret, "POST", path, raw, key_id=eco.key_id)
    return await _ok(
        http.post(path, content=raw, headers={**headers, "Content-Type": "application/json"})
    )


async def player(http: httpx.AsyncClient, eco: Economy, name: str) -> str:
    """A player with 10^12 gems; their orders-API token."""
    grant = {
        "playerExternalId": name,
        "currency": "GEM",
        "amountMinor": 10**12,
        "idempotencyKey": name,
    }
    await signed(http, eco, "/api/s2s/virtual-currencies/postings", grant)
    made = await signed(http, eco, "/api/s2s/player-tokens", {"playerExternalId": name})
    return str(made["token"])


def order(eco: Economy) -> dict[str, Any]:
    price = {"currencies": [{"price_item_id": eco.gem, "price": 10}]}
    return {
        "is_transaction": True,
        "entries": [
            {"type": "purchase_loot", "loot_id": eco.pack, "quantity": 1, "purchase_price": price},
            {"type": "fill_loot", "loot_id": eco.daily, "quantity": 1},
            {"type": "create_new_persistent_inventory", "item_id": eco.potion, "quantity": 1},
        ],
    }


async def http_run(
    base: str, eco: Economy, tokens: list[str], seconds: float
) -> tuple[int, float, list[float]]:
    """Clients on aiohttp, the lightest HTTP client at hand: the load generator shares the
    machine's two cores with Coffer and PostgreSQL, as pgbench's C client does more cheaply."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    body = json.dumps(order(eco)).encode()
    url = base + "/inventory/v1/player/me/order"

    async def client(token: str, http: aiohttp.ClientSession) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.monotonic() < deadline:
            started = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as answer:
                text = await answer.text()
            latencies.append((time.perf_counter() - started) * 1000)
            results = [e["result"] for e in json.loads(text).get("entries", [])]
            if answer.status != 200 or results != ["success"] * 3:
                raise AssertionError(f"HTTP {answer.status}: {text[:500]}")

    started = time.monotonic()
    connector = aiohttp.TCPConnector(limit=len(tokens) + 4)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(client(token, http) for token in tokens))
    return len(latencies), time.monotonic() - started, latencies


async def capture(url: str, key: str, eco: Economy, names: list[str]) -> Script:
    """Record one real order in-process; then give each replay client ``n`` a session of
    player ``n`` whose token hash is ``n``, so a replay can name its own player."""
    settings = Settings(database_url=url, admin_token=ADMIN, secret_key=key, background_jobs=False)
    engine = make_engine(url)
    runtime = Runtime.build(settings, engine, SecretBox(key.encode()))
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://coffer") as http:
        token = await player(http, eco, CAPTURE)
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(2):  # the stack and the balance exist, as for every later order
            await _ok(http.post("/inventory/v1/player/me/order", json=order(eco), headers=headers))
        with Recorder(engine) as recorder:
            recorder.on = True
            await _ok(http.post("/inventory/v1/player/me/order", json=order(eco), headers=headers))
            recorder.on = False
        for n, name in enumerate(names):  # a second session of the same player
            replay_token = await player(http, eco, name)
            async with engine.begin() as conn:
                await conn.execute(
                    text("UPDATE play_sessions SET token_hash = :n WHERE token_hash = :h"),
                    {"n": str(n), "h": token_hash(replay_token)},
                )
    await runtime.close()
    return recorder.script({token_hash(token): "player"})


async def one_backend(backend: str, seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"coffer-orders-{backend}-"))
    dbname = "coffer_orders_bench"
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
    }
    base = f"http://127.0.0.1:{PORT}"
    log = workdir / "coffer.log"
    coffer = start_coffer(["serve", "--no-migrate", "--port", str(PORT)], env, log)
    try:
        await wait_ready(base + "/healthz")
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            eco = await seed(http)
            names = [f"p{n}" for n in range(16)]
            tokens = [await player(http, eco, name) for name in names]
        script = await capture(url, key, eco, names)
        (workdir / "purchase.sql").write_text(pgbench_script(script))
        print(f"\n{backend}  (logs and the pgbench script in {workdir})")
        print(
            f"  per order: {script.statements} statements in "
            f"{sum(1 for s in script.steps if s.kind == 'begin')} transactions; Coffer makes "
            f"{script.round_trips} database round trips"
        )
        for clients in (1, 16):
            await _measure(backend, url, dbname, workdir, script, clients, seconds, base, eco,
                           tokens, coffer.pid, log)  # fmt: skip
        if backend == "postgresql":  # several processes need PostgreSQL
            coffer.terminate()
            coffer.wait(timeout=10)
            serve = ["serve", "--no-migrate", "--port", str(PORT), "--workers", "2"]
            coffer = start_coffer(serve, env, log)
            await wait_ready(base + "/healthz")
            await _measure(backend, url, dbname, workdir, script, 16, seconds, base, eco,
                           tokens, coffer.pid, log, " x2")  # fmt: skip
    finally:
        coffer.terminate()
        coffer.wait(timeout=10)


SLICES = 3  # each line is measured in this many slices, interleaved with its baseline's


def _joined(parts: list[Figures], unit: str = "order") -> Figures:
    cpu = [p.cpu_s for p in parts if p.cpu_s is not None]
    return Figures(
        sum(p.purchases for p in parts),
        sum(p.seconds for p in parts),
        [ms for p in parts for ms in p.latencies_ms],
        sum(cpu) if cpu else None,
        unit=unit,
    )


async def _measure(
    backend: str, url: str, dbname: str, workdir: Path, script: Script, clients: int,
    seconds: float, base: str, eco: Economy, tokens: list[str], pid: int, log: Path,
    suffix: str = "",
) -> None:  # fmt: skip
    """The baseline, the asyncpg replay and Coffer, each in SLICES slices taken in turn, so
    that the machine's drift from one minute to the next falls on all three alike."""
    players = list(range(clients))
    piece = max(2, round(seconds / SLICES))
    base_parts: list[Figures] = []
    loop_parts: list[Figures] = []
    http_parts: list[Figures] = []
    for _ in range(SLICES):
        if backend == "postgresql":
            base_parts.append(await asyncio.to_thread(pgbench_run, workdir, dbname, clients, piece))
            n, elapsed, lat = await asyncpg_loop(asyncpg_dsn(url), script, players, piece)
            loop_parts.append(Figures(n, elapsed, lat))
        else:
            path = url.split("///", 1)[1]
            n, elapsed, lat = await asyncio.to_thread(sqlite_loop, path, script, players, piece)
            base_parts.append(Figures(n, elapsed, lat))
        before = cpu_seconds(pid)
        try:
            n, elapsed, lat = await http_run(base, eco, tokens[:clients], piece)
        except AssertionError as failure:
            raise SystemExit(f"{failure}\n--- end of {log} ---\n{tail(log)}") from None
        http_parts.append(Figures(n, elapsed, lat, cpu_seconds(pid) - before, unit="order"))
    baseline = _joined(base_parts)
    name = "pgbench" if backend == "postgresql" else "sqlite3"
    print("  " + baseline.line(f"{name} {clients:>2}", None), flush=True)
    if loop_parts:
        print("  " + _joined(loop_parts).line(f"asyncpg {clients:>2}", baseline.rate))
    figures = _joined(http_parts)
    print("  " + figures.line(f"HTTP {clients:>2}{suffix}", baseline.rate), flush=True)


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
