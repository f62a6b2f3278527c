"""The S2S calls as plain values (method, path, body, params), shared by both clients.

A call that may be sent twice (it carries its own idempotency key: ``clientActionId`` or
``idempotencyKey``) is ``retryable``; its body is built once, so a retry repeats the same key.
"""

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    retryable: bool = False

    @property
    def target(self) -> str:
        """The path and query exactly as sent (what the signature covers)."""
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path


def _body(values: Json) -> bytes:
    return json.dumps({k: v for k, v in values.items() if v is not None}).encode()


def new_key() -> str:
    return uuid.uuid4().hex


def get(path: str, **params: Any) -> Call:
    values = {k: str(v) for k, v in params.items() if v is not None}
    return Call("GET", path, params=values, retryable=True)


def post(path: str, values: Json, retryable: bool = True) -> Call:
    return Call("POST", path, _body(values), retryable=retryable)


def purchase(
    player: str, box_version_ids: list[int], client_action_id: str | None = None,
    *, game_key: str = "mystery_box", mode: str | None = None, currency: str | None = None,
) -> Call:  # fmt: skip
    """Buy one reel per box version; ``client_action_id`` (made for you if absent) makes a
    repeat answer the first purchase."""
    reels = [{"reelIndex": n, "boxVersionId": v} for n, v in enumerate(box_version_ids)]
    return post("/api/s2s/purchase", {
        "playerExternalId": player, "gameKey": game_key, "reels": reels, "mode": mode,
        "currency": currency, "clientActionId": client_action_id or new_key(),
    })  # fmt: skip


def cashout(player: str, inventory_item_id: int, currency: str) -> Call:
    body = {"playerExternalId": player, "inventoryItemId": inventory_item_id, "currency": currency}
    return post("/api/s2s/cashout", body)


def ship(player: str, item_ids: list[int], address: Json, contact: Json) -> Call:
    body = {"playerExternalId": player, "inventoryItemIds": item_ids, "address": address,
            "contact": contact}  # fmt: skip
    return post("/api/s2s/shipping/orders", body, retryable=False)


def launch(player: str, game_key: str = "mystery_box", **more: Any) -> Call:
    return post("/api/s2s/launches", {"playerExternalId": player, "gameKey": game_key, **more},
                retryable=False)  # fmt: skip


def post_balance(player: str, currency: str, amount_minor: int, key: str | None = None) -> Call:
    body = {"playerExternalId": player, "currency": currency, "amountMinor": amount_minor,
            "idempotencyKey": key or new_key()}  # fmt: skip
    return post("/api/s2s/virtual-currencies/postings", body)


def rotate(player: str, client_action_id: str | None = None) -> Call:
    body = {"playerExternalId": player, "clientActionId": client_action_id or new_key()}
    return post("/api/s2s/fairness/rotate", body)


def cancel(player: str, round_public_id: str, key: str | None = None) -> Call:
    body = {"playerExternalId": player, "roundPublicId": round_public_id,
            "idempotencyKey": key or new_key()}  # fmt: skip
    return post("/api/s2s/cancel", body)
