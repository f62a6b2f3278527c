"""S2S money history: the join between Coffer's instructions and the operator's wallet records."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from coffer.api.deps import DbSession, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.s2s.signed import SignedRoute
from coffer.history.service import HistoryQuery, history, parse_types
from coffer.kit.schemas import PlayerExternalId

ZONED = "ISO-8601 with a zone, e.g. 2026-01-01T00:00:00Z"
router = APIRouter(prefix="/api/s2s", tags=["s2s: history"], route_class=SignedRoute)


@router.get("/history", responses=errors_for(401, 403, 404, 422))
async def money_history(
    operator: S2SOperator,
    session: DbSession,
    player_external_id: Annotated[PlayerExternalId, Query(alias="playerExternalId")],
    types: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[AwareDatetime | None, Query(alias="from", description=ZONED)] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to", description=ZONED)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """One row per money instruction, newest first; amounts signed from the player's view."""
    query = HistoryQuery(player_external_id, parse_types(types), since, until, limit, cursor)
    return await history(session, operator, query)
