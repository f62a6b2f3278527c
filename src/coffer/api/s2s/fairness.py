"""S2S fairness: a player's current commitment, and rotation that reveals the old seed."""

from typing import Annotated

from fastapi import APIRouter, Query

from coffer.api.deps import DbSession, RuntimeDep, S2SOperator
from coffer.api.openapi import errors_for
from coffer.api.s2s.fairness_bodies import (
    FairnessState,
    RevealedPair,
    RotateRequest,
    RotateResponse,
)
from coffer.api.s2s.signed import SignedRoute
from coffer.fairness import service
from coffer.fairness.rotation import Rotated, SeedState, rotate_once, state_of
from coffer.kit.schemas import PlayerExternalId
from coffer.players.service import ensure_player

router = APIRouter(prefix="/api/s2s/fairness", tags=["s2s: fairness"], route_class=SignedRoute)


def state_out(state: SeedState) -> FairnessState:
    return FairnessState(
        server_seed_hash=state.server_seed_hash,
        client_seed=state.client_seed,
        next_nonce=state.next_nonce,
        algorithm_key=state.algorithm_key,
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
    return state_out(state_of(pair))


@router.post("/rotate", responses=errors_for(401, 403, 409, 422))
async def rotate(
    body: RotateRequest, operator: S2SOperator, session: DbSession, runtime: RuntimeDep
) -> RotateResponse:
    """Reveal the current server seed and start a new pair; a retry of the same
    ``clientActionId`` answers the first rotation again instead of rotating twice."""
    player = await ensure_player(session, operator, body.player_external_id)
    done = await rotate_once(
        session, runtime.secrets, player, body.client_action_id, body.client_seed
    )
    await session.commit()
    return rotated_out(done)


def rotated_out(done: Rotated) -> RotateResponse:
    """A rotation's answer, the same on every surface."""
    return RotateResponse(
        revealed=RevealedPair(
            server_seed=done.server_seed,
            server_seed_hash=done.server_seed_hash,
            client_seed=done.client_seed,
            nonces_used=done.nonces_used,
            revealed_at=done.revealed_at,
        ),
        current=state_out(done.current),
    )
