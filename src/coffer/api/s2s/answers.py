"""How the S2S surface renders use-case results: SPEC §6 and §7 shapes, byte for byte.

Serialised once with compact separators; an answer stored as bytes before results were stored
(``Replayed``) is sent as it was.
"""

from typing import Any

from fastapi import Response

from coffer.inventory.answers import CashedBack, CashoutFailed, CashoutResult
from coffer.kit.canonical import compact_json
from coffer.kit.errors import STATUS_BY_CODE, envelope
from coffer.kit.schemas import iso_z
from coffer.rounds.answers import Failure, Held, Refunded, Replayed, Result, Settled, settled_round


def _json(status_code: int, body: dict[str, Any]) -> Response:
    return Response(compact_json(body), status_code=status_code, media_type="application/json")


def purchase_answer(result: Result) -> Response:
    """The purchase, open and cancel answers."""
    if isinstance(result, Replayed):
        return Response(result.body, status_code=result.status_code, media_type="application/json")
    if isinstance(result, Settled):
        body = {"round": settled_round(result), "balanceAfterMinor": result.balance_after_minor}
        return _json(200, body)
    if isinstance(result, Held):
        return _json(201, _held(result))
    if isinstance(result, Refunded):
        return _json(200, _refunded(result))
    return _failure(result)


def _held(result: Held) -> dict[str, Any]:
    return {
        "round": {
            "publicId": result.public_id,
            "status": "held",
            "betMinor": result.bet_minor,
            "currency": result.currency,
            "funding": result.funding,
            "boxVersionId": result.box_version_ids[0],
            "boxVersionIds": list(result.box_version_ids),
            "purchasedAt": iso_z(result.purchased_at),
        },
        "balanceAfterMinor": result.balance_after_minor,
    }


def _refunded(result: Refunded) -> dict[str, Any]:
    return {
        "round": {
            "publicId": result.public_id,
            "status": "refunded",
            "refundedMinor": result.refunded_minor,
            "currency": result.currency,
        },
        "balanceAfterMinor": result.balance_after_minor,
    }


def _failure(result: Failure) -> Response:
    body = envelope(result.code, result.message)
    if result.round_public_id is not None:
        body["round"] = {"publicId": result.round_public_id, "status": result.round_status}
    if result.reports_balance:
        body["balanceAfterMinor"] = result.balance_after_minor
    return _json(STATUS_BY_CODE.get(result.code, 422), body)


def cashout_answer(result: CashoutResult) -> Response:
    """The cashout answer (SPEC §7)."""
    if isinstance(result, CashoutFailed):
        return _json(STATUS_BY_CODE.get(result.code, 422), envelope(result.code, result.message))
    assert isinstance(result, CashedBack)
    item = {
        "inventoryItemId": result.inventory_item_id,
        "state": "cashed_back",
        "cashbackMinor": result.cashback_minor,
        "currency": result.currency,
    }
    return _json(200, {"item": item, "balanceAfterMinor": result.balance_after_minor})
