"""The casino's wallet export: accepted instructions only, in the CSV Coffer reconciles with."""

from datetime import UTC, datetime
from pathlib import Path

import httpx
from typer.testing import CliRunner

from coffer.reconcile.walletcsv import parse_wallet_export
from coffer_casino.cli import casino_app
from tests.support.casino import CasinoServer
from tests.support.wallet_calls import post_signed, wallet_body


async def test_the_export_lists_accepted_instructions_only(
    casino: CasinoServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    casino.deposit("u_1", "EUR", 1_000)
    for body in (
        wallet_body("wallet.debit", "round:r_1", "u_1", 400),
        wallet_body("wallet.debit", "round:r_2", "u_1", 5_000),  # refused: too little money
        wallet_body("wallet.credit", "payout:round:r_1", "u_1", 700),
        wallet_body("wallet.rollback", "rollback:round:r_3", "u_1", 9, rollbackOf="round:r_3"),
    ):
        assert (await post_signed(http, casino.url, casino.secret, body)).status_code == 200
    day = datetime.now(UTC).date().isoformat()
    export = f"{casino.direct_base_url}/casino/wallet/export"
    served = await http.get(export, params={"day": day})
    assert served.headers["content-type"].startswith("text/csv")
    rows = parse_wallet_export(served.content)
    assert [(r.idempotency_key, r.type, r.amount_minor) for r in rows] == [
        ("round:r_1", "wallet.debit", 400),
        ("payout:round:r_1", "wallet.credit", 700),
        ("rollback:round:r_3", "wallet.rollback", 9),
    ]
    assert all(r.provider_txn_ref and r.created_at for r in rows)
    bad = await http.get(export, params={"day": "x"})
    assert bad.status_code == 422
    assert (await http.get(export, params={"day": "2001-01-01"})).text == (
        "idempotency_key,type,player_external_id,amount_minor,currency,provider_txn_ref,created_at\n"
    )


def test_the_cli_writes_a_days_export(tmp_path: Path) -> None:
    database, out = tmp_path / "casino.db", tmp_path / "wallet.csv"
    args = ["--day", "2026-12-01", "--database", str(database)]
    written = CliRunner().invoke(casino_app, ["export-wallet", *args, "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert "0 wallet instructions of 2026-12-01" in written.output
    assert parse_wallet_export(out.read_bytes()) == []
    refused = CliRunner().invoke(casino_app, ["export-wallet", "--day", "2026-02-30"])
    assert refused.exit_code == 2
