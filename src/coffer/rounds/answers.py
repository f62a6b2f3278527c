"""What the purchase use cases answer: plain results that every surface renders its own way.

Results are stored as JSON with the player's action, so a retry through any surface gets the
same result back. Actions finished before results were stored replay their stored bytes
(``Replayed``).
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coffer.kit.canonical import compact_json
from coffer.kit.schemas import iso_z


@dataclass(frozen=True)
class ReelView:
    reel_index: int
    box_version_id: int
    item_id: int | None
    name: str
    value_minor: int


@dataclass(frozen=True)
class WonItemView:
    inventory_item_id: int
    item_id: int
    name: str
    cashback_minor: int | None
    currency: str
    state: str


@dataclass(frozen=True)
class Fairness:
    server_seed_hash: str
    client_seed: str
    nonce: int
    algorithm_key: str


@dataclass(frozen=True)
class Settled:
    """A drawn round (atomic open, or the open of a held round)."""

    public_id: str
    bet_minor: int
    payout_minor: int
    currency: str
    funding: str
    settled_at: datetime
    reels: tuple[ReelView, ...]
    won: tuple[WonItemView, ...]
    fairness: Fairness
    balance_after_minor: int | None


@dataclass(frozen=True)
class Held:
    """A prepaid round, to open later."""

    public_id: str
    bet_minor: int
    currency: str
    funding: str
    box_version_ids: tuple[int, ...]
    purchased_at: datetime
    balance_after_minor: int | None


@dataclass(frozen=True)
class Refunded:
    public_id: str
    refunded_minor: int
    currency: str
    balance_after_minor: int | None


@dataclass(frozen=True)
class Failure:
    """A business outcome with an error code; ``round_*`` and the balance when there are any."""

    code: str
    message: str
    round_public_id: str | None = None
    round_status: str | None = None
    balance_after_minor: int | None = None
    reports_balance: bool = False


@dataclass(frozen=True)
class Replayed:
    """An answer stored as status and bytes before results were stored: replayed as is."""

    status_code: int
    body: bytes


Result = Settled | Held | Refunded | Failure | Replayed


def settled_round(result: Settled) -> dict[str, Any]:
    """The settled round's JSON: the purchase answer's ``round`` and ``round_settled``'s too."""
    return {
        "publicId": result.public_id,
        "status": "settled",
        "betMinor": result.bet_minor,
        "payoutMinor": result.payout_minor,
        "currency": result.currency,
        "funding": result.funding,
        "settledAt": iso_z(result.settled_at),
        "reels": [
            {
                "reelIndex": r.reel_index,
                "boxVersionId": r.box_version_id,
                "prize": {"itemId": r.item_id, "name": r.name, "valueMinor": r.value_minor},
            }
            for r in result.reels
        ],
        "wonItems": [
            {
                "inventoryItemId": w.inventory_item_id,
                "itemId": w.item_id,
                "name": w.name,
                "cashbackMinor": w.cashback_minor,
                "currency": w.currency,
                "state": w.state,
            }
            for w in result.won
        ],
        "fairness": {
            "serverSeedHash": result.fairness.server_seed_hash,
            "clientSeed": result.fairness.client_seed,
            "nonce": result.fairness.nonce,
            "algorithmKey": result.fairness.algorithm_key,
        },
    }


def unavailable(public_id: str, status: str, reason: str) -> Failure:
    """The wallet never answered definitely: the debit will be rolled back in the background."""
    return Failure(
        "WALLET_UNAVAILABLE",
        "The wallet did not answer definitely; the debit will be rolled back and the round "
        f"voided in the background ({reason}). Retry with a new clientActionId.",
        public_id,
        "voided" if status == "voided" else "pending",
    )


def dump(result: Result) -> str:
    """The stored form of a result (never of ``Replayed``, which is already stored)."""
    assert not isinstance(result, Replayed)
    fields = {k: _plain(v) for k, v in vars(result).items()}
    return compact_json({"kind": type(result).__name__, **fields})


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(v) for k, v in vars(value).items()}
    return value


def load(text: str) -> Result:
    """A stored result back."""
    data = dict(json.loads(text))
    kind = data.pop("kind")
    if kind == "Settled":
        data["settled_at"] = datetime.fromisoformat(data["settled_at"])
        data["reels"] = tuple(ReelView(**r) for r in data["reels"])
        data["won"] = tuple(WonItemView(**w) for w in data["won"])
        data["fairness"] = Fairness(**data["fairness"])
        return Settled(**data)
    if kind == "Held":
        data["purchased_at"] = datetime.fromisoformat(data["purchased_at"])
        data["box_version_ids"] = tuple(data["box_version_ids"])
        return Held(**data)
    if kind == "Refunded":
        return Refunded(**data)
    if kind == "Failure":
        return Failure(**data)
    raise ValueError(f"unknown stored result kind {kind!r}")
