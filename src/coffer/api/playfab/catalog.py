"""PlayFab's GetCatalogItems: the operator's items as CatalogItems, priced by their offers."""

import json
from typing import Any

from coffer.api.playfab.access import Actor, title_of
from coffer.api.playfab.calls import Call, Handler
from coffer.api.playfab.shapes import CATALOG_VERSION, item_ref
from coffer.catalog.models import Item
from coffer.catalog.store import Catalog, catalog
from coffer.operators.models import Operator


def _ref(found: Catalog, item_id: int) -> str | None:
    item = found.items.get(item_id)
    return None if item is None else item_ref(item)


def _bundle(found: Catalog, item: Item) -> dict[str, Any]:
    """A bundle's contents: items by ItemId (repeated per unit), currencies as amounts."""
    loot = found.loots.get(item.loot_id or 0)
    items: list[str] = []
    currencies: dict[str, int] = {}
    for entry in loot.contents if loot else []:
        code = found.codes.get(entry["itemId"])
        ref = _ref(found, entry["itemId"])
        if code is not None:
            currencies[code] = currencies.get(code, 0) + entry["quantity"]
        elif ref is not None:
            items += [ref] * min(entry["quantity"], 100)
    return {"BundledItems": items, "BundledVirtualCurrencies": currencies}


def catalog_item(found: Catalog, item: Item) -> dict[str, Any]:
    """One CatalogItem, the fields PlayFab's SDKs read."""
    offer = found.offers.get(item.id)
    shaped: dict[str, Any] = {
        "ItemId": item_ref(item),
        "ItemClass": item.item_class,
        "CatalogVersion": CATALOG_VERSION,
        "DisplayName": item.name,
        "VirtualCurrencyPrices": {c: p for c, (_, p) in (offer.prices if offer else {}).items()},
        "Tags": list(item.tags or []),
        "IsStackable": item.stackable,
        "IsTradable": False,
        "IsLimitedEdition": False,
        "InitialLimitedEditionCount": 0,
        "CanBecomeCharacter": False,
    }
    if item.image_url:
        shaped["ItemImageUrl"] = item.image_url
    if item.custom_attributes:
        shaped["CustomData"] = json.dumps(item.custom_attributes, sort_keys=True)
    usage = {"UsageCount": item.uses, "UsagePeriod": item.lifetime_seconds}
    if any(usage.values()):
        shaped["Consumable"] = {k: v for k, v in usage.items() if v}
    if item.kind == "container":
        shaped["Container"] = {
            "KeyItemId": None if item.key_item_id is None else _ref(found, item.key_item_id),
            "ResultTableContents": [str(item.loot_id)],
        }
    elif item.kind == "bundle":
        shaped["Bundle"] = _bundle(found, item)
    return shaped


async def catalog_of(call: Call, operator: Operator) -> dict[str, Any]:
    async with call.runtime.sessions() as session:
        found = await catalog(session, operator.id)
    listed = [item for item in found.items.values() if item.is_active]
    return {"Catalog": [catalog_item(found, item) for item in listed]}


async def client_catalog(call: Call, actor: Actor) -> dict[str, Any]:
    """Every item of the title, priced by its offer."""
    return await catalog_of(call, actor.operator)


async def title_catalog(call: Call) -> dict[str, Any]:
    """Every item of the title, for the game server and the title's staff."""
    return await catalog_of(call, await title_of(call))


SERVER: dict[str, Handler] = {"GetCatalogItems": title_catalog}
