"""The CLI does what the admin API does, on the same database, and the demo seeds once."""

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from coffer.catalog.models import Box, BoxVersion, Item
from coffer.cli.main import app
from coffer.kit.db import utcnow
from coffer.operators.models import AdminToken, Currency, Operator
from coffer.runtime import Runtime
from tests.conftest import SECRET_KEY, OperatorCtx
from tests.support.api import AdminApi, SignedClient

STATE = "/api/s2s/fairness/state"


async def invoke(database_url: str, *args: str, admin_token: str = "") -> str:
    """Run the CLI in a thread: its commands start their own event loop."""
    return await asyncio.to_thread(invoke_sync, database_url, *args, admin_token=admin_token)


def invoke_sync(database_url: str, *args: str, admin_token: str = "") -> str:
    env = {
        "COFFER_DATABASE_URL": database_url,
        "COFFER_SECRET_KEY": SECRET_KEY,
        "COFFER_ADMIN_TOKEN": admin_token,
        "COFFER_EGRESS_ALLOW": "127.0.0.0/8",
    }
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def grab(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, text
    return found.group(1)


async def test_operator_key_currency_and_token_commands(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    url = runtime.settings.database_url
    out = await invoke(url, "operator", "create", "--slug", "acme", "--name", "Acme")
    assert grab(r"outbound secret \(shown once\): (whsec_\S+)", out)
    await invoke(url, "currency", "set", "-o", "acme", "--code", "usd", "--rate", "0.92")
    out = await invoke(url, "key", "create", "-o", "acme")
    key_id, secret = grab(r"key id: (igk_\w+)", out), grab(r"secret \(shown once\): (\S+)", out)
    signed = SignedClient(client, key_id, secret)
    assert (await signed.get(STATE, {"playerExternalId": "p"})).status_code == 200
    await invoke(url, "key", "revoke", "-o", "acme", key_id)
    assert (await signed.get(STATE, {"playerExternalId": "p"})).status_code == 401
    token = grab(
        r"admin token \(shown once\): (cat_\S+)", await invoke(url, "admin-token", "-o", "acme")
    )
    listed = await AdminApi(client, token).call("GET", "/operators")
    assert [o["slug"] for o in listed["operators"]] == ["acme"]
    async with runtime.sessions() as session:
        codes = (await session.execute(select(Currency.code).order_by(Currency.code))).scalars()
        assert list(codes) == ["EUR", "USD"]
    assert "list" in await invoke(url, "operator", "--help")
    assert "acme" in await invoke(url, "operator", "list")


async def test_cli_errors_exit_nonzero_with_the_fix(runtime: Runtime) -> None:
    env = {"COFFER_DATABASE_URL": runtime.settings.database_url, "COFFER_SECRET_KEY": SECRET_KEY}
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["key", "create", "-o", "ghost"], env=env
    )
    assert result.exit_code == 1
    assert "NOT_FOUND" in result.output
    bad = CliRunner().invoke(app, ["operator", "create", "--slug", "A B", "--name", "x"], env=env)
    assert bad.exit_code == 2
    await invoke(runtime.settings.database_url, "operator", "create", "--slug", "z1", "--name", "Z")
    for extra in [["--rate", "1.1", "--digits", "9"], ["--rate", " 1e3 "]]:
        args = ["currency", "set", "-o", "z1", "--code", "GBP", *extra]
        refused = await asyncio.to_thread(CliRunner().invoke, app, args, env=env)
        assert refused.exit_code == 1, refused.output
        assert "VALIDATION_ERROR" in refused.output


async def test_demo_seeds_once_and_prints_the_same_credentials_again(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    url = runtime.settings.database_url
    first = await invoke(url, "demo")
    second = await invoke(url, "demo")
    assert "created" in first
    assert "already there" in second
    for label in (r"S2S key id\s+(\S+)", r"S2S secret\s+(\S+)", r"admin token\s+(cat_\S+)"):
        assert grab(label, first) == grab(label, second)  # nothing another run printed is revoked
    token = grab(r"admin token\s+(cat_\S+)", first)
    assert f"COFFER_ADMIN_TOKEN={token}" in first  # the banner's exports
    new = SignedClient(
        client, grab(r"S2S key id\s+(\S+)", second), grab(r"S2S secret\s+(\S+)", second)
    )
    listed = (await new.get("/api/s2s/boxes", {"currency": "USD"})).json()
    assert [b["name"] for b in listed["boxes"]] == ["Starter Box", "Tech Box"]
    assert all(0 < b["houseEdgeBps"] < 2000 for b in listed["boxes"]), listed
    demo = await AdminApi(client, token).call("GET", "/operators/demo")
    assert [c["code"] for c in demo["currencies"]] == ["EUR", "GBP", "USD"]
    async with runtime.sessions() as session:
        for model, expected in [(Operator, 1), (Item, 7), (Box, 2), (BoxVersion, 2)]:
            count = await session.execute(select(func.count()).select_from(model))
            assert count.scalar_one() == expected, model
        types = set((await session.execute(select(Item.type))).scalars())
        assert types == {"physical", "digital", "bonus"}


async def test_a_revoked_demo_token_is_replaced_never_revived(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    url = runtime.settings.database_url
    first = grab(r"admin token\s+(cat_\S+)", await invoke(url, "demo"))
    async with runtime.sessions() as session:
        await session.execute(update(AdminToken).values(revoked_at=utcnow()))
        await session.commit()
    second = grab(r"admin token\s+(cat_\S+)", await invoke(url, "demo"))
    assert second != first
    assert (await client.get("/api/admin/operators", headers=bearer(first))).status_code == 401
    assert (await client.get("/api/admin/operators", headers=bearer(second))).status_code == 200


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_migrate_creates_a_fresh_database(tmp_path: Path, database_url: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    assert "database migrated" in invoke_sync(url, "migrate")
    assert (tmp_path / "fresh.db").exists()


async def test_resolve_reports_what_it_did(runtime: Runtime) -> None:
    out = await invoke(runtime.settings.database_url, "resolve")
    assert "rolled back 0, credited 0, still open 0" in out
    assert "resolver" in await invoke(runtime.settings.database_url, "worker", "--help")


async def test_expire_expires_items_past_the_claim_window(
    runtime: Runtime, admin: AdminApi, operator: OperatorCtx
) -> None:
    from datetime import timedelta

    from coffer.inventory.models import InventoryItem
    from coffer.kit.db import utcnow
    from coffer.players.service import ensure_player
    from coffer.webhooks.models import WebhookEvent

    body = {"name": "Mug", "type": "physical", "valueMinor": 900, "currency": "EUR"}
    item = await admin.call("POST", f"/operators/{operator.slug}/items", body, expect=201)
    async with runtime.sessions() as session:
        owner = await session.get(Operator, operator.operator_id)
        assert owner is not None
        player = await ensure_player(session, owner, "u_1")
        for age in (40, 10):
            when = utcnow() - timedelta(days=age)
            session.add(
                InventoryItem(
                    operator_id=owner.id,
                    player_id=player.id,
                    item_id=item["itemId"],
                    state="unresolved",
                    created_at=when,
                    updated_at=when,
                )
            )
        await session.commit()
    url = runtime.settings.database_url
    assert "expired 0 items" in await invoke(url, "expire")  # no window: nothing expires
    policies = {"policies": {"claimWindowDays": 30}}
    await admin.call("PATCH", f"/operators/{operator.slug}", policies)
    assert "expired 1 items" in await invoke(url, "expire")
    async with runtime.sessions() as session:
        states = (await session.scalars(select(InventoryItem.state))).all()
        events = (await session.scalars(select(WebhookEvent.type))).all()
    assert sorted(states) == ["expired", "unresolved"]
    assert events == ["item_expired"]


NO_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"  # refused before it is used


@pytest.mark.parametrize(
    ("args", "url", "says"),
    [
        (["serve", "--workers", "2"], "sqlite", "needs PostgreSQL"),
        (["serve", "--demo", "--workers", "2"], NO_DATABASE, "--demo runs one process"),
    ],
)
def test_several_workers_are_refused_on_sqlite_and_with_the_demo(
    tmp_path: Path, args: list[str], url: str, says: str
) -> None:
    database = tmp_path / "never.db"
    if url == "sqlite":
        url = f"sqlite+aiosqlite:///{database}"
    env = {"COFFER_DATABASE_URL": url, "COFFER_SECRET_KEY": SECRET_KEY}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert says in " ".join(result.output.split())
    assert not database.exists()  # refused before migrating anything
