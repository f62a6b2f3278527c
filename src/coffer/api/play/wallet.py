"""The player app's balance and fairness tabs (SPEC §10, §11), for the session's player."""

from fastapi import APIRouter

from coffer.api.deps import DbSession, RuntimeDep
from coffer.api.openapi import errors_for
from coffer.api.play.deps import Play
from coffer.api.s2s.fairness import rotated_out, state_out
from coffer.api.s2s.fairness_bodies import FairnessState, RotateResponse
from coffer.api.s2s.purchase_bodies import ClientActionId
from coffer.fairness import service
from coffer.fairness.rotation import rotate_once, state_of
from coffer.kit.schemas import ApiModel
from coffer.players.models import Player
from coffer.seamless.balance import read_balance

router = APIRouter(prefix="/api/play", tags=["play: wallet and fairness"])


class Balance(ApiModel):
    balance_minor: int
    currency: str


@router.get("/wallet/balance", responses=errors_for(401, 403, 422, 503))
async def balance(context: Play, runtime: RuntimeDep) -> Balance:
    """The player's balance in the session currency, asked of the casino's wallet now."""
    found = await read_balance(
        runtime.gateway, context.operator, context.player.external_id, context.currency
    )
    return Balance(balance_minor=found, currency=context.currency)


@router.get("/fairness/state", responses=errors_for(401, 403))
async def fairness_state(context: Play, session: DbSession, runtime: RuntimeDep) -> FairnessState:
    """The committed server seed hash, client seed and next nonce of the player's next draw."""
    player = await session.get(Player, context.player.id)
    assert player is not None
    pair = await service.active_pair(session, runtime.secrets, player)
    await session.commit()
    return state_out(state_of(pair))


class RotateRequest(ApiModel):
    """Reveal the server seed and start a new pair, optionally with the player's client seed."""

    client_action_id: ClientActionId
    client_seed: str | None = None


@router.post("/fairness/rotate", responses=errors_for(401, 403, 409, 422))
async def rotate(
    body: RotateRequest, context: Play, session: DbSession, runtime: RuntimeDep
) -> RotateResponse:
    """As the S2S rotation: a retry of the same ``clientActionId`` answers the first one."""
    player = await session.get(Player, context.player.id)
    assert player is not None
    done = await rotate_once(
        session, runtime.secrets, player, body.client_action_id, body.client_seed
    )
    await session.commit()
    return rotated_out(done)
