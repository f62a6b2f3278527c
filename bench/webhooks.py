"""Webhook delivery rate through the outbox, against raw signed POSTs to the same receiver.

Starts the reference casino (`coffer casino serve`, its own SQLite inbox) as the receiver and
writes N events for P players into a fresh Coffer database. In the same run it times:

- raw: N signed POSTs of events of the same size, fresh ids, sent straight to the receiver by as
  many concurrent senders as a worker batch has (no database on Coffer's side): the baseline;
- the worker: `webhooks.delivery.drain` in-process until the outbox is empty, with 1 worker and
  then with 4 concurrent workers (N fresh events each time).

Run: .venv/bin/python bench/webhooks.py [--events 2000] [--players 200]
     [--backends sqlite,postgresql]
"""

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from bench_support import fresh_postgres, start_coffer, wait_ready
from cryptography.fernet import Fernet

from coffer import signing
from coffer.kit.db import make_engine
from coffer.kit.egress import EgressPolicy, guarded_client
from coffer.kit.secrets import SecretBox
from coffer.kit.settings import Settings
from coffer.migrate import upgrade_to_head
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.runtime import Runtime
from coffer.webhooks import delivery
from coffer.webhooks.outbox import emit, new_event_id

CASINO_PORT = 8733
SECRET = "whsec_bench_outbound_secret"
HOOK_URL = f"http://127.0.0.1:{CASINO_PORT}/casino/webhooks"
DATA = {"inventoryItemId": 123456, "itemId": 42, "state": "expired", "claimWindowDays": 30}


async def seed(runtime: Runtime, players: int) -> tuple[int, list[int]]:
    async with runtime.sessions() as session:
        operator = Operator(
            slug="bench",
            name="Bench",
            base_currency="EUR",
            webhook_url=HOOK_URL,
            outbound_secret_sealed=runtime.secrets.seal(SECRET),
            policies={},
        )
        session.add(operator)
        await session.flush()
        rows = [Player(operator_id=operator.id, external_id=f"p{n}") for n in range(players)]
        session.add_all(rows)
        await session.flush()
        await session.commit()
        return operator.id, [p.id for p in rows]


async def write_events(runtime: Runtime, operator_id: int, players: list[int], count: int) -> None:
    for start in range(0, count, 500):
        async with runtime.sessions() as session:
            for n in range(start, min(start + 500, count)):
                await emit(session, operator_id, players[n % len(players)], "item_expired", DATA)
            await session.commit()


async def raw_rate(count: int, senders: int) -> float:
    """Events per second posting signed bodies straight to the receiver, no database."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for n in range(count):
        body = {
            "id": new_event_id(),
            "type": "item_expired",
            "createdAt": "2026-11-25T00:00:00Z",
            "operatorId": 1,
            "data": {"playerExternalId": f"p{n}", **DATA},
        }
        queue.put_nowait(json.dumps(body, separators=(",", ":")).encode())

    async def sender(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            raw = queue.get_nowait()
            headers = signing.signed_headers(SECRET, "POST", HOOK_URL, raw)
            headers["Webhook-Id"] = json.loads(raw)["id"]
            headers["Content-Type"] = "application/json"
            response = await http.post(HOOK_URL, content=raw, headers=headers, timeout=10)
            response.raise_for_status()

    # The client Coffer's workers use (aiohttp's pool, the egress check), so the baseline differs
    # from the outbox only in the database work.
    async with guarded_client(EgressPolicy.allowing(["127.0.0.1"]), 100) as http:
        started = time.perf_counter()
        await asyncio.gather(*(sender(http) for _ in range(senders)))
        return count / (time.perf_counter() - started)


async def worker_rate(runtime: Runtime, workers: int, count: int) -> float:
    started = time.perf_counter()
    reports = await asyncio.gather(*(delivery.drain(runtime.courier) for _ in range(workers)))
    elapsed = time.perf_counter() - started
    delivered = sum(r.delivered for r in reports)
    if delivered != count:
        raise RuntimeError(f"delivered {delivered} of {count}")
    return count / elapsed


def start_receiver(workdir: Path) -> subprocess.Popen[bytes]:
    args = ["casino", "serve", "--port", str(CASINO_PORT), "--database", str(workdir / "c.db")]
    return start_coffer(args, {"CASINO_OUTBOUND_SECRET": SECRET})


async def bench_backend(backend: str, events: int, players: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"coffer-webhooks-{backend}-"))
    url = (
        f"sqlite+aiosqlite:///{workdir / 'coffer.db'}"
        if backend == "sqlite"
        else await fresh_postgres("coffer_webhook_bench")
    )
    await asyncio.to_thread(upgrade_to_head, url)
    key = Fernet.generate_key()
    settings = Settings(
        database_url=url, secret_key=key.decode(), background_jobs=False, egress_allow="127.0.0.1"
    )
    runtime = Runtime.build(settings, make_engine(url), SecretBox(key))
    receiver = start_receiver(workdir)
    try:
        await wait_ready(f"http://127.0.0.1:{CASINO_PORT}/casino/ledger")
        operator_id, player_ids = await seed(runtime, players)
        raw = await raw_rate(events, settings.webhook_batch)
        print(f"\n{backend}: {events} events for {players} players")
        print(f"  raw signed POSTs, {settings.webhook_batch} senders: {raw:8.1f} events/s")
        for workers in (1, 4):
            await write_events(runtime, operator_id, player_ids, events)
            rate = await worker_rate(runtime, workers, events)
            print(
                f"  outbox, {workers} worker(s):             {rate:8.1f} events/s "
                f"({rate / raw:.0%} of raw)",
                flush=True,
            )
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        asyncio.run(bench_backend(backend, args.events, args.players))


if __name__ == "__main__":
    main()
