"""The published box-version snapshot: canonical JSON, its hash, the house edge (pure, no I/O)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from coffer.fairness.algorithm import ALGORITHM_KEY
from coffer.kit.canonical import canonical_json
from coffer.kit.money import round_half_up
from coffer.kit.schemas import iso_z

BPS = 10_000


@dataclass(frozen=True, slots=True)
class SnapshotPrize:
    """One prize as frozen at publish time, its value already in the box currency."""

    prize_id: int
    sort_index: int
    weight: int
    item_id: int | None
    name: str
    type: str
    value_minor: int


@dataclass(frozen=True, slots=True)
class SnapshotHeader:
    """The version-level facts a snapshot records besides its prizes."""

    box_id: int
    box_version_id: int
    version_number: int
    operator_id: int
    name: str
    slug: str
    price_minor: int
    currency: str
    published_at: datetime


def sha256_hex(data: bytes) -> str:
    """The published snapshotHash of canonical bytes."""
    return hashlib.sha256(data).hexdigest()


def house_edge_bps(weighted: Sequence[tuple[int, int]], price_minor: int) -> int:
    """10000 - RTP in bps, RTP = sum(weight*value) / (W*price), rounded half-up; may be < 0."""
    total = sum(weight for weight, _ in weighted)
    if total <= 0 or price_minor <= 0:
        raise ValueError("house edge needs positive weights and a positive price")
    expected = sum(weight * value for weight, value in weighted)
    return BPS - round_half_up(Fraction(expected * BPS, total * price_minor))


def cash_name(amount_minor: int, currency: str, minor_digits: int) -> str:
    """A cash prize's name such as '5.00 EUR cash'; locale-free, so snapshots are reproducible."""
    if minor_digits <= 0:
        return f"{amount_minor} {currency} cash"
    units, cents = divmod(amount_minor, 10**minor_digits)
    return f"{units}.{cents:0{minor_digits}d} {currency} cash"


def snapshot_object(header: SnapshotHeader, prizes: Sequence[SnapshotPrize]) -> dict[str, Any]:
    """The exact object the fairness verifier reads; prizes in draw order (sortIndex, prizeId)."""
    ordered = sorted(prizes, key=lambda p: (p.sort_index, p.prize_id))
    weighted = [(p.weight, p.value_minor) for p in ordered]
    return {
        "algorithmKey": ALGORITHM_KEY,
        "boxId": header.box_id,
        "boxVersionId": header.box_version_id,
        "versionNumber": header.version_number,
        "operatorId": header.operator_id,
        "name": header.name,
        "slug": header.slug,
        "priceMinor": header.price_minor,
        "currency": header.currency,
        "houseEdgeBps": house_edge_bps(weighted, header.price_minor),
        "totalWeight": sum(p.weight for p in ordered),
        "publishedAt": iso_z(header.published_at),
        "prizes": [
            {
                "prizeId": p.prize_id,
                "sortIndex": p.sort_index,
                "weight": p.weight,
                "itemId": p.item_id,
                "name": p.name,
                "type": p.type,
                "valueMinor": p.value_minor,
                "currency": header.currency,
            }
            for p in ordered
        ],
    }


def render(header: SnapshotHeader, prizes: Sequence[SnapshotPrize]) -> tuple[str, str]:
    """The stored snapshot text and its sha256 hex, computed from the same bytes."""
    data = canonical_json(snapshot_object(header, prizes))
    return data.decode("utf-8"), sha256_hex(data)
