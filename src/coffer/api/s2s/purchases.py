"""S2S purchase and cancel (SPEC §6): parse, run the use case, render its result."""

from typing import Any

from fastapi import APIRouter, Response

from coffer.api.deps import RuntimeDep, S2SOperatorId, Signer
from coffer.api.openapi import errors_for
from coffer.api.s2s.answers import purchase_answer
from coffer.api.s2s.purchase_answers import HeldAnswer, RefundedAnswer, SettledAnswer
from coffer.api.s2s.purchase_bodies import CancelRequest, PurchaseRequest
from coffer.api.s2s.signed import SignedRoute
from coffer.rounds import purchasing

router = APIRouter(prefix="/api/s2s", tags=["s2s: purchases"], route_class=SignedRoute)

PURCHASE_DOCS: dict[int | str, dict[str, Any]] = {
    200: {
        "model": SettledAnswer,
        "description": "Settled round (atomic open, or the open of a held round)",
    },
    201: {"model": HeldAnswer, "description": "Held round (prepay)"},
    **errors_for(401, 403, 404, 409, 422, 503),
}


@router.post("/purchase", responses=PURCHASE_DOCS, response_class=Response)
async def purchase(body: PurchaseRequest, operator: Signer, runtime: RuntimeDep) -> Response:
    """Debit, draw and settle (or hold, or open a held round); retries replay the first answer."""
    result = await purchasing.purchase(runtime.gateway, operator, body.command())
    return purchase_answer(result)


@router.post(
    "/cancel",
    responses={
        200: {"model": RefundedAnswer, "description": "Refunded round"},
        **errors_for(401, 403, 404, 409, 422, 503),
    },
    response_class=Response,
)
async def cancel(body: CancelRequest, operator_id: S2SOperatorId, runtime: RuntimeDep) -> Response:
    """Refund a held, player-funded round with wallet.credit."""
    result = await purchasing.cancel_round(runtime.gateway, operator_id, body.command())
    return purchase_answer(result)
