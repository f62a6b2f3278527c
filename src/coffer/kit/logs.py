"""Coffer's own console lines, when a server asks for them."""

import logging


def log_requests() -> None:
    """Coffer's own lines on the console: ``listening on``, and one per request (method,
    path, status, latency, request id) in place of uvicorn's access log."""
    logger = logging.getLogger("coffer")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
