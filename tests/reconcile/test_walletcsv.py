"""The wallet export's CSV: what parses, and every malformed row refused by its line."""

from datetime import UTC, datetime

import pytest

from coffer.reconcile.walletcsv import HEADER, MalformedWalletExport, parse_wallet_export

GOOD = ",".join(HEADER) + "\nround:r_1,wallet.debit,u_1,500,EUR,ctx_1,2026-12-01T10:15:02Z\n"


def test_a_good_export_parses_with_its_lines() -> None:
    extra = "\ufeffnote,currency,amount_minor,type,player_external_id,idempotency_key\n"
    rows = parse_wallet_export(
        (GOOD + "\npayout:round:r_1,wallet.credit,u_1,700,EUR,,\n").encode()
    ) + parse_wallet_export((extra + 'x,USD,5,wallet.rollback,"u,2",k\n').encode("utf-8"))
    assert [(r.line, r.idempotency_key, r.type, r.amount_minor, r.currency) for r in rows] == [
        (2, "round:r_1", "wallet.debit", 500, "EUR"),
        (4, "payout:round:r_1", "wallet.credit", 700, "EUR"),
        (2, "k", "wallet.rollback", 5, "USD"),
    ]
    assert rows[0].created_at == datetime(2026, 12, 1, 10, 15, 2, tzinfo=UTC)
    assert (rows[0].provider_txn_ref, rows[1].provider_txn_ref, rows[1].created_at) == (
        "ctx_1",
        None,
        None,
    )
    assert rows[2].player_external_id == "u,2"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("k,wallet.debit,u_1,12.50,EUR,,", "line3.amount_minor", "whole"),
        ("k,wallet.debit,u_1,-5,EUR,,", "line3.amount_minor", "non-negative"),
        ("k,wallet.refund,u_1,5,EUR,,", "line3.type", "wallet.debit"),
        ("k,wallet.debit,u_1,5,euro,,", "line3.currency", "ISO-4217"),
        ("k,wallet.debit,u_1,5,EUR", "line3", "5 fields where the header has 7"),
        (",wallet.debit,u_1,5,EUR,,", "line3.idempotency_key", "1-200"),
        ("k,wallet.debit,u_1,5,EUR,,yesterday", "line3.created_at", "ISO-8601"),
        ('k,"wallet.debit,u_1,5,EUR,,', "line3", "not valid CSV"),
    ],
)
def test_a_malformed_row_is_refused_naming_its_line(text: str, field: str, words: str) -> None:
    with pytest.raises(MalformedWalletExport) as refused:
        parse_wallet_export((GOOD + text + "\n").encode())
    assert refused.value.code == "VALIDATION_ERROR"
    assert refused.value.fields is not None
    assert list(refused.value.fields) == [field]
    assert words in refused.value.message
    assert refused.value.message.startswith("Wallet export, line 3:")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"idempotency_key,type,amount_minor,currency\n", "lacks player_external_id"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_bad_header_or_file_is_refused_at_line_1(data: bytes, words: str) -> None:
    with pytest.raises(MalformedWalletExport) as refused:
        parse_wallet_export(data)
    assert refused.value.line == 1
    assert words in refused.value.message
