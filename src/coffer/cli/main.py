"""The ``coffer`` command: serve, migrate, manage operators and keys, verify draws."""

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import Awaitable, Iterator
from typing import Annotated, Any

import typer

from coffer.cli.economy import economy_app
from coffer.cli.ledger import ledger_app
from coffer.cli.operators import admin_token, currency_app, key_app, operator_app
from coffer.cli.reconcile import reconcile_command
from coffer.cli.retention import prune_command
from coffer.cli.simulate import simulate_command
from coffer.cli.support import announce, busy_ports, console
from coffer.cli.verify import verify_command
from coffer.kit.logs import log_requests, resolved, traced
from coffer.kit.metrics import MULTIPROC_ENV
from coffer.kit.secrets import load_secret_box
from coffer.kit.settings import Settings
from coffer_casino.cli import casino_app

app = typer.Typer(
    help="Coffer: loot boxes and player vaults with provably fair draws.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(operator_app, name="operator")
app.add_typer(key_app, name="key")
app.add_typer(currency_app, name="currency")
app.add_typer(casino_app, name="casino")
app.add_typer(ledger_app, name="ledger")
app.add_typer(economy_app, name="economy")
app.command("admin-token")(admin_token)
app.command("verify")(verify_command)
app.command("prune")(prune_command)
app.command("reconcile")(reconcile_command)
app.command("simulate")(simulate_command)


@app.command()
def migrate() -> None:
    """Bring the database (COFFER_DATABASE_URL) up to the latest schema."""
    from coffer.migrate import upgrade_to_head

    settings = Settings()
    upgrade_to_head(settings.database_url)
    console.print(f"database migrated: {settings.database_url}")


DEMO_HELP = "Seed the demo operator and run the reference casino beside it."
CASINO_HELP = "The demo casino's port."
JOBS_HELP = "Run the background jobs in the server (default: COFFER_BACKGROUND_JOBS, on)."
WORKERS_HELP = (
    "Server processes sharing the port (PostgreSQL only); background jobs in each coordinate "
    "through the database."
)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[bool, typer.Option(help=DEMO_HELP)] = False,
    casino_port: Annotated[int, typer.Option(envvar="COFFER_CASINO_PORT", help=CASINO_HELP)] = 8100,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Migrate before serving.")
    ] = True,
    worker_inside: Annotated[
        bool | None, typer.Option("--worker/--no-worker", help=JOBS_HELP)
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help=WORKERS_HELP)] = 1,
) -> None:
    """Run the HTTP service (migrating first unless told not to)."""
    import uvicorn

    from coffer.app import create_app
    from coffer.migrate import upgrade_to_head

    settings = Settings()
    if worker_inside is not None:
        settings = settings.model_copy(update={"background_jobs": worker_inside})
    if workers > 1:
        refuse_workers(settings, demo)
    bind_host, bind_port = host or settings.host, port or settings.port
    refuse_busy_ports(bind_host, [bind_port, *([casino_port] if demo else [])], demo)
    settings = listening_settings(settings, bind_host, bind_port)
    if migrate_first:
        upgrade_to_head(settings.database_url)
    if demo:
        from coffer.cli.demo import serve_with_casino

        serve_with_casino(settings, bind_host, bind_port, casino_port)
        return
    if workers == 1:
        config = uvicorn.Config(
            create_app(settings),
            host=bind_host,
            port=bind_port,
            access_log=False,
            log_config=uvicorn_log_config(settings),
        )
        server = uvicorn.Server(config)
        listening = f"listening on http://{bind_host}:{bind_port}"
        asyncio.run(gather(server.serve(), announce([server], listening)))
    else:
        serve_processes(settings, bind_host, bind_port, workers)


def listening_settings(settings: Settings, host: str, port: int) -> Settings:
    """Where this process listens (launch URLs default to it; COFFER_PUBLIC_BASE_URL
    overrides), with one console line per request."""
    settings = settings.model_copy(update={"host": host, "port": port, "access_log": True})
    os.environ["COFFER_ACCESS_LOG"] = "true"  # uvicorn's worker processes read it
    log_requests(settings.log_format)
    if host in ("0.0.0.0", "::") and not settings.public_base_url:  # noqa: S104 - a check
        console.print(
            f"[yellow]Listening on every interface: set COFFER_PUBLIC_BASE_URL to the address "
            f"players reach, or launch URLs will say http://{host}:{port}.[/yellow]"
        )
    return settings


async def gather(*jobs: Awaitable[Any]) -> None:
    await asyncio.gather(*jobs)


def refuse_busy_ports(host: str, ports: list[int], demo: bool) -> None:
    """Exit before the database is touched when a port is taken (another ``coffer serve``?)."""
    busy = busy_ports(host, ports)
    if not busy:
        return
    how = "--port (COFFER_PORT)" + (" or --casino-port" if demo else "")
    console.print(
        f"[red]Port {busy[0]} on {host} is in use, perhaps by another coffer serve. Stop that "
        f"process, or choose another port with {how}.[/red]"
    )
    raise typer.Exit(2)


def uvicorn_log_config(settings: Settings) -> dict[str, Any] | None:
    """uvicorn's own text config, or none for JSON lines: its loggers then reach Coffer's."""
    import uvicorn

    return None if resolved(settings.log_format) == "json" else uvicorn.config.LOGGING_CONFIG


def serve_processes(settings: Settings, host: str, port: int, workers: int) -> None:
    """uvicorn's worker processes, each building its app from the environment."""
    import uvicorn

    load_secret_box(settings)  # made once here, not raced by the workers on a first run
    os.environ["COFFER_BACKGROUND_JOBS"] = str(settings.background_jobs).lower()
    with shared_metrics():
        uvicorn.run(
            "coffer.app:create_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            access_log=False,
            log_config=uvicorn_log_config(settings),
        )


@contextlib.contextmanager
def shared_metrics() -> Iterator[None]:
    """A fresh PROMETHEUS_MULTIPROC_DIR for the workers (unless the operator set one), made
    before they start so every worker counts into it and a scrape of any one adds them up."""
    if os.environ.get(MULTIPROC_ENV):
        yield
        return
    folder = tempfile.mkdtemp(prefix="coffer-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    try:
        yield
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(folder, ignore_errors=True)


def refuse_workers(settings: Settings, demo: bool) -> None:
    """Several processes need PostgreSQL: SQLite has one writer, and the demo one casino."""
    if demo:
        console.print("[red]--demo runs one process; drop --workers.[/red]")
        raise typer.Exit(2)
    if settings.database_url.startswith("sqlite"):
        console.print(
            "[red]--workers above 1 needs PostgreSQL: SQLite takes one writer at a time, so "
            "several processes would only queue on its lock. Set COFFER_DATABASE_URL to a "
            "postgresql+asyncpg:// URL, or serve with one worker.[/red]"
        )
        raise typer.Exit(2)


@app.command()
def resolve(
    loop: Annotated[bool, typer.Option(help="Keep resolving every few seconds.")] = False,
) -> None:
    """Finish wallet instructions left open by timeouts or crashes (roll back, credit again)."""
    import asyncio

    from coffer.runtime import Runtime
    from coffer.seamless.resolver import run_forever, run_once

    async def main() -> None:
        runtime = Runtime.from_settings(Settings())
        try:
            if loop:
                await run_forever(runtime.gateway, runtime.settings.resolver_interval_s)
            with traced("job"):
                report = await run_once(runtime.gateway)
            console.print(
                f"rolled back {report.rolled_back}, credited {report.credited}, "
                f"still open {report.still_open}"
            )
        finally:
            await runtime.close()

    asyncio.run(main())


@app.command()
def worker() -> None:
    """Run the wallet resolver, webhook delivery, item expiry and pruning until stopped."""
    import asyncio

    from coffer.jobs import run_all
    from coffer.runtime import Runtime

    async def main() -> None:
        runtime = Runtime.from_settings(Settings())
        try:
            console.print(
                "worker started: wallet resolver, webhook delivery, item expiry, retention "
                "(Ctrl+C to stop)"
            )
            await run_all(runtime)
        finally:
            await runtime.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


@app.command()
def expire() -> None:
    """Expire unresolved items past each operator's claim window now (one pass)."""
    import asyncio

    from coffer.jobs import expire_once
    from coffer.runtime import Runtime

    async def main() -> int:
        runtime = Runtime.from_settings(Settings())
        try:
            return await expire_once(runtime)
        finally:
            await runtime.close()

    console.print(f"expired {asyncio.run(main())} items")


@app.command("demo")
def demo_command(
    base_url: Annotated[str, typer.Option(help="Base URL to print.")] = "http://127.0.0.1:8000",
) -> None:
    """Seed the demo operator and catalog (idempotent) and print fresh credentials."""
    from coffer.cli.demo import seed_and_print
    from coffer.migrate import upgrade_to_head

    upgrade_to_head(Settings().database_url)
    seed_and_print(base_url)


def main() -> None:
    """Console-script entry point."""
    app()
