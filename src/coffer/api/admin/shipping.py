"""Admin shipping: staff list the orders, and ship, deliver or cancel one (SPEC §7)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from coffer.api.admin.shipping_bodies import ShipBody
from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import PublicId
from coffer.api.s2s.shipping_bodies import OrderAnswer, OrderOut
from coffer.kit.schemas import ApiModel, PageCursor
from coffer.shipping import listing, orders

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


class OrderPage(ApiModel):
    orders: list[OrderOut]
    cursor: PageCursor


@router.get("/orders", responses=errors_for(401, 403, 404, 422))
async def list_orders(
    operator: AdminOperator,
    session: DbSession,
    status: Literal["pending", "shipped", "delivered", "cancelled"] | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OrderPage:
    """The operator's shipping orders, newest first; ``status`` keeps one kind (the board)."""
    page = await listing.list_orders(session, operator.id, status, cursor, limit)
    orders = [OrderOut.of(order) for order in page.orders]
    return OrderPage(orders=orders, cursor=PageCursor(next=page.next_cursor, prev=None))
