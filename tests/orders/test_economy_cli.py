"""``coffer economy``: an operator defines items, loots and promotions from the shell."""

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from coffer.cli.main import app
from tests.conftest import SECRET_KEY, OperatorCtx
from tests.support.api import AdminApi


def cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {"COFFER_DATABASE_URL": database_url, "COFFER_SECRET_KEY": SECRET_KEY}
    result = CliRunner().invoke(app, ["economy", *args], env=env)
    return result.exit_code, result.output


async def test_items_loots_and_promotions_are_defined_from_files(
    admin: AdminApi, operator: OperatorCtx, database_url: str, tmp_path: Path
) -> None:
    potion = tmp_path / "potion.json"
    potion.write_text(json.dumps({
        "name": "Potion", "type": "digital", "valueMinor": 0, "currency": "EUR",
        "stackable": True, "maxStack": 99,
    }))  # fmt: skip
    code, out = await asyncio.to_thread(
        cli, database_url, "item", "--operator", "acme", "--file", str(potion)
    )
    assert code == 0, out
    item_id = int(out.split()[1])
    pack = tmp_path / "pack.json"
    pack.write_text(json.dumps({"name": "Pack", "contents": [{"itemId": item_id, "quantity": 2}],
                                "prices": [{"priceItemId": item_id, "price": 4}]}))  # fmt: skip
    code, out = await asyncio.to_thread(
        cli, database_url, "loot", "--operator", "acme", "--file", str(pack)
    )
    assert code == 0, out
    assert "etag v1" in out
    loot_id = int(out.split()[1])
    code, out = await asyncio.to_thread(
        cli, database_url, "promotion", "--operator", "acme", "--code", "HELLO",
        "--loot", str(loot_id), "--uses", "5",
    )  # fmt: skip
    assert code == 0, out
    code, out = await asyncio.to_thread(cli, database_url, "list", "--operator", "acme")
    assert code == 0, out
    assert "Pack" in out
    assert f"4 of item {item_id}" in out
    assert "HELLO" in out
    listed = await admin.call("GET", "/operators/acme/promotions")
    assert listed["promotions"][0]["usesLeft"] == 5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "Pack", "contents": [{"itemId": 999_999, "quantity": 1}]}))
    code, out = await asyncio.to_thread(
        cli, database_url, "loot", "--operator", "acme", "--file", str(bad)
    )
    assert code == 1
    assert "no item 999999" in out
