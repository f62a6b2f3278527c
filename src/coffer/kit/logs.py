"""Coffer's log lines: text for a terminal or one JSON object per line, each with its request id.

The request id is the X-Request-Id of the HTTP request being served, or ``job_<ulid>`` for one
pass of a background job; wallet instructions and attempts store it too, so one purchase can be
followed from the access line to the wallet's answer.
"""

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from ulid import ULID

UNKNOWN = "unknown"
# The request (or job pass) being served: set by the request middleware and the job loops.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default=UNKNOWN)
LogFormat = Literal["auto", "text", "json"]
# Attributes a record passes in ``extra`` that a JSON line carries, under its own key.
EXTRA_FIELDS = {"method": "method", "path": "path", "status": "status", "duration_ms": "durationMs"}
# uvicorn's loggers, sent through Coffer's handler when lines are JSON.
UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
# Their INFO lines carry whole outbound URLs, whose query an operator may have put a key in.
QUIET = ("httpx", "httpcore")


def current_request_id() -> str | None:
    """The id of the request or job pass this code runs for; None outside of both."""
    found = REQUEST_ID.get()
    return None if found == UNKNOWN else found


@contextmanager
def traced(prefix: str = "job") -> Iterator[str]:
    """Give one pass of a background job its own id (``job_<ulid>``) for logs and rows."""
    token = REQUEST_ID.set(f"{prefix}_{ULID()}")
    try:
        yield REQUEST_ID.get()
    finally:
        REQUEST_ID.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, message, requestId, and access fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": getattr(record, "request_id", None) or current_request_id(),
        }
        for attribute, key in EXTRA_FIELDS.items():
            if hasattr(record, attribute):
                line[key] = getattr(record, attribute)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def resolved(fmt: LogFormat) -> Literal["text", "json"]:
    """``auto`` is text in a terminal and JSON otherwise (a container, a log shipper)."""
    if fmt == "auto":
        return "text" if sys.stderr.isatty() else "json"
    return fmt


def log_requests(fmt: LogFormat = "text") -> None:
    """Coffer's own lines on the console: ``listening on``, and one per request (method,
    path, status, latency, request id) in place of uvicorn's access log."""
    logger = logging.getLogger("coffer")
    if resolved(fmt) == "json":
        json_lines()
    elif not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def json_lines(level: int = logging.INFO) -> None:
    """Every logger, uvicorn's too, through one JSON handler on the root logger."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    for name in ("coffer", *UVICORN):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # uvicorn's own text handlers, if its config ran first
        logger.propagate = True
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
