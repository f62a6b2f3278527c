"""S2S fairness: a player's current commitment, and rotation that reveals the old seed."""

from typing import Annotated

from fastapi import APIRouter, Query

from coffer.api.deps import DbSession, RuntimeDep, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.s2s.signed import SignedRoute
from coffer.fairness import algorithm, service
from coffer.fairness.models import SeedPair
from coffer.fairness.schemas import FairnessState, RevealedPair, RotateRequest, RotateResponse
from coffer.kit.schemas import PlayerExternalId
from coffer.players.service import ensure_player

router = APIRouter(prefix="/api/s2s/fairness", tags=["s2s: fairness"], route_class=SignedRoute)


def state_of(pair: SeedPair) -> FairnessState:
    return FairnessState(
        server_seed_hash=pair.server_seed_hash,
        client_seed=pair.client_seed,
        next_nonce=pair.next_nonce,
        algorithm_key=algorithm.ALGORITHM_KEY,
    )


@router.get("/state", responses=errors_for(401, 403, 422))
async def fairness_state(
    operator: S2SOperator,
    session: DbSession,
    runtime: RuntimeDep,
    player_external_id: Annotated[PlayerExternalId, Query(alias="playerExternalId")],
) -> FairnessState:
    """The committed server seed hash, client seed and next nonce the player's next draw uses."""
    player = await ensure_player(session, operator, player_external_id)
    pair = await service.active_pair(session, runtime.secrets, player)
    await session.commit()
    return state_of(pair)


@router.post("/rotate", responses=errors_for(401, 403, 409, 422))
async def rotate(
    body: RotateRequest, operator: S2SOperator, session: DbSession, runtime: RuntimeDep
) -> RotateResponse:
    """Reveal the current server seed and start a new pair; the revealed seed never draws again."""
    player = await ensure_player(session, operator, body.player_external_id)
    rotation = await service.rotate(session, runtime.secrets, player, body.client_seed)
    await session.commit()
    old = rotation.revealed
    assert old.revealed_at is not None
    return RotateResponse(
        revealed=RevealedPair(
            server_seed=rotation.revealed_server_seed,
            server_seed_hash=old.server_seed_hash,
            client_seed=old.client_seed,
            nonces_used=old.next_nonce,
            revealed_at=old.revealed_at,
        ),
        current=state_of(rotation.current),
    )
