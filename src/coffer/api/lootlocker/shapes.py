"""Coffer's records in LootLocker's shapes: an asset (an item), an inventory item (an instance).

An asset carries every field of the reference's example with its type; fields Coffer has no
notion of (variations, rentals, files, heroes) are empty of their type, so a client reading
them finds what it expects.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from ulid import ULID

from coffer.catalog.models import Item, Loot
from coffer.inventory.instances import Instance
from coffer.kit.canonical import compact_json
from coffer.kit.schemas import iso_z
from coffer.kit.uuids import to_uuid

ASSET_KIND = 0x4C4C41  # "LLA": asset UUIDs never decode as another kind's


def asset_ulid(item: Item) -> str:
    """A stable ULID for the item: its creation time, then its id."""
    millis = int(item.created_at.timestamp() * 1000)
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + item.id.to_bytes(10, "big")))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def asset(item: Item, contents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The asset of an item; ``contents`` are a bundle's assets (``package_contents``)."""
    attributes = dict(item.custom_attributes or {})
    return {
        "id": item.id,
        "uuid": to_uuid(ASSET_KIND, item.id),
        "ulid": asset_ulid(item),
        "name": item.name,
        "active": item.is_active,
        "purchasable": False,
        "price": 0,
        "sales_price": 0,
        "display_price": "",
        "context": item.item_class or item.kind,
        "context_id": 0,
        "character_classes": [],
        "unlocks_context": "",
        "detachable": False,
        "updated": iso_z(item.updated_at),
        "marked_new": "",
        "default_variation_id": 0,
        "default_loadouts": {},
        "description": _text(attributes.get("description")),
        "links": [{"thumbnail": item.image_url}] if item.image_url else [],
        "storage": [{"key": k, "value": _text(v)} for k, v in sorted(attributes.items())],
        "rarity": {"name": _text(attributes.get("rarity")), "short_name": "", "color": ""},
        "popular": False,
        "popularity_score": 0,
        "package_contents": [{"asset": content} for content in contents or []],
        "unique_instance": not item.stackable,
        "external_identifiers": {
            "psn": {"entitlement_id": "", "sku_id": "", "product_id": ""},
            "apple_app_store": {"product_id": ""},
            "google_play": {"product_id": ""},
        },
        "rental_options": [],
        "filters": [{"name": "tag", "value": tag} for tag in item.tags or []],
        "files": [],
        "data_entities": [],
        "hero_equip_exceptions": [],
        "asset_candidate": 0,
        "drop_table_max_picks": 1 if item.kind == "container" else 0,
        "variations": [],
        "featured": False,
        "context_locked": False,
        "initially_purchasable": False,
    }


def bundle_contents(item: Item, loots: Mapping[int, Loot], items: Mapping[int, Item]) -> list[Any]:
    """A bundle's content items as assets (without their own contents), once per unit."""
    loot = loots.get(item.loot_id or 0)
    if item.kind != "bundle" or loot is None:
        return []
    found = []
    for entry in loot.contents:
        content = items.get(entry["itemId"])
        if content is not None:
            found += [asset(content)] * min(int(entry["quantity"]), 100)
    return found


RENTAL = {"is_rental": False, "time_left": None, "duration": None, "is_active": None}


def inventory_item(instance: Instance, item: Item) -> dict[str, Any]:
    """An instance as LootLocker lists it; ``quantity`` (a stack's count) is Coffer's own."""
    return {
        "instance_id": instance.id,
        "variation_id": None,
        "rental_option_id": None,
        "acquisition_source": "grant_asset",
        "asset": asset(item),
        "rental": dict(RENTAL),
        "quantity": instance.count,
    }


ROW = (
    '{"instance_id":%d,"variation_id":null,"rental_option_id":null,'
    '"acquisition_source":"grant_asset","asset":%s,"rental":%s,"quantity":%d}'
)


def inventory_page(found: Sequence[tuple[Instance, Item]], total: int) -> bytes:
    """``{total, items}`` as JSON, each item's asset serialised once however many instances
    show it: the page's cost is in its assets (``inventory_item``, written out)."""
    assets: dict[int, str] = {}
    rental = compact_json(RENTAL)
    rows = []
    for instance, item in found:
        shaped = assets.get(item.id)
        if shaped is None:
            shaped = assets[item.id] = compact_json(asset(item))
        rows.append(ROW % (instance.id, shaped, rental, instance.count))
    items = ",".join(rows)
    return f'{{"total":{total},"items":[{items}]}}'.encode()
