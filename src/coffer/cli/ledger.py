"""``coffer ledger``: audit the virtual-currency ledger."""

import typer

from coffer.cli.support import console, run_unit
from coffer.ledger.verify import Audit, audit

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
