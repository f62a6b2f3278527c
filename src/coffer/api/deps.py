"""Request dependencies: the unit of work, the admin principal and the signed S2S operator."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api import audit_trail, staff_cookie
from coffer.api.ratelimit import count_on_own_connection
from coffer.kit.errors import AdminTokenInvalid
from coffer.kit.schemas import SafeText
from coffer.operators import service as operators
from coffer.operators.models import Operator
from coffer.operators.service import AdminPrincipal
from coffer.runtime import Runtime


def the_runtime(request: Request) -> Runtime:
    """The process runtime the app was built with."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def runtime_of(request: Request) -> Runtime:
    """``the_runtime`` as a dependency (async: a plain ``def`` would run in a thread)."""
    return the_runtime(request)


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: the route commits, anything else is rolled back."""
    async with the_runtime(request).sessions() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(db_session)]
RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


# Documents the admin token in the OpenAPI description (Swagger UI's Authorize); the check is ours.
ADMIN_BEARER = HTTPBearer(
    scheme_name="adminToken",
    description="An admin token: COFFER_ADMIN_TOKEN, or one `coffer admin-token` made.",
    auto_error=False,
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(ADMIN_BEARER)]


async def admin_principal(request: Request, session: DbSession, bearer: Bearer) -> AdminPrincipal:
    """Authenticate ``Authorization: Bearer <admin token>``, or the back office's cookie (whose
    changes must carry its CSRF token)."""
    runtime = the_runtime(request)
    if bearer is not None and bearer.scheme.lower() == "bearer" and bearer.credentials.strip():
        presented = bearer.credentials.strip()
    else:
        presented = staff_cookie.token_in(request, runtime.secrets) or ""
        if not presented:
            raise AdminTokenInvalid()
        staff_cookie.check_csrf(request, runtime.secrets, None)
    configured = runtime.settings.admin_token
    principal = await operators.authenticate_admin(session, configured, presented)
    overrides = await operators.rate_limits_of(session, principal.operator_id)
    caller = ("admin", principal.actor.split(" ", 1)[0])
    await count_on_own_connection(runtime, caller, overrides)
    if request.method not in staff_cookie.SAFE_METHODS:
        await _audit_changes(request, session, principal)
    return principal


async def _audit_changes(request: Request, session: AsyncSession, who: AdminPrincipal) -> None:
    """Whatever this call commits is audited with it (the operator is the path's, if any,
    looked up only at commit: nothing here opens a transaction before the route runs)."""
    slug = request.path_params.get("slug")
    operator: int | str | None = who.operator_id if slug is None else str(slug)
    route = getattr(request.scope.get("route"), "path", request.url.path)
    call = (f"{request.method} {route}", request.url.path, await request.body())
    audit_trail.watch(session.sync_session, who.actor, operator, call)


Admin = Annotated[AdminPrincipal, Depends(admin_principal)]


Slug = Annotated[SafeText, Path(max_length=64)]


async def admin_operator(principal: Admin, session: DbSession, slug: Slug) -> Operator:
    """The operator named in the path, within the principal's tenancy."""
    return await operators.operator_for(session, principal, slug)


AdminOperator = Annotated[Operator, Depends(admin_operator)]


async def s2s_operator(request: Request, session: DbSession) -> Operator:
    """The operator whose key signed this request (verified by SignedRoute beforehand)."""
    operator_id: int = request.state.s2s_operator_id
    operator = await session.get(Operator, operator_id)
    assert operator is not None
    return operator


S2SOperator = Annotated[Operator, Depends(s2s_operator)]


async def s2s_operator_id(request: Request) -> int:
    """The signing operator's id, for use cases that open their own transactions."""
    operator_id: int = request.state.s2s_operator_id
    return operator_id


S2SOperatorId = Annotated[int, Depends(s2s_operator_id)]


async def signer(request: Request) -> Operator:
    """The signing operator's row as authentication read it (not bound to any session): what
    a purchase needs of it, without reading it again."""
    operator: Operator = request.state.s2s_operator
    return operator


Signer = Annotated[Operator, Depends(signer)]
