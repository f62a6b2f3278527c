"""GET /api/s2s/history: one row per money instruction, signed from the player's view."""

import base64
import json
from datetime import UTC, datetime, timedelta

from coffer.runtime import Runtime
from tests.support.shop import CANCEL, PLAYER, Shop, body_of, ledger_amounts, shop

__all__ = ["shop"]
HISTORY = "/api/s2s/history"


async def test_rows_join_the_wallet_ledger(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    atomic = body_of(await shop.buy("a-1"))["round"]["publicId"]
    cash = body_of(
        await shop.buy("c-1", reels=[{"reelIndex": 0, "boxVersionId": shop.cash_version}])
    )
    cash_id = cash["round"]["publicId"]
    held = body_of(await shop.buy("h-1", mode="prepay"))["round"]["publicId"]
    await shop.operator.s2s.post(CANCEL, {"playerExternalId": PLAYER, "roundPublicId": held})
    page = body_of(await shop.operator.s2s.get(HISTORY, {"playerExternalId": PLAYER}))
    rows = [(r["type"], r["roundPublicId"], r["amountMinor"], r["status"]) for r in page["items"]]
    assert rows == [
        ("refund", held, 500, "accepted"),
        ("purchase", held, -500, "accepted"),
        ("payout", cash_id, 700, "accepted"),
        ("purchase", cash_id, -500, "accepted"),
        ("purchase", atomic, -500, "accepted"),
    ]
    assert page["cursor"]["next"] is None
    by_key = {r["idempotencyKey"]: r for r in page["items"]}
    for key, amount in ledger_amounts(shop.casino)[1:]:
        assert by_key[key]["amountMinor"] == amount
        assert by_key[key]["providerTxnRef"]
    assert by_key[f"round:{atomic}"]["payoutMinor"] == 320
    only = body_of(
        await shop.operator.s2s.get(
            HISTORY, {"playerExternalId": PLAYER, "types": "payout,refund,bogus"}
        )
    )
    assert [r["type"] for r in only["items"]] == ["refund", "payout"]


async def test_cursor_pages_and_time_window(shop: Shop) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    for i in range(5):
        await shop.buy(f"a-{i}")
    seen: list[int] = []
    params: dict[str, object] = {"playerExternalId": PLAYER, "limit": 2}
    while True:
        page = body_of(await shop.operator.s2s.get(HISTORY, params))
        seen += [r["id"] for r in page["items"]]
        if page["cursor"]["next"] is None:
            break
        params["cursor"] = page["cursor"]["next"]
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == 5
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    later = body_of(
        await shop.operator.s2s.get(HISTORY, {"playerExternalId": PLAYER, "from": future})
    )
    assert later["items"] == []
    before = body_of(
        await shop.operator.s2s.get(HISTORY, {"playerExternalId": PLAYER, "to": future})
    )
    assert len(before["items"]) == 5


def _cursor(before: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": before}).encode()).decode()


async def test_to_is_an_exclusive_upper_bound(shop: Shop) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    for i in range(4):
        await shop.buy(f"t-{i}")
    rows = body_of(await shop.operator.s2s.get(HISTORY, {"playerExternalId": PLAYER}))["items"]
    oldest_first = list(reversed(rows))
    bound = oldest_first[2]["occurredAt"]
    page = body_of(await shop.operator.s2s.get(HISTORY, {"playerExternalId": PLAYER, "to": bound}))
    assert [r["id"] for r in page["items"]] == [r["id"] for r in reversed(oldest_first[:2])]
    since = body_of(
        await shop.operator.s2s.get(HISTORY, {"playerExternalId": PLAYER, "from": bound})
    )
    assert [r["id"] for r in since["items"]] == [r["id"] for r in reversed(oldest_first[2:])]


async def test_bad_queries(shop: Shop) -> None:
    unknown = await shop.operator.s2s.get(HISTORY, {"playerExternalId": "nobody"})
    assert (unknown.status_code, body_of(unknown)["error"]["code"]) == (404, "UNKNOWN_PLAYER")
    await shop.buy("a-1")
    cases: list[dict[str, object]] = [
        {"limit": 0},
        {"limit": 201},
        {"cursor": "garbage"},
        {"from": "yesterday"},
        {"from": "2026-01-01"},  # a date-time without a zone: was a 500
        {"to": "2026-01-01T00:00:00"},
        {"cursor": _cursor(2**63)},  # an id past 64 bits: was a 500 on PostgreSQL
        {"cursor": _cursor(-1)},
    ]
    for params in cases:
        bad = await shop.operator.s2s.get(HISTORY, {"playerExternalId": PLAYER, **params})
        assert (bad.status_code, body_of(bad)["error"]["code"]) == (422, "VALIDATION_ERROR")
