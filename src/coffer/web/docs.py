"""The API docs pages: Swagger UI (with an S2S request signer) and ReDoc, from Coffer's own
files: nothing is fetched from a CDN, so the docs work without internet."""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

from coffer.web.play import templates

router = APIRouter(tags=["pages"], include_in_schema=False)
# Swagger UI's and ReDoc's built files, from the pinned fastapi-offline package (its files only)
ASSETS = Path(fastapi_offline.__file__).parent / "static"
HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "frame-ancestors 'none'"}


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> Response:
    """Swagger UI on /openapi.json; "Try it out" signs S2S calls with the key typed in."""
    return templates.TemplateResponse(request, "docs.html", {}, headers=HEADERS)


@router.get("/redoc", response_class=HTMLResponse)
async def redoc() -> Response:
    """The same API description in ReDoc (reading only)."""
    page = get_redoc_html(
        openapi_url="/openapi.json",
        title="Coffer API",
        redoc_js_url="/docs/assets/redoc.standalone.js",
        redoc_favicon_url="/docs/assets/favicon.png",
        with_google_fonts=False,
    )
    page.headers.update(HEADERS)
    return page
