"""Vault listing rules, no I/O: the states a filter names and the item shape (SPEC §7)."""

from typing import Any

from coffer.catalog.models import Item
from coffer.inventory.models import InventoryItem
from coffer.inventory.rules import cashback_minor
from coffer.inventory.states import LISTED, ROUND, UNRESOLVED
from coffer.kit.schemas import iso_z

STATES = LISTED
DEFAULT_STATES = (UNRESOLVED,)


def parse_states(text: str | None) -> list[str]:
    """A comma list; unknown tokens are ignored, nothing given means ``unresolved``."""
    if text is None or not text.strip():
        return list(DEFAULT_STATES)
    wanted = {part.strip() for part in text.split(",")}
    return [state for state in STATES if state in wanted]


def vault_row(
    row: InventoryItem, item: Item, round_public_id: str | None, policies: dict[str, Any]
) -> dict[str, Any]:
    """One inventory item of any kind; cashback is what it would cash back for now, so only
    for an unresolved prize of a real-money round."""
    cashable = row.state == UNRESOLVED and row.origin == ROUND
    cashback = cashback_minor(item, policies) if cashable else None
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
        "kind": item.kind,
        "origin": row.origin,
        "count": row.count,
        "remainingUses": row.remaining_uses,
        "expiresAt": iso_z(row.expires_at) if row.expires_at else None,
        "customData": dict(row.custom_data or {}),
        "inventoryType": row.inventory_type,
        "bucket": row.bucket,
        "itemClass": item.item_class,
        "tags": list(item.tags or []),
    }
