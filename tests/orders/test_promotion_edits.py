"""Staff change a promotion's uses, window and activity; players' claims follow at once."""

from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import OperatorCtx, make_operator
from tests.orders.test_order_entries import promo
from tests.support.api import AdminApi
from tests.support.economy import Orders, build, player_token, results


async def claim(client: httpx.AsyncClient, operator: OperatorCtx, player: str) -> str:
    """The result of one player's claim of WELCOME."""
    order = await Orders(client, await player_token(operator, player)).order(promo("WELCOME"))
    return results(order)[0]


async def welcome(admin: AdminApi, slug: str = "acme", **extra: object) -> int:
    eco = await build(admin, slug)
    body = {"code": "WELCOME", "lootId": eco.starter, **extra}
    made = await admin.call("POST", f"/operators/{slug}/promotions", body, expect=201)
    return int(made["promotionId"])


async def test_deactivating_and_running_out_refuse_claims_until_staff_change_it_back(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    promotion = f"/operators/acme/promotions/{await welcome(admin)}"
    off = await admin.call("PATCH", promotion, {"isActive": False})
    assert (off["isActive"], off["usesLeft"]) == (False, None)
    assert await claim(client, operator, "p1") == "promotion_not_available"
    await admin.call("PATCH", promotion, {"isActive": True})
    assert await claim(client, operator, "p1") == "success"
    none_left = await admin.call("PATCH", promotion, {"usesLeft": 0})
    assert (none_left["usesLeft"], none_left["isActive"]) == (0, True)
    assert await claim(client, operator, "p2") == "promotion_no_uses_left"
    entry = (await admin.call("GET", "/operators/acme/audit?limit=1"))["entries"][0]
    row = f"promotions:{none_left['promotionId']}"
    assert [(r["row"], r["uses_left"]) for r in entry["before"]["rows"]] == [(row, None)]
    assert entry["after"]["rows"] == [{"row": row, "uses_left": 0}]  # the one UPDATE, audited
    await admin.call("PATCH", promotion, {"usesLeft": 1})
    assert await claim(client, operator, "p3") == "success"
    assert await claim(client, operator, "p4") == "promotion_no_uses_left"
    assert (await admin.call("GET", promotion))["usesLeft"] == 0
    unlimited = await admin.call("PATCH", promotion, {"usesLeft": None})
    assert unlimited["usesLeft"] is None
    assert await claim(client, operator, "p4") == "success"
    assert await admin.call("GET", promotion) == unlimited


async def test_an_empty_window_is_refused_against_the_stored_ends(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    later = (now + timedelta(days=2)).isoformat()
    promotion = f"/operators/acme/promotions/{await welcome(admin, startsAt=later)}"
    before = await admin.call("GET", promotion)
    tomorrow = (now + timedelta(days=1)).isoformat()
    for body in [
        {"expiresAt": tomorrow},  # before the stored start
        {"startsAt": later, "expiresAt": tomorrow},
        {"startsAt": later, "expiresAt": later},
    ]:
        error = await admin.call("PATCH", promotion, body, expect=422)
        assert error["error"]["fields"] == {"expiresAt": "must be after startsAt"}, body
    assert await admin.call("GET", promotion) == before
    window = await admin.call("PATCH", promotion, {"startsAt": None, "expiresAt": tomorrow})
    assert (window["startsAt"], window["expiresAt"]) == (None, tomorrow.replace("+00:00", "Z"))
    error = await admin.call("PATCH", promotion, {"startsAt": later}, expect=422)
    assert error["error"]["fields"] == {"expiresAt": "must be after startsAt"}
    assert await admin.call("GET", promotion) == window


async def test_code_and_loot_are_refused_with_the_reason(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    promotion = f"/operators/acme/promotions/{await welcome(admin)}"
    before = await admin.call("GET", promotion)
    for body, field in [
        ({"code": "HELLO"}, "code"),
        ({"lootId": before["lootId"], "isActive": False}, "lootId"),
        ({"loot_id": 1}, "loot_id"),  # by its Python name too
    ]:
        error = await admin.call("PATCH", promotion, body, expect=422)
        assert error["error"]["fields"][field].startswith("cannot be changed: "), error
    await admin.call("PATCH", promotion, {"isActive": None}, expect=422)
    assert await admin.call("GET", promotion) == before


async def test_another_operators_promotion_is_not_found(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    await make_operator(admin, client, "rival")
    theirs = await welcome(admin, "rival")
    await build(admin)
    for method, body in [("PATCH", {"usesLeft": 0}), ("GET", None)]:
        missing = await admin.call(method, f"/operators/acme/promotions/{theirs}", body, 404)
        assert missing["error"]["code"] == "NOT_FOUND"
    still = await admin.call("GET", f"/operators/rival/promotions/{theirs}")
    assert still["usesLeft"] is None
    await admin.call("GET", "/operators/acme/promotions/0", expect=422)
