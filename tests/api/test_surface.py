"""Envelope, request ids, probes and the OpenAPI document on every route."""

import httpx
import pytest
from sqlalchemy import text

from coffer.app import create_app
from coffer.kit.settings import Settings
from coffer.runtime import Runtime


async def test_unknown_route_and_method_use_the_envelope(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/s2s/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "NOT_FOUND", "message": "No such route."}}
    wrong = await client.delete("/healthz")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz", headers={"X-Request-Id": "bad id\twith tab"})
    assert made.headers["x-request-id"].startswith("req_")
    other = await client.get("/healthz")
    assert other.headers["x-request-id"] != made.headers["x-request-id"]


async def test_unexpected_error_is_500_without_trace(runtime: Runtime) -> None:
    app = create_app(runtime=runtime)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "INTERNAL"
    request_id = response.headers["x-request-id"]
    assert request_id in body["error"]["message"]
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


async def test_health_and_readiness(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == runtime.engine.dialect.name


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path: object) -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none",
        secret_key="0" * 43 + "=",
        admin_token="t",
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    await app.state.runtime.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_openapi_lists_every_route_with_errors(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    for path in [
        "/api/admin/operators",
        "/api/admin/operators/{slug}/keys/{keyId}",
        "/api/admin/operators/{slug}/currencies/{code}",
        "/api/s2s/fairness/rotate",
        "/healthz",
        "/readyz",
    ]:
        assert path in paths, path
    assert "HTTPValidationError" not in str(document)
    for path, operations in paths.items():
        if path in ("/healthz", "/readyz"):
            continue
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"413", "500"} <= statuses, (method, path)
            assert statuses & {"401", "404", "422"}, (method, path)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from coffer.migrate import MIGRATIONS, alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    assert (MIGRATIONS / "versions").is_dir()
    return head


async def test_database_url_is_the_one_migrated(runtime: Runtime) -> None:
    async with runtime.engine.connect() as connection:
        version = await connection.execute(text("SELECT version_num FROM alembic_version"))
        assert version.scalar_one() == head_revision()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_server_runs_the_worker_unless_told_not_to(runtime: Runtime) -> None:
    import asyncio

    from coffer.app import WORKER_TASK

    def running() -> set[str]:
        return {task.get_name() for task in asyncio.all_tasks() if not task.done()}

    for enabled in (True, False):
        settings = runtime.settings.model_copy(update={"background_jobs": enabled})
        app = create_app(settings=settings, runtime=runtime)
        async with app.router.lifespan_context(app):
            assert (WORKER_TASK in running()) is enabled
        assert WORKER_TASK not in running()
