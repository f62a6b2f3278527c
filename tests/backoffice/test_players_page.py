"""A player's picture in the back office, and their virtual-currency postings page by page."""

import httpx

from tests.conftest import ADMIN_TOKEN, OperatorCtx
from tests.support.api import AdminApi
from tests.support.backoffice import sign_in

GEMS = {"code": "GEM", "name": "Gems", "initialGrantMinor": 100}


async def spend(operator: OperatorCtx, key: str, amount: int) -> None:
    body = {"playerExternalId": "p1", "currency": "GEM", "amountMinor": amount,
            "idempotencyKey": key}  # fmt: skip
    answer = await operator.s2s.post("/api/s2s/virtual-currencies/postings", body)
    assert answer.status_code == 200, answer.text


async def test_postings_page_newest_first(admin: AdminApi, operator: OperatorCtx) -> None:
    await admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    for n in range(3):
        await spend(operator, f"k{n}", -10)
    first = await admin.call("GET", "/operators/acme/players/p1/postings?limit=2")
    assert [(p["amountMinor"], p["balanceAfterMinor"]) for p in first["postings"]] == [
        (-10, 70),
        (-10, 80),
    ]
    assert first["postings"][0]["idempotencyKey"] == "s2s:k2"  # the S2S key, namespaced
    assert first["postings"][0]["at"].endswith("Z")
    cursor = first["cursor"]["next"]
    rest = await admin.call("GET", f"/operators/acme/players/p1/postings?limit=2&cursor={cursor}")
    assert [p["amountMinor"] for p in rest["postings"]] == [-10, 100]  # then the initial grant
    assert rest["cursor"]["next"] is None
    await admin.call("GET", "/operators/acme/players/nobody/postings", expect=404)


async def test_the_players_page_shows_balances_postings_and_limits(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    await admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    await spend(operator, "k0", -30)
    await admin.call("PUT", "/operators/acme/players/p1/limits", {"opensPerDay": 5})
    await sign_in(client, ADMIN_TOKEN)
    shown = await client.get("/admin/o/acme/players", params={"externalId": "p1"})
    assert shown.status_code == 200, shown.text
    assert "GEM: <strong>70</strong>" in shown.text
    assert "<code>s2s:k0</code>" in shown.text
    assert (
        'name="opensPerDay" type="number" min="0" data-type="nullable-int" value="5"' in shown.text
    )
    missing = await client.get("/admin/o/acme/players", params={"externalId": "nobody"})
    assert "has no player" in missing.text
