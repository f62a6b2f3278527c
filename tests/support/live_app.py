"""A whole Coffer app on a migrated database, seeded with an operator, a key, an item and a
published box, whose S2S requests are signed on the way in: for the fuzzing and hostile-input
tests, which care what the app answers, not how a client signs."""

import asyncio

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coffer import signing
from coffer.app import create_app
from coffer.kit.db import make_engine
from coffer.kit.secrets import SecretBox
from coffer.kit.settings import Settings
from coffer.migrate import upgrade_to_head
from coffer.runtime import Runtime
from tests import conftest

ADMIN = "fuzz-admin-token"
RAW = b"x-test-raw"  # a request carrying this header is passed on unsigned, exactly as sent


class SignEverything:
    """Test-only ASGI wrapper: signs each S2S request with a live key, so fuzzing gets past auth."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.key_id = ""
        self.secret = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/s2s/") or not self.key_id:
            await self.app(scope, receive, send)
            return
        if any(name == RAW for name, _ in scope["headers"]):
            kept = [(k, v) for k, v in scope["headers"] if k != RAW]
            await self.app({**scope, "headers": kept}, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        target = (path + b"?" + query if query else path).decode("latin-1")
        headers = signing.signed_headers(
            self.secret, scope["method"], target, body, key_id=self.key_id
        )
        kept = [(k, v) for k, v in scope["headers"] if not k.startswith(b"x-")]
        kept += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": kept}, replay, send)


def fuzz_database(request: pytest.FixtureRequest, tmp: pytest.TempPathFactory) -> str:
    """A migrated, empty database of the requested kind (PostgreSQL as conftest prepares it)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp.mktemp('fuzz') / 'coffer.db'}"
        upgrade_to_head(url)
        return url
    request.getfixturevalue("postgres_ready")
    if conftest.pg_problem() is not None:
        if conftest.IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unusable: {conftest.pg_problem()}")
        pytest.skip("PostgreSQL unavailable")
    url = conftest.pg_test_url()
    asyncio.run(conftest.truncate_all(url))
    return url


def seeded_app(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    egress_allow: str = conftest.LOOPBACK,
) -> SignEverything:
    """The signed app on the requested database, with operator ``acme`` and one box."""
    url = fuzz_database(request, tmp_path_factory)
    key = Fernet.generate_key()
    settings_ = Settings(
        database_url=url, admin_token=ADMIN, secret_key=key.decode(), egress_allow=egress_allow
    )
    engine = make_engine(url, poolclass=NullPool)
    runtime = Runtime.build(settings_, engine, SecretBox(key))
    wrapped = SignEverything(create_app(runtime=runtime))
    auth = {"Authorization": f"Bearer {ADMIN}"}
    with TestClient(wrapped) as http:
        assert (
            http.post(
                "/api/admin/operators",
                headers=auth,
                json={"slug": "acme", "name": "Acme", "baseCurrency": "EUR"},
            ).status_code
            == 201
        )
        s2s = http.post("/api/admin/operators/acme/keys", headers=auth, json={}).json()
        item = http.post(
            "/api/admin/operators/acme/items",
            headers=auth,
            json={"name": "Sword", "type": "physical", "valueMinor": 320, "currency": "EUR"},
        ).json()
        box = http.post(
            "/api/admin/operators/acme/boxes",
            headers=auth,
            json={
                "name": "B",
                "slug": "b",
                "priceMinor": 500,
                "currency": "EUR",
                "prizes": [{"itemId": item["itemId"], "weight": 1}],
            },
        ).json()
        http.post(f"/api/admin/operators/acme/boxes/{box['boxId']}/publish", headers=auth)
    wrapped.key_id, wrapped.secret = s2s["keyId"], s2s["secret"]
    return wrapped
