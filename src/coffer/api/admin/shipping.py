"""Admin shipping: staff ship, deliver or cancel an order (SPEC §7)."""

from fastapi import APIRouter

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import PublicId
from coffer.shipping import service
from coffer.shipping.schemas import OrderAnswer, ShipBody

router = APIRouter(prefix="/api/admin/operators/{slug}/shipping", tags=["admin: shipping"])


@router.post("/orders/{publicId}/ship", responses=errors_for(401, 403, 404, 409))
async def ship_order(
    public_id: PublicId, body: ShipBody, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """pending → shipped, with carrier and tracking number; its items become ``shipped``."""
    order = await service.move_order(session, operator, public_id, service.SHIP, body)
    await session.commit()
    return OrderAnswer(order=order)


@router.post("/orders/{publicId}/deliver", responses=errors_for(401, 403, 404, 409))
async def deliver_order(
    public_id: PublicId, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """shipped → delivered; its items become ``delivered``."""
    order = await service.move_order(session, operator, public_id, service.DELIVER)
    await session.commit()
    return OrderAnswer(order=order)


@router.post("/orders/{publicId}/cancel", responses=errors_for(401, 403, 404, 409))
async def cancel_order(
    public_id: PublicId, operator: AdminOperator, session: DbSession
) -> OrderAnswer:
    """pending → cancelled; its items return to ``unresolved``."""
    order = await service.move_order(session, operator, public_id, service.CANCEL)
    await session.commit()
    return OrderAnswer(order=order)
