"""The /play shell: framed only by the operator's allowed origins, no inline script, no data."""

import re
from typing import Any

import httpx

from tests.conftest import OperatorCtx
from tests.support.api import AdminApi

ORIGINS = ["https://casino.example", "http://localhost:8080"]


async def minted(admin: AdminApi, operator: OperatorCtx, **body: Any) -> str:
    await admin.call("PATCH", f"/operators/{operator.slug}", {"allowedOrigins": ORIGINS})
    response = await operator.s2s.post(
        "/api/s2s/launches", {"playerExternalId": "u_1", "gameKey": "mystery_box", **body}
    )
    assert response.status_code == 201, response.text
    url: str = response.json()["launchUrl"]
    return url.split("/play", 1)[1]


def directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


async def test_the_shell_is_framed_only_by_allowed_origins_and_runs_no_inline_script(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    query = await minted(admin, operator, locale="de-AT")
    page = await client.get(f"/play{query}")
    assert page.status_code == 200, page.text
    policy = directives(page)
    assert policy["frame-ancestors"] == " ".join(ORIGINS)
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert '<html lang="de">' in html
    tags = re.findall(r"<script\b[^>]*>", html)
    runnable = [tag for tag in tags if 'type="application/json"' not in tag]
    assert runnable
    assert all('src="/play/static/' in tag for tag in runnable)
    inline = re.findall(r"<script\b([^>]*)>\s*[^<\s]", html)
    assert inline == [' type="application/json" id="messages"']  # data, never run
    assert ">Öffnen</button>" in html  # the launch's locale picked the German catalog
    assert not re.search(r"\son[a-z]+=", html)  # no inline handlers
    assert "lt_" not in html  # the token stays out of the page
    module = await client.get("/play/static/play.js")
    assert module.status_code == 200
    assert "javascript" in module.headers["content-type"]


async def test_loading_the_page_does_not_use_up_the_launch(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    query = await minted(admin, operator)
    assert (await client.get(f"/play{query}")).status_code == 200
    token = query.split("token=", 1)[1].split("&", 1)[0]
    started = await client.post("/api/play/session/init", json={"launchToken": token})
    assert started.status_code == 200, started.text


async def test_an_unknown_launch_may_be_framed_by_no_one(client: httpx.AsyncClient) -> None:
    for query in ("?token=lt_nope", "", "?token=nonsense"):
        page = await client.get(f"/play{query}")
        assert page.status_code == 200
        assert directives(page)["frame-ancestors"] == "'none'"
