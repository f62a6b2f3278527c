"""Changes written with Core statements are audited with their rows too: a publish's prize rows
as inserted, a key's revocation with the row before and the fields it changed."""

import json
from typing import Any

from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.catalog import make_box, make_item, publish
from tests.support.shipping import ADDRESS, placed, staff, swords
from tests.support.shop import Shop, shop

__all__ = ["shop"]


async def entry_of(admin: AdminApi, slug: str, action: str) -> dict[str, Any]:
    entries = (await admin.call("GET", f"/operators/{slug}/audit"))["entries"]
    found: dict[str, Any] = next(e for e in entries if e["action"] == action)
    return found


async def test_a_publish_is_audited_with_the_prize_rows_it_inserted(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    slug = operator.slug
    item = await make_item(admin, slug)
    prizes = [{"itemId": item["itemId"], "weight": 1}, {"cashMinor": 100, "weight": 3}]
    box = await make_box(admin, slug, prizes)
    version = await publish(admin, slug, box["boxId"])
    entry = await entry_of(admin, slug, "POST /api/admin/operators/{slug}/boxes/{boxId}/publish")
    rows = entry["after"]["rows"]
    prize_rows = [row for row in rows if row["row"] == "box_prizes:new"]
    assert [(row["weight"], row["item_id"], row["cash_minor"]) for row in prize_rows] == [
        (1, item["itemId"], None),
        (3, None, 100),
    ]
    assert all(row["box_version_id"] == version["boxVersionId"] for row in prize_rows)
    versions = [row for row in rows if row["row"].startswith("box_versions:")]
    assert versions[0]["house_edge_bps"] == version["houseEdgeBps"]


async def test_a_revoked_key_is_audited_before_and_after(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    slug = operator.slug
    key = await admin.call("POST", f"/operators/{slug}/keys", {"label": "old"}, expect=201)
    await admin.call("DELETE", f"/operators/{slug}/keys/{key['keyId']}")
    entry = await entry_of(admin, slug, "DELETE /api/admin/operators/{slug}/keys/{keyId}")
    (before,) = entry["before"]["rows"]
    (after,) = entry["after"]["rows"]
    assert before == {"row": after["row"], "revoked_at": None}  # only what changed
    assert set(after) == {"row", "revoked_at"}
    assert after["revoked_at"] is not None
    await admin.call("DELETE", f"/operators/{slug}/keys/{key['keyId']}")  # revoked already
    entries = (await admin.call("GET", f"/operators/{slug}/audit"))["entries"]
    again = entries[0]
    assert again["action"] == "DELETE /api/admin/operators/{slug}/keys/{keyId}"
    assert again["before"]["rows"] == []  # its WHERE matched nothing: nothing changed


async def test_shipping_an_order_is_audited_without_the_players_address(shop: Shop) -> None:
    order = await placed(shop, await swords(shop, 1))
    shipment = {"carrier": "DHL", "trackingNumber": "JD0001"}
    await staff(shop, order["publicId"], "ship", shipment)
    action = "POST /api/admin/operators/{slug}/shipping/orders/{publicId}/ship"
    entry = await entry_of(shop.admin, shop.operator.slug, action)
    text = json.dumps(entry)
    orders = [row for row in entry["after"]["rows"] if row["row"].startswith("shipping_orders:")]
    assert orders[0]["status"] == "shipped"
    assert "JD0001" in text  # what staff sent is there
    for personal in (ADDRESS["line1"], ADDRESS["name"]):
        assert personal not in text  # the address stays in the order, where erasure finds it
