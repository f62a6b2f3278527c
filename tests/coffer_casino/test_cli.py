"""``coffer casino``: deposit straight into the casino's database; serve needs the secret."""

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from coffer_casino.app import create_casino_app
from coffer_casino.cli import casino_app
from coffer_casino.settings import CasinoSettings
from coffer_casino.wallet import Casino


def balance_and_mismatches(database: Path) -> tuple[int, list[Any]]:
    async def read() -> tuple[int, list[Any]]:
        casino = Casino(f"sqlite+aiosqlite:///{database}")
        try:
            return await casino.balance("u_cli", "USD"), await casino.mismatches()
        finally:
            await casino.close()

    return asyncio.run(read())


def test_deposit_writes_a_ledger_row_each_time(tmp_path: Path) -> None:
    database = tmp_path / "casino.db"
    args = ["deposit", "--player", "u_cli", "--amount-minor", "2500", "--currency", "usd"]
    for expected in ("2500", "5000"):
        result = CliRunner().invoke(casino_app, [*args, "--database", str(database)])
        assert result.exit_code == 0, result.output
        assert expected in result.output
    assert balance_and_mismatches(database) == (5000, [])


def test_deposit_refuses_bad_amounts(tmp_path: Path) -> None:
    database = str(tmp_path / "casino.db")
    for amount, currency in (("0", "EUR"), ("1.5", "EUR"), ("10", "EURO")):
        result = CliRunner().invoke(
            casino_app,
            [
                "deposit",
                "--player",
                "p",
                "--amount-minor",
                amount,
                "--currency",
                currency,
                "--database",
                database,
            ],
        )
        assert result.exit_code == 2, result.output


def test_serve_takes_the_secret_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: FastAPI, **options: Any) -> None:
        seen.update(options, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    database = str(tmp_path / "casino.db")
    env = {"CASINO_OUTBOUND_SECRET": "whsec_from_env"}
    result = CliRunner().invoke(
        casino_app, ["serve", "--port", "8123", "--database", database], env=env
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/casino/wallet" in result.output
    assert "/casino/webhooks" in result.output
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert isinstance(seen["app"], FastAPI)
    assert "whsec_from_env" not in result.output


def test_serve_without_a_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASINO_OUTBOUND_SECRET", raising=False)
    result = CliRunner().invoke(casino_app, ["serve"])
    assert result.exit_code == 2
    assert "outbound secret" in result.output


async def test_the_back_office_answers_loopback_clients_only(tmp_path: Path) -> None:
    settings = CasinoSettings(outbound_secret="whsec_x", database_path=str(tmp_path / "c.db"))
    app = create_casino_app(settings)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://casino") as client:
        for path in ("/casino/ledger", "/casino/players/u_1/balances", "/casino/webhooks/events"):
            assert (await client.get(path)).status_code == 403
        deposit = {"currency": "EUR", "amountMinor": 100}
        assert (await client.post("/casino/players/u_1/deposit", json=deposit)).status_code == 403
