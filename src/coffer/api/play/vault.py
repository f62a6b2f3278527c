"""The player app's Items tab (SPEC §7, §11): the vault, cashback and shipping, for the session's
player only; forwarding an item to the casino stays operator-initiated (S2S)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field, StrictInt

from coffer.api.deps import DbSession, RuntimeDep
from coffer.api.openapi import errors_for
from coffer.api.play.deps import Play
from coffer.api.s2s.answers import cashout_answer
from coffer.api.s2s.inventory_bodies import CashoutAnswer, InventoryPage
from coffer.api.s2s.shipping_bodies import Ids, OrderCreated, OrderOut
from coffer.inventory import cashout as cashouts
from coffer.inventory.listing import parse_states
from coffer.inventory.vault import InventoryQuery, list_inventory
from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel
from coffer.shipping import orders
from coffer.shipping.address import Address, Contact

router = APIRouter(prefix="/api/play", tags=["play: items"])


@router.get("/inventory", response_model=InventoryPage, responses=errors_for(401, 403, 422))
async def inventory(
    context: Play,
    session: DbSession,
    state: Annotated[str | None, Query(max_length=300)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The player's vault, newest first: ``state`` is a comma list (default ``unresolved``)."""
    query = InventoryQuery(context.player.external_id, parse_states(state), limit, cursor)
    return await list_inventory(session, context.operator, query)


class CashoutRequest(ApiModel):
    """Cash one unresolved item back, credited in the session's currency."""

    inventory_item_id: Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]


CASHOUT_DOCS: dict[int | str, dict[str, Any]] = {
    200: {"model": CashoutAnswer, "description": "Cashed back (a repeat answers the same)"},
    **errors_for(401, 403, 404, 422, 503),
}


@router.post("/cashout", response_class=Response, responses=CASHOUT_DOCS)
async def cashout(body: CashoutRequest, context: Play, runtime: RuntimeDep) -> Response:
    """Credit the item's cashback with wallet.credit, once; a repeat answers the same."""
    player = context.player.external_id
    command = cashouts.Cashout(player, body.inventory_item_id, context.currency)
    return cashout_answer(await cashouts.cashout(runtime.gateway, context.operator.id, command))


class OrderRequest(ApiModel):
    """Ship 1-50 of the player's unresolved, shippable items: all of them, or none."""

    inventory_item_ids: Ids
    address: Address
    contact: Contact


@router.post("/shipping/orders", status_code=201, responses=errors_for(401, 403, 404, 422))
async def create_order(body: OrderRequest, context: Play, session: DbSession) -> OrderCreated:
    """A shipping order for the player's items, with the address checked field by field."""
    command = orders.NewOrder(
        context.player.external_id,
        tuple(body.inventory_item_ids),
        body.address.model_dump(),
        body.contact.model_dump(),
    )
    order = await orders.create_order(session, context.operator, command)
    await session.commit()
    return OrderCreated(order=OrderOut.of(order), balance_after_minor=None)
