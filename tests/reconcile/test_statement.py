"""A real day through the reference casino: the statement's totals, and the casino's export
compared with it (no difference; then exactly the three a tampered export holds)."""

from coffer.reconcile.statement import Reconciliation, reconcile, statement
from coffer.reconcile.walletcsv import parse_wallet_export
from coffer.runtime import Runtime
from tests.reconcile.story import CREDITED, DEBITED, ROLLED_BACK, a_day, casino_csv, tampered, today
from tests.support.shop import PLAYER, Shop, shop

__all__ = ["shop"]


async def compared(runtime: Runtime, shop: Shop, text: str) -> Reconciliation:
    rows = parse_wallet_export(text.encode())
    async with runtime.sessions() as session:
        return await reconcile(session, shop.operator.operator_id, today(), rows, limit=None)


async def test_the_statement_sums_the_day_and_agrees_with_the_casino(
    shop: Shop, runtime: Runtime
) -> None:
    keys = await a_day(shop, runtime)
    async with runtime.sessions() as session:
        found = await statement(session, shop.operator.operator_id, today(), limit=None)
    [eur] = found.totals
    assert (eur.currency, eur.debited_minor, eur.credited_minor) == ("EUR", DEBITED, CREDITED)
    assert (eur.rolled_back_minor, eur.net_minor, eur.open_count) == (ROLLED_BACK, -220, 0)
    assert (found.instruction_count, found.not_sent_count, len(found.lines)) == (10, 1, 10)
    outcomes = {line.idempotency_key: line.outcome for line in found.lines}
    assert [outcomes[keys[k]] for k in ("refused", "free", "undone", "rollback", "refund")] == [
        "refused",
        "not_sent",
        "undone",
        "rolled_back",
        "credited",
    ]
    # The statement's net is what the wallet's balance moved by through Coffer.
    booked = shop.casino.ledger()
    wallet_net = sum(r["amountMinor"] for r in booked if r["type"].startswith("wallet."))
    assert wallet_net == eur.net_minor == shop.casino.balance(PLAYER) - 10_000
    assert sum(line.amount_minor for line in found.lines if line.outcome == "debited") == DEBITED
    result = await compared(runtime, shop, casino_csv(shop))
    assert (result.wallet_row_count, result.differences) == (8, [])


async def test_a_tampered_export_shows_exactly_its_three_differences(
    shop: Shop, runtime: Runtime
) -> None:
    keys = await a_day(shop, runtime)
    text = tampered(casino_csv(shop), drop=keys["payout"], alter=keys["refund"])
    result = await compared(runtime, shop, text)
    found = {(d.idempotency_key, d.kind, d.fields) for d in result.differences}
    assert found == {
        (keys["payout"], "missing_in_wallet", ()),
        (keys["refund"], "mismatch", ("amountMinor",)),
        ("round:r_forged", "not_accepted_in_coffer", ()),
    }
    assert not result.agrees


async def test_lines_page_by_cursor_and_totals_cover_the_whole_day(
    shop: Shop, runtime: Runtime
) -> None:
    await a_day(shop, runtime)
    seen, cursor = [], None
    async with runtime.sessions() as session:
        while True:
            page = await statement(session, shop.operator.operator_id, today(), cursor, 3)
            assert page.totals[0].debited_minor == DEBITED
            seen += [line.id for line in page.lines]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == sorted(seen)
    assert len(set(seen)) == 10
