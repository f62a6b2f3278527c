"""``coffer simulate``: a published box version's exact RTP, and a million real draws of it."""

import asyncio
import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from coffer.catalog.simulation import Priced, version_odds
from coffer.cli.support import console
from coffer.fairness.algorithm import is_valid_server_seed, new_server_seed
from coffer.fairness.simulation import BPS, CHUNK, Report, Simulation, wilson95
from coffer.fairness.simulation_chart import chart_svg
from coffer.kit.db import make_engine, make_sessionmaker
from coffer.kit.errors import CofferError
from coffer.kit.settings import Settings

CLIENT_SEED = "coffer-simulation"
MAX_OPENS = 100_000_000
SEED_HELP = "Server seed, 64 lowercase hex (default: random); the same seed draws the same opens."
CHART_HELP = "Where to write the histogram SVG (default: box-version-N.svg)."


async def load(version_id: int) -> Priced:
    """The version's odds over a short read-only session of COFFER_DATABASE_URL."""
    engine = make_engine(Settings().database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await version_odds(session, version_id)
    finally:
        await engine.dispose()


def run(priced: Priced, seed: str, opens: int) -> Report:
    """Draw the opens in steps under a progress bar."""
    simulation = Simulation(priced.odds, seed, CLIENT_SEED)
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("drawing opens", total=opens)
        for start in range(0, opens, CHUNK):
            step = min(CHUNK, opens - start)
            simulation.advance(step)
            progress.advance(task, step)
    return simulation.report()


def figures(priced: Priced, report: Report) -> Table:
    """The figures as a table: exact from the odds, simulated with their 95% intervals."""
    title = (
        f"Box {priced.box_id} version {priced.version_number}: {report.price_minor} minor units "
        f"of {priced.currency}, house edge {priced.house_edge_bps} bps, {report.opens:,} opens"
    )
    runs = " and ".join(f"{n:,}" for k, n in report.runs.items() if k > 1)
    caption = (
        f"P(behind after k): the share of runs of k consecutive opens that paid less than they "
        f"cost; after 10 and 100 a Monte Carlo estimate over {runs} runs."
    )
    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD)
    for name in ("figure", "exact", "simulated", "95% interval"):
        table.add_column(name, justify="left" if name == "figure" else "right")
    low, high = report.interval95
    exact = f"{float(report.exact_rtp):.3%}"
    table.add_row("RTP", exact, f"{report.simulated_rtp:.3%}", f"{low:.3%} to {high:.3%}")
    table.add_row(
        "RTP in bps",
        str(report.exact_rtp_bps),
        f"{report.simulated_rtp * BPS:.0f}",
        f"{low * BPS:.0f} to {high * BPS:.0f}",
    )
    for k, share in report.behind_after.items():
        low, high = wilson95(share, report.runs[k])
        exact = f"{float(report.exact_behind_one):.3%}" if k == 1 else ""
        table.add_row(f"P(behind after {k})", exact, f"{share:.3%}", f"{low:.3%} to {high:.3%}")
    return table


def simulate_command(
    box_version: Annotated[int, typer.Option(help="The published box version's id.")],
    opens: Annotated[int, typer.Option(min=100, max=MAX_OPENS, help="Opens to draw.")] = 1_000_000,
    seed: Annotated[str | None, typer.Option(help=SEED_HELP)] = None,
    chart: Annotated[Path | None, typer.Option(help=CHART_HELP)] = None,
) -> None:
    """Simulate real opens of a box version: its exact and simulated RTP, odds to end behind."""
    if seed is not None and not is_valid_server_seed(seed):
        raise typer.BadParameter("give 64 lowercase hex characters", param_hint="--seed")
    try:
        priced = asyncio.run(load(box_version))
    except CofferError as exc:
        console.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(1) from exc
    report = run(priced, seed or new_server_seed(secrets.token_bytes), opens)
    console.print(figures(priced, report))
    console.print(f"server seed {report.server_seed}, client seed {report.client_seed}")
    target = chart or Path(f"box-version-{box_version}.svg")
    title = f"Box {priced.box_id} v{priced.version_number}: return per open, {opens:,} opens"
    target.write_text(chart_svg(report, title), encoding="utf-8")
    console.print(f"histogram written to {target}")
    if report.exact_rtp_bps != BPS - priced.house_edge_bps:
        console.print("[red]the exact RTP disagrees with the published house edge[/red]")
        raise typer.Exit(1)
