"""Admin shipping: staff ship, deliver or cancel an order (SPEC §7)."""

from fastapi import APIRouter

from coffer.api.admin.shipping_bodies import ShipBody
from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import PublicId
from coffer.api.s2s.shipping_bodies import OrderAnswer, OrderOut
from coffer.shipping import orders

router = APIRouter(prefix="/api/admin/operators/{slug}/shipping", tags=["admin: shipping"])


@router.post("/orders/{publicId}/ship", responses=errors_for(401, 403, 404, 409))
async def ship_order(
    public_id: PublicId, body: ShipBody, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """pending → shipped, with carrier and tracking number; its items become ``shipped``."""
    order = await orders.move_order(session, operator, public_id, orders.SHIP, body.command())
    await session.commit()
    return OrderAnswer(order=OrderOut.of(order))


@router.post("/orders/{publicId}/deliver", responses=errors_for(401, 403, 404, 409))
async def deliver_order(
    public_id: PublicId, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """shipped → delivered; its items become ``delivered``."""
    order = await orders.move_order(session, operator, public_id, orders.DELIVER)
    await session.commit()
    return OrderAnswer(order=OrderOut.of(order))


@router.post("/orders/{publicId}/cancel", responses=errors_for(401, 403, 404, 409))
async def cancel_order(
    public_id: PublicId, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """pending → cancelled; its items return to ``unresolved``."""
    order = await orders.move_order(session, operator, public_id, orders.CANCEL)
    await session.commit()
    return OrderAnswer(order=OrderOut.of(order))
