"""Shared builders for the catalog tests (no tests here): items, boxes and publishes via the API."""

from typing import Any

from tests.support.api import AdminApi


def item_body(**overrides: Any) -> dict[str, Any]:
    """A valid item body; override any field."""
    return {"name": "Phone", "type": "physical", "valueMinor": 5000, "currency": "EUR", **overrides}


def box_body(prizes: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """A valid box body around the given prizes; override any field."""
    return {
        "name": "Gold Box",
        "slug": "gold",
        "priceMinor": 1000,
        "currency": "EUR",
        "prizes": prizes,
        **overrides,
    }


async def make_item(admin: AdminApi, operator_slug: str, **overrides: Any) -> dict[str, Any]:
    """Create an item and return its body."""
    body: dict[str, Any] = await admin.call(
        "POST", f"/operators/{operator_slug}/items", item_body(**overrides), expect=201
    )
    return body


async def make_box(
    admin: AdminApi, operator_slug: str, prizes: list[dict[str, Any]], **overrides: Any
) -> dict[str, Any]:
    """Create a box and return its admin view."""
    body: dict[str, Any] = await admin.call(
        "POST", f"/operators/{operator_slug}/boxes", box_body(prizes, **overrides), expect=201
    )
    return body


async def publish(admin: AdminApi, operator_slug: str, box_id: int) -> dict[str, Any]:
    """Publish the draft; returns {boxVersionId, versionNumber, houseEdgeBps, snapshotHash}."""
    body: dict[str, Any] = await admin.call(
        "POST", f"/operators/{operator_slug}/boxes/{box_id}/publish", expect=201
    )
    return body


async def published_box(admin: AdminApi, operator_slug: str, **overrides: Any) -> tuple[int, int]:
    """A box with one item prize and one cash prize, published once; returns (boxId, versionId)."""
    item = await make_item(admin, operator_slug)
    prizes = [{"itemId": item["itemId"], "weight": 1}, {"cashMinor": 100, "weight": 3}]
    box = await make_box(admin, operator_slug, prizes, **overrides)
    version = await publish(admin, operator_slug, box["boxId"])
    return box["boxId"], version["boxVersionId"]
