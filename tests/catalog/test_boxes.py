"""Admin API for boxes: drafts, publishing, versions, snapshots and the openable version."""

import asyncio
import hashlib
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from coffer.catalog import publish as publishing
from coffer.catalog.cards import playable
from coffer.kit.errors import BoxNotPlayable, Conflict, UnknownBox
from coffer.operators.models import Operator
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi
from tests.support.catalog import box_body, make_box, make_item, publish, published_box


async def test_create_box_stores_draft_without_version(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    item = await make_item(admin, operator.slug)
    box = await make_box(
        admin,
        operator.slug,
        [{"itemId": item["itemId"], "weight": 2}, {"cashMinor": 50, "weight": 8, "sortIndex": 9}],
        customAttributes={"theme": "gold"},
        imageUrl="https://cdn.example/box.png",
    )
    assert box["boxId"] >= 1
    assert box["slug"] == "gold"
    assert box["isActive"] is True
    assert box["draft"] == {
        "priceMinor": 1000,
        "currency": "EUR",
        "prizes": [
            {"itemId": item["itemId"], "cashMinor": None, "weight": 2, "sortIndex": 0},
            {"itemId": None, "cashMinor": 50, "weight": 8, "sortIndex": 9},
        ],
    }
    assert box["currentVersion"] is None
    assert box["versions"] == []
    assert box["customAttributes"] == {"theme": "gold"}
    assert await admin.call("GET", f"/operators/{operator.slug}/boxes/{box['boxId']}") == box


async def test_duplicate_slug_conflicts(admin: AdminApi, operator: OperatorCtx) -> None:
    await make_box(admin, operator.slug, [{"cashMinor": 1, "weight": 1}])
    body = await admin.call(
        "POST",
        f"/operators/{operator.slug}/boxes",
        box_body([{"cashMinor": 1, "weight": 1}]),
        expect=409,
    )
    assert body["error"]["code"] == "ALREADY_EXISTS"
    assert (await admin.call("GET", f"/operators/{operator.slug}/boxes"))["total"] == 1


async def test_publish_twice_supersedes_and_snapshot_matches(
    admin: AdminApi, client: httpx.AsyncClient, operator: OperatorCtx, runtime: Runtime
) -> None:
    box_id, v1_id = await published_box(admin, operator.slug)
    base = f"/operators/{operator.slug}/boxes/{box_id}"
    await admin.call(
        "PUT",
        f"{base}/draft",
        {"priceMinor": 2000, "currency": "EUR", "prizes": [{"cashMinor": 500, "weight": 1}]},
    )
    v2 = await publish(admin, operator.slug, box_id)
    assert v2["versionNumber"] == 2
    assert v2["boxVersionId"] != v1_id
    assert v2["houseEdgeBps"] == 7500
    view = await admin.call("GET", base)
    assert [v["versionNumber"] for v in view["versions"]] == [1, 2]
    assert view["currentVersion"]["boxVersionId"] == v2["boxVersionId"]

    async with runtime.sessions() as session:
        op = await session.get(Operator, operator.operator_id)
        assert op is not None
        conn = await session.connection()
        [current] = await playable(conn, op.id, [v2["boxVersionId"]])
        assert (current.id, current.price_minor) == (v2["boxVersionId"], 2000)
        with pytest.raises(BoxNotPlayable):
            await playable(conn, op.id, [v1_id])
        with pytest.raises(UnknownBox):
            await playable(conn, op.id, [987_654])
        assert [(p.item_id, p.value_minor) for p in current.prizes] == [(None, 500)]

    response = await client.get(f"/fairness/box-version/{v2['boxVersionId']}/snapshot")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert hashlib.sha256(response.content).hexdigest() == v2["snapshotHash"]
    assert response.headers["x-snapshot-hash"] == v2["snapshotHash"]
    snapshot = json.loads(response.content)
    assert snapshot["versionNumber"] == 2
    assert snapshot["boxVersionId"] == v2["boxVersionId"]
    assert snapshot["prizes"][0]["name"] == "5.00 EUR cash"
    assert snapshot["prizes"][0]["type"] == "cash"
    old = await client.get(f"/fairness/box-version/{v1_id}/snapshot")
    assert old.status_code == 200
    assert json.loads(old.content)["versionNumber"] == 1


async def test_cosmetic_patch_creates_no_version(admin: AdminApi, operator: OperatorCtx) -> None:
    box_id, version_id = await published_box(admin, operator.slug)
    path = f"/operators/{operator.slug}/boxes/{box_id}"
    before = await admin.call("GET", path)
    after = await admin.call(
        "PATCH", path, {"name": "Silver Box", "customAttributes": {"k": 1}, "imageUrl": None}
    )
    assert after["name"] == "Silver Box"
    assert after["customAttributes"] == {"k": 1}
    assert after["versions"] == before["versions"]
    assert after["currentVersion"]["boxVersionId"] == version_id
    assert after["draft"] == before["draft"]
    body = await admin.call("PATCH", path, {"name": None}, expect=422)
    assert "name" in body["error"]["fields"]
    body = await admin.call("PATCH", path, {"priceMinor": 5}, expect=422)
    assert "priceMinor" in body["error"]["fields"]
    assert await admin.call("GET", path) == after  # refused patches change nothing


async def test_house_edge_worked_example(admin: AdminApi, operator: OperatorCtx) -> None:
    # Box 1000 EUR (EUR base; USD 0.92, JPY 0.0061 per unit, converted half-up to EUR cents):
    #   5000 EUR item  w1 -> 5000
    #   333 USD item   w3 -> 3.33 * 0.92 = 3.0636 EUR -> 306
    #   1234 JPY item  w7 -> 1234 * 0.0061 = 7.5274 EUR -> 753
    #   cash 100       w89
    # sum w*v = 5000 + 918 + 5271 + 8900 = 20089; RTP = 20089*10000 / (100*1000) = 2008.9 bps
    # -> 2009 (half-up) -> house edge 10000 - 2009 = 7991
    eur = await make_item(admin, operator.slug, valueMinor=5000)
    usd = await make_item(admin, operator.slug, valueMinor=333, currency="USD")
    jpy = await make_item(admin, operator.slug, valueMinor=1234, currency="JPY")
    prizes = [
        {"itemId": eur["itemId"], "weight": 1},
        {"itemId": usd["itemId"], "weight": 3},
        {"itemId": jpy["itemId"], "weight": 7},
        {"cashMinor": 100, "weight": 89},
    ]
    box = await make_box(admin, operator.slug, prizes)
    version = await publish(admin, operator.slug, box["boxId"])
    assert version["houseEdgeBps"] == 7991
    assert version["versionNumber"] == 1


async def test_negative_house_edge(admin: AdminApi, operator: OperatorCtx) -> None:
    box = await make_box(admin, operator.slug, [{"cashMinor": 1500, "weight": 1}])
    assert (await publish(admin, operator.slug, box["boxId"]))["houseEdgeBps"] == -5000


PRIZE_CASES: list[tuple[dict[str, Any], str]] = [
    ({"prizes": []}, "prizes"),
    ({"prizes": [{"cashMinor": 1, "weight": 0}]}, "prizes[0].weight"),
    ({"prizes": [{"cashMinor": 1, "weight": 10**9 + 1}]}, "prizes[0].weight"),
    ({"prizes": [{"cashMinor": 1, "weight": "3"}]}, "prizes[0].weight"),
    ({"prizes": [{"cashMinor": 1, "weight": 1.5}]}, "prizes[0].weight"),
    ({"prizes": [{"cashMinor": -1, "weight": 1}]}, "prizes[0].cashMinor"),
    ({"prizes": [{"weight": 1}]}, "prizes[0]"),
    ({"prizes": [{"cashMinor": 1, "itemId": 1, "weight": 1}]}, "prizes[0]"),
    (
        {"prizes": [{"cashMinor": 1, "weight": 1}, {"itemId": 999_999, "weight": 1}]},
        "prizes[1].itemId",
    ),
    ({"prizes": [{"itemId": 2**64, "weight": 1}]}, "prizes[0].itemId"),
    ({"prizes": [{"cashMinor": 1, "weight": 10**9}] * 5}, "prizes"),
    ({"priceMinor": 0}, "priceMinor"),
    ({"priceMinor": 10**16}, "priceMinor"),
    ({"priceMinor": "10"}, "priceMinor"),
    ({"slug": "Bad Slug"}, "slug"),
    ({"slug": "-x"}, "slug"),
    ({"isActive": "true"}, "isActive"),
    ({"currency": "eur"}, "currency"),
]


@pytest.mark.parametrize(("overrides", "field"), PRIZE_CASES)
async def test_box_validation_writes_nothing(
    admin: AdminApi, operator: OperatorCtx, overrides: dict[str, Any], field: str
) -> None:
    body = {**box_body([{"cashMinor": 1, "weight": 1}]), **overrides}
    answer = await admin.call("POST", f"/operators/{operator.slug}/boxes", body, expect=422)
    assert answer["error"]["code"] == "VALIDATION_ERROR"
    assert field in answer["error"]["fields"], answer
    assert (await admin.call("GET", f"/operators/{operator.slug}/boxes"))["total"] == 0


DRAFT_CASES: list[tuple[dict[str, Any], str]] = [
    ({"prizes": []}, "prizes"),
    ({"prizes": [{"cashMinor": 1, "weight": 0}]}, "prizes[0].weight"),
    ({"prizes": [{"itemId": 999_999, "weight": 1}]}, "prizes[0].itemId"),
    ({"priceMinor": -1}, "priceMinor"),
    ({"name": "cosmetic fields are not part of a draft"}, "name"),
]


@pytest.mark.parametrize(("overrides", "field"), DRAFT_CASES)
async def test_draft_validation_keeps_draft(
    admin: AdminApi, operator: OperatorCtx, overrides: dict[str, Any], field: str
) -> None:
    box = await make_box(admin, operator.slug, [{"cashMinor": 1, "weight": 1}])
    path = f"/operators/{operator.slug}/boxes/{box['boxId']}"
    draft = {"priceMinor": 1000, "currency": "EUR", "prizes": [{"cashMinor": 1, "weight": 1}]}
    answer = await admin.call("PUT", f"{path}/draft", {**draft, **overrides}, expect=422)
    assert field in answer["error"]["fields"], answer
    answer = await admin.call("PUT", f"{path}/draft", {**draft, "currency": "GBP"}, expect=422)
    assert answer["error"]["code"] == "UNSUPPORTED_CURRENCY"
    assert await admin.call("GET", path) == box


async def test_unconfigured_box_currency(admin: AdminApi, operator: OperatorCtx) -> None:
    body = box_body([{"cashMinor": 1, "weight": 1}], currency="GBP")
    answer = await admin.call("POST", f"/operators/{operator.slug}/boxes", body, expect=422)
    assert answer["error"]["code"] == "UNSUPPORTED_CURRENCY"
    assert (await admin.call("GET", f"/operators/{operator.slug}/boxes"))["total"] == 0


async def test_other_operators_box_and_items_are_invisible(
    admin: AdminApi, client: httpx.AsyncClient, operator: OperatorCtx
) -> None:
    other = await make_operator(admin, client, "bravo")
    box_id, _ = await published_box(admin, other.slug)
    theirs = f"/operators/{other.slug}/boxes/{box_id}"
    before = await admin.call("GET", theirs)
    mine = f"/operators/{operator.slug}/boxes/{box_id}"
    draft = {"priceMinor": 5, "currency": "EUR", "prizes": [{"cashMinor": 1, "weight": 1}]}
    for method, path, body in (
        ("GET", mine, None),
        ("PATCH", mine, {"name": "Stolen"}),
        ("PUT", f"{mine}/draft", draft),
        ("POST", f"{mine}/publish", None),
    ):
        answer = await admin.call(method, path, body, expect=404)
        assert answer["error"]["code"] == "NOT_FOUND"
    their_item = before["draft"]["prizes"][0]["itemId"]
    answer = await admin.call(
        "POST",
        f"/operators/{operator.slug}/boxes",
        box_body([{"itemId": their_item, "weight": 1}]),
        expect=422,
    )
    assert "prizes[0].itemId" in answer["error"]["fields"]
    assert await admin.call("GET", theirs) == before
    assert (await admin.call("GET", f"/operators/{operator.slug}/boxes"))["total"] == 0


async def test_unknown_snapshot_is_unknown_box(client: httpx.AsyncClient) -> None:
    for version_id in ("424242", "0", str(2**70)):
        response = await client.get(f"/fairness/box-version/{version_id}/snapshot")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "UNKNOWN_BOX"


async def test_inactive_box_is_not_playable(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    box_id, version_id = await published_box(admin, operator.slug)
    await admin.call("PATCH", f"/operators/{operator.slug}/boxes/{box_id}", {"isActive": False})
    async with runtime.sessions() as session:
        op = await session.get(Operator, operator.operator_id)
        assert op is not None
        with pytest.raises(BoxNotPlayable):
            await playable(await session.connection(), op.id, [version_id])


async def test_other_operators_version_is_unknown_to_openable(
    admin: AdminApi, client: httpx.AsyncClient, operator: OperatorCtx, runtime: Runtime
) -> None:
    other = await make_operator(admin, client, "bravo")
    _, version_id = await published_box(admin, other.slug)
    async with runtime.sessions() as session:
        op = await session.get(Operator, operator.operator_id)
        assert op is not None
        with pytest.raises(UnknownBox):
            await playable(await session.connection(), op.id, [version_id])


async def test_concurrent_publish_conflicts(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    box = await make_box(admin, operator.slug, [{"cashMinor": 1, "weight": 1}])
    async with runtime.sessions() as first, runtime.sessions() as second:
        op1 = await first.get(Operator, operator.operator_id)
        op2 = await second.get(Operator, operator.operator_id)
        assert op1 is not None
        assert op2 is not None
        await publishing.publish(first, op1, box["boxId"])  # flushed, not yet committed
        inserting = asyncio.Event()

        def mark(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO BOX_VERSIONS"):
                inserting.set()  # the second publish chose its number while the first is open

        connection = (await second.connection()).sync_connection
        assert connection is not None
        event.listen(connection, "before_cursor_execute", mark)
        racing = asyncio.create_task(publishing.publish(second, op2, box["boxId"]))
        await inserting.wait()
        await first.commit()
        with pytest.raises(Conflict, match="publish raced"):
            await racing
    view = await admin.call("GET", f"/operators/{operator.slug}/boxes/{box['boxId']}")
    assert [v["versionNumber"] for v in view["versions"]] == [1]


async def test_largest_amounts_and_weights_round_trip(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    # needs 64-bit columns: 10^15 minor units and W = 4 * 10^9 do not fit a 32-bit INTEGER
    item = await make_item(admin, operator.slug, valueMinor=10**15, cashbackMinor=10**15)
    prizes = [{"itemId": item["itemId"], "weight": 10**9}] + [{"cashMinor": 0, "weight": 10**9}] * 3
    box = await make_box(admin, operator.slug, prizes, priceMinor=10**15)
    version = await publish(admin, operator.slug, box["boxId"])
    assert version["houseEdgeBps"] == 7500
    view = await admin.call("GET", f"/operators/{operator.slug}/boxes/{box['boxId']}")
    assert view["currentVersion"]["totalWeight"] == 4 * 10**9
    assert view["currentVersion"]["priceMinor"] == 10**15
