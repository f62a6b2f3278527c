"""Vault listing rules, no I/O: states, opaque keyset cursors and the item shape (SPEC §7)."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Literal

from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.inventory.rules import cashback_minor
from coffer.kit.errors import ValidationFailed
from coffer.kit.schemas import iso_z

STATES = (
    "unresolved",
    "cashed_back",
    "ship_requested",
    "shipped",
    "delivered",
    "expired",
    "forwarded_to_casino",
)
DEFAULT_STATES = ("unresolved",)
MAX_ID = 2**63 - 1
NOT_OURS = {"cursor": "not a cursor this API returned"}

Direction = Literal["next", "prev"]


@dataclass(frozen=True)
class Cursor:
    """``next``: items with id < ``id``; ``prev``: items with id > ``id``."""

    direction: Direction
    id: int


def parse_states(text: str | None) -> list[str]:
    """A comma list; unknown tokens are ignored, nothing given means ``unresolved``."""
    if text is None or not text.strip():
        return list(DEFAULT_STATES)
    wanted = {part.strip() for part in text.split(",")}
    return [state for state in STATES if state in wanted]


def encode_cursor(direction: Direction, inventory_id: int) -> str:
    raw = json.dumps({"dir": direction, "id": inventory_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The cursor's direction and bound; one this API did not hand out is a ``cursor`` error."""
    try:
        raw = base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())
        data = json.loads(raw)
        direction, bound = data["dir"], data["id"]
    except (ValueError, binascii.Error, KeyError, TypeError) as exc:
        raise ValidationFailed(fields=NOT_OURS) from exc
    if direction not in ("next", "prev") or type(bound) is not int or not 0 <= bound <= MAX_ID:
        raise ValidationFailed(fields=NOT_OURS)
    if len(data) != 2:
        raise ValidationFailed(fields=NOT_OURS)
    return Cursor(direction, bound)


def vault_row(
    row: InventoryItem, item: Item, round_public_id: str | None, policies: dict[str, Any]
) -> dict[str, Any]:
    """One vault item; cashback is what it would cash back for now, so only when unresolved."""
    cashback = cashback_minor(item, policies) if row.state == "unresolved" else None
    return {
        "id": row.id,
        "itemId": item.id,
        "name": item.name,
        "type": item.type,
        "imageUrl": item.image_url,
        "valueMinor": item.value_minor,
        "currency": item.currency,
        "state": row.state,
        "cashbackMinor": cashback,
        "shippable": item.shippable,
        "wonAtRoundPublicId": round_public_id,
        "createdAt": iso_z(row.created_at),
    }
