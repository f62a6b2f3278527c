"""Launches and sessions (SPEC §11): mint over S2S, redeem once, authenticate, expire."""

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from coffer.kit.db import utcnow
from coffer.kit.secrets import token_hash
from coffer.play.models import Launch, PlaySession
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi
from tests.support.catalog import published_box

HOST = "https://casino.example"


@pytest.fixture
async def framed(admin: AdminApi, operator: OperatorCtx) -> OperatorCtx:
    """The operator with two allowed origins and a theme."""
    await admin.call(
        "PATCH",
        f"/operators/{operator.slug}",
        {
            "allowedOrigins": [HOST, "http://localhost:8080"],
            "theme": {"primary": "#0b6e4f", "logoUrl": "https://cdn.example/logo.svg"},
        },
    )
    return operator


async def mint(operator: OperatorCtx, **body: Any) -> httpx.Response:
    return await operator.s2s.post(
        "/api/s2s/launches", {"playerExternalId": "u_1", "gameKey": "mystery_box", **body}
    )


async def launch_token(operator: OperatorCtx, **body: Any) -> str:
    response = await mint(operator, **body)
    assert response.status_code == 201, response.text
    token: str = response.json()["launchToken"]
    return token


async def init(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/play/session/init", json={"launchToken": token})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_launch_redeems_for_a_session_with_the_first_screen(
    framed: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    box_id, version_id = await published_box(admin, framed.slug)
    minted = await mint(framed, target={"boxId": box_id}, currency="USD", locale="de")
    assert minted.status_code == 201, minted.text
    body = minted.json()
    url = urlsplit(body["launchUrl"])
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:8000", "/play")
    assert parse_qs(url.query) == {"token": [body["launchToken"]], "parent": [HOST]}
    assert body["launchToken"].startswith("lt_")
    started = await init(client, body["launchToken"])
    assert started.status_code == 200, started.text
    session = started.json()
    assert session["sessionToken"].startswith("ps_")
    assert session["player"] == {"externalId": "u_1"}
    assert session["tenant"] == {"slug": framed.slug, "name": framed.slug.title()}
    assert session["theme"] == {"primary": "#0b6e4f", "logoUrl": "https://cdn.example/logo.svg"}
    target = session["game"]["target"]
    assert (target["boxId"], target["boxVersionId"], target["currency"]) == (
        box_id, version_id, "USD"
    )  # fmt: skip
    assert target["freeOpens"] == 0
    assert session["game"]["maxReels"] == 5
    assert session["fairness"]["nextNonce"] == 0
    assert session["locale"] == "de"
    assert session["parentOrigin"] == HOST
    async with runtime.sessions() as db:  # only hashes are stored
        stored = await db.scalar(select(PlaySession.token_hash))
        launch_hash = await db.scalar(select(Launch.token_hash))
    assert stored == token_hash(session["sessionToken"])
    assert launch_hash == token_hash(body["launchToken"])
    beat = await client.post("/api/play/session/heartbeat", headers=bearer(session["sessionToken"]))
    assert beat.status_code == 200, beat.text


async def test_a_launch_token_starts_one_session_only(
    framed: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = await launch_token(framed)
    assert (await init(client, token)).status_code == 200
    again = await init(client, token)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "LAUNCH_TOKEN_CONSUMED"
    async with runtime.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(PlaySession)) == 1


@pytest.mark.parametrize("token", ["lt_unknown", "lt_" + "x" * 43, "nonsense"])
async def test_an_unknown_or_altered_launch_token_is_invalid(
    framed: OperatorCtx, client: httpx.AsyncClient, token: str
) -> None:
    await launch_token(framed)
    refused = await init(client, token)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "LAUNCH_TOKEN_INVALID"


async def test_an_old_launch_token_is_expired_and_starts_nothing(
    framed: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = await launch_token(framed)
    async with runtime.sessions() as db:
        await db.execute(update(Launch).values(expires_at=utcnow() - timedelta(seconds=1)))
        await db.commit()
    refused = await init(client, token)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "LAUNCH_TOKEN_EXPIRED"
    async with runtime.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(PlaySession)) == 0


async def test_sessions_expire_when_idle_and_die_at_logout(
    framed: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    first = (await init(client, await launch_token(framed))).json()["sessionToken"]
    second = (await init(client, await launch_token(framed))).json()["sessionToken"]
    async with runtime.sessions() as db:
        await db.execute(
            update(PlaySession)
            .where(PlaySession.token_hash == token_hash(first))
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        await db.commit()
    idle = await client.post("/api/play/session/heartbeat", headers=bearer(first))
    assert idle.status_code == 401
    assert idle.json()["error"]["code"] == "SESSION_EXPIRED"
    out = await client.post("/api/play/session/logout", headers=bearer(second))
    assert out.status_code == 204
    gone = await client.post("/api/play/session/heartbeat", headers=bearer(second))
    assert gone.status_code == 401
    assert gone.json()["error"]["code"] == "SESSION_INVALID"
    missing = await client.post("/api/play/session/heartbeat")
    assert missing.json()["error"]["code"] == "SESSION_INVALID"


async def test_a_session_ends_at_its_absolute_limit_despite_heartbeats(
    framed: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = (await init(client, await launch_token(framed))).json()["sessionToken"]
    async with runtime.sessions() as db:
        await db.execute(update(PlaySession).values(ends_at=utcnow() - timedelta(seconds=1)))
        await db.commit()
    refused = await client.post("/api/play/session/heartbeat", headers=bearer(token))
    assert refused.json()["error"]["code"] == "SESSION_EXPIRED"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"parentOrigin": "https://evil.example"}, "parentOrigin"),
        ({"parentOrigin": "https://casino.example/path"}, "parentOrigin"),
        ({"funding": "operator"}, "target.boxId"),
        ({"fundingRounds": 2}, "fundingRounds"),
        ({"fundingRounds": 101, "funding": "operator", "target": {"boxId": 1}}, "fundingRounds"),
        ({"gameKey": "slots"}, "gameKey"),
    ],
)
async def test_a_launch_the_operator_may_not_mint_is_refused(
    framed: OperatorCtx, runtime: Runtime, body: dict[str, Any], field: str
) -> None:
    refused = await mint(framed, **body)
    assert refused.status_code == 422, refused.text
    assert field in refused.json()["error"]["fields"]
    async with runtime.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Launch)) == 0


async def test_launch_refusals_name_the_fix(
    operator: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    unframed = await mint(operator)
    assert unframed.status_code == 422
    assert "allowedOrigins" in unframed.json()["error"]["message"]
    await admin.call("PATCH", f"/operators/{operator.slug}", {"allowedOrigins": [HOST]})
    assert (await mint(operator, currency="GBP")).json()["error"]["code"] == (
        "UNSUPPORTED_CURRENCY"
    )
    assert (await mint(operator, locale="xx-nope")).json()["error"]["code"] == (
        "UNSUPPORTED_LOCALE"
    )
    await make_operator(admin, client, "other")
    await admin.call("PATCH", "/operators/other", {"allowedOrigins": [HOST]})
    foreign_box, _ = await published_box(admin, "other")
    foreign = await mint(operator, target={"boxId": foreign_box})
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "UNKNOWN_BOX"
