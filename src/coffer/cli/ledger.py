"""``coffer ledger``: define virtual currencies, move and read balances, audit the ledger."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.currencies import define_virtual_currency
from coffer.cli.operators import GLOBAL, SlugOption
from coffer.cli.support import console, run_unit
from coffer.kit.db import utcnow
from coffer.ledger import balances
from coffer.ledger.accounts import CurrencySpec
from coffer.ledger.balances import Balance, Change
from coffer.ledger.verify import Audit, audit
from coffer.operators import service
from coffer.runtime import Runtime

ledger_app = typer.Typer(help="The virtual-currency ledger (SPEC §12).", no_args_is_help=True)


@ledger_app.command("verify")
def verify() -> None:
    """Recompute every balance from its postings; exit 1 and name each difference."""
    found: Audit = run_unit(lambda session, _runtime: audit(session))
    console.print(f"{found.accounts} accounts, {found.transactions} transactions checked")
    for drift in found.drifts:
        console.print(
            f"[red]account {drift.account_id} ({drift.kind}): balance {drift.balance_minor}, "
            f"postings sum to {drift.postings_minor}[/red]"
        )
    for txn in found.unbalanced:
        console.print(f"[red]transaction {txn}: its postings do not sum to zero[/red]")
    for account in found.negative:
        console.print(f"[red]player account {account} is below zero[/red]")
    if not found.clean:
        raise typer.Exit(1)
    console.print("[green]every balance equals the sum of its postings[/green]")


@ledger_app.command("define")
def define(
    operator: SlugOption,
    code: Annotated[str, typer.Option(help="2-8 upper-case letters or digits, e.g. GEM.")],
    name: Annotated[str, typer.Option(help="What players call it.")],
    decimals: Annotated[int, typer.Option(min=0, max=8, help="Minor digits.")] = 0,
    initial_grant: Annotated[int, typer.Option(min=0, help="Minor units a new player gets.")] = 0,
    regen_amount: Annotated[int, typer.Option(min=0, help="Minor units per period.")] = 0,
    regen_period: Annotated[int, typer.Option(min=0, help="Seconds per period.")] = 0,
    regen_cap: Annotated[int, typer.Option(min=0, help="Regeneration stops here.")] = 0,
) -> None:
    """Define a virtual currency (never a real one; it is never exchanged for money)."""
    spec = CurrencySpec(code, name, decimals, initial_grant, regen_amount, regen_period, regen_cap)

    async def work(session: AsyncSession, _runtime: Runtime) -> int:
        found = await service.operator_for(session, GLOBAL, operator)
        _currency, item = await define_virtual_currency(session, found, spec)
        return item.id

    item_id = run_unit(work)
    console.print(
        f"{code} defined for {operator}; as a price item or loot content it is item {item_id}"
    )


@ledger_app.command("post")
def post_change(
    operator: SlugOption,
    player: Annotated[str, typer.Option(help="The player's external id.")],
    currency: Annotated[str, typer.Option(help="The virtual currency's code.")],
    amount: Annotated[int, typer.Option(help="Minor units: > 0 credits, < 0 debits.")],
    key: Annotated[str, typer.Option(help="Idempotency key: a repeat moves nothing.")],
) -> None:
    """Credit or debit a player's balance once per key (refused past zero)."""
    if amount == 0:
        raise typer.BadParameter(
            "a posting moves something: give a non-zero amount", param_hint="--amount"
        )

    async def work(session: AsyncSession, _runtime: Runtime) -> Balance:
        found = await service.operator_for(session, GLOBAL, operator)
        asked = Change(player, currency, amount, key, "cli")
        return await balances.change(session, found, asked, utcnow())

    done = run_unit(work)
    console.print(f"{player}: {done.balance_minor} {done.currency} (minor units)")


@ledger_app.command("balances")
def show_balances(
    operator: SlugOption,
    player: Annotated[str, typer.Option(help="The player's external id.")],
) -> None:
    """A player's balance in each of the operator's virtual currencies."""

    async def work(session: AsyncSession, _runtime: Runtime) -> list[Balance]:
        found = await service.operator_for(session, GLOBAL, operator)
        return await balances.balances(session, found, player, utcnow())

    for found in run_unit(work):
        console.print(f"{found.currency}: {found.balance_minor} (minor units, {found.decimals} dp)")
