"""The game's catalog and the rewards granted from it.

A game has one catalog, keyed by the operator's slug: its listings are the active bundles sold
for virtual currency. A listing of one asset is an ``asset`` entry, of one currency amount a
``currency`` entry, of anything else a ``group``. Granting a reward fills a listing's bundle
for a player without payment.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.compat import granted, in_write, place
from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.lootlocker.access import BASE, BodyId, Game, player_of
from coffer.api.lootlocker.shapes import inventory_item
from coffer.catalog.models import Loot
from coffer.catalog.store import Catalog, catalog, listings
from coffer.kit.db import utcnow
from coffer.kit.errors import NotFound, ValidationFailed
from coffer.kit.schemas import iso_z
from coffer.ledger.models import VirtualCurrency
from coffer.ledger.queries import currencies_of
from coffer.loot.holdings import these
from coffer.orders import results, service
from coffer.orders.asks import EntryAsk

router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)
CATALOGS = "/catalogs/inspired-ibex/v1"
LISTINGS = {
    "apple_app_store": {"product_id": ""},
    "google_play_store": {"product_id": ""},
    "steam_store": {"description": "", "prices": []},
    "stripe_store": {"currency": "", "amount": 0},
    "epic_games_store": {"audience_item_id": ""},
    "playstation_store": {"entitlement_label": ""},
}


def _kind(found: Catalog, loot: Loot) -> tuple[str, str]:
    """The listing's entity kind and id."""
    if len(loot.contents) == 1:
        item_id = loot.contents[0]["itemId"]
        if item_id in found.codes:
            return "currency", str(item_id)
        if loot.contents[0]["quantity"] == 1 and item_id in found.items:
            return "asset", str(item_id)
    return "group", str(loot.id)


def _prices(
    found: Catalog, loot: Loot, currencies: dict[str, VirtualCurrency]
) -> list[dict[str, Any]]:
    """The listing's prices in currencies, each paid alone (prices of an option are not)."""
    shaped = []
    for n, price in enumerate(loot.prices):
        code = found.codes.get(price["priceItemId"])
        if code is None or price.get("option") or code not in currencies:
            continue
        shaped.append({
            "amount": price["price"], "display_amount": str(price["price"]),
            "currency_code": code, "currency_name": currencies[code].name,
            "price_id": f"{loot.id}:{n}", "currency_id": str(currencies[code].id),
        })  # fmt: skip
    return shaped


def _details(found: Catalog, loot: Loot, kind: str, entity: str) -> tuple[str, dict[str, Any]]:
    listing = str(loot.id)
    if kind == "asset":
        item = found.items[int(entity)]
        return "assets_details", {
            "name": item.name, "variation_id": "", "rental_option_id": "", "legacy_id": item.id,
            "id": entity, "thumbnail": item.image_url or "", "catalog_listing_id": listing,
        }  # fmt: skip
    if kind == "currency":
        amount = str(loot.contents[0]["quantity"])
        code = found.codes[int(entity)]
        return "currency_details", {
            "name": code, "code": code, "amount": amount, "id": entity,
            "catalog_listing_id": listing,
        }  # fmt: skip
    return "group_details", {
        "name": loot.name,
        "description": "",
        "id": listing,
        "catalog_listing_id": listing,
    }


@router.get(CATALOGS + "/key/{catalog_key}/prices")
async def list_catalog(
    catalog_key: Annotated[str, StringConstraints(max_length=64)], game: Game, runtime: RuntimeDep,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str, Query(max_length=20)] = "",
) -> dict[str, Any]:  # fmt: skip
    """The game's listings after ``cursor``, ``per_page`` at a time."""
    if catalog_key != game.slug:
        raise NotFound(f"No catalog {catalog_key!r}: a game's catalog key is its operator's slug.")
    after = int(cursor) if cursor.isdecimal() else 0
    async with runtime.sessions() as session:
        found = await catalog(session, game.id)
        loots, total = await listings(session, game.id, after, per_page)
        currencies = {c.code: c for c in await currencies_of(session, game.id)}
    answer: dict[str, Any] = {
        "catalog": {"created_at": iso_z(game.created_at), "name": game.name, "key": game.slug,
                    "id": str(game.id), "deleted_at": ""},
        "entries": [], "assets_details": [], "progression_points_details": [],
        "progression_resets_details": [], "currency_details": [], "group_details": [],
    }  # fmt: skip
    for loot in loots:
        kind, entity = _kind(found, loot)
        answer["entries"].append({
            "created_at": iso_z(loot.created_at), "entity_kind": kind, "entity_name": loot.name,
            "entity_id": entity, "catalog_listing_id": str(loot.id), "purchasable": True,
            "non_refundable": True, "listings": LISTINGS,
            "prices": _prices(found, loot, currencies),
        })  # fmt: skip
        section, detail = _details(found, loot, kind, entity)
        answer[section].append(detail)
    more = len(loots) == per_page and loots[-1].id
    answer["pagination"] = {"total": total, "next_cursor": str(more) if more else ""}
    return answer


class RewardIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    player_id: BodyId
    catalog_listing_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")]


@router.post(CATALOGS + "/reward/grant")
async def grant_reward(body: RewardIn, game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """Grant a listing to the player without payment: its bundle is filled once."""
    player = await player_of(runtime, game, body.player_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        who = service.Who(game.id, player.id, player.external_id)
        entry = EntryAsk("fill_loot", 1, loot_id=int(body.catalog_listing_id))
        [done] = await place(
            session, who, [entry], utcnow(), whole=True, trusted=True, source="LOOTLOCKER"
        )
        if done["result"] in (results.LOOT_NOT_FOUND, results.LOOT_NOT_ACTIVE):
            raise NotFound(f"No listing {body.catalog_listing_id} in this game's catalog.")
        if done["result"] != results.SUCCESS:
            raise ValidationFailed(f"The reward was refused ({done['result']}); nothing changed.")
        held = await these(session, game.id, player.id, granted(done))
        return {"success": True, "items": [inventory_item(i, item) for i, item in held]}

    return await in_write(runtime, work)
