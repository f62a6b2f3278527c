"""S2S vault listing: the items a player has won, newest first, keyset paged."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from coffer.schemas import PlayerExternalId
from coffer.vault.listing import parse_states
from coffer.vault.schemas import InventoryPage
from coffer.vault.service import InventoryQuery, list_inventory
from coffer.web.deps import DbSession, S2SOperator
from coffer.web.openapi import errors_for
from coffer.web.signed import SignedRoute

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
