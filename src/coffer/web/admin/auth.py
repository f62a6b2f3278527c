"""Signing in to the back office with an admin token, and out again."""

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from coffer.api import staff_cookie
from coffer.api.deps import DbSession, the_runtime
from coffer.kit.errors import AdminTokenInvalid
from coffer.operators import service as operators
from coffer.web.admin.render import templates
from coffer.web.play import page_headers

router = APIRouter(tags=["back office"], include_in_schema=False)
LOGIN_COOKIE = "coffer_login"  # the sign-in form's own CSRF token (double submit)


def _form(request: Request, error: str | None, status: int = 200) -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    headers = page_headers("'none'")
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        "form-action 'none'", "form-action 'self'"
    )
    response = templates.TemplateResponse(
        request, "login.html", {"nonce": nonce, "error": error}, status_code=status, headers=headers
    )
    response.set_cookie(
        LOGIN_COOKIE, nonce, max_age=900, httponly=True, samesite="strict", path="/admin",
        secure=request.url.scheme == "https" or the_runtime(request).settings.secure_cookies,
    )  # fmt: skip
    return response


@router.get("/admin/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    """The sign-in form: paste an admin token (global, or scoped to one operator)."""
    return _form(request, None)


@router.post("/admin/login", response_model=None)
async def login(
    request: Request,
    session: DbSession,
    token: Annotated[str, Form(max_length=400)],
    nonce: Annotated[str, Form(max_length=100)],
) -> HTMLResponse | RedirectResponse:
    """Check the token, then keep it sealed in an HttpOnly, SameSite=Strict cookie."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(nonce.encode(), expected.encode()):
        return _form(request, "The form expired; sign in again.", 403)
    runtime = the_runtime(request)
    try:
        await operators.authenticate_admin(session, runtime.settings.admin_token, token.strip())
    except AdminTokenInvalid:
        return _form(request, "That admin token is unknown or revoked.", 401)
    response = RedirectResponse("/admin", status_code=303)
    secure = runtime.settings.secure_cookies
    staff_cookie.sign_in(response, request, runtime.secrets, token.strip(), secure)
    response.delete_cookie(LOGIN_COOKIE, path="/admin")
    return response


@router.post("/admin/logout")
async def logout(request: Request, csrf: Annotated[str, Form(max_length=100)]) -> RedirectResponse:
    """Sign out (the form carries the CSRF token like every other)."""
    staff_cookie.check_csrf(request, the_runtime(request).secrets, csrf)
    response = RedirectResponse("/admin/login", status_code=303)
    staff_cookie.sign_out(response)
    return response
