"""The fault-injecting TCP proxy in front of the test casino: relays each request to uvicorn
unless a queued fault says otherwise (the modes are described in ``tests.support.casino``)."""

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from coffer_casino.settings import WALLET_PATH, WEBHOOK_PATH

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
        self.serving: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        """End every connection still open (a client killed mid-request leaves one behind), so
        no transport outlives the loop."""
        for task in list(self.serving):
            task.cancel()
        await asyncio.gather(*self.serving, return_exceptions=True)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client connection, request by request (keep-alive)."""
        task = asyncio.current_task()
        if task is not None:
            self.serving.add(task)
            task.add_done_callback(self.serving.discard)
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
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

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
