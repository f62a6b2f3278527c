"""Admin API for catalog items: create, list, read, patch, validation and tenancy."""

from typing import Any

import httpx
import pytest

from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi
from tests.support.catalog import item_body, make_item


async def test_create_item_returns_full_body(admin: AdminApi, operator: OperatorCtx) -> None:
    item = await make_item(
        admin,
        operator.slug,
        name="Voucher",
        type="digital",
        imageUrl="https://cdn.example/v.png",
        valueMinor=2500,
        currency="USD",
        cashbackBps=8000,
        customAttributes={"tier": "gold", "level": 3, "ratio": 1.5, "new": True},
    )
    assert item["itemId"] >= 1
    assert item["name"] == "Voucher"
    assert item["type"] == "digital"
    assert item["imageUrl"] == "https://cdn.example/v.png"
    assert (item["valueMinor"], item["currency"]) == (2500, "USD")
    assert (item["cashbackMinor"], item["cashbackBps"]) == (None, 8000)
    assert item["shippable"] is False
    assert item["customAttributes"] == {"tier": "gold", "level": 3, "ratio": 1.5, "new": True}
    assert item["createdAt"].endswith("Z")
    assert item["updatedAt"].endswith("Z")
    path = f"/operators/{operator.slug}/items/{item['itemId']}"
    assert await admin.call("GET", path) == item


async def test_list_items_pages(admin: AdminApi, operator: OperatorCtx) -> None:
    ids = [(await make_item(admin, operator.slug, name=f"I{i}"))["itemId"] for i in range(5)]
    page = await admin.call("GET", f"/operators/{operator.slug}/items?page=2&perPage=2")
    assert [i["itemId"] for i in page["items"]] == ids[2:4]
    assert (page["page"], page["perPage"], page["total"]) == (2, 2, 5)
    last = await admin.call("GET", f"/operators/{operator.slug}/items?page=3&perPage=2")
    assert [i["itemId"] for i in last["items"]] == ids[4:]


async def test_patch_item_changes_only_sent_fields(admin: AdminApi, operator: OperatorCtx) -> None:
    item = await make_item(admin, operator.slug, cashbackMinor=300, shippable=True)
    path = f"/operators/{operator.slug}/items/{item['itemId']}"
    patched = await admin.call(
        "PATCH", path, {"name": "Phone 2", "cashbackMinor": None, "cashbackBps": 5000}
    )
    assert patched["name"] == "Phone 2"
    assert (patched["cashbackMinor"], patched["cashbackBps"]) == (None, 5000)
    assert patched["shippable"] is True
    assert patched["valueMinor"] == 5000
    assert await admin.call("GET", path) == patched


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": 5}, "name"),
        ({"name": ""}, "name"),
        ({"type": "weird"}, "type"),
        ({"valueMinor": -1}, "valueMinor"),
        ({"valueMinor": 10**15 + 1}, "valueMinor"),
        ({"valueMinor": 10**30}, "valueMinor"),
        ({"valueMinor": "500"}, "valueMinor"),
        ({"valueMinor": 5.5}, "valueMinor"),
        ({"valueMinor": True}, "valueMinor"),
        ({"currency": "eur"}, "currency"),
        ({"cashbackBps": 10001}, "cashbackBps"),
        ({"cashbackMinor": -5}, "cashbackMinor"),
        ({"cashbackMinor": 10, "cashbackBps": 10}, "cashbackBps"),
        ({"type": "bonus", "shippable": True}, "shippable"),
        ({"shippable": "yes"}, "shippable"),
        ({"imageUrl": "ftp://x"}, "imageUrl"),
        ({"customAttributes": {"a": {"nested": 1}}}, "customAttributes.a"),
        ({"customAttributes": {"a": [1]}}, "customAttributes.a"),
        ({"customAttributes": {"a": None}}, "customAttributes.a"),
        ({"customAttributes": {str(i): i for i in range(51)}}, "customAttributes"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_item_validation_writes_nothing(
    admin: AdminApi, operator: OperatorCtx, overrides: dict[str, Any], field: str
) -> None:
    body = await admin.call(
        "POST", f"/operators/{operator.slug}/items", item_body(**overrides), expect=422
    )
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert field in body["error"]["fields"], body
    listing = await admin.call("GET", f"/operators/{operator.slug}/items")
    assert listing["total"] == 0


async def test_unconfigured_currency_is_unsupported(admin: AdminApi, operator: OperatorCtx) -> None:
    body = await admin.call(
        "POST", f"/operators/{operator.slug}/items", item_body(currency="GBP"), expect=422
    )
    assert body["error"]["code"] == "UNSUPPORTED_CURRENCY"
    assert "currency" in body["error"]["fields"]
    assert (await admin.call("GET", f"/operators/{operator.slug}/items"))["total"] == 0


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"name": None}, "name"),
        ({"valueMinor": None}, "valueMinor"),
        ({"cashbackBps": 100}, "cashbackBps"),  # the item already has cashbackMinor
        ({"type": "bonus"}, "shippable"),  # the item is shippable
        ({"valueMinor": -1}, "valueMinor"),
    ],
)
async def test_patch_validation_keeps_item(
    admin: AdminApi, operator: OperatorCtx, patch: dict[str, Any], field: str
) -> None:
    item = await make_item(admin, operator.slug, cashbackMinor=100, shippable=True)
    path = f"/operators/{operator.slug}/items/{item['itemId']}"
    body = await admin.call("PATCH", path, patch, expect=422)
    assert field in body["error"]["fields"], body
    assert await admin.call("GET", path) == item


async def test_patch_to_unconfigured_currency(admin: AdminApi, operator: OperatorCtx) -> None:
    item = await make_item(admin, operator.slug)
    path = f"/operators/{operator.slug}/items/{item['itemId']}"
    body = await admin.call("PATCH", path, {"currency": "GBP"}, expect=422)
    assert body["error"]["code"] == "UNSUPPORTED_CURRENCY"
    assert await admin.call("GET", path) == item


async def test_other_operators_item_is_not_found(
    admin: AdminApi, client: httpx.AsyncClient, operator: OperatorCtx
) -> None:
    other = await make_operator(admin, client, "bravo")
    theirs = await make_item(admin, other.slug, name="Theirs")
    mine = f"/operators/{operator.slug}/items/{theirs['itemId']}"
    for method, body in (("GET", None), ("PATCH", {"name": "Stolen"})):
        answer = await admin.call(method, mine, body, expect=404)
        assert answer["error"]["code"] == "NOT_FOUND"
    for missing in (999_999, 0, 2**70):
        path = f"/operators/{operator.slug}/items/{missing}"
        assert (await admin.call("GET", path, expect=404))["error"]["code"] == "NOT_FOUND"
    assert await admin.call("GET", f"/operators/{other.slug}/items/{theirs['itemId']}") == theirs


async def test_items_need_admin_token(client: httpx.AsyncClient, operator: OperatorCtx) -> None:
    response = await client.get(f"/api/admin/operators/{operator.slug}/items")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "ADMIN_TOKEN_INVALID"
