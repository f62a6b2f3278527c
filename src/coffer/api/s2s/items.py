"""S2S grants and revocations of generic items (SPEC §12), applied once per idempotency key.

Both run through the orders engine as the operator's own orders (trusted: no client limits),
so they show in the player's order history and tell the operator through the same events.
"""

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import AwareDatetime, Field, StrictInt, StringConstraints

from coffer.api.deps import DbSession, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.s2s.signed import SignedRoute
from coffer.catalog.traits import Id, InventoryType
from coffer.inventory import errors as inventory_errors
from coffer.kit import errors
from coffer.kit.db import utcnow
from coffer.kit.schemas import ApiModel, PlayerExternalId, SafeText
from coffer.orders import results, service
from coffer.orders.asks import EntryAsk, OrderAsk
from coffer.players.service import ensure_player

router = APIRouter(prefix="/api/s2s/inventory", tags=["s2s: items"], route_class=SignedRoute)
Key = Annotated[SafeText, StringConstraints(min_length=1, max_length=80)]
Quantity = Annotated[StrictInt, Field(ge=1, le=1000)]


class GrantIn(ApiModel):
    item_id: Id
    quantity: Quantity = 1
    inventory_type: InventoryType | None = None
    bucket: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,16}$")] | None = None
    expires_at: AwareDatetime | None = None
    custom_data: dict[str, str] | None = None


class GrantsIn(ApiModel):
    """Grant items (a bundle grants its contents, a currency item credits the balance)."""

    player_external_id: PlayerExternalId
    idempotency_key: Key
    items: Annotated[list[GrantIn], Field(min_length=1, max_length=50)]


class RevokeIn(ApiModel):
    """Take ``quantity`` from an instance: a stack's count, or a consumable's uses."""

    player_external_id: PlayerExternalId
    idempotency_key: Key
    inventory_item_id: Id
    quantity: Quantity = 1


REFUSALS: dict[str, type[errors.CofferError]] = {
    results.ITEM_NOT_FOUND: errors.NotFound,
    results.INVENTORY_NOT_FOUND: errors.InventoryItemNotFound,
    results.FAILED_TO_MODIFY: inventory_errors.NotEnoughItems,
    results.QUANTITY_NOT_ALLOWED: inventory_errors.StackLimitReached,
    results.ITEM_NOT_ACTIVE: inventory_errors.ItemNotActive,
    results.ALWAYS_OWNED: inventory_errors.AlwaysOwned,
    results.TOO_MANY_ATTRIBUTES: inventory_errors.CustomDataTooLarge,
    results.IN_THE_PAST: inventory_errors.ExpiryInPast,
}


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    """The order's inventory changes in the S2S shape; its first refusal as an error."""
    for entry in body["entries"]:
        if entry["result"] not in (results.SUCCESS, results.ROLLBACK):
            refusal = REFUSALS.get(entry["result"], errors.ValidationFailed)
            raise refusal(f"Refused ({entry['result']}); nothing changed.")
    changes = []
    for entry in body["entries"]:
        for detail in entry["details"]:
            before, after = detail["inv_change"]["before"], detail["inv_change"]["after"]
            changes.append({
                "inventoryItemId": after["legacy_inventory_id"],
                "itemId": detail["inv_change"]["after_item_id"],
                "countBefore": before["count"] if before else 0,
                "countAfter": after["count"],
                "expiresAt": after["expires"],
                "customData": after["custom_data"],
            })  # fmt: skip
    return {"orderId": body["order_id"], "changes": changes}


async def _apply(
    session: DbSession, operator: S2SOperator, external_id: str, key: str, entries: list[EntryAsk]
) -> dict[str, Any]:
    player = await ensure_player(session, operator, external_id)
    echoes = [{k: v for k, v in vars(e).items() if v is not None} for e in entries]
    for echo in echoes:
        echo.pop("currencies", None)
        if "expires" in echo:
            echo["expires"] = echo["expires"].isoformat()
    ask = OrderAsk(entries, True, f"s2s:{key}", {"source": "SYSTEM"}, echoes, trusted=True)
    who = service.Who(operator.id, player.id, player.external_id)
    body = await service.place_order(session, who, ask, utcnow())
    answer = _changes(body)
    await session.commit()
    return answer


@router.post("/grants", responses=errors_for(401, 403, 404, 409, 422))
async def grant_items(body: GrantsIn, operator: S2SOperator, session: DbSession) -> dict[str, Any]:
    """Grant the items, all or none, once per key; a repeat answers the same changes."""
    entries = [
        EntryAsk(
            type="create_new_transient_inventory"
            if g.inventory_type == "transient"
            else "create_new_persistent_inventory",
            quantity=g.quantity,
            item_id=g.item_id,
            use_inventory_bucket=g.bucket,
            expires=g.expires_at,
            custom_data=g.custom_data,
        )
        for g in body.items
    ]
    return await _apply(session, operator, body.player_external_id, body.idempotency_key, entries)


@router.post("/revokes", responses=errors_for(401, 403, 404, 409, 422))
async def revoke_item(body: RevokeIn, operator: S2SOperator, session: DbSession) -> dict[str, Any]:
    """Take from one instance once per key; past what it holds is INSUFFICIENT_ITEMS."""
    entry = EntryAsk(
        type="update_inventory", quantity=-body.quantity, inventory_id=body.inventory_item_id
    )
    return await _apply(session, operator, body.player_external_id, body.idempotency_key, [entry])
