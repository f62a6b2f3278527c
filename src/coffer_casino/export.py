"""The wallet's export for reconciliation: one CSV row per instruction the casino accepted.

The columns are those Coffer's ``coffer reconcile --wallet-csv`` reads (the casino shares no
code with Coffer, so the header is written out here too)::

    idempotency_key,type,player_external_id,amount_minor,currency,provider_txn_ref,created_at

``amount_minor`` is the instruction's amount as Coffer sent it (the type gives the direction);
``created_at`` is when the casino booked it, UTC. Deposits at the casino's cashier are not
Coffer's and are left out; refused instructions moved nothing and are left out too.
"""

import csv
import io
import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from coffer_casino.models import CREDIT, DEBIT, ROLLBACK, WalletReceipt
from coffer_casino.store import iso_z
from coffer_casino.wallet import Casino

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
HEADER = (
    "idempotency_key",
    "type",
    "player_external_id",
    "amount_minor",
    "currency",
    "provider_txn_ref",
    "created_at",
)


def parse_day(text: str) -> date:
    """A UTC day written YYYY-MM-DD; ValueError for anything else."""
    if not DAY.fullmatch(text):
        raise ValueError(f"{text!r} is not a day written YYYY-MM-DD")
    return date.fromisoformat(text)


async def export_day(casino: Casino, day: date) -> str:
    """The CSV of the instructions the casino accepted on one UTC day, in the order it booked."""
    start = datetime.combine(day, time())  # the casino stores naive UTC
    query = (
        select(WalletReceipt)
        .where(WalletReceipt.accepted.is_(True))
        .where(WalletReceipt.type.in_((DEBIT, CREDIT, ROLLBACK)))
        .where(WalletReceipt.created_at >= start, WalletReceipt.created_at < start + timedelta(1))
        .order_by(WalletReceipt.id)
    )
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    async with casino.sessions.begin() as session:
        for receipt in await session.scalars(query):
            writer.writerow(
                (
                    receipt.idempotency_key,
                    receipt.type,
                    receipt.player_external_id,
                    receipt.amount_minor,
                    receipt.currency,
                    receipt.answer.get("providerTxnRef", ""),
                    iso_z(receipt.created_at),
                )
            )
    return out.getvalue()
