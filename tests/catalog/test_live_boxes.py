"""The signed S2S catalog: live boxes, FX pricing, filters, paging and tenancy."""

import json
from typing import Any

import httpx
import pytest

from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi
from tests.support.catalog import make_box, make_item, publish, published_box


async def fx_box(admin: AdminApi, slug: str) -> tuple[int, dict[str, Any], list[int]]:
    """The worked-example box: 1000 EUR with EUR, USD, JPY item prizes and a cash prize."""
    eur = await make_item(
        admin, slug, name="Phone", valueMinor=5000, imageUrl="https://cdn.example/phone.png"
    )
    usd = await make_item(admin, slug, name="Gift card", valueMinor=333, currency="USD")
    jpy = await make_item(admin, slug, name="Figure", valueMinor=1234, currency="JPY")
    prizes = [
        {"itemId": eur["itemId"], "weight": 1},
        {"itemId": usd["itemId"], "weight": 3},
        {"itemId": jpy["itemId"], "weight": 7},
        {"cashMinor": 100, "weight": 89},
    ]
    box = await make_box(
        admin,
        slug,
        prizes,
        customAttributes={"theme": "gold"},
        imageUrl="https://cdn.example/box.png",
    )
    version = await publish(admin, slug, box["boxId"])
    return box["boxId"], version, [eur["itemId"], usd["itemId"], jpy["itemId"]]


async def get_box(operator: OperatorCtx, box_id: int, **params: Any) -> httpx.Response:
    return await operator.s2s.get(f"/api/s2s/boxes/{box_id}", params=params or None)


async def test_box_detail_in_box_currency(admin: AdminApi, operator: OperatorCtx) -> None:
    box_id, version, item_ids = await fx_box(admin, operator.slug)
    response = await get_box(operator, box_id)
    assert response.status_code == 200, response.text
    box = response.json()["box"]
    vid = version["boxVersionId"]
    assert {k: v for k, v in box.items() if k != "prizes"} == {
        "boxId": box_id,
        "boxVersionId": vid,
        "versionNumber": 1,
        "name": "Gold Box",
        "priceMinor": 1000,
        "currency": "EUR",
        "houseEdgeBps": 7991,
        "snapshotUrl": f"http://testserver/fairness/box-version/{vid}/snapshot",
        "snapshotHash": version["snapshotHash"],
        "customAttributes": {"theme": "gold"},
        "imageUrl": "https://cdn.example/box.png",
    }
    prizes = box["prizes"]
    assert [p["itemId"] for p in prizes] == [*item_ids, None]
    assert [p["name"] for p in prizes] == ["Phone", "Gift card", "Figure", "1.00 EUR cash"]
    # 333 USD -> 3.0636 EUR -> 306; 1234 JPY -> 7.5274 EUR -> 753 (half-up)
    assert [p["valueMinor"] for p in prizes] == [5000, 306, 753, 100]
    assert {p["currency"] for p in prizes} == {"EUR"}
    assert [p["odds"] for p in prizes] == [0.01, 0.03, 0.07, 0.89]
    assert [p["imageUrl"] for p in prizes] == ["https://cdn.example/phone.png", None, None, None]
    assert all(isinstance(p["prizeId"], int) for p in prizes)


async def test_box_detail_priced_in_other_currencies(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    box_id, _, _ = await fx_box(admin, operator.slug)
    usd = (await get_box(operator, box_id, currency="USD")).json()["box"]
    # EUR -> USD divides by 0.92: 10.00 -> 10.8696 (1087); 50.00 -> 54.3478 (5435);
    # 3.06 -> 3.3261 (333); 7.53 -> 8.1848 (818); 1.00 -> 1.0870 (109)
    assert (usd["priceMinor"], usd["currency"]) == (1087, "USD")
    assert [p["valueMinor"] for p in usd["prizes"]] == [5435, 333, 818, 109]
    assert {p["currency"] for p in usd["prizes"]} == {"USD"}
    assert usd["prizes"][3]["name"] == "1.09 USD cash"
    assert usd["houseEdgeBps"] == 7991
    jpy = (await get_box(operator, box_id, currency="JPY")).json()["box"]
    # EUR -> JPY divides by 0.0061, 0 minor digits: 10.00 -> 1639.34 (1639); 50.00 -> 8196.72
    # (8197); 3.06 -> 501.64 (502); 7.53 -> 1234.43 (1234); 1.00 -> 163.93 (164)
    assert (jpy["priceMinor"], jpy["currency"]) == (1639, "JPY")
    assert [p["valueMinor"] for p in jpy["prizes"]] == [8197, 502, 1234, 164]
    assert jpy["prizes"][3]["name"] == "164 JPY cash"
    listing = (await operator.s2s.get("/api/s2s/boxes", params={"currency": "USD"})).json()
    assert listing["boxes"] == [usd]


async def test_odds_round_to_eight_decimals(admin: AdminApi, operator: OperatorCtx) -> None:
    box = await make_box(
        admin, operator.slug, [{"cashMinor": 1, "weight": 1}, {"cashMinor": 2, "weight": 2}]
    )
    await publish(admin, operator.slug, box["boxId"])
    prizes = (await get_box(operator, box["boxId"])).json()["box"]["prizes"]
    assert [p["odds"] for p in prizes] == [0.33333333, 0.66666667]


async def test_listing_filters_pages_and_hides(admin: AdminApi, operator: OperatorCtx) -> None:
    slug = operator.slug
    live = [(await published_box(admin, slug, slug=f"live-{i}"))[0] for i in range(3)]
    hidden, _ = await published_box(admin, slug, slug="hidden")
    await admin.call("PATCH", f"/operators/{slug}/boxes/{hidden}", {"isActive": False})
    draft_only = await make_box(admin, slug, [{"cashMinor": 1, "weight": 1}], slug="draft")
    listing = (await operator.s2s.get("/api/s2s/boxes")).json()
    assert [b["boxId"] for b in listing["boxes"]] == live
    assert (listing["page"], listing["perPage"], listing["total"]) == (1, 50, 3)
    page2 = (await operator.s2s.get("/api/s2s/boxes", params={"page": 2, "perPage": 2})).json()
    assert [b["boxId"] for b in page2["boxes"]] == live[2:]
    assert (page2["page"], page2["perPage"], page2["total"]) == (2, 2, 3)
    ids = f"{live[2]},{hidden},{draft_only['boxId']},{live[0]}"
    filtered = (await operator.s2s.get("/api/s2s/boxes", params={"ids": ids})).json()
    assert [b["boxId"] for b in filtered["boxes"]] == [live[0], live[2]]
    assert filtered["total"] == 2
    assert len(filtered["boxes"][0]["prizes"]) == 2
    for box_id in (hidden, draft_only["boxId"], 999_999):
        response = await get_box(operator, box_id)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "UNKNOWN_BOX"


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"ids": "1,x"}, "VALIDATION_ERROR", "ids"),
        ({"ids": ""}, "VALIDATION_ERROR", "ids"),
        ({"ids": "1,,2"}, "VALIDATION_ERROR", "ids"),
        ({"ids": "-1"}, "VALIDATION_ERROR", "ids"),
        ({"ids": str(2**70)}, "VALIDATION_ERROR", "ids"),
        ({"page": 0}, "VALIDATION_ERROR", "page"),
        ({"perPage": 201}, "VALIDATION_ERROR", "perPage"),
        ({"perPage": 0}, "VALIDATION_ERROR", "perPage"),
        ({"currency": "usd"}, "VALIDATION_ERROR", "currency"),
        ({"currency": "GBP"}, "UNSUPPORTED_CURRENCY", "currency"),
        ({"locale": "zz"}, "UNSUPPORTED_LOCALE", "locale"),
        ({"locale": "en-"}, "UNSUPPORTED_LOCALE", "locale"),
    ],
)
async def test_listing_rejects_bad_queries(
    operator: OperatorCtx, params: dict[str, Any], code: str, field: str
) -> None:
    response = await operator.s2s.get("/api/s2s/boxes", params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"]


async def test_known_locales_are_accepted(admin: AdminApi, operator: OperatorCtx) -> None:
    box_id, _ = await published_box(admin, operator.slug)
    for locale in ("en", "de-AT", "pt-BR"):
        response = await operator.s2s.get("/api/s2s/boxes", params={"locale": locale})
        assert response.status_code == 200, response.text
        assert (await get_box(operator, box_id, locale=locale)).status_code == 200
    assert (await get_box(operator, box_id, locale="zz")).status_code == 422


async def test_other_operators_box_is_unknown(
    admin: AdminApi, client: httpx.AsyncClient, operator: OperatorCtx
) -> None:
    other = await make_operator(admin, client, "bravo")
    theirs, _ = await published_box(admin, other.slug)
    response = await get_box(operator, theirs)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "UNKNOWN_BOX"
    listing = (await operator.s2s.get("/api/s2s/boxes", params={"ids": str(theirs)})).json()
    assert (listing["boxes"], listing["total"]) == ([], 0)
    assert (await get_box(other, theirs)).status_code == 200


async def test_item_rename_is_live(
    admin: AdminApi, client: httpx.AsyncClient, operator: OperatorCtx
) -> None:
    box_id, version, item_ids = await fx_box(admin, operator.slug)
    await admin.call(
        "PATCH",
        f"/operators/{operator.slug}/items/{item_ids[1]}",
        {"name": "Gift card XL", "imageUrl": "https://cdn.example/gc.png"},
    )
    await admin.call("PATCH", f"/operators/{operator.slug}/boxes/{box_id}", {"name": "Gold+"})
    box = (await get_box(operator, box_id)).json()["box"]
    assert box["name"] == "Gold+"
    assert box["prizes"][1]["name"] == "Gift card XL"
    assert box["prizes"][1]["imageUrl"] == "https://cdn.example/gc.png"
    assert box["boxVersionId"] == version["boxVersionId"]
    snapshot = await client.get(f"/fairness/box-version/{version['boxVersionId']}/snapshot")
    frozen = json.loads(snapshot.content)
    assert (frozen["name"], frozen["prizes"][1]["name"]) == ("Gold Box", "Gift card")


async def test_catalog_needs_a_signature(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/s2s/boxes")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "MISSING_HEADERS"
