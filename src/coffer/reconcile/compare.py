"""Coffer's day against the wallet's export, key by key: pure, no I/O.

Difference kinds (stable codes):

- ``missing_in_wallet``: Coffer holds it as accepted (debited, credited, rolled back); the
  export has no row with its key.
- ``not_accepted_in_coffer``: the wallet booked it, but Coffer has no accepted instruction
  under that key on that day (unknown, refused, or never sent to a wallet).
- ``recorded_on_other_day``: the wallet booked it on this day, Coffer recorded it on another
  (an instruction sent just before midnight UTC, booked just after).
- ``open_in_coffer``: the wallet booked it, Coffer still waits for a final answer.
- ``mismatch``: both hold it, but type, amount, currency or player differ (``fields``).
- ``duplicate_in_wallet``: the export books the same key more than once.

Only instructions sent to the wallet are compared; the ``not_sent`` ones (operator-funded
purchases, openings of held rounds, virtual-currency postings) never appear in a wallet, so
their keys in an export are ``not_accepted_in_coffer``. An undone debit (rolled back or
settled outside Coffer) may or may not be in the wallet's books; its rollback is compared.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from coffer.reconcile.outcomes import MAY_BE_HELD, MONEY, NOT_SENT, OPEN, REFUSED, Line
from coffer.reconcile.walletcsv import WalletRow

MISSING_IN_WALLET = "missing_in_wallet"
NOT_ACCEPTED_IN_COFFER = "not_accepted_in_coffer"
RECORDED_ON_OTHER_DAY = "recorded_on_other_day"
OPEN_IN_COFFER = "open_in_coffer"
MISMATCH = "mismatch"
DUPLICATE_IN_WALLET = "duplicate_in_wallet"


@dataclass(frozen=True)
class Difference:
    """One key on which the two books disagree, with both sides as far as they exist."""

    idempotency_key: str
    kind: str
    message: str
    coffer: Line | None = None
    wallet: WalletRow | None = None
    fields: tuple[str, ...] = ()


def compare(
    lines: Iterable[Line], rows: Sequence[WalletRow], elsewhere: Mapping[str, Line] | None = None
) -> list[Difference]:
    """Every difference, ordered by key; ``elsewhere`` holds Coffer's instructions of other
    days under keys the export names, so a booking across midnight is told apart."""
    ours = {line.idempotency_key: line for line in lines}
    theirs: dict[str, WalletRow] = {}
    found: list[Difference] = []
    for row in rows:
        first = theirs.setdefault(row.idempotency_key, row)
        if first is not row:
            message = f"the wallet books this key on lines {first.line} and {row.line}"
            found.append(Difference(row.idempotency_key, DUPLICATE_IN_WALLET, message, None, row))
    for key, row in theirs.items():
        found += _judge_row(row, ours.get(key), (elsewhere or {}).get(key))
    for key, line in ours.items():
        if key not in theirs and line.outcome in MONEY:
            message = f"Coffer holds this {line.rpc} as accepted; the wallet's export does not"
            found.append(Difference(key, MISSING_IN_WALLET, message, line))
    return sorted(found, key=lambda d: (d.idempotency_key, d.kind))


def _judge_row(row: WalletRow, line: Line | None, other: Line | None) -> list[Difference]:
    key = row.idempotency_key
    if line is None and other is not None and other.outcome in MAY_BE_HELD:
        day = other.created_at.date().isoformat()
        message = f"Coffer recorded this {other.rpc} on {day}"
        return [Difference(key, RECORDED_ON_OTHER_DAY, message, other, row)]
    if line is None or line.outcome in (NOT_SENT, REFUSED):
        message = _not_accepted(line or other)
        return [Difference(key, NOT_ACCEPTED_IN_COFFER, message, line or other, row)]
    if line.outcome == OPEN:
        message = f"Coffer is still waiting for the wallet's answer (state {line.state})"
        return [Difference(key, OPEN_IN_COFFER, message, line, row)]
    fields = _differing(line, row)
    if not fields:
        return []
    message = "; ".join(f"{name}: Coffer {ours}, wallet {theirs}" for name, ours, theirs in fields)
    names = tuple(name for name, _, _ in fields)
    return [Difference(key, MISMATCH, message, line, row, names)]


def _not_accepted(line: Line | None) -> str:
    if line is None:
        return "the wallet booked a key Coffer never sent"
    if line.outcome == NOT_SENT:
        return f"Coffer recorded this key but never sends it to a wallet (rpc {line.rpc})"
    if line.outcome == REFUSED:
        return f"Coffer recorded the wallet's refusal of this {line.rpc}"
    day = line.created_at.date().isoformat()
    return f"Coffer recorded this {line.rpc} on {day}, in state {line.state}"


def _differing(line: Line, row: WalletRow) -> list[tuple[str, object, object]]:
    pairs = (
        ("type", line.rpc, row.type),
        ("amountMinor", line.amount_minor, row.amount_minor),
        ("currency", line.currency, row.currency),
        ("playerExternalId", line.player_external_id, row.player_external_id),
    )
    return [(name, ours, theirs) for name, ours, theirs in pairs if ours != theirs]
