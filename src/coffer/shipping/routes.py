"""Shipping orders: S2S create and read; staff ship, deliver or cancel (SPEC §7)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator

from coffer.schemas import PlayerExternalId, clean_text
from coffer.shipping import service
from coffer.shipping.schemas import OrderAnswer, OrderCreate, OrderCreated, ShipBody
from coffer.web.deps import AdminOperator, DbSession, S2SOperator
from coffer.web.openapi import errors_for
from coffer.web.signed import SignedRoute

s2s_router = APIRouter(prefix="/api/s2s/shipping", tags=["s2s: shipping"], route_class=SignedRoute)
admin_router = APIRouter(prefix="/api/admin/operators/{slug}/shipping", tags=["admin: shipping"])

PublicId = Annotated[
    str, Path(alias="publicId", min_length=1, max_length=32), AfterValidator(clean_text)
]


@s2s_router.post("/orders", status_code=201, responses=errors_for(401, 403, 404, 422))
async def create_order(
    body: OrderCreate, operator: S2SOperator, session: DbSession
) -> OrderCreated:
    """Order 1-50 of the player's unresolved, shippable items: all of them, or none."""
    order = await service.create_order(session, operator, body)
    await session.commit()
    return OrderCreated(order=order, balance_after_minor=None)


@s2s_router.get("/orders/{publicId}", responses=errors_for(401, 404))
async def get_order(
    public_id: PublicId,
    operator: S2SOperator,
    session: DbSession,
    player_external_id: Annotated[PlayerExternalId | None, Query(alias="playerExternalId")] = None,
) -> OrderAnswer:
    """One of the operator's orders; with ``playerExternalId``, only if it is that player's."""
    order = await service.get_order(session, operator, public_id, player_external_id)
    return OrderAnswer(order=order)


@admin_router.post("/orders/{publicId}/ship", responses=errors_for(401, 403, 404, 409))
async def ship_order(
    public_id: PublicId, body: ShipBody, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """pending → shipped, with carrier and tracking number; its items become ``shipped``."""
    order = await service.move_order(session, operator, public_id, service.SHIP, body)
    await session.commit()
    return OrderAnswer(order=order)


@admin_router.post("/orders/{publicId}/deliver", responses=errors_for(401, 403, 404, 409))
async def deliver_order(
    public_id: PublicId, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """shipped → delivered; its items become ``delivered``."""
    order = await service.move_order(session, operator, public_id, service.DELIVER)
    await session.commit()
    return OrderAnswer(order=order)


@admin_router.post("/orders/{publicId}/cancel", responses=errors_for(401, 403, 404, 409))
async def cancel_order(
    public_id: PublicId, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """pending → cancelled; its items return to ``unresolved``."""
    order = await service.move_order(session, operator, public_id, service.CANCEL)
    await session.commit()
    return OrderAnswer(order=order)
