"""The JSON the purchase endpoints answer with, shaped field for field as the reference."""

import json
from dataclasses import dataclass
from typing import Any

from coffer.kit.errors import STATUS_BY_CODE, envelope
from coffer.kit.schemas import iso_z
from coffer.rounds.idempotency import StoredAnswer
from coffer.rounds.models import Round


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


def answer(status_code: int, body: dict[str, Any]) -> StoredAnswer:
    """Serialize once; the same bytes are stored and replayed."""
    return StoredAnswer(status_code, json.dumps(body, separators=(",", ":")).encode())


def fairness_block(round_: Round) -> dict[str, Any]:
    return {
        "serverSeedHash": round_.server_seed_hash,
        "clientSeed": round_.client_seed,
        "nonce": round_.nonce,
        "algorithmKey": round_.algorithm_key,
    }


def settled(
    round_: Round, reels: list[ReelView], won: list[WonItemView], balance: int | None
) -> StoredAnswer:
    """The atomic 200 shape (also the answer to opening a held round)."""
    assert round_.settled_at is not None
    body = {
        "round": {
            "publicId": round_.public_id,
            "status": "settled",
            "betMinor": round_.bet_minor,
            "payoutMinor": round_.payout_minor,
            "currency": round_.currency,
            "funding": round_.funding,
            "settledAt": iso_z(round_.settled_at),
            "reels": [
                {
                    "reelIndex": r.reel_index,
                    "boxVersionId": r.box_version_id,
                    "prize": {"itemId": r.item_id, "name": r.name, "valueMinor": r.value_minor},
                }
                for r in reels
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
                for w in won
            ],
            "fairness": fairness_block(round_),
        },
        "balanceAfterMinor": balance,
    }
    return answer(200, body)


def held(round_: Round, box_version_ids: list[int], balance: int | None) -> StoredAnswer:
    """The prepay 201 shape."""
    assert round_.purchased_at is not None
    body = {
        "round": {
            "publicId": round_.public_id,
            "status": "held",
            "betMinor": round_.bet_minor,
            "currency": round_.currency,
            "funding": round_.funding,
            "boxVersionId": box_version_ids[0],
            "boxVersionIds": box_version_ids,
            "purchasedAt": iso_z(round_.purchased_at),
        },
        "balanceAfterMinor": balance,
    }
    return answer(201, body)


def refused(round_: Round, code: str, message: str, balance: int | None) -> StoredAnswer:
    """A refused debit: the error, the voided round and the wallet's balance."""
    body = envelope(code, message)
    body["round"] = {"publicId": round_.public_id, "status": "voided"}
    body["balanceAfterMinor"] = balance
    return answer(STATUS_BY_CODE.get(code, 422), body)


def unavailable(round_: Round, reason: str) -> StoredAnswer:
    """The wallet never answered definitely: the debit will be rolled back in the background."""
    body = envelope(
        "WALLET_UNAVAILABLE",
        "The wallet did not answer definitely; the debit will be rolled back and the round "
        f"voided in the background ({reason}). Retry with a new clientActionId.",
    )
    shown = "voided" if round_.status == "voided" else "pending"
    body["round"] = {"publicId": round_.public_id, "status": shown}
    return answer(503, body)


def refunded(round_: Round, balance: int | None) -> StoredAnswer:
    """The cancel 200 shape."""
    body = {
        "round": {
            "publicId": round_.public_id,
            "status": "refunded",
            "refundedMinor": round_.refunded_minor,
            "currency": round_.currency,
        },
        "balanceAfterMinor": balance,
    }
    return answer(200, body)


def error(code: str, message: str) -> StoredAnswer:
    """A plain error in the envelope, with its status from the one table."""
    return answer(STATUS_BY_CODE.get(code, 422), envelope(code, message))
