"""The reference casino's HTTP app: the signed wallet RPC, the webhook receiver, a back office.

The two signed endpoints are what an operator must build. ``/casino/players/…``,
``/casino/ledger``, ``/casino/wallet/export`` (a day's CSV for reconciliation),
``/casino/webhooks/events`` and the demo ``/casino/lobby`` are the casino's own back office:
unsigned, and served to loopback clients only (``CASINO_ADMIN_LOOPBACK_ONLY``); never expose
them.
"""

import ipaddress
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from coffer import signing
from coffer_casino.export import export_day, parse_day
from coffer_casino.lobby import STATIC, CofferLink, lobby_routes
from coffer_casino.models import DepositRequest, WalletRequest
from coffer_casino.settings import WALLET_PATH, WEBHOOK_PATH, CasinoSettings
from coffer_casino.wallet import Casino


def refusal(status: int, code: str, message: str) -> JSONResponse:
    """An error in the wallet's own answer shape, so Coffer reads one format."""
    return JSONResponse({"accepted": False, "code": code, "message": message}, status_code=status)


def request_target(request: Request) -> str:
    """The target exactly as sent: the raw path, plus ``?`` and the raw query when there is one."""
    path = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def check_signature(request: Request, body: bytes, secret: str, window: int) -> JSONResponse | None:
    """None when Coffer signed this exact request (SPEC §2); otherwise the 401 to send.

    While the operator rotates its outbound secret, Coffer signs with both: ``X-Signature`` with
    the old secret and ``X-Signature-Next`` with the new one; either matching ours will do.
    """
    timestamp = request.headers.get("X-Timestamp")
    signatures = [
        s
        for s in (request.headers.get("X-Signature"), request.headers.get("X-Signature-Next"))
        if s
    ]
    if not timestamp or not signatures:
        return refusal(401, "MISSING_HEADERS", "X-Timestamp and X-Signature are required")
    if not signing.timestamp_fresh(timestamp, window=window):
        return refusal(401, "TIMESTAMP_SKEW", "X-Timestamp is outside the allowed window")
    target = request_target(request)
    if not any(
        signing.verify(secret, timestamp, request.method, target, body, s, window=window)
        for s in signatures
    ):
        return refusal(401, "INVALID_SIGNATURE", "the signature does not match")
    return None


def casino_of(app: FastAPI) -> Casino:
    """The app's books, for tests and tools that run the app in-process."""
    casino: Casino = app.state.casino
    return casino


def create_casino_app(settings: CasinoSettings) -> FastAPI:
    """Build the casino app; its SQLite tables are created at startup."""
    secret = settings.secret()
    casino = Casino(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await casino.create_schema()
        yield
        await casino.close()

    app = FastAPI(title="Coffer reference casino", version="1", lifespan=lifespan)
    app.state.casino = casino
    app.include_router(_signed_routes(casino, secret, settings.signature_window_seconds))
    guard = [Depends(_loopback_guard(settings.admin_loopback_only))]
    app.include_router(_player_routes(casino), prefix="/casino", dependencies=guard)
    app.include_router(_record_routes(casino), prefix="/casino", dependencies=guard)
    if settings.coffer_url:
        app.include_router(lobby_routes(CofferLink(settings)), prefix="/casino", dependencies=guard)
        app.mount("/casino/lobby/static", StaticFiles(directory=STATIC), name="lobby-static")
    return app


_WALLET_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": WalletRequest.model_json_schema(by_alias=True)}},
    }
}


def _signed_routes(casino: Casino, secret: str, window: int) -> APIRouter:
    """The two endpoints Coffer calls, both signed with the operator's outbound secret."""
    router = APIRouter(tags=["signed by Coffer"])

    @router.post(WALLET_PATH, openapi_extra=_WALLET_BODY)
    async def wallet_rpc(request: Request) -> JSONResponse:
        """Debit, credit, roll back or read a balance, exactly once per idempotency key."""
        body = await request.body()
        unsigned = check_signature(request, body, secret, window)
        if unsigned is not None:
            return unsigned
        try:
            instruction = WalletRequest.model_validate_json(body)
        except ValidationError as exc:
            return refusal(422, "VALIDATION_ERROR", _first_error(exc))
        if request.headers.get("Idempotency-Key") != instruction.idempotency_key:
            return refusal(422, "VALIDATION_ERROR", "Idempotency-Key must equal idempotencyKey")
        answer = await casino.handle(instruction)
        return JSONResponse(answer.body, status_code=answer.status)

    @router.post(WEBHOOK_PATH)
    async def webhook(request: Request) -> JSONResponse:
        """Accept a webhook once per Webhook-Id; a redelivery is acknowledged, not reprocessed."""
        body = await request.body()
        unsigned = check_signature(request, body, secret, window)
        if unsigned is not None:
            return unsigned
        event_id = request.headers.get("Webhook-Id")
        if not event_id:
            return refusal(400, "MISSING_HEADERS", "Webhook-Id is required")
        payload = _json_object(body)
        if payload is None or payload.get("id", event_id) != event_id:
            return refusal(400, "VALIDATION_ERROR", "body must be an event whose id is Webhook-Id")
        duplicate = await casino.receive_webhook(event_id, payload)
        return JSONResponse({"received": True, "duplicate": duplicate})

    return router


def _first_error(exc: ValidationError) -> str:
    """A one-line reason, naming the field, for a body the wallet cannot read."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg']}"


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _loopback_guard(enabled: bool) -> Any:
    """A dependency that keeps the unsigned back office to loopback clients."""

    def guard(request: Request) -> None:
        if not enabled:
            return
        host = request.client.host if request.client else ""
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise HTTPException(403, "the casino back office answers loopback clients only")

    return guard


def _player_routes(casino: Casino) -> APIRouter:
    """Back office (unsigned, loopback): deposits, blocks and balances of players."""
    router = APIRouter(tags=["back office"])

    @router.post("/players/{player}/deposit")
    async def deposit(player: str, body: DepositRequest) -> dict[str, Any]:
        """Put money on a player's balance, as the casino's cashier would."""
        balance, ref = await casino.deposit(player, body.currency, body.amount_minor)
        return {
            "playerExternalId": player,
            "currency": body.currency,
            "balanceAfterMinor": balance,
            "providerTxnRef": ref,
        }

    @router.post("/players/{player}/block")
    async def block(player: str) -> dict[str, Any]:
        """Refuse every future debit of this player (credits still land)."""
        await casino.set_blocked(player, True)
        return await casino.player_view(player)

    @router.post("/players/{player}/unblock")
    async def unblock(player: str) -> dict[str, Any]:
        """Let a blocked player spend again."""
        await casino.set_blocked(player, False)
        return await casino.player_view(player)

    @router.get("/players/{player}/balances")
    async def balances(player: str) -> dict[str, Any]:
        """A player's balances per currency and whether they are blocked."""
        return await casino.player_view(player)

    return router


def _record_routes(casino: Casino) -> APIRouter:
    """Back office (unsigned, loopback): the ledger and the webhook events received."""
    router = APIRouter(tags=["back office"])

    @router.get("/ledger")
    async def ledger(
        player: Annotated[str | None, Query()] = None,
        currency: Annotated[str | None, Query()] = None,
    ) -> dict[str, Any]:
        """Ledger rows, and every account whose balance is not the sum of its rows (none)."""
        entries = await casino.ledger(player, currency)
        return {"entries": entries, "mismatches": await casino.mismatches()}

    @router.get("/wallet/export", response_model=None)
    async def wallet_export(day: Annotated[str, Query()]) -> PlainTextResponse | JSONResponse:
        """One UTC day of accepted wallet instructions as CSV, for ``coffer reconcile``."""
        try:
            chosen = parse_day(day)
        except ValueError as exc:
            return refusal(422, "VALIDATION_ERROR", str(exc))
        return PlainTextResponse(await export_day(casino, chosen), media_type="text/csv")

    @router.get("/webhooks/events")
    async def webhook_events() -> dict[str, Any]:
        """Webhook events processed, in arrival order, with how often each was delivered."""
        return {"events": await casino.webhook_events()}

    return router
