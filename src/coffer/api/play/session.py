"""Player app sessions (SPEC §11): init redeems a launch; heartbeat and logout."""

from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import StringConstraints

from coffer.api.deps import DbSession, RuntimeDep
from coffer.api.openapi import errors_for
from coffer.api.play.deps import Play
from coffer.catalog.listing import LiveBox
from coffer.kit.db import utcnow
from coffer.kit.schemas import ApiModel, UtcTime, iso_z
from coffer.operators.app_settings import Theme
from coffer.play import sessions
from coffer.play.sessions import PlayContext
from coffer.play.welcome import Welcome, welcome

router = APIRouter(prefix="/api/play/session", tags=["play: session"])


class InitRequest(ApiModel):
    launch_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Expiry(ApiModel):
    expires_at: UtcTime


@router.post("/init", responses=errors_for(401, 403, 409, 422))
async def init(body: InitRequest, session: DbSession, runtime: RuntimeDep) -> dict[str, Any]:
    """Redeem a launch token (once) for a session token and the first screen's data."""
    started = await sessions.start(session, body.launch_token, utcnow())
    shown = await welcome(session, runtime.secrets, started.context)
    await session.commit()
    return {"sessionToken": started.token, **init_answer(started.context, shown)}


def init_answer(context: PlayContext, shown: Welcome) -> dict[str, Any]:
    """The SPEC §11 init body (after the token), plus what the app needs to render."""
    operator, launch = context.operator, context.launch
    policies = shown.policies
    return {
        "expiresAt": iso_z(context.expires_at),
        "player": {"externalId": context.player.external_id},
        "tenant": {"slug": operator.slug, "name": operator.name},
        "theme": Theme.model_validate(operator.theme or {}).model_dump(
            by_alias=True, exclude_none=True
        ),
        "game": {
            "key": launch.game_key,
            "maxReels": operator.max_reels,
            "target": _target(shown.target, context),
        },
        "fairness": {
            "serverSeedHash": shown.fairness.server_seed_hash,
            "clientSeed": shown.fairness.client_seed,
            "nextNonce": shown.fairness.next_nonce,
            "algorithmKey": shown.fairness.algorithm_key,
        },
        "policies": {
            "cashbackEnabled": policies.get("cashback_enabled", True),
            "shippingEnabled": policies.get("shipping_enabled", True),
            "refundEnabled": policies.get("refund_enabled", True),
        },
        "locale": launch.locale,
        "currency": {"code": context.currency, "minorDigits": context.rate.minor_digits},
        "parentOrigin": launch.parent_origin,
        "returnUrl": launch.return_url,
        "balanceMinor": launch.balance_minor,
    }


def _target(live: LiveBox | None, context: PlayContext) -> dict[str, Any] | None:
    if live is None:
        return None
    return {
        "boxId": live.box.id,
        "boxVersionId": live.version.id,
        "name": live.box.name,
        "priceMinor": live.price_minor,
        "currency": live.currency,
        "freeOpens": context.free_opens_left,
        "autoOpen": context.launch.auto_open,
    }


@router.post("/heartbeat", responses=errors_for(401, 403))
async def heartbeat(context: Play, session: DbSession) -> Expiry:
    """Keep the session alive while the app is open; when it expires now."""
    expires = await sessions.heartbeat(session, context, utcnow())
    await session.commit()
    return Expiry(expires_at=expires)


@router.post("/logout", status_code=204, responses=errors_for(401, 403))
async def logout(context: Play, session: DbSession) -> Response:
    """End the session; its token is refused from now on."""
    await sessions.logout(session, context, utcnow())
    await session.commit()
    return Response(status_code=204)
