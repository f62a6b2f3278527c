"""A player's personal data: exported as given, erased in place (money kept), both audited."""

from typing import Any

import httpx
from sqlalchemy import select

from coffer.audit.models import AuditEntry
from coffer.rounds.models import Round
from coffer.runtime import Runtime
from coffer.seamless.models import WalletInstruction
from coffer.webhooks.models import WebhookEvent
from tests.conftest import make_operator
from tests.support.api import AdminApi, operator_staff
from tests.support.db import count_rows
from tests.support.shipping import ADDRESS, ORDERS, place, staff, swords
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]
GIVEN = {**ADDRESS, "line2": "Flat 2", "phone": "+49 30 1234567"}
EMAIL = "ada@example.com"
PERSONAL = ("Ada Lovelace", "Main Street", "Flat 2", "10115", "1234567", EMAIL, "Berlin")
ERASED = {
    "name": "[erased]",
    "line1": "[erased]",
    "line2": "[erased]",
    "city": "[erased]",
    "region": "[erased]",
    "postalCode": "[erased]",
    "country": "DE",
    "phone": None,
}


def player_path(shop: Shop, action: str, player: str = PLAYER) -> str:
    return f"/operators/{shop.operator.slug}/players/{player}/{action}"


async def ordered(shop: Shop) -> str:
    """One order with every address field filled in; its public id."""
    ids = await swords(shop, 1)
    response = await place(shop, ids, address=GIVEN)
    assert response.status_code == 201, response.text
    public_id: str = body_of(response)["order"]["publicId"]
    return public_id


async def delivered(shop: Shop) -> str:
    public_id = await ordered(shop)
    await staff(shop, public_id, "ship", {"carrier": "DHL", "trackingNumber": "JD0001"})
    await staff(shop, public_id, "deliver")
    return public_id


async def audit_rows(runtime: Runtime) -> list[AuditEntry]:
    """The privacy entries (the admin calls that set the story up are audited too)."""
    async with runtime.sessions() as session:
        found = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.like("player.personal_data%"))
            .order_by(AuditEntry.id)
        )
        return list(found)


async def bodies(runtime: Runtime) -> str:
    async with runtime.sessions() as session:
        return " ".join(await session.scalars(select(WebhookEvent.body)))


async def test_export_returns_the_address_given_at_order_time(shop: Shop, runtime: Runtime) -> None:
    public_id = await ordered(shop)

    export = await shop.admin.call("GET", player_path(shop, "personal-data"))

    assert export["player"]["externalId"] == PLAYER
    [order] = export["shippingOrders"]
    assert (order["publicId"], order["status"]) == (public_id, "pending")
    assert (order["address"], order["contact"]) == (GIVEN, {"email": EMAIL})
    assert order["createdAt"].endswith("Z")
    [notice] = export["webhookEvents"]
    assert (notice["type"], notice["orderPublicId"]) == ("fulfillment_notice", public_id)
    assert (notice["address"], notice["contact"]) == (GIVEN, {"email": EMAIL})
    [entry] = await audit_rows(runtime)
    assert (entry.action, entry.subject, entry.actor) == (
        "player.personal_data_exported",
        f"player:{PLAYER}",
        "admin-token:env",
    )
    assert entry.after == {"shippingOrders": 1, "webhookEvents": 1}
    assert not any(text in str((entry.before, entry.after)) for text in PERSONAL)
    assert entry.request_id


async def test_erase_is_refused_while_an_order_still_needs_the_address(
    shop: Shop, runtime: Runtime
) -> None:
    public_id = await ordered(shop)

    refused = await shop.admin.call("POST", player_path(shop, "erase"), expect=409)

    assert refused["error"]["code"] == "PERSONAL_DATA_IN_USE"
    assert refused["error"]["details"] == {"orderPublicIds": [public_id]}
    read = body_of(await shop.operator.s2s.get(f"{ORDERS}/{public_id}"))["order"]
    assert read["address"] == GIVEN
    assert "Ada Lovelace" in await bodies(runtime)
    assert await audit_rows(runtime) == []


async def test_erase_replaces_personal_fields_and_keeps_the_money(
    shop: Shop, runtime: Runtime
) -> None:
    public_id = await delivered(shop)
    before = body_of(await shop.operator.s2s.get(f"{ORDERS}/{public_id}"))["order"]
    money = [await count_rows(runtime, model) for model in (Round, WalletInstruction)]

    done = await shop.admin.call("POST", player_path(shop, "erase"))

    assert done == {
        "playerExternalId": PLAYER,
        "shippingOrdersErased": 1,
        "webhookEventsScrubbed": 3,  # pending, shipped, delivered notices
        "shippingOrdersAlreadyErased": 0,
    }
    after = body_of(await shop.operator.s2s.get(f"{ORDERS}/{public_id}"))["order"]
    assert (after["address"], after["contact"]) == (ERASED, {"email": "erased@erased.invalid"})
    kept = ("publicId", "status", "currency", "shippingCostMinor", "items", "trackingNumber")
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    assert [await count_rows(runtime, model) for model in (Round, WalletInstruction)] == money
    scrubbed = await bodies(runtime)
    assert not any(text in scrubbed for text in PERSONAL)
    export = await shop.admin.call("GET", player_path(shop, "personal-data"))
    assert export["shippingOrders"][0]["address"] == ERASED
    assert not any(text in str(export) for text in PERSONAL)
    [erased, exported] = await audit_rows(runtime)
    assert (erased.action, exported.action) == (
        "player.personal_data_erased",
        "player.personal_data_exported",
    )
    assert erased.after == {
        "shippingOrders": 1,
        "webhookEvents": 3,
        "shippingOrdersAlreadyErased": 0,
    }


async def test_a_second_erase_erases_nothing_new_and_is_audited(
    shop: Shop, runtime: Runtime
) -> None:
    await delivered(shop)
    await shop.admin.call("POST", player_path(shop, "erase"))
    bodies_once = await bodies(runtime)

    again = await shop.admin.call("POST", player_path(shop, "erase"))

    assert (again["shippingOrdersErased"], again["webhookEventsScrubbed"]) == (0, 0)
    assert again["shippingOrdersAlreadyErased"] == 1
    assert await bodies(runtime) == bodies_once
    actions = [entry.action for entry in await audit_rows(runtime)]
    assert actions == ["player.personal_data_erased"] * 2


async def test_another_operators_staff_cannot_reach_the_player(
    shop: Shop, runtime: Runtime, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    public_id = await delivered(shop)
    await make_operator(admin, client, "rival")
    rival = await operator_staff(admin, runtime, "rival")

    for method, action in (("GET", "personal-data"), ("POST", "erase")):
        theirs: Any = await rival.call(method, player_path(shop, action), expect=404)
        assert theirs["error"]["code"] == "NOT_FOUND"
        own = f"/operators/rival/players/{PLAYER}/{action}"
        assert (await rival.call(method, own, expect=404))["error"]["code"] == "UNKNOWN_PLAYER"

    read = body_of(await shop.operator.s2s.get(f"{ORDERS}/{public_id}"))["order"]
    assert read["address"] == GIVEN
    assert await audit_rows(runtime) == []
