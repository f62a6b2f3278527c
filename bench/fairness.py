"""Draw cost against prize-list size, and a purchase's cost from a big box against a small one.

First the pick alone: binary search (ours) vs a linear scan. Then purchases as they run (signed
HTTP into the app in-process, a wallet that accepts at once, SQLite): boxes of 10 and of 10,000
prizes, interleaved in batches, Coffer's CPU ms per purchase, median of 3.

Run: .venv/bin/python bench/fairness.py [--draws N] [--purchases N]
"""

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from load import signed_purchase, with_app

from coffer.fairness import algorithm
from coffer.migrate import upgrade_to_head

SIZES = [10, 100, 1_000, 10_000]


def linear_pick(cumulative: list[int], ticket: int) -> int:
    """The naive baseline: first running sum above the ticket, by scanning."""
    for index, running in enumerate(cumulative):
        if running > ticket:
            return index
    raise AssertionError("ticket out of range")


def per_draw_us(fn: object, draws: int) -> float:
    assert callable(fn)
    started = time.perf_counter()
    for nonce in range(draws):
        fn(nonce)
    return (time.perf_counter() - started) / draws * 1e6


async def big_and_small(purchases: int) -> None:
    """CPU ms per purchase from a 10-prize and a 10,000-prize box, interleaved, median of 3."""
    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'coffer.db'}"
    await asyncio.to_thread(upgrade_to_head, url)
    async with with_app(url, Fernet.generate_key().decode()) as (http, shop):
        versions = {size: await box_of(http, size) for size in (10, 10_000)}
        costs: dict[int, list[float]] = {10: [], 10_000: []}
        for round_ in range(4):  # the first round warms each card up and is not counted
            for size, version in versions.items():
                started = time.process_time()
                for n in range(purchases):
                    action = f"{size}-{round_}-{n}"
                    raw, headers = signed_purchase(shop, f"p{n % 16}", action, version)
                    response = await http.post("/api/s2s/purchase", content=raw, headers=headers)
                    assert response.status_code == 200, response.text
                if round_:
                    costs[size].append((time.process_time() - started) / purchases * 1000)
    small, big = statistics.median(costs[10]), statistics.median(costs[10_000])
    print(f"purchase CPU ms (in-process, median of 3): 10 prizes {small:.2f}, "
          f"10,000 prizes {big:.2f}, ratio {big / small:.2f}")  # fmt: skip


async def box_of(http: httpx.AsyncClient, size: int) -> int:
    """A published box of ``size`` item prizes (ten items, reused), weights 1..1000."""
    items = []
    for n in range(10):
        body = {"name": f"I{size}-{n}", "type": "digital", "valueMinor": 100, "currency": "EUR"}
        items.append((await http.post("/api/admin/operators/bench/items", json=body)).json())
    rng = random.Random(size)
    prizes = [
        {"itemId": items[n % 10]["itemId"], "weight": rng.randint(1, 1000)} for n in range(size)
    ]
    body = {"name": f"B{size}", "slug": f"b{size}", "priceMinor": 500, "currency": "EUR"}
    box = await http.post("/api/admin/operators/bench/boxes", json={**body, "prizes": prizes})
    published = await http.post(f"/api/admin/operators/bench/boxes/{box.json()['boxId']}/publish")
    return int(published.json()["boxVersionId"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--purchases", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    seed, client = "a" * 64, "bench"
    print(
        f"{'prizes':>7} {'table build ms':>15} {'draw us (bisect)':>17} "
        f"{'draw us (linear)':>17} {'linear/bisect':>14}"
    )
    for size in SIZES:
        weights = [rng.randint(1, 1_000_000) for _ in range(size)]
        started = time.perf_counter()
        table = algorithm.PrizeTable(weights)
        build_ms = (time.perf_counter() - started) * 1e3
        cumulative = list(itertools.accumulate(weights))

        def ours(nonce: int, table: algorithm.PrizeTable = table) -> None:
            algorithm.draw(seed, client, nonce, table, 1)

        def baseline(nonce: int, cumulative: list[int] = cumulative) -> None:
            (u,) = algorithm.words(seed, client, nonce, 1)
            linear_pick(cumulative, algorithm.ticket(u, cumulative[-1]))

        fast, slow = per_draw_us(ours, args.draws), per_draw_us(baseline, args.draws)
        print(f"{size:>7} {build_ms:>15.3f} {fast:>17.2f} {slow:>17.2f} {slow / fast:>14.1f}")
    asyncio.run(big_and_small(args.purchases))


if __name__ == "__main__":
    main()
