"""/docs (Swagger UI) and /redoc come from Coffer's own files: they need no internet."""

import json
import re
from pathlib import Path

import httpx
import pytest

from coffer.api.examples import hidden
from coffer.app import create_app
from coffer.runtime import Runtime


async def test_the_docs_page_and_every_file_it_loads_come_from_coffer(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        links = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert links, page.text
        assert all(link.startswith("/") and not link.startswith("//") for link in links), links
        for link in links:
            asset = await client.get(link)
            assert asset.status_code == 200, link
    bundle = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in bundle.headers["content-type"]
    assert (await client.get("/openapi.json")).status_code == 200


CREDENTIALED = ("/api/s2s/", "/api/admin/", "/inventory/v1", "/compat/")


async def test_every_credentialed_operation_names_its_credentials(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert {"adminToken", "s2sSignature", "playerSession", "lootlockerSession"} <= set(schemes)
    unnamed = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            credentialed = path.startswith(
                ("/api/s2s/", "/api/admin/", "/inventory/v1", "/compat/")
            )
            if credentialed and not operation.get("security"):
                unnamed.append(f"{method} {path}")
    assert unnamed == []
    signed = document["paths"]["/api/s2s/purchase"]["post"]["security"]
    assert signed == [{"s2sKeyId": [], "s2sTimestamp": [], "s2sSignature": []}]


async def test_every_operation_documents_its_success_answer(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    undocumented = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            schemas = [
                answers[status].get("content", {}).get("application/json", {}).get("schema")
                for status in answers
                if status.startswith("2")
            ]
            if not any(schemas) and "204" not in answers:
                undocumented.append(f"{method} {path}")
    assert undocumented == []


async def test_every_property_has_a_description(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    bare = [
        f"{name}.{prop}"
        for name, schema in document["components"]["schemas"].items()
        for prop, spec in schema.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert bare == []
    described = document["components"]["schemas"]["PurchaseRequest"]["properties"]
    assert "repeat" in described["clientActionId"]["description"]


async def test_every_operation_shows_a_real_request_and_answer(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and "example" not in body:
                missing.append(f"request of {method} {path}")
            answers = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
            shown = [r for r in answers.values() if "example" in r.get("content", {}).get(
                "application/json", {})]  # fmt: skip
            if not shown and set(answers) != {"204"}:
                missing.append(f"answer of {method} {path}")
    assert missing == []
    secrets = re.findall(r"\b(?:lt|ps|igs|cat|lls|whsec)_[A-Za-z0-9_-]{8,}", str(document))
    assert secrets == []  # recorded from tests, but credentials never shown


async def test_the_recorder_keeps_successful_exchanges_by_operation(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = tmp_path / "examples.jsonl"
    monkeypatch.setenv("COFFER_RECORD_EXAMPLES", str(lines))
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://coffer") as recorded:
        await recorded.get("/healthz")
        await recorded.get("/fairness/rounds/r_nope")  # a 404 is no example
    [line] = [json.loads(text) for text in lines.read_text().splitlines()]
    assert line == {"key": "GET /healthz", "status": 200, "request": None,
                    "response": {"status": "ok"}}  # fmt: skip
    assert hidden({"launchUrl": "/play?token=lt_abcdefghijk", "secret": "x"}) == {
        "launchUrl": "/play?token=lt_…", "secret": "…"
    }  # fmt: skip
