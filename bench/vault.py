"""Vault page latency against vault size: 100, 10,000 and 1,000,000 items, first and deep pages.

Fills one player's vault with N rows (bulk inserts, other players' rows beside them), then times
the listing use case (`inventory.vault.list_inventory`) in-process: the first page, and a page
reached by a cursor near the oldest item, filtered by one state, by two, and by every state (one
query per state, merged). Each filter's baseline is its first page on the smallest vault,
measured in the same run.

With ``--stacks`` the player holds generic stacks instead (SPEC §12: a count each, granted by
orders, spread over 1,000 items and their buckets), listed as ``unresolved``: the issue 13
comparison of 100,000 stacks against 100.

Run: .venv/bin/python bench/vault.py [--sizes 100,10000,1000000] [--backends sqlite,postgresql]
     .venv/bin/python bench/vault.py --stacks --sizes 100,100000
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


def _row(n: int, player_id: int, item_ids: list[int], stacks: bool) -> dict[str, object]:
    """One vault row (four in five unresolved), or one stack of a generic item."""
    if not stacks:
        return {"item_id": item_ids[0], "state": "unresolved" if n % 5 else "cashed_back"}
    item = item_ids[n % len(item_ids)]
    return {
        "item_id": item,
        "state": "unresolved",
        "count": 1 + n % 7,
        "origin": "order",
        "stack_key": f"{item}:b{n // len(item_ids)}",
    }


async def fill(runtime: Runtime, size: int, stacks: bool = False) -> tuple[int, str, int]:
    """A fresh operator whose player holds ``size`` items, interleaved with a neighbour's."""
    async with runtime.sessions() as session:
        operator_id, item_id, player_id = await make_owner(session, runtime, f"v{size}")
        neighbour = Player(operator_id=operator_id, external_id=f"v{size}-neighbour")
        session.add(neighbour)
        await session.flush()
        item_ids = [item_id] + [await _item_like(session, item_id) for _ in range(999 * stacks)]
        now = utcnow()
        for start in range(0, size, BATCH):
            rows = [
                {
                    "operator_id": operator_id,
                    "player_id": pid,
                    "created_at": now,
                    "updated_at": now,
                    **_row(n, pid, item_ids, stacks),
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


async def _item_like(session: AsyncSession, item_id: int) -> int:
    found = await session.get(Item, item_id)
    assert found is not None
    copy = Item(
        operator_id=found.operator_id, name="Potion", type="digital", value_minor=0,
        currency="EUR", shippable=False, custom_attributes={}, stackable=True,
    )  # fmt: skip
    session.add(copy)
    await session.flush()
    return copy.id


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


async def bench_backend(backend: str, sizes: list[int], stacks: bool) -> None:
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
        operator_id, player, oldest = await fill(runtime, size, stacks)
        if backend == "postgresql":
            async with runtime.engine.begin() as conn:
                await conn.execute(text("ANALYZE inventory_items"))
        filled = time.perf_counter() - started
        deep_cursor = encode_keyset("next", oldest + 200)
        kind = "stacks" if stacks else "items"
        print(f"  {size:>9} {kind} (filled in {filled:5.1f} s)", flush=True)
        filters = [["unresolved"]] if stacks else [["unresolved"], ["unresolved", "cashed_back"]]
        for states in filters if stacks else [*filters, list(LISTED)]:
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
    parser.add_argument("--stacks", action="store_true", help="generic stacks, not prizes")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for backend in args.backends.split(","):
        asyncio.run(bench_backend(backend, sizes, args.stacks))


if __name__ == "__main__":
    main()
