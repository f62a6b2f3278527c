"""A player's picture pages each list by its own cursor, and an instruction that needs a person is
shown however old it is: first on the back office page, in ``needsAttention`` in the API."""

from dataclasses import replace

import httpx

from coffer.rounds.answers import Failure
from coffer.rounds.commands import Purchase, Reel
from coffer.rounds.purchasing import purchase
from coffer.runtime import Runtime
from coffer.seamless.client import WalletClient
from tests.conftest import ADMIN_TOKEN, OperatorCtx
from tests.staff.test_review import RefusingWallet, held_round
from tests.support.api import AdminApi
from tests.support.backoffice import sign_in


def accepting(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"accepted": True, "balanceAfterMinor": 1000})


async def test_an_old_instruction_needing_a_person_outlives_the_newest_page(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    _mocked, _public, held_id, version = await held_round(
        admin, operator, runtime, RefusingWallet()
    )
    wallet = WalletClient(httpx.AsyncClient(transport=httpx.MockTransport(accepting)), 0)
    paying = replace(runtime, wallet=wallet)
    for key in ("fine-1", "fine-2"):
        answer = await purchase(
            paying.gateway, operator.operator_id, Purchase("u_held", key, (Reel(0, version),))
        )
        assert not isinstance(answer, Failure), answer
    base = f"/operators/{operator.slug}/players/u_held"
    first = await admin.call("GET", f"{base}?limit=1")
    [newest] = first["walletInstructions"]
    assert newest["id"] != held_id
    assert [i["id"] for i in first["needsAttention"]] == [held_id]
    assert len(first["rounds"]) == 1
    seen, cursor = [newest["id"]], first["cursor"]["walletInstructions"]
    while cursor:
        more = await admin.call("GET", f"{base}?limit=1&instructionsCursor={cursor}")
        seen += [i["id"] for i in more["walletInstructions"]]
        cursor = more["cursor"]["walletInstructions"]
    assert seen == sorted(seen, reverse=True)
    assert held_id in seen  # every instruction once, newest first
    older = await admin.call("GET", f"{base}?limit=1&roundsCursor={first['cursor']['rounds']}")
    assert older["rounds"][0]["createdAt"] <= first["rounds"][0]["createdAt"]
    bad = await admin.call("GET", f"{base}?roundsCursor=nope", expect=422)
    assert bad["error"]["fields"] == {"roundsCursor": "not a cursor this API returned"}
    await sign_in(client, ADMIN_TOKEN)
    page = await client.get(f"/admin/o/{operator.slug}/players", params={"externalId": "u_held"})
    table = page.text.split('id="instructions"', 1)[1].split("</section>", 1)[0]
    first_row = table.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert f"/wallet/instructions/{held_id}/retry" in first_row  # needing a person: first
