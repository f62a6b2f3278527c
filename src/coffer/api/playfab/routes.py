"""POST /compat/playfab/{Client|Server|Admin}/{Method}: PlayFab's methods, one route for all.

Query strings are ignored (PlayFab's SDKs add ``?sdk=…``). A method Coffer does not serve
answers PlayFab's ``InvalidAPIEndpoint``, never a 500.
"""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from coffer.api.deps import RuntimeDep
from coffer.api.openapi import errors_for
from coffer.api.playfab import (
    Failure,
    admin,
    catalog,
    client,
    containers,
    economy,
    from_coffer,
    ok,
    purchases,
    render,
    server,
)
from coffer.api.playfab.access import as_client
from coffer.api.playfab.calls import Call, Handler
from coffer.kit.errors import CofferError

router = APIRouter(prefix="/compat/playfab", tags=["PlayFab (compatibility)"])
CLIENT = {
    **client.CLIENT, **economy.CLIENT, **purchases.CLIENT, **containers.CLIENT,
    "GetCatalogItems": as_client(catalog.client_catalog),
}  # fmt: skip
SERVER = {
    **client.SERVER, **economy.SERVER, **purchases.SERVER, **containers.SERVER,
    **catalog.SERVER, **server.SERVER,
}  # fmt: skip
ADMIN = {**admin.ADMIN, "GetCatalogItems": catalog.title_catalog}
METHODS: dict[tuple[str, str], Handler] = {
    **{("Admin", name): handler for name, handler in ADMIN.items()},
    **{("Client", name): handler for name, handler in CLIENT.items()},
    **{("Server", name): handler for name, handler in SERVER.items()},
}


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        found = json.loads(raw)
    except ValueError as exc:
        raise Failure("InvalidParams", 1000, "The body is not JSON.") from exc
    if not isinstance(found, dict):
        raise Failure("InvalidParams", 1000, "The body must be a JSON object.")
    return found


class Wrapper(BaseModel):
    """PlayFab's answer: the method's result in ``data``."""

    code: int
    status: str
    data: dict[str, Any]


class ErrorWrapper(BaseModel):
    """PlayFab's error wrapper (``ApiErrorWrapper``)."""

    code: int
    status: str
    error: str
    errorCode: int
    errorMessage: str
    errorDetails: dict[str, list[str]] | None


FAILED = {"model": ErrorWrapper, "description": "PlayFab's error wrapper"}
RESPONSES: dict[int | str, dict[str, Any]] = {
    **errors_for(),  # 413 and 500 leave in the SPEC envelope, as on every surface
    200: {"model": Wrapper, "description": "PlayFab's wrapper (errors too, when asked)"},
    **dict.fromkeys((400, 401, 403, 404, 405, 422), FAILED),
}


@router.post("/{api}/{name}", response_class=Response, responses=RESPONSES)
async def call(api: str, name: str, request: Request, runtime: RuntimeDep) -> Response:
    """Any PlayFab method Coffer serves (docs/compat/playfab.md); errors in PlayFab's wrapper,
    with HTTP 200 when the request says ``X-ReportErrorAsSuccess: true``."""
    report = request.headers.get("x-reporterrorassuccess", "").lower() == "true"
    try:
        handler = METHODS.get((api, name))
        if handler is None:
            raise Failure(
                "InvalidAPIEndpoint", 1131,
                f"Coffer does not serve {api}/{name}; docs/compat/playfab.md lists what it does.",
                404,
            )  # fmt: skip
        data = await handler(Call(runtime, await _body(request), request))
    except Failure as failure:
        return render(failure, report)
    except CofferError as exc:
        return render(from_coffer(exc), report)
    return JSONResponse(ok(data))
