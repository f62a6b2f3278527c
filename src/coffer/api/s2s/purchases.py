"""S2S purchase and cancel (SPEC §6): parse, run the use case, send the stored answer's bytes."""

from fastapi import APIRouter, Response

from coffer.api.deps import RuntimeDep, S2SOperatorId
from coffer.api.openapi import errors_for
from coffer.api.s2s.signed import SignedRoute
from coffer.rounds import purchasing as flow
from coffer.rounds.idempotency import StoredAnswer
from coffer.rounds.schemas import CancelRequest, PurchaseRequest

router = APIRouter(prefix="/api/s2s", tags=["s2s: purchases"], route_class=SignedRoute)

PURCHASE_DOCS = {
    200: {"description": "Settled round (atomic open, or the open of a held round)"},
    201: {"description": "Held round (prepay)"},
    **errors_for(401, 403, 404, 409, 422, 503),
}


def _send(answer: StoredAnswer) -> Response:
    return Response(answer.body, status_code=answer.status_code, media_type="application/json")


@router.post("/purchase", responses=PURCHASE_DOCS, response_class=Response)
async def purchase(
    body: PurchaseRequest, operator_id: S2SOperatorId, runtime: RuntimeDep
) -> Response:
    """Debit, draw and settle (or hold, or open a held round); retries replay the first answer."""
    return _send(await flow.purchase(runtime, operator_id, body))


@router.post(
    "/cancel",
    responses={200: {"description": "Refunded round"}, **errors_for(401, 403, 404, 409, 422, 503)},
    response_class=Response,
)
async def cancel(body: CancelRequest, operator_id: S2SOperatorId, runtime: RuntimeDep) -> Response:
    """Refund a held, player-funded round with wallet.credit."""
    return _send(await flow.cancel_round(runtime, operator_id, body))
