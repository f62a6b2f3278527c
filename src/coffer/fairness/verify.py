"""The offline verifier's rules: recompute a round from its public values alone, no I/O.

``coffer verify`` (``coffer.cli.verify``) reads the snapshot and prints what this finds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coffer.fairness.algorithm import (
    ALGORITHM_KEY,
    PrizeTable,
    draw,
    is_valid_client_seed,
    is_valid_server_seed,
)

SNAPSHOT_HINT = "the JSON from GET /fairness/box-version/{boxVersionId}/snapshot"


class VerifyError(ValueError):
    """A verification input problem; the message says how to fix it."""

    def __init__(self, message: str, param_hint: str | None = None) -> None:
        super().__init__(message)
        self.param_hint = param_hint


@dataclass(frozen=True, slots=True)
class VerifiedReel:
    """One recomputed reel joined with the snapshot prize it landed on."""

    reel_index: int
    ticket: int
    prize_index: int
    range_start: int  # the prize's ticket interval [range_start, range_end) shows why it won
    range_end: int
    prize_id: int
    item_id: int | None
    name: str
    type: str
    value_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class _Prize:
    prize_id: int
    sort_index: int
    weight: int
    item_id: int | None
    name: str
    type: str
    value_minor: int
    currency: str


def _field(obj: dict[str, Any], key: str, kind: type, where: str, *, nullable: bool = False) -> Any:
    """Fetch a typed field, refusing bools posing as ints, so a malformed snapshot fails loudly."""
    value = obj.get(key)
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise VerifyError(
            f"snapshot {where} field {key!r} must be {kind.__name__}, got {value!r}; "
            f"the file is not an unmodified copy of {SNAPSHOT_HINT}.",
            "--snapshot",
        )
    return value


def _parse_prizes(snapshot: dict[str, Any]) -> list[_Prize]:
    """Validate the prize list and order it by (sortIndex, prizeId) as the algorithm requires."""
    raw_prizes = snapshot.get("prizes")
    if not isinstance(raw_prizes, list) or not raw_prizes:
        raise VerifyError(f"snapshot has no 'prizes' list; expected {SNAPSHOT_HINT}.", "--snapshot")
    prizes: list[_Prize] = []
    for i, p in enumerate(raw_prizes):
        where = f"prizes[{i}]"
        if not isinstance(p, dict):
            raise VerifyError(f"snapshot {where} is not an object.", "--snapshot")
        weight = _field(p, "weight", int, where)
        if weight <= 0:
            raise VerifyError(f"snapshot {where} weight must be > 0, got {weight}.", "--snapshot")
        prizes.append(
            _Prize(
                prize_id=_field(p, "prizeId", int, where),
                sort_index=_field(p, "sortIndex", int, where),
                weight=weight,
                item_id=_field(p, "itemId", int, where, nullable=True),
                name=_field(p, "name", str, where),
                type=_field(p, "type", str, where),
                value_minor=_field(p, "valueMinor", int, where),
                currency=_field(p, "currency", str, where),
            )
        )
    prizes.sort(key=lambda pr: (pr.sort_index, pr.prize_id))
    return prizes


def _check_seeds(server_seed: str, client_seed: str, nonce: int, reels: int) -> None:
    """Reject inputs the server could never have used, before they produce a bogus 'mismatch'."""
    if not is_valid_server_seed(server_seed):
        if is_valid_server_seed(server_seed.lower()):
            problem = "has uppercase letters; lowercase it (the seed is hashed as text)"
        else:
            problem = f"must be exactly 64 lowercase hex characters (got {len(server_seed)})"
        raise VerifyError(
            f"server seed {problem}. Copy the revealed seed from the round's fairness page; "
            "it is only shown after you rotate your seed pair.",
            "--server-seed",
        )
    if not is_valid_client_seed(client_seed):
        raise VerifyError(
            "client seed must be 1-64 printable ASCII characters; copy it exactly "
            "from the round's fairness page (quote it in your shell).",
            "--client-seed",
        )
    if nonce < 0:
        raise VerifyError("nonce must be >= 0 (the round's nonce).", "--nonce")
    if reels < 1:
        raise VerifyError("reels must be >= 1 (the number of reels in the round).", "--reels")


def verify_draw(
    snapshot: dict[str, Any], server_seed: str, client_seed: str, nonce: int, reels: int
) -> list[VerifiedReel]:
    """Recompute every reel of a round against a published box-version snapshot."""
    algo = snapshot.get("algorithmKey")
    if algo != ALGORITHM_KEY:
        raise VerifyError(
            f"snapshot algorithmKey is {algo!r} but this verifier implements {ALGORITHM_KEY!r}; "
            "use a coffer version that supports that algorithm, or check the snapshot file.",
            "--snapshot",
        )
    _check_seeds(server_seed, client_seed, nonce, reels)
    prizes = _parse_prizes(snapshot)
    table = PrizeTable(p.weight for p in prizes)
    declared_total = snapshot.get("totalWeight")
    if declared_total is not None and declared_total != table.total:
        raise VerifyError(
            f"snapshot totalWeight {declared_total!r} != sum of prize weights {table.total}; "
            f"the file is not an unmodified copy of {SNAPSHOT_HINT}.",
            "--snapshot",
        )
    bounds = (0, *table.cumulative)
    out: list[VerifiedReel] = []
    for reel in draw(server_seed, client_seed, nonce, table, reels):
        p = prizes[reel.prize_index]
        out.append(
            VerifiedReel(
                reel_index=reel.reel_index,
                ticket=reel.ticket,
                prize_index=reel.prize_index,
                range_start=bounds[reel.prize_index],
                range_end=bounds[reel.prize_index + 1],
                prize_id=p.prize_id,
                item_id=p.item_id,
                name=p.name,
                type=p.type,
                value_minor=p.value_minor,
                currency=p.currency,
            )
        )
    return out
