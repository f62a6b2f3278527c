"""The ``hmac_sha256_v1`` draw (SPEC §10): pure functions, so anyone can recompute a round."""

from __future__ import annotations

import bisect
import hashlib
import hmac
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

ALGORITHM_KEY = "hmac_sha256_v1"

SERVER_SEED_BYTES = 32
CLIENT_SEED_BYTES = 8
CLIENT_SEED_MAX_LEN = 64
WORDS_PER_BLOCK = 8  # 32-byte HMAC-SHA256 block / 4-byte words

# Client seed alphabet: printable ASCII (0x20..0x7E), as SPEC §10 says.
_CLIENT_SEED_MIN_CHAR = 0x20
_CLIENT_SEED_MAX_CHAR = 0x7E


def server_seed_hash(server_seed: str) -> str:
    """Commitment published before the seed is revealed: sha256_hex(utf8(serverSeed))."""
    return hashlib.sha256(server_seed.encode("utf-8")).hexdigest()


def new_server_seed(randbytes: Callable[[int], bytes]) -> str:
    """A fresh server seed (32 random bytes as 64 lowercase hex); randomness is injected."""
    raw = randbytes(SERVER_SEED_BYTES)
    if len(raw) != SERVER_SEED_BYTES:
        raise ValueError(f"randbytes returned {len(raw)} bytes, expected {SERVER_SEED_BYTES}")
    return raw.hex()


def new_client_seed(randbytes: Callable[[int], bytes]) -> str:
    """A default client seed (16 lowercase hex chars) for players who never set one."""
    raw = randbytes(CLIENT_SEED_BYTES)
    if len(raw) != CLIENT_SEED_BYTES:
        raise ValueError(f"randbytes returned {len(raw)} bytes, expected {CLIENT_SEED_BYTES}")
    return raw.hex()


def is_valid_server_seed(server_seed: str) -> bool:
    """True for a well-formed seed (64 lowercase hex), the only form the server ever issues."""
    return len(server_seed) == 2 * SERVER_SEED_BYTES and all(
        c in "0123456789abcdef" for c in server_seed
    )


def is_valid_client_seed(client_seed: str) -> bool:
    """True when a player-chosen client seed is 1-64 chars of printable ASCII."""
    return 1 <= len(client_seed) <= CLIENT_SEED_MAX_LEN and all(
        _CLIENT_SEED_MIN_CHAR <= ord(c) <= _CLIENT_SEED_MAX_CHAR for c in client_seed
    )


def block(server_seed: str, client_seed: str, nonce: int, r: int) -> bytes:
    """Stream block r: HMAC keyed by the secret seed over the public "clientSeed:nonce:r"."""
    msg = f"{client_seed}:{nonce}:{r}".encode()
    return hmac.new(server_seed.encode("utf-8"), msg, hashlib.sha256).digest()


def words(server_seed: str, client_seed: str, nonce: int, count: int) -> list[int]:
    """The first ``count`` uint32 words u_k of the stream, computing only the blocks needed."""
    if count < 0:
        raise ValueError("count must be >= 0")
    n_blocks = -(-count // WORDS_PER_BLOCK)
    stream = b"".join(block(server_seed, client_seed, nonce, r) for r in range(n_blocks))
    return [int.from_bytes(stream[4 * k : 4 * k + 4], "big") for k in range(count)]


def ticket(u: int, total_weight: int) -> int:
    """Scale a uint32 to [0, W) with integer math only: floor(u / 2^32 * W)."""
    return (u * total_weight) >> 32


class PrizeTable:
    """Cumulative weights of a prize list already ordered by (sortIndex, prizeId)."""

    __slots__ = ("_cumulative",)

    def __init__(self, weights: Iterable[int]) -> None:
        ws = list(weights)
        if not ws:
            raise ValueError("a prize table needs at least one prize")
        for i, w in enumerate(ws):
            if isinstance(w, bool) or not isinstance(w, int) or w <= 0:
                raise ValueError(f"weight #{i} must be a positive integer, got {w!r}")
        self._cumulative: list[int] = list(itertools.accumulate(ws))

    @property
    def total(self) -> int:
        """W, the sum of all weights (tickets range over [0, W))."""
        return self._cumulative[-1]

    @property
    def cumulative(self) -> tuple[int, ...]:
        """Running sums, exposed so callers can show odds boundaries."""
        return tuple(self._cumulative)

    def __len__(self) -> int:
        return len(self._cumulative)

    def pick(self, ticket: int) -> int:
        """Index of the first prize whose running sum exceeds ``ticket`` (O(log n))."""
        if not 0 <= ticket < self.total:
            raise ValueError(f"ticket {ticket} outside [0, {self.total})")
        return bisect.bisect_right(self._cumulative, ticket)


@dataclass(frozen=True, slots=True)
class Reel:
    """One reel's outcome: enough to show and re-verify how the prize was chosen."""

    reel_index: int
    ticket: int
    prize_index: int


def draw(
    server_seed: str, client_seed: str, nonce: int, table: PrizeTable, reels: int
) -> list[Reel]:
    """Draw ``reels`` reels for one round; reel k uses word u_k of the round's stream."""
    if reels < 1:
        raise ValueError("reels must be >= 1")
    out: list[Reel] = []
    for k, u in enumerate(words(server_seed, client_seed, nonce, reels)):
        t = ticket(u, table.total)
        out.append(Reel(reel_index=k, ticket=t, prize_index=table.pick(t)))
    return out
