"""``coffer prune``: delete what is past its retention window now, or count it with --dry-run."""

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from coffer.cli.support import console
from coffer.kit.db import utcnow
from coffer.kit.settings import Settings
from coffer.retention.pruning import Counts, Windows, preview

DRY_RUN_HELP = "Count what would be pruned and delete nothing."


def prune_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
) -> None:
    """Prune delivered webhooks, ended sessions and old audit entries (never money records)."""
    try:
        settings = Settings()
    except ValidationError as exc:  # e.g. an audit window under 90 days: nothing is pruned
        for error in exc.errors():
            console.print(f"[red]{error['msg']}[/red]")
        raise typer.Exit(2) from exc
    counts = asyncio.run(_run(settings, dry_run))
    console.print(summary(counts, settings, dry_run))


async def _run(settings: Settings, dry_run: bool) -> Counts:
    from coffer.jobs import prune_once
    from coffer.runtime import Runtime

    runtime = Runtime.from_settings(settings)
    try:
        if not dry_run:
            return await prune_once(runtime)
        async with runtime.sessions() as session:
            return await preview(session, Windows.of(settings), utcnow())
    finally:
        await runtime.close()


def summary(counts: Counts, settings: Settings, dry_run: bool) -> Table:
    """One row per table, with the window that applies to it."""
    days = {
        "webhook_attempts": settings.webhook_retention_days,
        "webhook_events": settings.webhook_retention_days,
        "audit_entries": settings.audit_retention_days,
    }
    title = "would prune (dry run, nothing deleted)" if dry_run else "pruned"
    table = Table(title=title)
    table.add_column("table")
    table.add_column("kept for (days)", justify="right")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(days.get(name, settings.session_retention_days)), str(count))
    return table
