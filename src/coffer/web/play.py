"""The player app's page (SPEC §11): a shell that only the launch's allowed origins may frame.

The page carries no data and no inline script; its module reads the launch token from the
address, takes it out of the address bar, and redeems it through /api/play/session/init.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from coffer.api.deps import DbSession
from coffer.inventory.states import LISTED
from coffer.play.launches import Framing, framing
from coffer.web.messages import Translator, language_of

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(tags=["pages"], include_in_schema=False)


SHIP_FIELDS = (
    ("name", "text"),
    ("line1", "text"),
    ("line2", "text"),
    ("city", "text"),
    ("region", "text"),
    ("postalCode", "text"),
    ("country", "text"),
    ("phone", "tel"),
    ("email", "email"),
)


def security_headers(frame: Framing | None) -> dict[str, str]:
    """CSP with no inline script, framing limited to the operator's allowed origins."""
    ancestors = " ".join(frame.allowed_origins) if frame and frame.allowed_origins else "'none'"
    return page_headers(ancestors)


def page_headers(ancestors: str) -> dict[str, str]:
    """The headers of every page: scripts and styles from Coffer only, nothing inline."""
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


@router.get("/play", response_class=HTMLResponse)
async def play(
    request: Request,
    session: DbSession,
    token: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The app's shell for a launch; an unknown token still gets the page, which explains."""
    frame = await framing(session, token) if token.startswith("lt_") else None
    t = Translator(language_of(frame.locale if frame else None))
    return templates.TemplateResponse(
        request,
        "play.html",
        {"t": t, "states": LISTED, "ship_fields": SHIP_FIELDS},
        headers=security_headers(frame),
    )


@router.get("/fairness/verify", response_class=HTMLResponse)
async def verify_page(
    request: Request, lang: Annotated[str | None, Query(max_length=16)] = None
) -> HTMLResponse:
    """Recompute a round in the browser (WebCrypto) from its public values alone; the page's
    script reads ``?round=r_…`` itself."""
    t = Translator(language_of(lang))
    return templates.TemplateResponse(
        request, "verify.html", {"t": t}, headers=page_headers("'none'")
    )
