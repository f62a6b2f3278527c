"""The blocking client: ``CofferClient(base_url, key_id, secret)``."""

from collections.abc import Iterator
from typing import Any

import httpx
from tenacity import Retrying

from coffer.client import calls
from coffer.client.calls import Call, Json
from coffer.client.core import Core, answer
from coffer.client.errors import CofferConnectionError


class CofferClient(Core):
    """Coffer's S2S API, signed with the operator's key; idempotent calls retry with the same
    key, errors raise ``coffer.client.errors`` types, pages iterate."""

    def __init__(self, base_url: str, key_id: str, secret: str, *, retries: int = 3,
                 http: httpx.Client | None = None) -> None:  # fmt: skip
        super().__init__(base_url, key_id, secret, retries)
        self.http = http or httpx.Client(timeout=10)

    def send(self, call: Call) -> Any:
        """Any call (``coffer.client.calls``): its JSON answer."""
        for attempt in Retrying(**self.retrying(call)):
            with attempt:
                try:
                    response = self.http.send(self.request(call))
                except httpx.TransportError as exc:
                    raise CofferConnectionError(str(exc)) from exc
                return answer(response)
        raise AssertionError("unreachable")

    def pages(self, path: str, **params: Any) -> Iterator[Json]:
        """Every item of a cursor-paged listing, page after page."""
        cursor = None
        while True:
            page = self.send(calls.get(path, cursor=cursor, **params))
            yield from page["items"]
            cursor = page["cursor"]["next"]
            if not cursor:
                return

    def purchase(self, player: str, box_version_ids: list[int], **more: Any) -> Json:
        """Buy one reel per box version (see ``calls.purchase``); the settled round."""
        found: Json = self.send(calls.purchase(player, box_version_ids, **more))
        return found

    def boxes(self, currency: str | None = None) -> Json:
        found: Json = self.send(calls.get("/api/s2s/boxes", currency=currency))
        return found

    def inventory(self, player: str, state: str | None = None) -> Iterator[Json]:
        return self.pages("/api/s2s/inventory", playerExternalId=player, state=state, limit=200)

    def history(self, player: str) -> Iterator[Json]:
        return self.pages("/api/s2s/history", playerExternalId=player, limit=200)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "CofferClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
