"""The casino's lobby: a page that frames Coffer's player app the way an operator's site would.

The browser never holds the S2S secret. It asks the casino's backend for a launch; the backend
signs ``POST /api/s2s/launches`` with the operator's key and hands back only the ``launchUrl``,
minted on demand because a launch token lives 60 seconds and opens one session.
"""

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from coffer.client import AsyncCofferClient, CofferApiError, calls
from coffer_casino.settings import CasinoSettings

STATIC = Path(__file__).parent / "static"


class LaunchWish(BaseModel):
    """What the lobby's buttons ask for. The player is the lobby's own, and what the casino pays
    for is the backend's decision: a page may ask for its one free box, never for more."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    box_id: Annotated[int | None, Field(alias="boxId", ge=1)] = None
    auto_open: Annotated[bool, Field(alias="autoOpen")] = False
    free: bool = False
    locale: Annotated[str, Field(max_length=16)] = "en"
    currency: Annotated[str | None, Field(max_length=3)] = None
    parent_origin: Annotated[str, Field(alias="parentOrigin", max_length=300)]


class CofferLink:
    """Signed S2S calls to Coffer with the operator's key, through Coffer's Python client."""

    def __init__(self, settings: CasinoSettings) -> None:
        if not (settings.coffer_url and settings.coffer_key_id and settings.coffer_key_secret):
            raise ValueError("the lobby needs CASINO_COFFER_URL, _KEY_ID and _KEY_SECRET")
        self.base = settings.coffer_url.rstrip("/")
        self.key_id = settings.coffer_key_id
        self.secret = settings.coffer_key_secret.get_secret_value()
        self.player = settings.lobby_player

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One signed call through coffer.client; Coffer's error envelope is passed on to the
        page as it came."""
        target, _, query = path.partition("?")
        params = dict(parse_qsl(query))
        call = (calls.get(target, **params) if body is None
                else calls.post(target, body, retryable=False))  # fmt: skip
        async with AsyncCofferClient(self.base, self.key_id, self.secret) as coffer:
            try:
                return await coffer.send(call)
            except CofferApiError as exc:
                raise HTTPException(exc.status, exc.body) from exc


def lobby_headers(coffer_origin: str) -> dict[str, str]:
    """The lobby frames Coffer only, and runs no inline script either."""
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        f"frame-src {coffer_origin}; object-src 'none'; base-uri 'none'"
    )
    return {"Content-Security-Policy": policy, "Cache-Control": "no-store"}


def lobby_routes(link: CofferLink) -> APIRouter:
    """The lobby page, the boxes it offers and launches minted on demand (loopback only)."""
    router = APIRouter(tags=["lobby"])

    @router.get("/lobby", response_class=HTMLResponse)
    async def lobby() -> HTMLResponse:
        """The casino's lobby with the player app in an iframe and a log of its messages."""
        page = (STATIC / "lobby.html").read_text(encoding="utf-8")
        return HTMLResponse(page, headers=lobby_headers(link.origin))

    @router.get("/lobby/boxes")
    async def boxes() -> dict[str, Any]:
        """The operator's live boxes, for the lobby's buttons, and whose balance it shows."""
        listed = await link.call("GET", "/api/s2s/boxes?perPage=20")
        offered = [
            {k: box[k] for k in ("boxId", "name", "priceMinor", "currency")}
            for box in listed["boxes"]
        ]
        return {"player": link.player, "boxes": offered}

    @router.post("/lobby/launch")
    async def launch(wish: LaunchWish) -> JSONResponse:
        """Mint a launch for the lobby's player; the page frames ``launchUrl`` at once."""
        body: dict[str, Any] = {
            "playerExternalId": link.player,
            "gameKey": "mystery_box",
            "target": {"boxId": wish.box_id, "autoOpen": wish.auto_open},
            "locale": wish.locale,
            "parentOrigin": wish.parent_origin,
        }
        if wish.free:  # the casino's promotion: one operator-funded open of the box
            body.update(funding="operator", fundingRounds=1)
        if wish.currency is not None:
            body["currency"] = wish.currency
        minted = await link.call("POST", "/api/s2s/launches", body)
        return JSONResponse({"launchUrl": minted["launchUrl"], "cofferOrigin": link.origin})

    return router
