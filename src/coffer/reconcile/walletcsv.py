"""The wallet export Coffer compares a day with: CSV, one row per instruction the wallet accepted.

The first line is the header; columns may come in any order and extra columns are ignored::

    idempotency_key,type,player_external_id,amount_minor,currency,provider_txn_ref,created_at
    round:r_01J…,wallet.debit,u_8431,500,EUR,ctx_01J…,2026-12-01T10:15:02.123456Z

``type`` is the RPC (``wallet.debit``, ``wallet.credit`` or ``wallet.rollback``);
``amount_minor`` the instruction's amount as Coffer sent it, a non-negative integer (the type
gives the direction); ``currency`` an ISO-4217 code; ``provider_txn_ref`` and ``created_at``
(ISO-8601, UTC) may be empty. A malformed row refuses the whole file, naming its line.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from coffer.kit.errors import ValidationFailed
from coffer.reconcile.outcomes import WALLET_RPCS

HEADER = (
    "idempotency_key",
    "type",
    "player_external_id",
    "amount_minor",
    "currency",
    "provider_txn_ref",
    "created_at",
)
REQUIRED = HEADER[:5]
MAX_KEY, MAX_PLAYER, MAX_REF, MAX_AMOUNT = 200, 128, 200, 10**15
WHOLE = re.compile(r"[0-9]{1,16}")
ISO_4217 = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class WalletRow:
    """One instruction as the wallet booked it, with the line it came from."""

    line: int
    idempotency_key: str
    type: str
    player_external_id: str
    amount_minor: int
    currency: str
    provider_txn_ref: str | None
    created_at: datetime | None


class MalformedWalletExport(ValidationFailed):
    """A wallet export that is not the documented CSV; ``fields`` names the line and column."""

    def __init__(self, line: int, problem: str, column: str | None = None) -> None:
        where = f"line{line}" + (f".{column}" if column else "")
        super().__init__(f"Wallet export, line {line}: {problem}", fields={where: problem})
        self.line = line


def parse_wallet_export(data: bytes) -> list[WalletRow]:
    """Every row of an export, or ``MalformedWalletExport`` for the first line that is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedWalletExport(1, "the file is not UTF-8 text") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problem = f"empty: the first line is the header {','.join(HEADER)}"
            raise MalformedWalletExport(1, problem)
        columns, width = _columns(header), len(header)
        return [_row(reader.line_num, cells, columns, width) for cells in reader if cells]
    except csv.Error as exc:
        raise MalformedWalletExport(reader.line_num, f"not valid CSV ({exc})") from exc


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise MalformedWalletExport(1, f"the header lacks {', '.join(missing)}")
    doubled = sorted({name for name in names if names.count(name) > 1 and name in HEADER})
    if doubled:
        raise MalformedWalletExport(1, f"the header names {', '.join(doubled)} twice")
    return {name: names.index(name) for name in HEADER if name in names}


def _row(line: int, cells: list[str], columns: dict[str, int], width: int) -> WalletRow:
    if len(cells) != width:
        raise MalformedWalletExport(line, f"{len(cells)} fields where the header has {width}")
    values = {name: cells[index].strip() for name, index in columns.items()}
    return WalletRow(
        line=line,
        idempotency_key=_text(line, values, "idempotency_key", MAX_KEY),
        type=_type(line, values["type"]),
        player_external_id=_text(line, values, "player_external_id", MAX_PLAYER),
        amount_minor=_amount(line, values["amount_minor"]),
        currency=_currency(line, values["currency"]),
        provider_txn_ref=values.get("provider_txn_ref") or None,
        created_at=_time(line, values.get("created_at", "")),
    )


def _text(line: int, values: dict[str, str], column: str, longest: int) -> str:
    value = values[column]
    if not value or len(value) > longest or "\x00" in value:
        raise MalformedWalletExport(line, f"must be 1-{longest} characters", column)
    return value


def _type(line: int, value: str) -> str:
    if value not in WALLET_RPCS:
        problem = f"{value!r} is not one of {', '.join(WALLET_RPCS)}"
        raise MalformedWalletExport(line, problem, "type")
    return value


def _amount(line: int, value: str) -> int:
    if not WHOLE.fullmatch(value) or int(value) > MAX_AMOUNT:
        problem = f"{value!r} is not a whole, non-negative number of minor units (500 = €5.00)"
        raise MalformedWalletExport(line, problem, "amount_minor")
    return int(value)


def _currency(line: int, value: str) -> str:
    if not ISO_4217.fullmatch(value):
        problem = f"{value!r} is not an ISO-4217 code such as EUR"
        raise MalformedWalletExport(line, problem, "currency")
    return value


def _time(line: int, value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        problem = f"{value!r} is not an ISO-8601 time such as 2026-12-01T10:15:02Z"
        raise MalformedWalletExport(line, problem, "created_at") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
