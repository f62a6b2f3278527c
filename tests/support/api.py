"""Small clients for tests: the admin API with a bearer token, and signed S2S calls."""

import json
from typing import Any

import httpx

from coffer import signing
from coffer.operators import service
from coffer.runtime import Runtime


class AdminApi:
    """Calls the admin API and fails loudly on unexpected statuses."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = await self.client.request(
            method, f"/api/admin{path}", json=body, headers=self.headers
        )
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    async def create_operator(self, slug: str, **extra: Any) -> Any:
        body = {"slug": slug, "name": slug.title(), "baseCurrency": "EUR", **extra}
        return await self.call("POST", "/operators", body, expect=201)

    async def put_currency(self, slug: str, code: str, rate: str, digits: int | None = None) -> Any:
        body: dict[str, Any] = {"rateToBase": rate}
        if digits is not None:
            body["minorDigits"] = digits
        return await self.call("PUT", f"/operators/{slug}/currencies/{code}", body)

    async def create_key(self, slug: str) -> Any:
        return await self.call("POST", f"/operators/{slug}/keys", {}, expect=201)


class SignedClient:
    """Signs every request with an S2S key, exactly as an operator's backend would."""

    def __init__(self, client: httpx.AsyncClient, key_id: str, secret: str) -> None:
        self.client = client
        self.key_id = key_id
        self.secret = secret

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        raw: bytes | None = None,
        now: int | None = None,
    ) -> httpx.Response:
        content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        url = httpx.URL(path, params=params)  # signed exactly as it will be sent, query included
        target = url.raw_path.decode("ascii")
        headers = signing.signed_headers(
            self.secret, method, target, content, key_id=self.key_id, now=now
        )
        if content:
            headers["Content-Type"] = "application/json"
        return await self.client.request(method, url, content=content, headers=headers)

    async def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.request("POST", path, body)


async def scoped_token(runtime: Runtime, slug: str, label: str = "staff") -> str:
    """An admin token scoped to one operator: its staff's, or a game's server key."""
    async with runtime.sessions() as session:
        found = await service.operator_for(session, service.AdminPrincipal(None), slug)
        token = await service.create_admin_token(session, found, f"{slug} {label}")
        await session.commit()
    return token


async def operator_staff(admin: AdminApi, runtime: Runtime, slug: str) -> AdminApi:
    """The admin API as a token scoped to one operator (its staff, not a global admin)."""
    return AdminApi(admin.client, await scoped_token(runtime, slug))
