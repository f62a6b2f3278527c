"""POST and GET /inventory/v1/player/me/order: a player's orders, as the reference shows them."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel
from sqlalchemy.exc import DBAPIError

from coffer.api.deps import RuntimeDep
from coffer.api.openapi import errors_for
from coffer.api.orders.bodies import EntryIn, OrderIn
from coffer.api.play.deps import AnyPlayer
from coffer.kit.canonical import compact_json
from coffer.kit.db import is_retryable, utcnow, write_session
from coffer.orders import service
from coffer.orders.asks import EntryAsk, OrderAsk, PriceAsk
from coffer.orders.listing import OrderQuery, list_orders
from coffer.orders.records import instance_id_of

router = APIRouter(prefix="/inventory/v1/player/me", tags=["orders API (compatibility)"])


class AuthFailure(BaseModel):
    auth_success: bool = True
    error_code: str
    desc: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationError(BaseModel):
    detail: list[ValidationIssue]


RESPONSES: dict[int | str, dict[str, Any]] = {
    **errors_for(),  # 413 and 500 leave in the SPEC envelope, as on every surface
    403: {"model": AuthFailure, "description": "Forbidden"},
    422: {"model": ValidationError, "description": "Validation Error"},
}


DEADLOCK_TRIES = 3
JSON_BODY = {"application/json": {"schema": {"type": "object"}}}
ORDER_DOC = {"description": "The Player Order, each entry with its result", "content": JSON_BODY}
LIST_DOC = {"description": "A collection of Player Orders and the page", "content": JSON_BODY}


def _prices(entry: EntryIn) -> list[PriceAsk]:
    price = entry.purchase_price
    if price is None:
        return []
    found = [PriceAsk(c.price_item_id, c.price) for c in price.currencies or []]
    if not found and price.price_item_id is not None and price.price is not None:
        found = [PriceAsk(price.price_item_id, price.price)]  # the deprecated single price
    return found


def entry_ask(entry: EntryIn) -> EntryAsk:
    """The entry as plain values; an ``inventory_id`` wins over ``legacy_inventory_id``."""
    inventory = entry.legacy_inventory_id
    if entry.inventory_id is not None:
        inventory = instance_id_of(str(entry.inventory_id))
    coupon = entry.purchase_price.price_coupon_item_id if entry.purchase_price else None
    return EntryAsk(
        type=entry.type,
        quantity=entry.quantity,
        loot_id=entry.loot_id,
        vendor_etag=entry.vendor_etag,
        vendor_version=entry.vendor_version,
        dynamic_bundle_loot_ids=entry.dynamic_bundle_loot_ids,
        currencies=_prices(entry),
        price_coupon_item_id=coupon,
        external_tran_id=entry.external_tran_id,
        use_inventory_bucket=entry.use_inventory_bucket,
        inventory_id=inventory,
        item_id=entry.item_id,
        expires=entry.expires,
        custom_data=entry.custom_data,
    )


def order_ask(body: OrderIn) -> OrderAsk:
    echo = body.model_dump(mode="json", include={"source", "portal_id", "portal_user_id"})
    echo |= body.model_dump(mode="json", include={"instance_id", "match_id"})
    return OrderAsk(
        entries=[entry_ask(entry) for entry in body.entries],
        is_transaction=body.is_transaction,
        client_order_ref_id=str(body.client_order_ref_id) if body.client_order_ref_id else None,
        echo=echo,
        entry_echoes=[entry.model_dump(mode="json") for entry in body.entries],
    )


def as_json(body: dict[str, Any]) -> Response:
    """The body as it is: already the reference's JSON shape, so no model re-checks it."""
    return Response(compact_json(body).encode(), media_type="application/json")


@router.post("/order", response_class=Response, responses={200: ORDER_DOC, **RESPONSES})
async def place_order(body: OrderIn, player: AnyPlayer, runtime: RuntimeDep) -> Response:
    """Apply the order's entries (all or none with ``is_transaction``); a repeat of its
    ``client_order_ref_id`` answers the first order and changes nothing."""
    who = service.Who(player.operator.id, player.player.id, player.player.external_id)
    ask = order_ask(body)
    for attempt in range(DEADLOCK_TRIES):
        try:
            async with write_session(runtime.sessions, runtime.writer) as session:
                answer = await service.place_order(session, who, ask, utcnow())
                await session.commit()
            return as_json(answer)
        except DBAPIError as exc:  # a deadlock with another path of the same player's rows
            if not is_retryable(exc) or attempt == DEADLOCK_TRIES - 1:
                raise
    raise AssertionError("unreachable")


@router.get("/order", response_class=Response, responses={200: LIST_DOC, **RESPONSES})
async def get_orders(
    player: AnyPlayer,
    runtime: RuntimeDep,
    starting_position: AwareDatetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    sort: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Recent orders of the player; with ``cursor``, ``starting_position`` is ignored."""
    query = OrderQuery(starting_position, cursor, sort, limit)
    async with runtime.sessions() as session:
        return as_json(await list_orders(session, player.player.id, query))
