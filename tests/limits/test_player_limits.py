"""Per-player limits and self-exclusion, checked inside the purchase's transaction."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from coffer.limits.models import PlayerUsage
from coffer.rounds.models import Round
from coffer.runtime import Runtime
from coffer.seamless.resolver import run_once
from tests.support.api import operator_staff
from tests.support.shop import PLAYER, Shop, assert_money_consistent, body_of, shop

__all__ = ["shop"]


def limits_path(shop: Shop, player: str = PLAYER) -> str:
    return f"/operators/{shop.operator.slug}/players/{player}/limits"


async def statuses(runtime: Runtime) -> list[str]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(Round.status).order_by(Round.id))).all())


async def test_a_daily_spend_limit_refuses_the_purchase_that_would_pass_it(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    await shop.admin.call("PUT", limits_path(shop), {"spendPerDayMinor": 1_000})
    assert (await shop.buy("one")).status_code == 200
    assert (await shop.buy("two")).status_code == 200
    refused = await shop.buy("three")
    assert refused.status_code == 422
    error = body_of(refused)["error"]
    assert error["code"] == "PLAYER_LIMIT_REACHED"
    assert error["details"]["spentMinor"] == 1_000
    assert error["details"]["spendLimitMinor"] == 1_000
    assert error["details"]["period"] == "day"
    assert shop.casino.balance(PLAYER) == 9_000
    assert await statuses(runtime) == ["settled", "settled"]
    again = await shop.buy("two")  # a retry of a purchase that counted replays, never refused
    assert again.status_code == 200
    standing = await shop.admin.call("GET", limits_path(shop))
    day = next(u for u in standing["usage"] if u["period"] == "day")
    assert (day["spentMinor"], day["opens"], standing["currency"]) == (1_000, 2, "EUR")


async def test_weekly_spend_counts_other_currencies_in_the_base(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "USD", 10_000)
    await shop.admin.call("PUT", limits_path(shop), {"spendPerWeekMinor": 600})
    bought = await shop.buy("usd", currency="USD")  # 500 EUR-cent box priced in USD
    assert bought.status_code == 200, bought.text
    standing = await shop.admin.call("GET", limits_path(shop))
    week = next(u for u in standing["usage"] if u["period"] == "week")
    assert week["spentMinor"] == 500  # counted in EUR, the base, at the round's rate
    refused = await shop.buy("usd-2", currency="USD")
    assert body_of(refused)["error"]["code"] == "PLAYER_LIMIT_REACHED"


async def test_a_voided_purchase_gives_its_spend_and_opens_back(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100)
    await shop.admin.call("PUT", limits_path(shop), {"spendPerDayMinor": 500, "opensPerDay": 1})
    poor = await shop.buy("poor")
    assert body_of(poor)["error"]["code"] == "INSUFFICIENT_FUNDS"
    standing = await shop.admin.call("GET", limits_path(shop))
    assert [(u["spentMinor"], u["opens"]) for u in standing["usage"]] == [(0, 0), (0, 0)]
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    assert (await shop.buy("rich")).status_code == 200
    refused = await shop.buy("rich-2")
    assert body_of(refused)["error"]["details"]["opens"] == 1


async def test_self_exclusion_refuses_every_purchase_until_it_ends(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    until = (datetime.now(UTC) + timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await shop.admin.call("PUT", limits_path(shop), {"selfExcludedUntil": until})
    refused = await shop.buy("excluded")
    assert (refused.status_code, body_of(refused)["error"]["code"]) == (
        403,
        "PLAYER_SELF_EXCLUDED",
    )
    assert body_of(refused)["error"]["details"]["selfExcludedUntil"] == until
    assert await statuses(runtime) == []
    assert shop.casino.balance(PLAYER) == 10_000
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await shop.admin.call("PUT", limits_path(shop), {"selfExcludedUntil": past})
    assert (await shop.buy("back")).status_code == 200


async def test_limits_are_audited_and_stay_inside_their_operator(
    shop: Shop, runtime: Runtime
) -> None:
    from tests.conftest import make_operator

    other = await make_operator(shop.admin, shop.admin.client, "rival")
    staff = await operator_staff(shop.admin, runtime, other.slug)
    await staff.call("PUT", limits_path(shop), {"opensPerDay": 0}, expect=404)
    await staff.call("GET", limits_path(shop), expect=404)
    await shop.admin.call("PUT", limits_path(shop), {"opensPerDay": 3})
    shop.casino.deposit(PLAYER, "EUR", 1_000)
    assert (await shop.buy("fine")).status_code == 200
    unknown = await shop.admin.call("GET", limits_path(shop, "nobody"), expect=404)
    assert unknown["error"]["code"] == "UNKNOWN_PLAYER"


async def test_fifty_concurrent_purchases_pass_a_limit_of_ten_exactly_ten_times(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 100_000)
    await shop.admin.call("PUT", limits_path(shop), {"opensPerDay": 10, "spendPerDayMinor": 9_999})
    answers = await asyncio.gather(*(shop.buy(f"race-{n}") for n in range(50)))
    codes = ["ok" if r.status_code == 200 else body_of(r)["error"]["code"] for r in answers]
    assert codes.count("ok") == 10, codes
    assert codes.count("PLAYER_LIMIT_REACHED") == 40, codes
    assert shop.casino.balance(PLAYER) == 100_000 - 10 * 500
    assert await statuses(runtime) == ["settled"] * 10
    async with runtime.sessions() as session:
        opens = await session.scalar(
            select(func.sum(PlayerUsage.opens)).where(PlayerUsage.period == "day")
        )
    assert opens == 10
    await assert_money_consistent(runtime, shop.casino)


async def test_a_debit_the_resolver_rolls_back_gives_its_limit_back(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    await shop.admin.call("PUT", limits_path(shop), {"opensPerDay": 1})
    fault = shop.casino.inject("http_500", times=3)
    unsure = await shop.buy("unsure")
    await fault.handled_async()
    assert body_of(unsure)["error"]["code"] == "WALLET_UNAVAILABLE"
    blocked = await shop.buy("while-pending")  # the pending round still holds the open
    assert body_of(blocked)["error"]["code"] == "PLAYER_LIMIT_REACHED"
    assert (await run_once(runtime.gateway)).rolled_back == 1
    assert (await shop.buy("after-rollback")).status_code == 200
    await assert_money_consistent(runtime, shop.casino)


async def test_a_void_never_gives_back_what_was_not_counted(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    fault = shop.casino.inject("http_500", times=3)
    unsure = await shop.buy("before-limits")  # no limits yet: nothing counted
    await fault.handled_async()
    assert body_of(unsure)["error"]["code"] == "WALLET_UNAVAILABLE"
    await shop.admin.call("PUT", limits_path(shop), {"opensPerDay": 1})
    assert (await shop.buy("counted")).status_code == 200
    assert (await run_once(runtime.gateway)).rolled_back == 1  # voids the uncounted round
    refused = await shop.buy("over")
    assert body_of(refused)["error"]["code"] == "PLAYER_LIMIT_REACHED"
    await assert_money_consistent(runtime, shop.casino)
