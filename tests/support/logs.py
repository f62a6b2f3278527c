"""Every log line of a test, as Coffer writes them with ``COFFER_LOG_FORMAT=json``."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from coffer.kit.logs import QUIET, UVICORN, JsonFormatter, json_lines


class Captured:
    """The JSON lines written so far."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines()]


@contextmanager
def json_logs(level: int = logging.DEBUG) -> Iterator[Captured]:
    """Root (and so every logger) at ``level`` into one JSON handler, set up as ``coffer serve``
    sets it up for JSON lines; every logger touched is restored afterwards."""
    root = logging.getLogger()
    names = ("coffer", *UVICORN, *QUIET)
    saved = (
        root.level,
        [(logging.getLogger(n).level, logging.getLogger(n).propagate) for n in names],
    )
    captured = Captured()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    json_lines(level)  # uvicorn's loggers through it, httpx's quiet, as in production
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, (was, propagate) in zip(names, saved[1], strict=True):
            logging.getLogger(name).setLevel(was)
            logging.getLogger(name).propagate = propagate
