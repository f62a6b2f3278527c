"""Player app opens and box pages (SPEC §11): the S2S use cases, for the session's player."""

from typing import Annotated, Any, Self

from fastapi import APIRouter, Request, Response
from pydantic import Field, model_validator

from coffer.api.deps import DbSession, RuntimeDep
from coffer.api.openapi import errors_for
from coffer.api.params import BoxId
from coffer.api.play.deps import Play
from coffer.api.s2s.answers import purchase_answer
from coffer.api.s2s.catalog import live_box_out
from coffer.api.s2s.purchase_answers import SettledAnswer
from coffer.api.s2s.purchase_bodies import MAX_REELS, ClientActionId, ReelIn, RoundPublicId
from coffer.catalog import listing
from coffer.catalog.listing import BoxQuery
from coffer.catalog.schemas import LiveBoxEnvelope
from coffer.kit.schemas import ApiModel
from coffer.play.opening import PlayOpen, open_boxes
from coffer.rounds.commands import Reel

router = APIRouter(prefix="/api/play", tags=["play: rounds"])


class OpenRequest(ApiModel):
    """Reels to open now, or a held round of the player's to open. ``funding`` is accepted and
    ignored: only the launch decides what the operator pays for."""

    client_action_id: ClientActionId
    reels: Annotated[list[ReelIn], Field(min_length=1, max_length=MAX_REELS)] | None = None
    round_public_id: RoundPublicId | None = None
    funding: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if (self.reels is None) == (self.round_public_id is None):
            raise ValueError("send either reels or roundPublicId")
        if self.reels is not None:
            indexes = [reel.reel_index for reel in self.reels]
            if len(set(indexes)) != len(indexes):
                raise ValueError("reelIndex values must be unique")
        return self


OPEN_DOCS: dict[int | str, dict[str, Any]] = {
    200: {"model": SettledAnswer, "description": "Settled round, as the S2S purchase answers it"},
    **errors_for(401, 403, 404, 409, 422, 503),
}


@router.post("/rounds/open", responses=OPEN_DOCS, response_class=Response)
async def open_round(body: OpenRequest, context: Play, runtime: RuntimeDep) -> Response:
    """Open reels (player-funded, or one of the launch's free opens of its target box)."""
    reels = None
    if body.reels is not None:
        reels = tuple(Reel(r.reel_index, r.box_version_id) for r in body.reels)
    asked = PlayOpen(body.client_action_id, reels, body.round_public_id)
    return purchase_answer(await open_boxes(runtime.gateway, context, asked))


@router.get("/boxes/{boxId}", responses=errors_for(401, 403, 404))
async def box(
    request: Request, box_id: BoxId, context: Play, session: DbSession
) -> LiveBoxEnvelope:
    """One of the operator's live boxes, priced in the session's currency."""
    query = BoxQuery(currency=context.currency, locale=context.launch.locale, real_money=True)
    live = await listing.live_box(session, context.operator, box_id, query)
    return LiveBoxEnvelope(box=live_box_out(request, live))
