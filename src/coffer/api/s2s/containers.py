"""S2S container opens (SPEC §12): spend a container (and its key), draw its drop table fairly."""

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field, StrictInt, StringConstraints

from coffer.api.deps import DbSession, RuntimeDep, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.s2s.signed import SignedRoute
from coffer.kit.db import utcnow
from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel, PlayerExternalId, SafeText
from coffer.loot.containers import OpenAsk, open_container
from coffer.players.service import ensure_player

router = APIRouter(
    prefix="/api/s2s/inventory/containers", tags=["s2s: items"], route_class=SignedRoute
)


class OpenIn(ApiModel):
    """Open one container the player holds, once per idempotency key."""

    player_external_id: PlayerExternalId
    inventory_item_id: Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]
    idempotency_key: Annotated[SafeText, StringConstraints(min_length=1, max_length=80)]


@router.post("/open", responses=errors_for(401, 403, 404, 409, 422))
async def open_one(
    body: OpenIn, operator: S2SOperator, session: DbSession, runtime: RuntimeDep
) -> dict[str, Any]:
    """Spend the container (and its key item, if it has one), draw one entry of its drop table
    with the player's seeds, grant it; the answer's ``fairness`` verifies it like a round."""
    player = await ensure_player(session, operator, body.player_external_id)
    ask = OpenAsk(
        operator.id, player.id, player.external_id, body.inventory_item_id, body.idempotency_key
    )
    answer = await open_container(session, runtime.secrets, ask, utcnow())
    await session.commit()
    return answer
