"""Examples in the API description, taken from a real run.

``scripts/examples.py`` runs the test suite with ``COFFER_RECORD_EXAMPLES`` set: every app then
records, per operation, the first successful JSON exchange (request body and answer) as a line
of that file. The script keeps one per operation, hides credentials, and writes
``examples.json`` beside this module, which ``add_examples`` puts in the document.
"""

import json
import os
import re
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HERE = Path(__file__).parent / "examples.json"
SECRET_KEYS = {"secret", "outboundSecret", "token", "launchToken", "sessionToken", "SessionTicket"}
# Coffer's credentials wherever they appear in text (a launch URL carries its token).
CREDENTIAL = re.compile(r"\b(lt|ps|igs|cat|lls|whsec)_[A-Za-z0-9_-]{8,}")
MAX_BYTES = 4000  # an example is read by people: a long listing is cut to its first items


class ExampleRecorder:
    """Appends each successful JSON exchange to the file ``COFFER_RECORD_EXAMPLES`` names."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent, answer, status = [], [], [0]

        async def listen() -> Message:
            message = await receive()
            sent.append(message.get("body", b""))
            return message

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                answer.append(message.get("body", b""))
            await send(message)

        await self.app(scope, listen, keep)
        route = scope.get("route")
        if route is not None and 200 <= status[0] < 300:
            self._write(f"{scope['method']} {route.path}", status[0], sent, answer)

    def _write(self, key: str, status: int, sent: list[bytes], answer: list[bytes]) -> None:
        try:
            response = json.loads(b"".join(answer))
        except ValueError:
            return
        try:  # a CSV upload has no JSON request to show; its answer still is an example
            request = json.loads(b"".join(sent)) if b"".join(sent).strip() else None
        except ValueError:
            request = None
        line = json.dumps({"key": key, "status": status, "request": request, "response": response})
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def recorder_path() -> str | None:
    return os.environ.get("COFFER_RECORD_EXAMPLES") or None


def hidden(value: Any) -> Any:
    """The value with credentials replaced by ``…``."""
    if isinstance(value, dict):
        return {k: "…" if k in SECRET_KEYS and isinstance(v, str) else hidden(v)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [hidden(v) for v in value[:3]]
    if isinstance(value, str):
        return CREDENTIAL.sub(lambda m: f"{m.group(1)}_…", value)
    return value


def add_examples(document: dict[str, Any]) -> None:
    """Each operation's recorded request and answer, as its examples."""
    if not HERE.exists():
        return
    recorded: dict[str, Any] = json.loads(HERE.read_text(encoding="utf-8"))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            found = recorded.get(f"{method.upper()} {path}")
            if found is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and found["request"] is not None:
                body["example"] = found["request"]
            answer = operation["responses"].get(str(found["status"]))
            if answer is not None:
                answer.setdefault("content", {}).setdefault("application/json", {})
                answer["content"]["application/json"]["example"] = found["response"]
