"""S2S shipping orders: create one for 1-50 of a player's items, and read it (SPEC §7)."""

from typing import Annotated

from fastapi import APIRouter, Query

from coffer.api.deps import DbSession, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.params import PublicId
from coffer.api.s2s.shipping_bodies import OrderAnswer, OrderCreate, OrderCreated, OrderOut
from coffer.api.s2s.signed import SignedRoute
from coffer.kit.schemas import PlayerExternalId
from coffer.shipping import orders

router = APIRouter(prefix="/api/s2s/shipping", tags=["s2s: shipping"], route_class=SignedRoute)


@router.post("/orders", status_code=201, responses=errors_for(401, 403, 404, 422))
async def create_order(
    body: OrderCreate, operator: S2SOperator, session: DbSession
) -> OrderCreated:
    """Order 1-50 of the player's unresolved, shippable items: all of them, or none."""
    order = await orders.create_order(session, operator, body.command())
    await session.commit()
    return OrderCreated(order=OrderOut.of(order), balance_after_minor=None)


@router.get("/orders/{publicId}", responses=errors_for(401, 404))
async def get_order(
    public_id: PublicId,
    operator: S2SOperator,
    session: DbSession,
    player_external_id: Annotated[PlayerExternalId | None, Query(alias="playerExternalId")] = None,
) -> OrderAnswer:
    """One of the operator's orders; with ``playerExternalId``, only if it is that player's."""
    order = await orders.get_order(session, operator, public_id, player_external_id)
    return OrderAnswer(order=OrderOut.of(order))
