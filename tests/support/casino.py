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
import struct
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import uvicorn

from coffer_casino.app import casino_of, create_casino_app
from coffer_casino.settings import WALLET_PATH, WEBHOOK_PATH, CasinoSettings
from coffer_casino.wallet import Casino

T = TypeVar("T")
FaultMode = Literal[
    "timeout_before",
    "timeout_after",
    "http_500",
    "garbage",
    "garbage_after",
    "slow",
    "reset",
    "refuse",
]
Target = Literal["wallet", "webhooks", "any"]
FORWARDING: frozenset[str] = frozenset({"timeout_after", "garbage_after", "slow"})
TEST_SECRET = "whsec_reference_casino_test_secret"


def canned(status: str, content_type: str, body: bytes) -> bytes:
    """A complete HTTP/1.1 response that closes the connection."""
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


HTTP_500 = canned("500 Internal Server Error", "text/plain", b"Internal Server Error")
GARBAGE = canned("200 OK", "text/html", b"<html><body>upstream error</body></html>")
REFUSED = canned(
    "422 Unprocessable Entity",
    "application/json",
    b'{"accepted": false, "code": "ROLLBACK_REFUSED", "message": "closed account"}',
)


@dataclass
class Fault:
    """One injected fault, used for the next ``times`` matching requests."""

    mode: FaultMode
    times: int
    delay: float
    on: Target
    when: bytes | None = None  # only requests whose bytes contain this (a player's id, say)
    used: int = 0
    handled: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def matches(self, path: str, message: bytes = b"") -> bool:
        """Whether a request to ``path`` (the whole ``message``) is one this fault is for."""
        if self.when is not None and self.when not in message:
            return False
        if self.on == "any":
            return True
        return path == (WALLET_PATH if self.on == "wallet" else WEBHOOK_PATH)

    def mark_handled(self) -> None:
        """The proxy finished its upstream part (forwarded and answered, or chose not to)."""
        with self._changed:
            self.handled += 1
            self._changed.notify_all()

    def wait_handled(self, count: int | None = None, timeout: float = 10.0) -> None:
        """Block until ``count`` (default: all) uses have been handled upstream."""
        target = self.times if count is None else count
        with self._changed:
            if not self._changed.wait_for(lambda: self.handled >= target, timeout):
                raise TimeoutError(f"fault {self.mode} handled {self.handled} of {target}")

    async def handled_async(self, count: int | None = None) -> None:
        """``wait_handled`` without blocking the caller's event loop."""
        await asyncio.to_thread(self.wait_handled, count)


async def read_message(reader: asyncio.StreamReader) -> bytes | None:
    """One HTTP/1.1 message with a Content-Length body; None on a clean end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding":
            raise ValueError("the fault proxy handles Content-Length bodies only")
    return head + await reader.readexactly(length)


def request_path(message: bytes) -> str:
    """The path of a request, from its request line."""
    target = message.split(b"\r\n", 1)[0].split(b" ")[1].decode("ascii")
    return target.split("?", 1)[0]


def wants_close(message: bytes) -> bool:
    """Whether a message's head says ``Connection: close``."""
    head = message.split(b"\r\n\r\n", 1)[0].lower()
    return b"\r\nconnection: close" in head


def reset(writer: asyncio.StreamWriter) -> None:
    """Abort the connection with an RST, as a crashed peer or a middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """Relays each request to uvicorn unless a queued fault says otherwise."""

    def __init__(
        self, upstream_port: int, take: Callable[[bytes], Fault | None], stopping: asyncio.Event
    ) -> None:
        self.upstream_port = upstream_port
        self.take = take
        self.stopping = stopping

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client connection, request by request (keep-alive)."""
        try:
            while (message := await read_message(reader)) is not None:
                fault = self.take(message)
                if not await self._serve(message, fault, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # server shutdown: end quietly, the client is gone
            pass
        finally:
            writer.close()

    async def _serve(
        self, message: bytes, fault: Fault | None, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the client connection must end."""
        if fault is None:
            response = await self._forward(message)
            await self._send(writer, response)
            return not (wants_close(message) or wants_close(response))
        if fault.mode in FORWARDING:
            response = await self._forward(message)
            fault.mark_handled()
            await self._hold(fault.delay)
            await self._send(writer, GARBAGE if fault.mode == "garbage_after" else response)
            return fault.mode == "slow" and not wants_close(response)
        fault.mark_handled()
        if fault.mode == "reset":
            reset(writer)
        elif fault.mode == "timeout_before":
            await self._hold(fault.delay)
        else:
            canned_answer = {"http_500": HTTP_500, "refuse": REFUSED}.get(fault.mode, GARBAGE)
            await self._send(writer, canned_answer)
        return False

    async def _forward(self, message: bytes) -> bytes:
        """Send the request to uvicorn on a fresh connection and read its whole answer."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            writer.write(message)
            await writer.drain()
            response = await read_message(reader)
        finally:
            writer.close()
        if response is None:
            raise ConnectionError("the casino closed the connection without answering")
        return response

    async def _hold(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the server is shutting down."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
        if writer.is_closing():
            return
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()


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
