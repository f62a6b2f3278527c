"""Running one unit of work from a CLI command: build the runtime, run, commit, close."""

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.errors import CofferError
from coffer.kit.settings import Settings
from coffer.runtime import Runtime

T = TypeVar("T")
console = Console()


def run_unit(
    work: Callable[[AsyncSession, Runtime], Awaitable[T]], settings: Settings | None = None
) -> T:
    """Run ``work`` in one transaction and commit it; a domain error exits 1 with its message."""

    async def main() -> T:
        runtime = Runtime.from_settings(settings or Settings())
        try:
            async with runtime.sessions() as session:
                result = await work(session, runtime)
                await session.commit()
                return result
        finally:
            await runtime.close()

    try:
        return asyncio.run(main())
    except CofferError as exc:
        detail = f" {exc.fields}" if exc.fields else ""
        console.print(f"[red]{exc.code}[/red]: {exc.message}{detail}")
        raise typer.Exit(1) from exc


def busy_ports(host: str, ports: list[int]) -> list[int]:
    """The ports another process already listens on (bound as uvicorn binds them)."""
    busy = []
    for port in ports:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                busy.append(port)
    return busy


async def announce(servers: list[Any], line: str) -> None:
    """Say ``line`` once every server listens."""
    while not all(server.started for server in servers):
        if any(server.should_exit for server in servers):
            return
        await asyncio.sleep(0.05)
    logging.getLogger("coffer.serve").info(line)
