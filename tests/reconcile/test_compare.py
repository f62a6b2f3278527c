"""The comparison by key, without a database: each kind of difference, and none when agreed."""

from datetime import UTC, datetime, timedelta

from coffer.reconcile.compare import Difference, compare
from coffer.reconcile.outcomes import Line
from coffer.reconcile.walletcsv import WalletRow

DAY = datetime(2026, 12, 1, 10, tzinfo=UTC)


def line(key: str, rpc: str = "wallet.debit", state: str = "accepted", **more: object) -> Line:
    fields: dict[str, object] = {
        "id": 1,
        "idempotency_key": key,
        "rpc": rpc,
        "kind": "purchase",
        "player_external_id": "u_1",
        "round_public_id": None,
        "inventory_item_id": None,
        "amount_minor": 500,
        "currency": "EUR",
        "state": state,
        "funding": "player",
        "provider_txn_ref": None,
        "created_at": DAY,
    }
    return Line(**(fields | more))  # type: ignore[arg-type]


def row(key: str, kind: str = "wallet.debit", amount: int = 500, **more: object) -> WalletRow:
    fields: dict[str, object] = {
        "line": 2,
        "idempotency_key": key,
        "type": kind,
        "player_external_id": "u_1",
        "amount_minor": amount,
        "currency": "EUR",
        "provider_txn_ref": None,
        "created_at": None,
    }
    return WalletRow(**(fields | more))  # type: ignore[arg-type]


def kinds(found: list[Difference]) -> list[tuple[str, str]]:
    return [(d.idempotency_key, d.kind) for d in found]


def test_the_books_agree_on_money_undone_and_unsent_instructions() -> None:
    ours = [
        line("round:a"),
        line("payout:round:a", "wallet.credit", amount_minor=700),
        line("round:b", state="rolled_back"),  # undone: the wallet may or may not hold it
        line("round:c", state="rolled_back"),
        line("rollback:round:b", "wallet.rollback"),
        line("rollback:round:c", "wallet.rollback"),
        line("round:d", state="refused"),
        line("round:e", "none", state="skipped", funding="operator"),
        line("round:f", state="uncertain"),
    ]
    theirs = [
        row("round:a"),
        row("payout:round:a", "wallet.credit", 700),
        row("round:b"),
        row("rollback:round:b", "wallet.rollback"),
        row("rollback:round:c", "wallet.rollback"),
    ]
    assert compare(ours, theirs) == []


def test_each_disagreement_is_listed_by_key() -> None:
    ours = [
        line("round:gone"),
        line("round:refused", state="refused"),
        line("round:free", "none", state="skipped"),
        line("round:waiting", state="uncertain"),
        line("round:changed"),
        line("refund:round:x", "wallet.credit"),
    ]
    theirs = [
        row("round:refused"),
        row("round:free"),
        row("round:waiting"),
        row("round:changed", amount=499, currency="USD", player_external_id="u_2"),
        row("refund:round:x", "wallet.credit"),
        row("refund:round:x", "wallet.credit", line=9),
        row("round:stranger"),
        row("round:yesterday"),
    ]
    elsewhere = {"round:yesterday": line("round:yesterday", created_at=DAY - timedelta(days=1))}
    found = compare(ours, theirs, elsewhere)
    assert kinds(found) == [
        ("refund:round:x", "duplicate_in_wallet"),
        ("round:changed", "mismatch"),
        ("round:free", "not_accepted_in_coffer"),
        ("round:gone", "missing_in_wallet"),
        ("round:refused", "not_accepted_in_coffer"),
        ("round:stranger", "not_accepted_in_coffer"),
        ("round:waiting", "open_in_coffer"),
        ("round:yesterday", "recorded_on_other_day"),
    ]
    changed = found[1]
    assert changed.fields == ("amountMinor", "currency", "playerExternalId")
    assert "amountMinor: Coffer 500, wallet 499" in changed.message
    assert "2026-11-30" in found[-1].message
    assert "lines 2 and 9" in found[0].message
