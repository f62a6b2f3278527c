"""The statement as JSON (camelCase, money as integer minor units beside its currency): one shape
for the admin route and the CLI's ``--json``."""

from typing import Any

from coffer.kit.schemas import iso_z
from coffer.reconcile.compare import Difference
from coffer.reconcile.outcomes import CurrencyTotals, Line
from coffer.reconcile.statement import Reconciliation, Statement
from coffer.reconcile.walletcsv import WalletRow

# The answer lists at most this many differences; ``differenceCount`` always counts them all.
MAX_DIFFERENCES = 1000


def line_json(line: Line) -> dict[str, Any]:
    """One instruction: its key, RPC, amount and outcome, and whether the wallet is compared."""
    return {
        "idempotencyKey": line.idempotency_key,
        "rpc": line.rpc,
        "kind": line.kind,
        "playerExternalId": line.player_external_id,
        "roundPublicId": line.round_public_id,
        "inventoryItemId": line.inventory_item_id,
        "amountMinor": line.amount_minor,
        "currency": line.currency,
        "state": line.state,
        "outcome": line.outcome,
        "funding": line.funding,
        "sentToWallet": line.sent,
        "providerTxnRef": line.provider_txn_ref,
        "createdAt": iso_z(line.created_at),
    }


def totals_json(found: CurrencyTotals) -> dict[str, Any]:
    return {
        "currency": found.currency,
        "debitedMinor": found.debited_minor,
        "creditedMinor": found.credited_minor,
        "rolledBackMinor": found.rolled_back_minor,
        "netMinor": found.net_minor,
        "openCount": found.open_count,
    }


def statement_json(found: Statement, slug: str) -> dict[str, Any]:
    """The statement's header, totals and the page of lines it holds, with the next cursor."""
    return {
        "operator": slug,
        "day": found.day.isoformat(),
        "instructionCount": found.instruction_count,
        "notSentCount": found.not_sent_count,
        "totals": [totals_json(t) for t in found.totals],
        "lines": [line_json(line) for line in found.lines],
        "cursor": {"next": found.next_cursor},
    }


def wallet_row_json(row: WalletRow) -> dict[str, Any]:
    return {
        "line": row.line,
        "type": row.type,
        "playerExternalId": row.player_external_id,
        "amountMinor": row.amount_minor,
        "currency": row.currency,
        "providerTxnRef": row.provider_txn_ref,
        "createdAt": iso_z(row.created_at) if row.created_at else None,
    }


def difference_json(found: Difference) -> dict[str, Any]:
    """One disagreement, by key, with both sides as far as they exist."""
    return {
        "idempotencyKey": found.idempotency_key,
        "kind": found.kind,
        "message": found.message,
        "fields": list(found.fields),
        "coffer": line_json(found.coffer) if found.coffer else None,
        "wallet": wallet_row_json(found.wallet) if found.wallet else None,
    }


def reconciliation_json(
    found: Reconciliation, slug: str, most: int | None = MAX_DIFFERENCES
) -> dict[str, Any]:
    """The statement plus the differences (the first ``most`` of them, by key)."""
    shown = found.differences if most is None else found.differences[:most]
    return {
        **statement_json(found.statement, slug),
        "walletRowCount": found.wallet_row_count,
        "agrees": found.agrees,
        "differenceCount": len(found.differences),
        "differencesTruncated": len(shown) < len(found.differences),
        "differences": [difference_json(d) for d in shown],
    }
