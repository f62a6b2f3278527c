"""Run the reference casino for real: uvicorn on 127.0.0.1 behind a fault-injecting TCP proxy.

    with CasinoServer(tmp_path / "casino.db") as casino:      # or: async with CasinoServer(...)
        casino.deposit("u_1", "EUR", 10_000)
        fault = casino.inject("timeout_after", times=1)      # the next wallet call only
        ...                                                   # POST to casino.url (the wallet)
        fault.wait_handled()                                  # the proxy has done its upstream part
        casino.assert_ledger_consistent()

``casino.url`` is ``http://127.0.0.1:<proxy port>/casino/wallet`` and ``casino.webhook_url`` is
``…/casino/webhooks`` (known once constructed); both go through the proxy, ``direct_base_url``
does not. Fault modes:

- ``timeout_before``: hold the request ``delay`` seconds without forwarding it, then drop it.
- ``timeout_after``: forward it (the casino applies it), hold the answer ``delay``, then send it.
- ``http_500``: answer 500 without forwarding. ``garbage``: answer 200 with a non-JSON body
  without forwarding. ``garbage_after``: forward it, then answer garbage instead.
- ``slow``: forward it and send the real answer after ``delay`` (keep it under the client timeout).
- ``reset``: read the request, then reset the TCP connection (SO_LINGER 0): nothing forwarded.

``delay`` defaults to ``hold_seconds`` (1.0) for the two timeouts, ``slow_seconds`` (0.05) for
``slow`` and 0 otherwise. A fault applies to wallet calls unless ``on="webhooks"`` or
``on="any"``; with ``when``, only to requests whose bytes contain that text (one player's, say).
"""

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from coffer_casino.app import casino_of, create_casino_app
from coffer_casino.settings import WALLET_PATH, WEBHOOK_PATH, CasinoSettings
from coffer_casino.wallet import Casino
from tests.support.fault_proxy import (
    TEST_SECRET,
    Fault,
    FaultMode,
    FaultProxy,
    Target,
    request_path,
)

__all__ = ["TEST_SECRET", "CasinoServer", "FaultMode"]

T = TypeVar("T")


def _bound_socket() -> socket.socket:
    """A TCP socket on a free loopback port, bound now so URLs are known before starting."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


class _Uvicorn(uvicorn.Server):
    """A uvicorn server that signals a thread-safe event once it accepts connections."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as uvicorn does, then say so (``started`` tells whether it worked)."""
        await super().startup(sockets)
        self.ready.set()


class CasinoServer:
    """The casino app under uvicorn in a background thread, reachable through a fault proxy."""

    def __init__(
        self,
        database_path: Path,
        *,
        outbound_secret: str = TEST_SECRET,
        hold_seconds: float = 1.0,
        slow_seconds: float = 0.05,
    ) -> None:
        self.secret = outbound_secret
        self.hold_seconds = hold_seconds
        self.slow_seconds = slow_seconds
        settings = CasinoSettings(outbound_secret=outbound_secret, database_path=str(database_path))
        self.app = create_casino_app(settings)
        self.casino: Casino = casino_of(self.app)
        self.faults: list[Fault] = []
        self._faults_lock = threading.Lock()
        self._ready = threading.Event()
        self._uvicorn = _Uvicorn(
            uvicorn.Config(self.app, log_config=None, log_level="warning", access_log=False),
            self._ready,
        )
        self._socket, self._proxy_socket = _bound_socket(), _bound_socket()
        self.base_url = f"http://127.0.0.1:{self._proxy_socket.getsockname()[1]}"  # proxied
        self.direct_base_url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.url, self.webhook_url = self.base_url + WALLET_PATH, self.base_url + WEBHOOK_PATH
        self._thread = threading.Thread(target=self._run, name="casino-server", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    def inject(
        self,
        mode: FaultMode,
        times: int = 1,
        delay: float | None = None,
        on: Target = "wallet",
        when: str | None = None,
    ) -> Fault:
        """Make the next ``times`` matching requests fail in ``mode``."""
        if delay is None:
            hold, slow = self.hold_seconds, self.slow_seconds
            delay = {"timeout_before": hold, "timeout_after": hold, "slow": slow}.get(mode, 0.0)
        marker = None if when is None else when.encode()
        fault = Fault(mode=mode, times=times, delay=delay, on=on, when=marker)
        with self._faults_lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Let every later request through: the faults queued so far use no more requests."""
        with self._faults_lock:
            for fault in self.faults:
                fault.times = fault.used

    def _take_fault(self, message: bytes) -> Fault | None:
        """The first queued fault with uses left that matches the request, using one of them."""
        path = request_path(message)
        with self._faults_lock:
            for fault in self.faults:
                if fault.used < fault.times and fault.matches(path, message):
                    fault.used += 1
                    return fault
        return None

    def start(self) -> "CasinoServer":
        """Start uvicorn and the proxy, returning once both accept connections."""
        self._thread.start()
        if not self._ready.wait(timeout=15) or not self._uvicorn.started:
            self.stop()
            raise RuntimeError("the casino server did not start")
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit, release held requests and join the thread."""
        self._uvicorn.should_exit = True
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        if self._thread.is_alive():
            self._thread.join(timeout=15)
        self._socket.close()
        self._proxy_socket.close()

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        upstream_port = self._socket.getsockname()[1]
        proxy = FaultProxy(upstream_port, self._take_fault, self._stopping)
        listener = await asyncio.start_server(proxy.handle, sock=self._proxy_socket)
        try:
            await self._uvicorn.serve(sockets=[self._socket])
        finally:
            self._stopping.set()
            self._ready.set()
            listener.close()
            await proxy.close()

    def call(self, work: Callable[[Casino], Coroutine[Any, Any, T]]) -> T:
        """Run ``work(casino)`` on the server's own event loop and return its result."""
        if self._loop is None:
            raise RuntimeError("the casino server is not running")
        future = asyncio.run_coroutine_threadsafe(work(self.casino), self._loop)
        return future.result(timeout=15)

    def deposit(self, player: str, currency: str, amount_minor: int) -> int:
        """Put money on a player's balance; returns the new balance."""
        return self.call(lambda c: c.deposit(player, currency, amount_minor))[0]

    def block(self, player: str, blocked: bool = True) -> None:
        """Block (or unblock) a player."""
        self.call(lambda c: c.set_blocked(player, blocked))

    def balance(self, player: str, currency: str = "EUR") -> int:
        """A player's balance in one currency."""
        return self.call(lambda c: c.balance(player, currency))

    def ledger(self, player: str | None = None, currency: str | None = None) -> list[Any]:
        """Ledger rows, oldest first."""
        return self.call(lambda c: c.ledger(player, currency))

    def applied(self, key: str) -> bool:
        """Whether the instruction with this idempotency key moved into the ledger."""
        return any(row["idempotencyKey"] == key for row in self.ledger())

    def webhook_events(self) -> list[dict[str, Any]]:
        """Webhook events the casino processed, in arrival order."""
        return self.call(lambda c: c.webhook_events())

    def assert_ledger_consistent(self) -> None:
        """Every balance equals the sum of its accepted instructions, and none is negative."""
        assert self.call(lambda c: c.mismatches()) == []

    def __enter__(self) -> "CasinoServer":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> "CasinoServer":
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *_exc: object) -> None:
        await asyncio.to_thread(self.stop)
