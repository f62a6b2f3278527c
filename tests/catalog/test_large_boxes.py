"""Large prize tables: 10,000 prizes publish, list and draw; 10,001 are refused."""

from typing import Any

import pytest

from coffer.catalog.cards import playable
from coffer.fairness.algorithm import PrizeTable, draw
from coffer.operators.models import Operator
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.catalog import box_body, make_item
from tests.support.fairness import spec_pick, spec_tickets

MAX_PRIZES = 10_000


@pytest.fixture
def big_admin(admin: AdminApi) -> AdminApi:
    """The default app: admin bodies may be 4 MiB, and a 10,000-prize draft is about 300 KB."""
    return admin


def many_prizes(count: int, item_id: int) -> list[dict[str, Any]]:
    """Alternate item and cash prizes with varied weights, listed in reverse sort order."""
    return [
        {"itemId": item_id, "weight": 1 + i % 7, "sortIndex": count - i}
        if i % 2 == 0
        else {"cashMinor": i, "weight": 1 + i % 5, "sortIndex": count - i}
        for i in range(count)
    ]


async def test_ten_thousand_prizes_publish_and_draw(
    big_admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    item = await make_item(big_admin, operator.slug)
    prizes = many_prizes(MAX_PRIZES, item["itemId"])
    box = await big_admin.call(
        "POST", f"/operators/{operator.slug}/boxes", box_body(prizes), expect=201
    )
    version = await big_admin.call(
        "POST", f"/operators/{operator.slug}/boxes/{box['boxId']}/publish", expect=201
    )
    total = sum(p["weight"] for p in prizes)
    async with runtime.sessions() as session:
        op = await session.get(Operator, operator.operator_id)
        assert op is not None
        conn = await session.connection()
        [opened] = await playable(conn, op.id, [version["boxVersionId"]])
        [again] = await playable(conn, op.id, [version["boxVersionId"]])
    assert opened.table.total == total
    assert again is opened  # read once, then served from memory
    table = opened.prizes
    assert len(table) == MAX_PRIZES
    assert [p.sort_index for p in table] == sorted(p["sortIndex"] for p in prizes)
    weights = PrizeTable(p.weight for p in table)
    reels = draw("a" * 64, "client-seed", 1, weights, 3)
    tickets = spec_tickets("a" * 64, "client-seed", 1, 3, total)  # SPEC §10, independently
    ordered = [{"prizeId": p.id, "sortIndex": p.sort_index, "weight": p.weight} for p in table]
    expected = [
        [q["prizeId"] for q in ordered].index(spec_pick(ordered, t)["prizeId"]) for t in tickets
    ]
    assert [r.ticket for r in reels] == tickets
    assert [r.prize_index for r in reels] == expected
    snapshot = await big_admin.client.get(
        f"/fairness/box-version/{version['boxVersionId']}/snapshot"
    )
    served = [p["prizeId"] for p in snapshot.json()["prizes"]]
    assert served == [p.id for p in table]
    detail = await operator.s2s.get(f"/api/s2s/boxes/{box['boxId']}")
    assert len(detail.json()["box"]["prizes"]) == MAX_PRIZES


async def test_more_than_ten_thousand_prizes_refused(
    big_admin: AdminApi, operator: OperatorCtx
) -> None:
    prizes = [{"cashMinor": 1, "weight": 1}] * (MAX_PRIZES + 1)
    answer = await big_admin.call(
        "POST", f"/operators/{operator.slug}/boxes", box_body(prizes), expect=422
    )
    assert answer["error"]["code"] == "VALIDATION_ERROR"
    assert "prizes" in answer["error"]["fields"]
    assert (await big_admin.call("GET", f"/operators/{operator.slug}/boxes"))["total"] == 0
