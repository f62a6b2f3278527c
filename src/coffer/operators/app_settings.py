"""The player app's operator settings (SPEC §11, §13): who may frame it, its look, its limits."""

from typing import Annotated

import httpx
from pydantic import AfterValidator, Field, StrictInt, StringConstraints

from coffer.kit.schemas import ApiModel, clean_text

MAX_ORIGINS = 20
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


def _origin(value: str) -> str:
    """``scheme://host[:port]``, lower-cased, nothing after it."""
    clean_text(value)
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"is not an origin: {exc}") from exc
    bare = url.path in ("", "/") and not url.query and not url.fragment and not url.userinfo
    if url.scheme not in ("http", "https") or not url.host or not bare or len(value) > 300:
        raise ValueError("must be an origin such as https://casino.example or http://host:8080")
    return value.lower().rstrip("/")


def _logo(value: str) -> str:
    clean_text(value)
    if not value.startswith(("https://", "http://", "/")) or len(value) > 2000:
        raise ValueError("must be an http(s) URL or a path on this server, at most 2000 characters")
    return value


Origin = Annotated[str, AfterValidator(_origin)]


class Theme(ApiModel):
    """Colours (``#rrggbb``) and a logo the player app shows; each falls back to Coffer's."""

    primary: Colour | None = None
    background: Colour | None = None
    surface: Colour | None = None
    text: Colour | None = None
    accent: Colour | None = None
    logo_url: Annotated[str, AfterValidator(_logo)] | None = None


Origins = Annotated[list[Origin], Field(max_length=MAX_ORIGINS)]
MaxReels = Annotated[StrictInt, Field(ge=1, le=10)]
IdleMinutes = Annotated[StrictInt, Field(ge=1, le=24 * 60)]
MaxMinutes = Annotated[StrictInt, Field(ge=5, le=7 * 24 * 60)]


class AppSettings(ApiModel):
    """The player app settings as an operator shows them."""

    allowed_origins: list[str]
    theme: Theme
    max_reels: int
    session_idle_minutes: int
    session_max_minutes: int
