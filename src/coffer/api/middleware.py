"""Pure ASGI middleware: request ids, the body limit, and a last-resort 500 envelope."""

import json
import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from ulid import ULID

from coffer.kit import metrics
from coffer.kit.errors import envelope
from coffer.kit.logs import REQUEST_ID

__all__ = ["REQUEST_ID", "BodyLimitMiddleware", "RequestIdMiddleware"]

log = logging.getLogger("coffer.web")
access = logging.getLogger("coffer.access")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _json_message(status: int, body: dict[str, object], request_id: str) -> list[Message]:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"x-request-id", request_id.encode()),
    ]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": payload},
    ]


class RequestIdMiddleware:
    """Stamp every response with X-Request-Id, turn a crash into a 500 without a trace, and
    time each request into the latency histogram and the access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else f"req_{ULID()}"
        scope.setdefault("state", {})["request_id"] = request_id
        # The request being served: for log lines, wallet rows and LootLocker's trace_id.
        token = REQUEST_ID.set(request_id)
        started, status, began = False, 500, time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started, status = True, message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error, request %s %s", request_id, scope.get("path"))
            if started:
                raise
            body = envelope("INTERNAL", f"Unexpected error; quote request id {request_id}.")
            for message in _json_message(500, body, request_id):
                await send(message)
        finally:
            seconds = time.perf_counter() - began
            metrics.observe_request(scope, status, seconds)
            if access.isEnabledFor(logging.INFO):
                _access_line(scope, status, seconds, request_id)
            REQUEST_ID.reset(token)


def _access_line(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    """The path only: a query may carry a token."""
    millis = round(seconds * 1000, 1)
    method, path = scope.get("method"), scope.get("path")
    fields = {"method": method, "path": path, "status": status, "duration_ms": millis}
    access.info("%s %s %s %.1f ms %s", method, path, status, millis, request_id, extra=fields)


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413 before any route parses them."""

    def __init__(self, app: ASGIApp, limit: int, admin_limit: int) -> None:
        self.app = app
        self.default_limit = limit
        self.admin_limit = admin_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id", "unknown")
        admin = scope.get("path", "").startswith("/api/admin/")
        limit = self.admin_limit if admin else self.default_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, request_id, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, request_id, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, request_id: str, limit: int) -> None:
        body = envelope("PAYLOAD_TOO_LARGE", f"The request body is over the {limit}-byte limit.")
        for message in _json_message(413, body, request_id):
            await send(message)
