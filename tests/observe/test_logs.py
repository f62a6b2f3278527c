"""JSON log lines (``COFFER_LOG_FORMAT=json``): one object per line with the request id, the
access line's fields, uvicorn's own lines through the same handler, a job pass's id."""

import asyncio
import contextlib
import io
import logging

import httpx
import pytest

from coffer.kit import loops
from coffer.kit.logs import json_lines, resolved
from coffer.kit.settings import Settings
from tests.support.logs import json_logs


async def test_the_access_line_is_json_with_the_answers_request_id(
    client: httpx.AsyncClient,
) -> None:
    with json_logs(logging.INFO) as captured:
        answer = await client.get("/healthz?token=lt_not_logged")
    [line] = [line for line in captured.lines() if line["logger"] == "coffer.access"]
    assert line["requestId"] == answer.headers["x-request-id"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "info"
    assert isinstance(line["durationMs"], float)
    assert line["ts"].endswith("+00:00")
    assert line["message"].startswith("GET /healthz 200 ")
    assert "lt_not_logged" not in captured.text()


async def test_a_job_pass_logs_under_its_own_id() -> None:
    passes: list[int] = []
    second = asyncio.Event()

    async def failing() -> None:
        passes.append(1)
        if len(passes) == 3:
            second.set()  # the second pass has been logged
        raise RuntimeError("boom")

    with json_logs(logging.INFO) as captured:
        task = asyncio.create_task(loops.run_forever("observe", failing, 0.001))
        await asyncio.wait_for(second.wait(), 10)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    failed = [line for line in captured.lines() if line["logger"] == "coffer.observe"]
    assert len(failed) >= 2
    ids = [line["requestId"] for line in failed]
    assert all(found.startswith("job_") for found in ids)
    assert len(set(ids)) == len(ids)  # one id per pass
    assert "RuntimeError: boom" in failed[0]["exc"]


def test_uvicorns_own_lines_go_through_the_json_handler() -> None:
    uvicorn_error = logging.getLogger("uvicorn.error")
    text = logging.StreamHandler(io.StringIO())
    earlier = uvicorn_error.level  # a uvicorn started before in this process may have set it
    with json_logs(logging.INFO) as captured:
        uvicorn_error.addHandler(text)  # as uvicorn's own config installs it, when it ran first
        uvicorn_error.propagate = False
        uvicorn_error.setLevel(logging.INFO)
        try:
            json_lines()
            uvicorn_error.info("Application startup complete.")
        finally:
            uvicorn_error.setLevel(earlier)
    assert text not in uvicorn_error.handlers
    [line] = captured.lines()
    assert (line["logger"], line["message"]) == ("uvicorn.error", "Application startup complete.")
    assert line["requestId"] is None


def test_the_format_is_text_in_a_terminal_and_json_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert resolved("auto") == "text"
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert resolved("auto") == "json"
    assert resolved("text") == "text"
    monkeypatch.setenv("COFFER_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
