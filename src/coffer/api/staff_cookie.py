"""The back office's sign-in: the admin token sealed in an HttpOnly cookie, and CSRF tokens.

The cookie holds the token encrypted with the service's key and expires after ``MAX_AGE_S``;
every request re-authenticates the token inside, so revoking it signs the browser out at once.
A request that authenticates by cookie and changes something must carry ``X-CSRF-Token`` (or a
``csrf`` form field): an HMAC of the cookie that only this service can compute, which another
site cannot read, and its Origin, when sent, must be this service's.
"""

import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import Response

from coffer.kit.errors import Forbidden
from coffer.kit.secrets import SecretBox

COOKIE = "coffer_staff"
MAX_AGE_S = 12 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"


class CsrfRefused(Forbidden):
    code = "CSRF_REFUSED"
    default_message = (
        "This change came without the page's CSRF token (or from another origin); reload the "
        "back office page and try again."
    )


def token_in(request: Request, box: SecretBox) -> str | None:
    """The admin token of a live back-office cookie, if the request carries one."""
    sealed = request.cookies.get(COOKIE)
    return box.open_recent(sealed, MAX_AGE_S) if sealed else None


def csrf_for(box: SecretBox, sealed: str) -> str:
    """The CSRF token bound to one cookie (a new sign-in gets a new one)."""
    key = box.derive("back-office csrf").encode("ascii")
    return hmac.new(key, sealed.encode("ascii"), hashlib.sha256).hexdigest()


def check_csrf(request: Request, box: SecretBox, presented: str | None) -> None:
    """CSRF_REFUSED for a changing request without the cookie's token or from another origin."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise CsrfRefused()
    sealed = request.cookies.get(COOKIE, "")
    given = presented or request.headers.get(CSRF_HEADER, "")
    if not sealed or not hmac.compare_digest(given.encode(), csrf_for(box, sealed).encode()):
        raise CsrfRefused()


def sign_in(
    response: Response, request: Request, box: SecretBox, admin_token: str, always_secure: bool
) -> str:
    """Set the cookie (Secure when served over TLS, or always when told) and return its CSRF
    token. Behind a TLS-terminating proxy the scheme is https only if uvicorn trusts the proxy's
    X-Forwarded-Proto (FORWARDED_ALLOW_IPS); COFFER_SECURE_COOKIES=true needs no such trust."""
    sealed = box.seal(admin_token)
    response.set_cookie(
        COOKIE,
        sealed,
        max_age=MAX_AGE_S,
        httponly=True,
        secure=always_secure or request.url.scheme == "https",
        samesite="strict",
        path="/",
    )
    return csrf_for(box, sealed)


def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def _own_origin(request: Request) -> str:
    url = request.url
    default = {"http": 80, "https": 443}.get(url.scheme)
    port = f":{url.port}" if url.port and url.port != default else ""
    return f"{url.scheme}://{url.hostname}{port}"
