"""The asyncio client: ``AsyncCofferClient(base_url, key_id, secret)``."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
from tenacity import AsyncRetrying

from coffer.client import calls
from coffer.client.calls import Call, Json
from coffer.client.core import Core, answer
from coffer.client.errors import CofferConnectionError


class AsyncCofferClient(Core):
    """Coffer's S2S API, signed with the operator's key; idempotent calls retry with the same
    key, errors raise ``coffer.client.errors`` types, pages iterate."""

    def __init__(self, base_url: str, key_id: str, secret: str, *, retries: int = 3,
                 http: httpx.AsyncClient | None = None) -> None:  # fmt: skip
        super().__init__(base_url, key_id, secret, retries)
        self.http = http or httpx.AsyncClient(timeout=10)

    async def send(self, call: Call) -> Any:
        """Any call (``coffer.client.calls``): its JSON answer."""
        async for attempt in AsyncRetrying(**self.retrying(call)):
            with attempt:
                try:
                    response = await self.http.send(self.request(call))
                except httpx.TransportError as exc:
                    raise CofferConnectionError(str(exc)) from exc
                return answer(response)
        raise AssertionError("unreachable")

    async def pages(self, path: str, **params: Any) -> AsyncIterator[Json]:
        """Every item of a cursor-paged listing, page after page."""
        cursor = None
        while True:
            page = await self.send(calls.get(path, cursor=cursor, **params))
            for item in page["items"]:
                yield item
            cursor = page["cursor"]["next"]
            if not cursor:
                return

    async def purchase(self, player: str, box_version_ids: list[int], **more: Any) -> Json:
        """Buy one reel per box version (see ``calls.purchase``); the settled round."""
        found: Json = await self.send(calls.purchase(player, box_version_ids, **more))
        return found

    async def boxes(self, currency: str | None = None) -> Json:
        found: Json = await self.send(calls.get("/api/s2s/boxes", currency=currency))
        return found

    def inventory(self, player: str, state: str | None = None) -> AsyncIterator[Json]:
        return self.pages("/api/s2s/inventory", playerExternalId=player, state=state, limit=200)

    def history(self, player: str) -> AsyncIterator[Json]:
        return self.pages("/api/s2s/history", playerExternalId=player, limit=200)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> "AsyncCofferClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
