"""A wallet that accepts every instruction at once: the network without the casino's work.

A bare asyncio HTTP/1.1 server (keep-alive, no framework), run as its own process so its CPU is
not counted as Coffer's. It does not check signatures; the reference casino run does.

Run: python bench/stub_wallet.py --port 8733
"""

import argparse
import asyncio
import itertools
import json

ANSWERS = itertools.count(1)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            body = json.dumps(
                {
                    "accepted": True,
                    "balanceAfterMinor": 10**12,
                    "providerTxnRef": f"s{next(ANSWERS)}",
                }
            ).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                + f"content-length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8733)
    asyncio.run(main(parser.parse_args().port))
