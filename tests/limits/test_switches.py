"""Kill switches: new purchases refused with GAME_DISABLED while the vault, cashouts and held
rounds go on; every flip audited."""

from sqlalchemy import func, select

from coffer.audit.models import AuditEntry
from coffer.rounds.models import Round
from coffer.runtime import Runtime
from tests.support.api import operator_staff
from tests.support.inventory import cash_out, won_sword
from tests.support.shop import PLAYER, Shop, body_of, shop

__all__ = ["shop"]


async def rounds_count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Round)) or 0)


async def audit_actions(runtime: Runtime) -> list[str]:
    """The switches' own entries (the admin calls that set the shop up are audited too)."""
    async with runtime.sessions() as session:
        found = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("%.purchases_%"))
            .order_by(AuditEntry.id)
        )
        return list(found.all())


async def test_the_operator_switch_stops_purchases_but_not_the_vault(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    item_id = await won_sword(shop, "before")
    held = body_of(await shop.buy("held", mode="prepay"))["round"]["publicId"]
    slug = shop.operator.slug
    switch = {"purchasesPaused": True, "reason": "incident 42"}
    assert await shop.admin.call("PUT", f"/operators/{slug}/kill-switch", switch) == {
        "purchasesPaused": True
    }
    made = await rounds_count(runtime)
    refused = await shop.buy("during")
    assert (refused.status_code, body_of(refused)["error"]["code"]) == (403, "GAME_DISABLED")
    assert "paused" in body_of(refused)["error"]["message"]
    assert await rounds_count(runtime) == made
    assert shop.casino.balance(PLAYER) == 10_000 - 1_000
    assert (await cash_out(shop, item_id)).status_code == 200
    opened = await shop.buy("open-held", reels=..., roundPublicId=held, gameKey=...)
    assert (opened.status_code, body_of(opened)["round"]["status"]) == (200, "settled")
    retried = await shop.buy("before")  # a retry of an earlier purchase still replays
    assert retried.status_code == 200
    await shop.admin.call("PUT", f"/operators/{slug}/kill-switch", {"purchasesPaused": False})
    assert (await shop.buy("after")).status_code == 200
    actions = await audit_actions(runtime)
    assert actions == ["operator.purchases_paused", "operator.purchases_resumed"]


async def test_the_box_switch_stops_one_box(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    slug = shop.operator.slug
    path = f"/operators/{slug}/boxes/{shop.sword_box}/kill-switch"
    await shop.admin.call("PUT", path, {"purchasesPaused": True})
    refused = await shop.buy("sword")
    assert (refused.status_code, body_of(refused)["error"]["code"]) == (403, "GAME_DISABLED")
    assert f"box {shop.sword_box}" in body_of(refused)["error"]["message"]
    cash = await shop.buy("cash", reels=[{"reelIndex": 0, "boxVersionId": shop.cash_version}])
    assert cash.status_code == 200
    assert shop.casino.balance(PLAYER) == 10_000 - 500 + 700
    await shop.admin.call("PUT", path, {"purchasesPaused": False})
    assert (await shop.buy("sword-again")).status_code == 200
    assert await audit_actions(runtime) == ["box.purchases_paused", "box.purchases_resumed"]


async def test_switches_stay_inside_their_operator(
    shop: Shop, runtime: Runtime, admin: object
) -> None:
    from tests.conftest import make_operator

    other = await make_operator(shop.admin, shop.admin.client, "rival")
    staff = await operator_staff(shop.admin, runtime, other.slug)
    mine = f"/operators/{shop.operator.slug}"
    await staff.call("PUT", f"{mine}/kill-switch", {"purchasesPaused": True}, expect=404)
    box = f"/operators/{other.slug}/boxes/{shop.sword_box}/kill-switch"
    found = await staff.call("PUT", box, {"purchasesPaused": True}, expect=404)
    assert found["error"]["code"] == "UNKNOWN_BOX"
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    assert (await shop.buy("unaffected")).status_code == 200
    assert await audit_actions(runtime) == []
