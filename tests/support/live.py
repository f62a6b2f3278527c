"""Coffer served for real on 127.0.0.1, for clients that only speak HTTP (vendors' SDKs).

The server runs in a thread with its own event loop and its own runtime on the test's
database. Its socket is bound and listening before the thread starts, so a client may connect
at once (the kernel queues it until uvicorn accepts): nothing waits for readiness.
"""

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from coffer.app import create_app
from coffer.kit.settings import Settings
from coffer.runtime import Runtime


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """Coffer at the URL yielded, until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    holder: dict[str, uvicorn.Server] = {}
    made = threading.Event()

    async def main() -> None:
        runtime = Runtime.from_settings(settings)
        config = uvicorn.Config(create_app(runtime=runtime), log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        holder["server"] = server
        made.set()
        try:
            await server.serve(sockets=[sock])
        finally:
            await runtime.close()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    made.wait(10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        holder["server"].should_exit = True
        thread.join(10)
        sock.close()
