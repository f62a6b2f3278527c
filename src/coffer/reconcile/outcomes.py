"""What each wallet instruction did to a player's money, decided from its RPC and state alone.

An instruction counts as money moved only once the wallet accepted it (state ``accepted``):

- ``debited``: an accepted ``wallet.debit``; the money was taken and kept.
- ``credited``: an accepted ``wallet.credit`` (payout, refund, cashback).
- ``rolled_back``: an accepted ``wallet.rollback``; it undid a debit whose answer never came.
- ``undone``: a debit that was rolled back (``rolled_back``) or closed by staff
  (``settled_outside``); the wallet may or may not hold it, and it is in no total.
- ``refused``: the wallet refused it; nothing moved.
- ``open``: no final answer yet (``pending``, ``uncertain``, ``rolling_back``, ``review``).
- ``not_sent``: recorded but never sent to any wallet (``rpc`` ``none``: operator-funded
  purchases and openings of held rounds; ``ledger``: virtual-currency postings).
"""

from dataclasses import dataclass
from datetime import datetime

DEBIT, CREDIT, ROLLBACK = "wallet.debit", "wallet.credit", "wallet.rollback"
WALLET_RPCS = (DEBIT, CREDIT, ROLLBACK)
DEBITED, CREDITED, ROLLED_BACK = "debited", "credited", "rolled_back"
UNDONE, REFUSED, OPEN, NOT_SENT = "undone", "refused", "open", "not_sent"
MOVED = {DEBIT: DEBITED, CREDIT: CREDITED, ROLLBACK: ROLLED_BACK}
# Outcomes the wallet must hold (MONEY), and may hold (the undone debits as well).
MONEY = (DEBITED, CREDITED, ROLLED_BACK)
MAY_BE_HELD = (*MONEY, UNDONE)
UNDONE_STATES = ("rolled_back", "settled_outside")


def outcome_of(rpc: str, state: str) -> str:
    """The outcome of one instruction; an unknown state is ``open``, never counted as money."""
    if rpc not in WALLET_RPCS:
        return NOT_SENT
    if state == "accepted":
        return MOVED[rpc]
    if state in UNDONE_STATES and rpc == DEBIT:
        return UNDONE
    if state == "refused":
        return REFUSED
    return OPEN


@dataclass
class CurrencyTotals:
    """One currency's totals over the wallet RPCs of a day, in integer minor units."""

    currency: str
    debited_minor: int = 0
    credited_minor: int = 0
    rolled_back_minor: int = 0
    open_count: int = 0

    @property
    def net_minor(self) -> int:
        """The players' view: credited minus debited (rollbacks undo debits in no total)."""
        return self.credited_minor - self.debited_minor

    def add(self, outcome: str, amount_minor: int, count: int = 1) -> None:
        """Count ``count`` instructions of one outcome, ``amount_minor`` in all."""
        if outcome == DEBITED:
            self.debited_minor += amount_minor
        elif outcome == CREDITED:
            self.credited_minor += amount_minor
        elif outcome == ROLLED_BACK:
            self.rolled_back_minor += amount_minor
        elif outcome == OPEN:
            self.open_count += count


@dataclass(frozen=True)
class Line:
    """One wallet instruction of the statement, as Coffer recorded it."""

    id: int
    idempotency_key: str
    rpc: str
    kind: str
    player_external_id: str
    round_public_id: str | None
    inventory_item_id: int | None
    amount_minor: int
    currency: str
    state: str
    funding: str
    provider_txn_ref: str | None
    created_at: datetime

    @property
    def outcome(self) -> str:
        """What it did to the player's money (see the module's docstring)."""
        return outcome_of(self.rpc, self.state)

    @property
    def sent(self) -> bool:
        """Whether a wallet ever hears of it: only these are compared with the wallet's export."""
        return self.rpc in WALLET_RPCS
