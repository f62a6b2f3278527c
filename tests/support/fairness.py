"""SPEC §10 written again from its text, independent of Coffer's code, to judge its draws."""

import hashlib
import hmac
from typing import Any


def spec_tickets(
    server_seed: str, client_seed: str, nonce: int, reels: int, total: int
) -> list[int]:
    """SPEC §10, from its text: HMAC blocks → big-endian u32 per reel → (u * W) >> 32."""
    stream = b""
    block = 0
    while len(stream) < 4 * reels:
        message = f"{client_seed}:{nonce}:{block}".encode()
        stream += hmac.new(server_seed.encode(), message, hashlib.sha256).digest()
        block += 1
    words = [int.from_bytes(stream[4 * k : 4 * k + 4], "big") for k in range(reels)]
    return [(u * total) >> 32 for u in words]


def spec_pick(prizes: list[dict[str, Any]], ticket: int) -> dict[str, Any]:
    """The first prize, in (sortIndex, prizeId) order, whose running weight sum exceeds ticket."""
    running = 0
    for prize in sorted(prizes, key=lambda p: (p["sortIndex"], p["prizeId"])):
        running += prize["weight"]
        if running > ticket:
            return prize
    raise AssertionError("a ticket beyond the total weight")
