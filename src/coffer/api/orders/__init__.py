"""The player orders API (SPEC §14, reference ``player-orders-api.txt``) under /inventory/v1.

Errors leave in the reference's shapes: 403 ``{auth_success, error_code, desc}`` and 422
``{detail: [{loc, msg, type}]}``; everything else keeps its code's status in the 403 shape.
"""

from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse, Response

from coffer.api.errors import ErrorRenderer
from coffer.kit.errors import STATUS_BY_CODE, AuthError, CofferError, ValidationFailed


def _detail(errors: Sequence[Any]) -> Response:
    detail = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in errors
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _fields(fields: dict[str, str]) -> Response:
    return _detail(
        [{"loc": ["query", *path.split(".")], "msg": msg, "type": "value_error"}
         for path, msg in fields.items()]
    )  # fmt: skip


def _domain(exc: CofferError) -> Response:
    if isinstance(exc, ValidationFailed) and exc.fields:
        return _fields(exc.fields)
    unauthenticated = isinstance(exc, AuthError)  # the session's too
    status = 403 if unauthenticated else STATUS_BY_CODE.get(exc.code, 500)
    body = {"auth_success": not unauthenticated, "error_code": exc.code, "desc": exc.message}
    return JSONResponse(body, status_code=status)


ERRORS = ErrorRenderer(_domain, _fields, _detail)
