"""``coffer serve --workers 2`` for real: each worker counts into the shared multi-process folder
``coffer serve`` made, so a scrape of either adds up both, and uvicorn's lines are JSON too."""

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import IN_CI, SECRET_KEY, pg_problem, pg_test_url

STARTED = "Application startup complete."
REQUESTS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def drain(source: IO[str], lines: list[str]) -> None:
    """Keep reading the server's output so its pipe never fills."""
    lines.extend(source)


def wait_for_workers(process: subprocess.Popen[str], lines: list[str], workers: int) -> None:
    """Read the server's lines until every worker said it started (no sleeping)."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if sum(STARTED in seen for seen in lines) == workers:
            return
    pytest.fail("coffer serve exited:\n" + "".join(lines))


@pytest.fixture
def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """``coffer serve --workers 2`` on PostgreSQL and a free port; its URL and output lines."""
    request.getfixturevalue("postgres_ready")
    if (problem := pg_problem()) is not None:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unusable: {problem}")
        pytest.skip(f"no PostgreSQL: {problem}")
    port = free_port()
    env = {**os.environ, "COFFER_DATABASE_URL": pg_test_url(), "COFFER_SECRET_KEY": SECRET_KEY,
           "COFFER_LOG_FORMAT": "json"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # coffer serve makes its own
    command = [sys.executable, "-m", "coffer", "serve", "--workers", "2", "--no-worker"]
    command += ["--no-migrate", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=drain, args=(process.stdout, lines), daemon=True)
    try:
        wait_for_workers(process, lines, 2)
        reader.start()
        yield f"http://127.0.0.1:{port}", lines
    finally:
        process.terminate()
        process.wait(timeout=30)
        if reader.is_alive():
            reader.join(timeout=30)
        process.stdout.close()


def healthz_count(base: str) -> float:
    """The number of /healthz answers one scrape reports, over a connection of its own."""
    text = httpx.get(f"{base}/metrics").text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "coffer_http_request_duration_seconds_count"
        and sample.labels.get("route") == "/healthz"
    )


def test_two_workers_on_postgresql_add_up_their_metrics(two_workers: tuple[str, list[str]]) -> None:
    base, lines = two_workers
    with ThreadPoolExecutor(6) as pool:  # a new connection each, so both workers take some
        statuses = list(pool.map(lambda _: httpx.get(f"{base}/healthz").status_code, range(30)))
    assert statuses == [200] * REQUESTS
    counts = [healthz_count(base) for _ in range(8)]  # whichever worker answers each
    assert counts == [REQUESTS] * 8
    parsed: list[dict[str, Any]] = [json.loads(line) for line in lines if line.startswith("{")]
    started = [line for line in parsed if line["message"] == STARTED]
    assert [line["logger"] for line in started] == ["uvicorn.error"] * 2
