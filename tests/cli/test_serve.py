"""``coffer serve`` refuses a busy port before it touches the database, and logs each request."""

import logging
import socket
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from coffer.cli.main import app
from tests.conftest import SECRET_KEY


@pytest.mark.parametrize("demo", [False, True])
def test_a_busy_port_is_refused_before_the_database_is_touched(tmp_path: Path, demo: bool) -> None:
    database = tmp_path / "coffer.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"COFFER_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
               "COFFER_SECRET_KEY": SECRET_KEY}  # fmt: skip
        args = ["serve", "--host", "127.0.0.1", "--port", str(port)] + (["--demo"] if demo else [])
        result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert f"Port {port} on 127.0.0.1 is in use" in " ".join(result.output.split())
    assert not database.exists()


async def test_each_request_is_logged_with_its_status_latency_and_id_but_not_its_query(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="coffer.access"):
        answer = await client.get("/healthz?token=lt_secret")
    [line] = [r.getMessage() for r in caplog.records if r.name == "coffer.access"]
    method, path, status, millis, unit, request_id = line.split()
    assert (method, path, status, unit) == ("GET", "/healthz", "200", "ms")
    assert float(millis) >= 0
    assert request_id == answer.headers["x-request-id"]
    assert "lt_secret" not in line
