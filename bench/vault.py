"""Vault page latency against vault size: 100, 10,000 and 1,000,000 items, first and deep pages.

Fills one player's vault with N rows (bulk inserts, other players' rows beside them), then times
the listing use case (`inventory.vault.list_inventory`) in-process: the first page, and a page
reached by a cursor near the oldest item, filtered by one state, by two, and by every state (one
query per state, merged). Each filter's baseline is its first page on the smallest vault,
measured in the same run.

Run: .venv/bin/python bench/vault.py [--sizes 100,10000,1000000] [--backends sqlite,postgresql]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench_support import fresh_postgres
from cryptography.fernet import Fernet
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.inventory.states import LISTED
from coffer.inventory.vault import InventoryQuery, list_inventory
from coffer.kit.cursors import encode_keyset
from coffer.kit.db import make_engine, utcnow
from coffer.kit.secrets import SecretBox
from coffer.kit.settings import Settings
from coffer.migrate import upgrade_to_head
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.runtime import Runtime

BATCH = 20_000
RUNS = 50


async def make_owner(session: AsyncSession, runtime: Runtime, slug: str) -> tuple[int, int, int]:
    operator = Operator(
        slug=slug,
        name=slug,
        base_currency="EUR",
        outbound_secret_sealed=runtime.secrets.seal("s"),
        policies={},
    )
    session.add(operator)
    await session.flush()
    item = Item(
        operator_id=operator.id,
        name="Sword",
        type="physical",
        value_minor=320,
        currency="EUR",
        cashback_bps=2500,
        shippable=True,
        custom_attributes={},
    )
    player = Player(operator_id=operator.id, external_id=f"{slug}-player")
    session.add_all([item, player])
    await session.flush()
    return operator.id, item.id, player.id


async def fill(runtime: Runtime, size: int) -> tuple[int, str, int]:
    """A fresh operator whose player holds ``size`` items, interleaved with a neighbour's."""
    async with runtime.sessions() as session:
        operator_id, item_id, player_id = await make_owner(session, runtime, f"v{size}")
        neighbour = Player(operator_id=operator_id, external_id=f"v{size}-neighbour")
        session.add(neighbour)
        await session.flush()
        now = utcnow()
        for start in range(0, size, BATCH):
            rows = [
                {
                    "operator_id": operator_id,
                    "player_id": pid,
                    "item_id": item_id,
                    "state": "unresolved" if n % 5 else "cashed_back",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(start, min(start + BATCH, size))
                for pid in (player_id, neighbour.id)
            ]
            await session.execute(insert(InventoryItem), rows)
        await session.commit()
        oldest = await session.scalar(
            text("SELECT min(id) FROM inventory_items WHERE player_id = :p"), {"p": player_id}
        )
    return operator_id, f"v{size}-player", int(oldest or 1)


async def time_page(runtime: Runtime, operator_id: int, query: InventoryQuery) -> float:
    samples = []
    for _ in range(RUNS):
        async with runtime.sessions() as session:
            operator = await session.get(Operator, operator_id)
            assert operator is not None
            started = time.perf_counter()
            page = await list_inventory(session, operator, query)
            samples.append((time.perf_counter() - started) * 1000)
        assert page["items"], "the page must not be empty"
    return statistics.median(samples)


async def bench_backend(backend: str, sizes: list[int]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"coffer-vault-{backend}-"))
    url = (
        f"sqlite+aiosqlite:///{workdir / 'coffer.db'}"
        if backend == "sqlite"
        else await fresh_postgres("coffer_vault_bench")
    )
    await asyncio.to_thread(upgrade_to_head, url)
    key = Fernet.generate_key()
    settings = Settings(database_url=url, secret_key=key.decode(), background_jobs=False)
    runtime = Runtime.build(settings, make_engine(url), SecretBox(key))
    if backend == "postgresql":
        async with runtime.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    print(f"\n{backend}")
    baselines: dict[int, float] = {}  # per filter: its page on the smallest vault
    for size in sizes:
        started = time.perf_counter()
        operator_id, player, oldest = await fill(runtime, size)
        if backend == "postgresql":
            async with runtime.engine.begin() as conn:
                await conn.execute(text("ANALYZE inventory_items"))
        filled = time.perf_counter() - started
        deep_cursor = encode_keyset("next", oldest + 200)
        print(f"  {size:>9} items (filled in {filled:5.1f} s)", flush=True)
        for states in (["unresolved"], ["unresolved", "cashed_back"], list(LISTED)):
            first = await time_page(runtime, operator_id, InventoryQuery(player, states, 50, None))
            deep_query = InventoryQuery(player, states, 50, deep_cursor)
            deep = await time_page(runtime, operator_id, deep_query)
            baseline = baselines.setdefault(len(states), first)
            print(
                f"    {len(states)} state(s): first page {first:6.2f} ms, deep page "
                f"{deep:6.2f} ms, first/baseline {first / baseline:4.2f}, "
                f"deep/baseline {deep / baseline:4.2f}",
                flush=True,
            )
    await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,10000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for backend in args.backends.split(","):
        asyncio.run(bench_backend(backend, sizes))


if __name__ == "__main__":
    main()
