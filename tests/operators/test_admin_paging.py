"""Operators and keys page by keyset cursor: operators oldest first, keys newest first, in the
admin API and on the back office's pages."""

import httpx

from tests.conftest import ADMIN_TOKEN, OperatorCtx, make_operator
from tests.support.api import AdminApi
from tests.support.backoffice import sign_in


async def pages(admin: AdminApi, path: str, key: str, field: str) -> list[list[str]]:
    """Every page of ``path`` at two rows a page, following ``cursor.next`` to the end."""
    found, cursor = [], None
    while True:
        answer = await admin.call(
            "GET", f"{path}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        )
        found.append([row[field] for row in answer[key]])
        cursor = answer["cursor"]["next"]
        if cursor is None:
            return found


async def test_operators_page_oldest_first_and_keys_newest_first(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    for slug in ("beta", "gamma"):
        await make_operator(admin, client, slug)
    assert await pages(admin, "/operators", "operators", "slug") == [["acme", "beta"], ["gamma"]]
    made = [(await admin.create_key(operator.slug))["keyId"] for _ in range(2)]
    keys = await pages(admin, f"/operators/{operator.slug}/keys", "keys", "keyId")
    assert keys == [[made[1], made[0]], [operator.s2s.key_id]]
    bad = await admin.call("GET", "/operators?cursor=nope", expect=422)
    assert bad["error"]["fields"] == {"cursor": "not a cursor this API returned"}
    for _ in range(50):
        await admin.create_key(operator.slug)
    await sign_in(client, ADMIN_TOKEN)
    settings = await client.get(f"/admin/o/{operator.slug}")
    assert operator.s2s.key_id not in settings.text  # the oldest key: on the next page
    older = settings.text.split("?keys=", 1)[1].split("#", 1)[0]
    rest = await client.get(f"/admin/o/{operator.slug}", params={"keys": older})
    assert operator.s2s.key_id in rest.text
    assert "?keys=" not in rest.text
