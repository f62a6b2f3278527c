"""The vendor surfaces against Coffer's own S2S vault listing, on one player holding 1,000 items.

Each line reads the whole inventory of the same player through the app (in-process ASGI, every
middleware and dependency included) from 16 concurrent clients, and is timed in slices taken
in turn with the baseline's, so the machine's drift hits both alike:

- baseline: the S2S vault listing (``GET /api/s2s/inventory``, signed), walked page by page
  with its cursor, 200 items a page;
- PlayFab ``Client/GetUserInventory``: the whole inventory (and balances) in one answer;
- LootLocker ``GET player/{id}/inventory``: walked with ``count=200`` and ``after`` until
  ``total`` is read, as its clients page.

Each figure is full inventories read per second; the ratio is the line's over the baseline's
in the same slice (the target is at least 80%: the adapter must be thin).

Run: .venv/bin/python bench/compat.py [--items 1000] [--clients 16] [--backends sqlite,postgresql]
"""

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from bench_support import fresh_postgres
from cryptography.fernet import Fernet
from sqlalchemy import insert, text

from coffer import signing
from coffer.app import create_app
from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.kit.db import make_engine, utcnow
from coffer.kit.secrets import SecretBox
from coffer.kit.settings import Settings
from coffer.migrate import upgrade_to_head
from coffer.operators import service
from coffer.runtime import Runtime

ADMIN = "bench-admin-token"
SLICES, READS = 3, 4
Read = Callable[[], Awaitable[int]]


async def setup(http: httpx.AsyncClient, runtime: Runtime, count: int) -> dict[str, str]:
    """Operator ``acme`` with a key, a player holding ``count`` items; the credentials."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    body = {"slug": "acme", "name": "Acme", "baseCurrency": "EUR"}
    assert (await http.post("/api/admin/operators", json=body, headers=admin)).status_code == 201
    policies = {"policies": {"clientLogin": True}}
    await http.patch("/api/admin/operators/acme", json=policies, headers=admin)
    key = (await http.post("/api/admin/operators/acme/keys", json={}, headers=admin)).json()
    gems = {"code": "GEM", "name": "Gems", "initialGrantMinor": 1000}
    await http.post("/api/admin/operators/acme/virtual-currencies", json=gems, headers=admin)
    login = {"TitleId": "acme", "CustomId": "p1", "CreateAccount": True}
    ticket = (await http.post("/compat/playfab/Client/LoginWithCustomID", json=login)).json()
    async with runtime.sessions() as session:
        found = await service.operator_for(session, service.AdminPrincipal(None), "acme")
        server_key = await service.create_admin_token(session, found, "bench")
        item = Item(operator_id=found.id, name="Sword", type="digital", value_minor=0,
                    currency="EUR", shippable=False, custom_attributes={}, uses=3)  # fmt: skip
        session.add(item)
        await session.flush()
        now = utcnow()
        rows = [{"operator_id": found.id, "player_id": 1, "item_id": item.id, "state": "unresolved",
                 "created_at": now, "updated_at": now, "origin": "order", "remaining_uses": 3}
                for _ in range(count)]  # fmt: skip
        await session.execute(insert(InventoryItem), rows)
        await session.commit()
    started = await http.post(
        "/compat/lootlocker/server/session", headers={"x-server-key": server_key}
    )
    return {
        "key_id": key["keyId"], "secret": key["secret"],
        "ticket": ticket["data"]["SessionTicket"], "token": started.json()["token"],
    }  # fmt: skip


RAW = text(
    "SELECT i.id, i.count, i.remaining_uses, i.created_at, i.custom_data, t.id, t.name "
    "FROM inventory_items i JOIN items t ON t.id = i.item_id WHERE i.player_id = 1 "
    "AND i.state = 'unresolved' AND i.count > 0 AND i.id > :after ORDER BY i.id LIMIT 200"
)


def raw_reader(runtime: Runtime) -> Read:
    """The limit: the same rows, 200 a page, straight from the database (no app, no JSON)."""

    async def raw() -> int:
        seen, after = 0, 0
        while True:
            async with runtime.engine.connect() as conn:
                rows = (await conn.execute(RAW, {"after": after})).all()
            seen += len(rows)
            if len(rows) < 200:
                return seen
            after = rows[-1][0]

    return raw


def readers(http: httpx.AsyncClient, creds: dict[str, str]) -> dict[str, Read]:
    async def s2s() -> int:
        seen, cursor = 0, None
        while True:
            params = {
                "playerExternalId": "p1",
                "limit": "200",
                **({"cursor": cursor} if cursor else {}),
            }
            url = httpx.URL("/api/s2s/inventory", params=params)
            headers = signing.signed_headers(
                creds["secret"], "GET", url.raw_path.decode(), b"", key_id=creds["key_id"]
            )
            page = (await http.get(url, headers=headers)).json()
            seen += len(page["items"])
            cursor = page["cursor"]["next"]
            if not cursor:
                return seen

    async def playfab() -> int:
        headers = {"X-Authorization": creds["ticket"]}
        answer = await http.post(
            "/compat/playfab/Client/GetUserInventory", json={}, headers=headers
        )
        return len(answer.json()["data"]["Inventory"])

    async def lootlocker() -> int:
        """Pages until ``total`` is read, as a LootLocker client does."""
        seen, after = 0, 0
        headers = {"x-auth-token": creds["token"], "LL-Version": "2021-06-01"}
        path = "/compat/lootlocker/server/player/1/inventory"
        while True:
            params = {"count": 200, "after": after}
            page = (await http.get(path, params=params, headers=headers)).json()
            seen += len(page["items"])
            if seen >= page["total"] or not page["items"]:
                return seen
            after = page["items"][-1]["instance_id"]

    return {"S2S vault pages (baseline)": s2s, "PlayFab GetUserInventory": playfab,
            "LootLocker inventory pages": lootlocker}  # fmt: skip


async def rate(read: Read, count: int, clients: int) -> float:
    """Full inventories read per second by ``clients`` concurrent readers."""

    async def reader() -> None:
        for _ in range(READS):
            assert await read() == count, "every item must be read"

    started = time.perf_counter()
    await asyncio.gather(*[reader() for _ in range(clients)])
    return clients * READS / (time.perf_counter() - started)


async def bench_backend(backend: str, count: int, clients: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"coffer-compat-{backend}-"))
    url = (f"sqlite+aiosqlite:///{folder / 'coffer.db'}" if backend == "sqlite"
           else await fresh_postgres("coffer_compat_bench"))  # fmt: skip
    await asyncio.to_thread(upgrade_to_head, url)
    key = Fernet.generate_key()
    settings = Settings(database_url=url, secret_key=key.decode(), admin_token=ADMIN,
                        background_jobs=False)  # fmt: skip
    runtime = Runtime.build(settings, make_engine(url), SecretBox(key))
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        reads = readers(http, await setup(http, runtime, count))
        reads["raw SQL, same rows (the limit)"] = raw_reader(runtime)
        rates: dict[str, list[float]] = {name: [] for name in reads}
        for _ in range(SLICES):
            for name, read in reads.items():
                rates[name].append(await rate(read, count, clients))
    await runtime.close()
    baseline, limit = next(iter(rates.values())), rates["raw SQL, same rows (the limit)"]
    print(f"\n{backend}, {count} items, {clients} clients, {SLICES} slices")
    for name, found in rates.items():
        figures = " · ".join(f"{r:6.1f}" for r in found)
        ratios = " · ".join(f"{r / b:5.1%}" for r, b in zip(found, baseline, strict=True))
        of_limit = " · ".join(f"{r / b:5.1%}" for r, b in zip(found, limit, strict=True))
        print(f"  {name:<31} {figures} reads/s   {ratios} of S2S   {of_limit} of raw SQL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        asyncio.run(bench_backend(backend, args.items, args.clients))


if __name__ == "__main__":
    main()
