"""What every back-office page shares: the signed-in staff member, the templates, the headers."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from coffer.api import staff_cookie
from coffer.api.deps import DbSession, the_runtime
from coffer.api.errors import ErrorRenderer
from coffer.kit.errors import STATUS_BY_CODE, AdminTokenInvalid, CofferError
from coffer.operators import service as operators
from coffer.operators.models import Operator
from coffer.operators.service import AdminPrincipal
from coffer.web.play import page_headers

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


class SignInNeeded(Exception):
    """No live back-office cookie: the page sends the browser to the sign-in form."""


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member: who, and the CSRF token their forms carry."""

    principal: AdminPrincipal
    csrf: str


async def staff(request: Request, session: DbSession) -> Staff:
    """The cookie's admin token, authenticated again (a revoked token signs out at once)."""
    runtime = the_runtime(request)
    token = staff_cookie.token_in(request, runtime.secrets)
    if token is None:
        raise SignInNeeded()
    try:
        principal = await operators.authenticate_admin(session, runtime.settings.admin_token, token)
    except AdminTokenInvalid as exc:
        raise SignInNeeded() from exc
    csrf = staff_cookie.csrf_for(runtime.secrets, request.cookies[staff_cookie.COOKIE])
    return Staff(principal, csrf)


StaffDep = Annotated[Staff, Depends(staff)]


async def operator_of(session: DbSession, who: StaffDep, slug: str) -> Operator:
    """The operator a page is about, within the staff member's tenancy (404 otherwise)."""
    return await operators.operator_for(session, who.principal, slug)


OperatorPage = Annotated[Operator, Depends(operator_of)]


def page(
    request: Request, name: str, who: Staff, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """A page of the back office: its frame, the staff member's CSRF token, strict headers."""
    headers = page_headers("'none'")
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        "form-action 'none'", "form-action 'self'"
    )
    scoped = who.principal.operator_id is not None
    return templates.TemplateResponse(
        request,
        name,
        {"csrf": who.csrf, "scoped": scoped, "actor": who.principal.actor, **context},
        status_code=status,
        headers=headers,
    )


def to_sign_in(_request: Request, _exc: Exception) -> RedirectResponse:
    return RedirectResponse("/admin/login", status_code=303)


def _html_error(status: int, message: str) -> HTMLResponse:
    body = templates.get_template("missing.html").render(status=status, message=message)
    return HTMLResponse(body, status_code=status, headers=page_headers("'none'"))


def _domain(exc: CofferError) -> HTMLResponse:
    return _html_error(STATUS_BY_CODE.get(exc.code, 500), exc.message)


def _fields(fields: dict[str, str]) -> HTMLResponse:
    return _html_error(422, "; ".join(f"{name}: {why}" for name, why in fields.items()))


# Pages answer errors as pages: another operator's page is a plain 404, like a missing one.
ERRORS = ErrorRenderer(_domain, _fields, framework=_html_error)
