"""``coffer reconcile``: a day's wallet instructions and totals, compared with the wallet's CSV."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.cli.operators import GLOBAL, SlugOption
from coffer.cli.support import console
from coffer.kit.errors import CofferError
from coffer.kit.schemas import iso_z
from coffer.kit.settings import Settings
from coffer.operators import service
from coffer.reconcile.compare import Difference
from coffer.reconcile.outcomes import Line
from coffer.reconcile.shapes import reconciliation_json, statement_json
from coffer.reconcile.statement import Reconciliation, Statement, parse_day, reconcile, statement
from coffer.reconcile.walletcsv import MalformedWalletExport, WalletRow, parse_wallet_export
from coffer.runtime import Runtime

T = TypeVar("T")
DayOption = Annotated[str, typer.Option("--day", help="The UTC day, YYYY-MM-DD.")]
CsvOption = Annotated[
    Path | None,
    typer.Option(
        "--wallet-csv",
        exists=True,
        dir_okay=False,
        help="The wallet's export of that day (e.g. from `coffer casino export-wallet`).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the statement as JSON.")]
LinesOption = Annotated[
    bool, typer.Option("--lines/--no-lines", help="List every instruction, or totals only.")
]


def read_only(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one session that is never committed; a domain error exits 1."""

    async def main() -> T:
        runtime = Runtime.from_settings(Settings())
        try:
            async with runtime.sessions() as session:
                return await work(session)
        finally:
            await runtime.close()

    try:
        return asyncio.run(main())
    except CofferError as exc:
        console.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(1) from exc


def reconcile_command(
    operator: SlugOption,
    day: DayOption,
    wallet_csv: CsvOption = None,
    as_json: JsonOption = False,
    lines: LinesOption = True,
) -> None:
    """List a UTC day's wallet instructions and totals; compare them with the wallet's CSV.

    Each instruction shows its key, amount and outcome; totals are per currency.

    With --wallet-csv, the wallet's export is compared with the day, key by key.

    Exit status: 0 when they agree, 1 on any difference or error, 2 on a bad --day or CSV.
    """
    try:
        chosen = parse_day(day)
    except CofferError as exc:
        raise typer.BadParameter(exc.message, param_hint="--day") from exc
    rows = None if wallet_csv is None else _rows(wallet_csv)

    async def work(session: AsyncSession) -> Statement | Reconciliation:
        found = await service.operator_for(session, GLOBAL, operator)
        if rows is None:
            return await statement(session, found.id, chosen, limit=None)
        return await reconcile(session, found.id, chosen, rows, limit=None)

    result = read_only(work)
    if as_json:
        _print_json(result, operator)
    else:
        _print_tables(result, lines)
    if isinstance(result, Reconciliation) and not result.agrees:
        raise typer.Exit(1)


def _rows(path: Path) -> list[WalletRow]:
    try:
        return parse_wallet_export(path.read_bytes())
    except MalformedWalletExport as exc:
        raise typer.BadParameter(exc.message, param_hint="--wallet-csv") from exc


def _print_json(result: Statement | Reconciliation, slug: str) -> None:
    if isinstance(result, Reconciliation):
        body = reconciliation_json(result, slug, most=None)
    else:
        body = statement_json(result, slug)
    body.pop("cursor")
    typer.echo(json.dumps(body, indent=2))


def _print_tables(result: Statement | Reconciliation, lines: bool) -> None:
    found = result.statement if isinstance(result, Reconciliation) else result
    day = found.day.isoformat()
    if lines:
        console.print(_lines_table(found.lines, day))
    console.print(_totals_table(found))
    if isinstance(result, Reconciliation):
        _print_differences(result)


def _lines_table(lines: list[Line], day: str) -> Table:
    table = Table(title=f"Wallet instructions of {day} (UTC)")
    for name in ("created", "key", "rpc", "player", "amount", "state", "outcome", "txn ref"):
        table.add_column(name, justify="right" if name == "amount" else "left", overflow="fold")
    for line in lines:
        table.add_row(
            iso_z(line.created_at),
            line.idempotency_key,
            line.rpc,
            line.player_external_id,
            f"{line.amount_minor} {line.currency}",
            line.state,
            line.outcome,
            line.provider_txn_ref or "",
        )
    return table


def _totals_table(found: Statement) -> Table:
    title = (
        f"Totals in minor units: {found.instruction_count} instructions, "
        f"{found.not_sent_count} never sent to the wallet (not compared)"
    )
    table = Table(title=title)
    for name in ("currency", "debited", "credited", "rolled back", "net", "open"):
        table.add_column(name, justify="left" if name == "currency" else "right")
    for t in found.totals:
        table.add_row(
            t.currency,
            str(t.debited_minor),
            str(t.credited_minor),
            str(t.rolled_back_minor),
            str(t.net_minor),
            str(t.open_count),
        )
    return table


def _print_differences(result: Reconciliation) -> None:
    if result.agrees:
        console.print(f"[green]the wallet's {result.wallet_row_count} rows agree[/green]")
        return
    console.print(_differences_table(result.differences))
    console.print(f"[red]{len(result.differences)} differences with the wallet[/red]")


def _differences_table(differences: list[Difference]) -> Table:
    table = Table(title="Differences with the wallet's export")
    for name in ("key", "kind", "what"):
        table.add_column(name, overflow="fold")  # a key is never cut short
    for found in differences:
        table.add_row(found.idempotency_key, found.kind, found.message)
    return table
