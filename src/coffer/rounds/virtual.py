"""Rounds priced in a virtual currency: paid from and to the ledger, never the casino's wallet.

Such a round is bought alone in its currency, opens at once, and both its debit and its cash
prize are ledger postings written in the round's own transaction (SPEC §12): nothing waits on
a wallet, so its instructions are records for history (``rpc='ledger'``, already accepted)
that nobody sends, and no resolver has anything to finish.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.cards import Card
from coffer.kit.db import connection, utcnow
from coffer.kit.errors import BoxNotPlayable, UnsupportedCurrency, ValidationFailed
from coffer.kit.money import Rate, is_virtual
from coffer.ledger import accounts
from coffer.rounds.commands import Purchase
from coffer.webhooks.outbox import emit_row

BOUGHT, PAID = "round", "round_payout"  # the reasons of the two postings


def check_alone(
    cards: tuple[Card, ...] | list[Card], currency: str, rates: dict[str, Rate], command: Purchase
) -> None:
    """Refuse a purchase that would mix a virtual currency with anything else, hold it
    (prepay) or sell it in the player app."""
    codes = {card.currency for card in cards} | {currency}
    virtual = sorted(code for code in codes if code in rates and is_virtual(rates[code]))
    if not virtual:
        return
    if command.funding == "session":
        raise BoxNotPlayable(
            f"This box is priced in {virtual[0]}, a virtual currency; the player app sells "
            "boxes for real money only. Buy it through POST /api/s2s/purchase."
        )
    if len(codes) > 1:
        raise UnsupportedCurrency(
            f"{virtual[0]} is a virtual currency: a box priced in it is bought alone, in "
            f"{virtual[0]}; no rate links a virtual currency to a real one.",
            fields={"currency": f"buy {virtual[0]} boxes in {virtual[0]}, on their own"},
        )
    if command.mode != "open":
        raise ValidationFailed(
            f"A box priced in {currency} opens at once: send mode 'open'.",
            fields={"mode": "prepay holds real money only; virtual-currency boxes open at once"},
        )


async def post(
    session: AsyncSession,
    who: tuple[int, int, str],
    code: str,
    amount_minor: int,
    key: str,
    reason: str,
) -> int:
    """Credit (from the mint) or debit (to the burn) the player once for ``key``, tell the
    operator with ``balance_changed``, and answer the balance after it."""
    operator_id, player_id, external_id = who
    currency = await accounts.currency_by_code(session, operator_id, code)
    account = await accounts.player_account(session, currency, player_id, utcnow())
    done = await accounts.grant(session, currency, account.id, amount_minor, key, reason, True)
    data = {
        "currency": code,
        "amountMinor": amount_minor,
        "balanceAfterMinor": done.balance_minor,
        "reason": reason,
        "idempotencyKey": key,
    }
    conn = await connection(session)
    await emit_row(conn, operator_id, player_id, external_id, "balance_changed", data)
    return done.balance_minor
