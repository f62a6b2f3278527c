"""The purchase use cases' inputs: plain values, whichever surface the request came through."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from coffer.kit.money import Rate

# Given the boxes the reels open, takes one operator-funded open from whoever granted it, in the
# purchase's first transaction; False when none applies or is left (then the player pays).
Grant = Callable[[AsyncConnection, frozenset[int]], Awaitable[bool]]


@dataclass(frozen=True)
class Reel:
    reel_index: int
    box_version_id: int


@dataclass(frozen=True)
class Purchase:
    """Atomic open (default), prepay, or the open of a held round (``round_public_id``)."""

    player_external_id: str
    client_action_id: str
    reels: tuple[Reel, ...] | None = None
    mode: str = "open"
    currency: str | None = None
    funding: str = "player"
    round_public_id: str | None = None
    expected_price_minor: int | None = None
    game_key: str = "mystery_box"
    # With ``funding="session"`` (the player app) the funding is decided inside the purchase:
    # operator-funded if ``grant`` takes one of the launch's free opens, else player-funded.
    grant: Grant | None = field(default=None, compare=False)
    # A session's rate, pinned when it began: the price the player was shown is the price at
    # this rate, and the FX tolerance applies to it (SPEC §4) unless ``expected_price_minor``.
    pinned: Rate | None = field(default=None, compare=False)

    def fingerprint(self) -> dict[str, Any]:
        """What a retry must repeat exactly; the same fields, whatever the surface, so one
        ``clientActionId`` is one action everywhere (and matches hashes stored before)."""
        return {
            "player_external_id": self.player_external_id,
            "game_key": self.game_key,
            "mode": self.mode,
            "client_action_id": self.client_action_id,
            "currency": self.currency,
            "reels": None
            if self.reels is None
            else [
                {"reel_index": r.reel_index, "box_version_id": r.box_version_id} for r in self.reels
            ],
            "funding": self.funding,
            "round_public_id": self.round_public_id,
            "expected_price_minor": self.expected_price_minor,
        }


@dataclass(frozen=True)
class Cancel:
    player_external_id: str
    round_public_id: str
