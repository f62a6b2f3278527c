"""Staff's list of shipping orders: newest first, one status at a time, paged by cursor."""

from coffer.runtime import Runtime
from tests.support.shipping import placed, staff, swords
from tests.support.shop import Shop, shop

__all__ = ["shop"]


async def test_staff_list_orders_by_status_and_page_with_a_cursor(
    shop: Shop, runtime: Runtime
) -> None:
    ids = await swords(shop, 3)
    made = [await placed(shop, [i]) for i in ids]
    shipment = {"carrier": "DHL", "trackingNumber": "JD0001"}
    await staff(shop, made[0]["publicId"], "ship", shipment)
    path = f"/operators/{shop.operator.slug}/shipping/orders"
    first = await shop.admin.call("GET", f"{path}?limit=2")
    assert [o["publicId"] for o in first["orders"]] == [made[2]["publicId"], made[1]["publicId"]]
    assert first["orders"][0]["items"][0]["inventoryItemId"] == ids[2]
    rest = await shop.admin.call("GET", f"{path}?limit=2&cursor={first['cursor']['next']}")
    assert [o["publicId"] for o in rest["orders"]] == [made[0]["publicId"]]
    assert rest["cursor"]["next"] is None
    shipped = await shop.admin.call("GET", f"{path}?status=shipped")
    assert [(o["publicId"], o["status"]) for o in shipped["orders"]] == [
        (made[0]["publicId"], "shipped")
    ]
    assert len((await shop.admin.call("GET", f"{path}?status=pending"))["orders"]) == 2
    await shop.admin.call("GET", f"{path}?status=lost", expect=422)
    await shop.admin.call("GET", f"{path}?cursor=not-ours", expect=422)
    await shop.admin.call("GET", "/operators/nobody/shipping/orders", expect=404)
