"""S2S launches (SPEC §11): the operator's backend mints a single-use link to the player app."""

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import Field, StrictBool, StrictInt, StringConstraints

from coffer.api.deps import DbSession, RuntimeDep, Signer
from coffer.api.openapi import errors_for
from coffer.api.s2s.signed import SignedRoute
from coffer.catalog.schemas import MAX_ID
from coffer.kit.db import utcnow
from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel, PlayerExternalId, SafeText, UtcTime
from coffer.operators.schemas import CurrencyCode, HttpUrlText
from coffer.orders.records import player_uuid
from coffer.play import launches
from coffer.play.api_tokens import mint_api_token

router = APIRouter(prefix="/api/s2s", tags=["s2s: launches"], route_class=SignedRoute)


class LaunchTarget(ApiModel):
    box_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = None
    auto_open: StrictBool = False


class LaunchRequest(ApiModel):
    player_external_id: PlayerExternalId
    game_key: Annotated[SafeText, StringConstraints(max_length=32)]
    target: LaunchTarget = Field(default_factory=LaunchTarget)
    locale: Annotated[SafeText, StringConstraints(min_length=2, max_length=16)] = "en"
    currency: CurrencyCode | None = None
    return_url: HttpUrlText | None = None
    parent_origin: Annotated[SafeText, StringConstraints(max_length=300)] | None = None
    balance_minor: Annotated[StrictInt, Field(ge=0, le=JSON_SAFE_MAX)] | None = None
    funding: Literal["player", "operator"] = "player"
    funding_rounds: Annotated[StrictInt, Field(ge=1, le=100)] | None = None


class LaunchAnswer(ApiModel):
    launch_token: str
    launch_url: str
    expires_at: UtcTime


@router.post("/launches", status_code=201, responses=errors_for(401, 403, 404, 422))
async def create_launch(
    body: LaunchRequest, operator: Signer, session: DbSession, runtime: RuntimeDep
) -> LaunchAnswer:
    """A launch token (single use, 60 s) and the URL to frame; the launch fixes the target box
    and any operator-funded opens, which the player cannot change."""
    command = launches.LaunchCommand(
        player_external_id=body.player_external_id,
        game_key=body.game_key,
        target_box_id=body.target.box_id,
        auto_open=body.target.auto_open,
        locale=body.locale,
        currency=body.currency,
        return_url=body.return_url,
        parent_origin=body.parent_origin,
        balance_minor=body.balance_minor,
        funding=body.funding,
        funding_rounds=body.funding_rounds,
    )
    minted = await launches.mint(session, operator, command, runtime.settings.base_url, utcnow())
    await session.commit()
    return LaunchAnswer(
        launch_token=minted.launch_token, launch_url=minted.launch_url, expires_at=minted.expires_at
    )


class PlayerTokenRequest(ApiModel):
    player_external_id: PlayerExternalId


class PlayerToken(ApiModel):
    token: str
    expires_at: UtcTime
    player_uuid: str


@router.post("/player-tokens", status_code=201, responses=errors_for(401, 403, 422))
async def create_player_token(
    body: PlayerTokenRequest, operator: Signer, session: DbSession
) -> PlayerToken:
    """A player token (``ps_…``) for the orders API, for a game client your backend vouches
    for; it expires like a player-app session (idle and absolute limits)."""
    started = await mint_api_token(session, operator, body.player_external_id, utcnow())
    await session.commit()
    context = started.context
    return PlayerToken(
        token=started.token,
        expires_at=context.expires_at,
        player_uuid=player_uuid(context.player.id),
    )
