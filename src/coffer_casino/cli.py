"""``coffer casino``: run the reference casino and put money on its players' balances."""

import asyncio
import csv
import io
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.console import Console

from coffer_casino.settings import WALLET_PATH, WEBHOOK_PATH, CasinoSettings

console = Console()

casino_app = typer.Typer(
    help="The reference casino: a seamless wallet and webhook receiver for Coffer.",
    no_args_is_help=True,
)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="The casino's SQLite file [env CASINO_DATABASE_PATH]."),
]


def _settings(**given: object) -> CasinoSettings:
    """Settings from the environment, overridden by the options actually given."""
    chosen = {name: value for name, value in given.items() if value is not None}
    return CasinoSettings(**chosen)  # type: ignore[arg-type]


@casino_app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [8100].")] = None,
    database: DatabaseOption = None,
    outbound_secret: Annotated[
        str | None,
        typer.Option(
            envvar="CASINO_OUTBOUND_SECRET",
            help="The operator's outbound secret (whsec_…), as Coffer printed it.",
            show_envvar=True,
        ),
    ] = None,
) -> None:
    """Serve the wallet RPC and webhook receiver that Coffer calls."""
    import uvicorn

    from coffer_casino.app import create_casino_app

    secret = SecretStr(outbound_secret) if outbound_secret else None
    settings = _settings(host=host, port=port, database_path=database, outbound_secret=secret)
    try:
        app = create_casino_app(settings)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--outbound-secret") from exc
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"wallet URL:  [bold]{base}{WALLET_PATH}[/bold]")
    console.print(f"webhook URL: [bold]{base}{WEBHOOK_PATH}[/bold]")
    console.print(f"database:    {settings.database_path}")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


@casino_app.command()
def deposit(
    player: Annotated[str, typer.Option(help="The player's external id, e.g. u_8431.")],
    amount_minor: Annotated[int, typer.Option(min=1, help="Integer minor units: 10000 = €100.")],
    currency: Annotated[str, typer.Option(help="ISO-4217 code.")] = "EUR",
    database: DatabaseOption = None,
) -> None:
    """Put money on a player's balance, straight into the casino's database."""
    from coffer_casino.models import DepositRequest
    from coffer_casino.wallet import Casino

    try:
        request = DepositRequest(currency=currency.upper(), amount_minor=amount_minor)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = _settings(database_path=database)

    async def work() -> tuple[int, str]:
        casino = Casino(settings.database_url)
        try:
            await casino.create_schema()
            return await casino.deposit(player, request.currency, request.amount_minor)
        finally:
            await casino.close()

    balance, ref = asyncio.run(work())
    console.print(f"{player}: +{amount_minor} {request.currency} → {balance} ({ref})")


@casino_app.command("export-wallet")
def export_wallet(
    day: Annotated[str, typer.Option(help="The UTC day, YYYY-MM-DD.")],
    out: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write the CSV to this file [standard output]."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Export a day's accepted wallet instructions as CSV, for ``coffer reconcile --wallet-csv``."""
    from coffer_casino.export import export_day, parse_day
    from coffer_casino.wallet import Casino

    try:
        chosen = parse_day(day)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--day") from exc
    settings = _settings(database_path=database)

    async def work() -> str:
        casino = Casino(settings.database_url)
        try:
            await casino.create_schema()
            return await export_day(casino, chosen)
        finally:
            await casino.close()

    text = asyncio.run(work())
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8", newline="")
    rows = len(list(csv.reader(io.StringIO(text, newline="")))) - 1
    console.print(f"{rows} wallet instructions of {chosen.isoformat()} written to {out}")
