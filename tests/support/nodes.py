"""Coffer nodes as real processes: ``coffer serve --no-worker`` and ``coffer worker``, each with
its output in a file, started and stopped by the test and waited for by polling, never by sleeps.

    cluster = Cluster(tmp_path, node_env(url, secret_key, admin_token))
    a, b = cluster.server("a"), cluster.server("b")
    cluster.worker("w1")
    await cluster.ready()            # every server answers /readyz
    b.kill()                          # SIGKILL, as a crashed host
    ...
    cluster.stop()                    # SIGTERM every live process, then close the logs
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from tests.conftest import LOOPBACK

STOP_SECONDS = 15.0
LOG_TAIL = 3000


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def node_env(database_url: str, secret_key: str, admin_token: str, tmp: Path) -> dict[str, str]:
    """What every node shares: the database, the Fernet key, the admin token, the settings."""
    return {
        **os.environ,
        "COFFER_DATABASE_URL": database_url,
        "COFFER_SECRET_KEY": secret_key,
        "COFFER_SECRET_KEY_FILE": str(tmp / "unused.key"),
        "COFFER_ADMIN_TOKEN": admin_token,
        "COFFER_EGRESS_ALLOW": LOOPBACK,  # the casino listens on loopback
        "COFFER_DATABASE_POOL_SIZE": "6",  # four processes share one test server
        "COFFER_RESOLVER_INTERVAL_S": "0.5",
        "COFFER_WEBHOOK_INTERVAL_S": "0.2",
    }


async def poll(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> float:
    """Ask ``check`` every 0.1 s until it says yes; the seconds it took. Fails at the deadline."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"{what}: still not so after {seconds:.0f} s")
        await asyncio.sleep(0.1)
    return time.monotonic() - start


@dataclass
class Node:
    """One process: a server (with ``url``) or a worker."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the process (again, after a kill), its output appended to its log file."""
        self._close_log()
        self._log = self.log_path.open("ab")
        self._log.write(f"--- start {self.starts + 1}: {' '.join(self.command)}\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no finishing of requests in flight."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL if it does not end in time."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    async def ready(self, seconds: float = 30.0) -> float:
        """Poll /readyz until it answers 200; fail at once if the process exits."""
        url = self.url
        assert url is not None

        async def answers() -> bool:
            if not self.alive:
                raise AssertionError(f"{self.name} exited:\n{self.tail()}")
            async with httpx.AsyncClient(base_url=url, timeout=2.0) as http:
                try:
                    return (await http.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

        return await poll(answers, seconds, f"{self.name} ready")

    def tail(self) -> str:
        """The end of the node's output, for a failure message."""
        if self._log is not None:
            self._log.flush()
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-LOG_TAIL:]


@dataclass
class Cluster:
    """Servers and workers on one database; only the environment is shared."""

    tmp: Path
    env: dict[str, str]
    nodes: list[Node] = field(default_factory=list)

    def server(self, name: str) -> Node:
        """``coffer serve --no-worker --no-migrate`` on a free port (the test migrated)."""
        port = free_port()
        args = ["serve", "--no-worker", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
        node = Node(name, self._coffer(*args), self.env, self.tmp / f"{name}.log")
        node.url = f"http://127.0.0.1:{port}"
        node.start()
        self.nodes.append(node)
        return node

    def worker(self, name: str) -> Node:
        """``coffer worker``: resolver, webhook delivery, expiry, retention."""
        node = Node(name, self._coffer("worker"), self.env, self.tmp / f"{name}.log")
        node.start()
        self.nodes.append(node)
        return node

    @staticmethod
    def _coffer(*args: str) -> list[str]:
        return [sys.executable, "-m", "coffer", *args]

    async def ready(self) -> None:
        """Every server answers /readyz and every worker still runs."""
        await asyncio.gather(*(n.ready() for n in self.nodes if n.url is not None))
        for node in self.nodes:
            assert node.alive, f"{node.name} exited:\n{node.tail()}"

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def logs(self) -> str:
        """Every node's output tail, to attach to a failure."""
        return "\n".join(f"===== {n.name} ({n.log_path})\n{n.tail()}" for n in self.nodes)
