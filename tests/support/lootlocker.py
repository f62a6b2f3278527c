"""LootLocker's server API as a game server calls it: a session, then x-auth-token on each call."""

from typing import Any

import httpx

from coffer.runtime import Runtime
from tests.support.api import scoped_token

__all__ = ["BASE", "VERSION", "LootLocker", "error_of", "scoped_token"]

BASE = "/compat/lootlocker/server"
VERSION = {"LL-Version": "2021-03-01"}


class LootLocker:
    """One game server's session."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {**VERSION, "x-auth-token": token}

    @classmethod
    async def start(cls, client: httpx.AsyncClient, runtime: Runtime) -> "LootLocker":
        key = await scoped_token(runtime, "acme")
        started = await client.post(
            f"{BASE}/session", json={"game_version": "1.0.0"},
            headers={**VERSION, "x-server-key": key},
        )  # fmt: skip
        assert started.status_code == 200, started.text
        return cls(client, started.json()["token"])

    async def send(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return await self.client.request(
            method, f"{BASE}/{path}", json=body, params=params or None, headers=self.headers
        )

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """The answer's JSON; the test fails on any status but 200."""
        answer = await self.send(method, path, body, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()


def error_of(answer: httpx.Response) -> tuple[int, str]:
    """The status and LootLocker's code of an error answer, its shape checked."""
    body = answer.json()
    assert set(body) == {"success", "error", "code", "message", "request_id", "trace_id"}
    assert body["trace_id"] == answer.headers["x-request-id"]
    return answer.status_code, body["code"]
