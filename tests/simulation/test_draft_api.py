"""The box editor's simulation of a draft, and the inputs the simulator reads from the catalog."""

import xml.etree.ElementTree as ET
from typing import Any

import httpx
from sqlalchemy import update

from coffer.catalog.models import Box
from coffer.catalog.simulation import version_odds
from coffer.fairness.simulation import exact_rtp_bps
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi, operator_staff
from tests.support.catalog import make_box, make_item, publish

BPS = 10_000


async def odd_box(admin: AdminApi, slug: str) -> dict[str, Any]:
    """A draft with an item priced in another currency (valued at today's rate) and cash."""
    phone = await make_item(admin, slug, valueMinor=12_345, currency="USD")
    sticker = await make_item(admin, slug, name="Sticker", valueMinor=37)
    prizes = [
        {"itemId": phone["itemId"], "weight": 3, "sortIndex": 2},
        {"cashMinor": 777, "weight": 41, "sortIndex": 0},
        {"itemId": sticker["itemId"], "weight": 131, "sortIndex": 1},
    ]
    return await make_box(admin, slug, prizes, priceMinor=999)


async def test_the_exact_rtp_is_10000_minus_the_published_house_edge(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    box = await odd_box(admin, operator.slug)
    published = await publish(admin, operator.slug, box["boxId"])
    async with runtime.sessions() as session:
        priced = await version_odds(session, published["boxVersionId"])
    assert priced.house_edge_bps == published["houseEdgeBps"]
    assert exact_rtp_bps(priced.odds) == BPS - published["houseEdgeBps"]
    assert [w for w, _ in priced.odds.prizes] == [41, 131, 3]  # draw order: sortIndex
    assert (priced.currency, priced.version_number) == ("EUR", 1)


async def test_the_editor_simulates_the_draft_before_publish(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    box = await odd_box(admin, operator.slug)
    path = f"/operators/{operator.slug}/boxes/{box['boxId']}/draft/simulation?opens=20000"
    found = await admin.call("POST", path)
    published = await publish(admin, operator.slug, box["boxId"])
    assert found["houseEdgeBps"] == published["houseEdgeBps"]
    assert found["exactRtpBps"] == BPS - published["houseEdgeBps"]
    low, high = found["interval95Bps"]
    assert low < found["simulatedRtpBps"] < high
    assert set(found["behindAfter"]) == {"1", "10", "100"}
    assert found["opens"] == 20_000 == sum(b["count"] for b in found["histogram"])
    assert (found["priceMinor"], found["currency"]) == (999, "EUR")
    root = ET.fromstring(found["chartSvg"])  # noqa: S314 - our own output
    bars = [e for e in root.iter() if e.get("class") == "bar"]
    assert len(bars) == len(found["histogram"])


async def test_another_operator_and_a_bad_draft_are_refused(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    box = await odd_box(admin, operator.slug)
    await make_operator(admin, client, "other")
    other = await operator_staff(admin, runtime, "other")
    theirs = f"/operators/other/boxes/{box['boxId']}/draft/simulation"
    answer = await other.call("POST", theirs, expect=404)
    assert answer["error"]["code"] == "NOT_FOUND"
    ours = f"/operators/{operator.slug}/boxes/{box['boxId']}/draft/simulation"
    await other.call("POST", ours, expect=404)
    too_many = await admin.call("POST", f"{ours}?opens=1000001", expect=422)
    assert too_many["error"]["code"] == "VALIDATION_ERROR"
    draft = {"priceMinor": 100, "currency": "EUR", "prizes": [{"itemId": 987654, "weight": 1}]}
    async with runtime.sessions() as session:
        await session.execute(update(Box).where(Box.id == box["boxId"]).values(draft=draft))
        await session.commit()
    refused = await admin.call("POST", ours, expect=422)
    assert refused["error"]["code"] == "VALIDATION_ERROR"
    assert "prizes[0].itemId" in refused["error"]["fields"]
