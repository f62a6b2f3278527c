"""A browser-less back-office session: sign in through the form, keep the cookie and CSRF."""

import re

import httpx

CSRF = re.compile(r'<meta name="csrf" content="([0-9a-f]+)">')
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


async def sign_in(client: httpx.AsyncClient, token: str) -> httpx.Response:
    """Post the sign-in form as a browser would; the cookies stay in the client."""
    form = await client.get("/admin/login")
    nonce = NONCE.search(form.text)
    assert nonce is not None, form.text
    return await client.post("/admin/login", data={"token": token, "nonce": nonce.group(1)})


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    """The CSRF token a page carries for its forms."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)
