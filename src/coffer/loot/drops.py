"""A drop table's published form and its draw (SPEC §10), pure: no I/O.

The snapshot has the box-version snapshot's prize shape, so ``coffer verify --snapshot`` checks
a container open exactly as it checks a box round: prize ``prizeId`` is the entry's position
(1-based), drawn in (sortIndex, prizeId) order.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from coffer.fairness.algorithm import ALGORITHM_KEY, PrizeTable, draw
from coffer.kit.canonical import canonical_json


@dataclass(frozen=True)
class Published:
    text: str  # the exact bytes whose sha256 is ``hash``, as UTF-8
    hash: str


def snapshot(loot_id: int, version: int, name: str, contents: list[dict[str, Any]],
             names: dict[int, str]) -> Published:  # fmt: skip
    """The drop table as drawn: its entries with their weights, item names and quantities."""
    prizes = [
        {
            "prizeId": n + 1,
            "sortIndex": n,
            "weight": entry["weight"],
            "itemId": entry["itemId"],
            "quantity": entry["quantity"],
            "name": names.get(entry["itemId"], ""),
            "type": "item",
            "valueMinor": 0,
            "currency": "",
        }
        for n, entry in enumerate(contents)
    ]
    body = {
        "algorithmKey": ALGORITHM_KEY,
        "lootId": loot_id,
        "version": version,
        "name": name,
        "prizes": prizes,
    }
    raw = canonical_json(body)
    return Published(raw.decode("utf-8"), hashlib.sha256(raw).hexdigest())


@dataclass(frozen=True)
class Pick:
    ticket: int
    index: int  # the entry drawn, 0-based


def pick(server_seed: str, client_seed: str, nonce: int, weights: list[int]) -> Pick:
    """One reel of the SPEC §10 draw over the drop table's weights."""
    (reel,) = draw(server_seed, client_seed, nonce, PrizeTable(weights), 1)
    return Pick(reel.ticket, reel.prize_index)
