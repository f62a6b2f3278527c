"""S2S vault: the items a player has won (newest first, keyset paged) and their cashout."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from coffer.api.deps import DbSession, RuntimeDep, S2SOperator, S2SOperatorId
from coffer.api.openapi import errors_for
from coffer.api.s2s.answers import cashout_answer
from coffer.api.s2s.inventory_bodies import (
    CashoutAnswer,
    CashoutRequest,
    ForwardAnswer,
    ForwardedItem,
    ForwardRequest,
    InventoryPage,
)
from coffer.api.s2s.signed import SignedRoute
from coffer.inventory import cashout as cashouts
from coffer.inventory.forwarding import forward_item
from coffer.inventory.listing import parse_states
from coffer.inventory.vault import InventoryQuery, list_inventory
from coffer.kit.schemas import PlayerExternalId

router = APIRouter(prefix="/api/s2s", tags=["s2s: vault"], route_class=SignedRoute)


@router.get("/inventory", response_model=InventoryPage, responses=errors_for(401, 403, 404, 422))
async def inventory(
    operator: S2SOperator,
    session: DbSession,
    player_external_id: Annotated[PlayerExternalId, Query(alias="playerExternalId")],
    state: Annotated[str | None, Query(max_length=300)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The player's vault: ``state`` is a comma list (default ``unresolved``, unknown ignored)."""
    query = InventoryQuery(player_external_id, parse_states(state), limit, cursor)
    return await list_inventory(session, operator, query)


CASHOUT_DOCS = {
    200: {"model": CashoutAnswer, "description": "Cashed back (a repeat answers the same)"},
    **errors_for(401, 403, 404, 422, 503),
}


@router.post("/cashout", responses=CASHOUT_DOCS, response_class=Response)
async def cashout(
    body: CashoutRequest, operator_id: S2SOperatorId, runtime: RuntimeDep
) -> Response:
    """Credit an unresolved item's cashback (in ``currency``) with wallet.credit, once."""
    command = cashouts.Cashout(body.player_external_id, body.inventory_item_id, body.currency)
    return cashout_answer(await cashouts.cashout(runtime.gateway, operator_id, command))


@router.post("/inventory/forward", responses=errors_for(401, 404, 409, 422))
async def forward(body: ForwardRequest, operator: S2SOperator, session: DbSession) -> ForwardAnswer:
    """Hand an unresolved item to the casino (state ``forwarded_to_casino``); repeats are safe."""
    done = await forward_item(session, operator, body.player_external_id, body.inventory_item_id)
    await session.commit()
    item = ForwardedItem(
        inventory_item_id=done.inventory_item_id, item_id=done.item_id, state=done.state
    )
    return ForwardAnswer(item=item)
