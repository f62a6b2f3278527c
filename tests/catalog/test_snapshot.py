"""Pure tests of the snapshot encoding, its hash, the house edge and cash prize names."""

import hashlib
import json
from datetime import UTC, datetime

import pytest

from coffer.catalog.snapshot import (
    SnapshotHeader,
    SnapshotPrize,
    cash_name,
    house_edge_bps,
    render,
    snapshot_object,
)
from coffer.fairness.verify import verify_draw
from coffer.kit.canonical import canonical_json

HEADER = SnapshotHeader(
    box_id=7,
    box_version_id=12,
    version_number=3,
    operator_id=1,
    name="Gold Box ü",
    slug="gold",
    price_minor=1000,
    currency="EUR",
    published_at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
)
PRIZES = [
    SnapshotPrize(
        prize_id=31,
        sort_index=2,
        weight=70000,
        item_id=None,
        name="1.00 EUR cash",
        type="cash",
        value_minor=100,
    ),
    SnapshotPrize(
        prize_id=30,
        sort_index=0,
        weight=5000,
        item_id=4,
        name="Phone",
        type="physical",
        value_minor=9000,
    ),
    SnapshotPrize(
        prize_id=29,
        sort_index=1,
        weight=25000,
        item_id=5,
        name="Code",
        type="digital",
        value_minor=500,
    ),
]


def test_canonical_json_sort_keys_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'.encode()


def test_house_edge_worked_example() -> None:
    # sum w*v = 5000*9000 + 25000*500 + 70000*100 = 64,500,000; W*price = 100,000,000
    # RTP = 0.645 -> 6450 bps -> edge 3550
    weighted = [(5000, 9000), (25000, 500), (70000, 100)]
    assert house_edge_bps(weighted, 1000) == 3550


def test_house_edge_rounds_rtp_half_up_and_may_be_negative() -> None:
    assert house_edge_bps([(1, 1)], 20000) == 9999  # RTP 0.5 bps rounds up to 1
    assert house_edge_bps([(1, 1)], 20001) == 10000  # RTP 0.49998 bps rounds down to 0
    assert house_edge_bps([(1, 3)], 2) == -5000  # RTP 150 %
    with pytest.raises(ValueError, match="positive"):
        house_edge_bps([], 100)


def test_cash_name_uses_minor_digits() -> None:
    assert cash_name(500, "EUR", 2) == "5.00 EUR cash"
    assert cash_name(7, "EUR", 2) == "0.07 EUR cash"
    assert cash_name(500, "JPY", 0) == "500 JPY cash"
    assert cash_name(1234, "BHD", 3) == "1.234 BHD cash"


def test_snapshot_object_is_exactly_the_published_format() -> None:
    obj = snapshot_object(HEADER, PRIZES)
    assert list(obj) == [
        "algorithmKey",
        "boxId",
        "boxVersionId",
        "versionNumber",
        "operatorId",
        "name",
        "slug",
        "priceMinor",
        "currency",
        "houseEdgeBps",
        "totalWeight",
        "publishedAt",
        "prizes",
    ]
    assert obj["algorithmKey"] == "hmac_sha256_v1"
    assert obj["publishedAt"] == "2024-05-06T07:08:09.123456Z"
    assert obj["totalWeight"] == 100000
    assert obj["houseEdgeBps"] == 3550
    assert [p["prizeId"] for p in obj["prizes"]] == [30, 29, 31]
    assert obj["prizes"][2] == {
        "prizeId": 31,
        "sortIndex": 2,
        "weight": 70000,
        "itemId": None,
        "name": "1.00 EUR cash",
        "type": "cash",
        "valueMinor": 100,
        "currency": "EUR",
    }


def test_sort_ties_break_on_prize_id() -> None:
    tied = [
        SnapshotPrize(
            prize_id=9, sort_index=0, weight=1, item_id=None, name="a", type="cash", value_minor=1
        ),
        SnapshotPrize(
            prize_id=8, sort_index=0, weight=1, item_id=None, name="b", type="cash", value_minor=1
        ),
    ]
    assert [p["prizeId"] for p in snapshot_object(HEADER, tied)["prizes"]] == [8, 9]


def test_render_hash_is_sha256_of_stored_text_and_verifier_agrees() -> None:
    text, digest = render(HEADER, PRIZES)
    raw = text.encode("utf-8")
    assert digest == hashlib.sha256(raw).hexdigest()
    parsed = json.loads(raw)
    assert canonical_json(parsed) == raw
    # SPEC §10 test vector: weights [5000, 25000, 70000] -> reels land on the 2nd, 3rd, 3rd prize
    reels = verify_draw(parsed, "a" * 64, "client-seed", 1, 3)
    assert [r.ticket for r in reels] == [27897, 54016, 61375]
    assert [r.prize_id for r in reels] == [29, 31, 31]
