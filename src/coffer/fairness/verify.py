"""Offline verifier behind ``coffer verify``: recompute a round from its public values alone."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from coffer.fairness.algorithm import (
    ALGORITHM_KEY,
    PrizeTable,
    draw,
    is_valid_client_seed,
    is_valid_server_seed,
    server_seed_hash,
)

HTTP_TIMEOUT_SECONDS = 10.0
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


def canonical_json(obj: Any) -> bytes:
    """The canonical encoding whose sha256 is the published snapshotHash."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def load_snapshot(source: str) -> tuple[bytes, dict[str, Any]]:
    """Read a snapshot from a file path or an http(s) URL; returns (raw bytes, parsed object)."""
    if source.startswith(("http://", "https://")):
        try:
            resp = httpx.get(source, timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=True)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise VerifyError(
                f"cannot fetch snapshot {source}: {exc}. Check the URL is {SNAPSHOT_HINT} "
                "and reachable, or save it to a file and pass the path.",
                "--snapshot",
            ) from exc
        raw = resp.content
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise VerifyError(
                f"cannot read snapshot file {source!r}: {exc.strerror or exc}. "
                f"Pass the path of a saved copy of {SNAPSHOT_HINT}, or its http(s) URL.",
                "--snapshot",
            ) from exc
    try:
        obj = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise VerifyError(
            f"snapshot {source!r} is not valid UTF-8 JSON ({exc}). Download {SNAPSHOT_HINT} "
            "again and save the response body unchanged.",
            "--snapshot",
        ) from exc
    if not isinstance(obj, dict):
        raise VerifyError(
            f"snapshot {source!r} is JSON but not an object; expected {SNAPSHOT_HINT}.",
            "--snapshot",
        )
    return raw, obj


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


def render(
    console: Console,
    *,
    raw: bytes,
    snapshot: dict[str, Any],
    server_seed: str,
    client_seed: str,
    nonce: int,
    reels: list[VerifiedReel],
) -> None:
    """Print the commitment, snapshot hash and per-reel outcome so they can be compared by eye."""
    raw_hash = hashlib.sha256(raw).hexdigest()
    canonical_hash = hashlib.sha256(canonical_json(snapshot)).hexdigest()
    total = sum(p["weight"] for p in snapshot["prizes"])  # already validated by verify_draw

    def line(label: str, value: object) -> None:
        console.print(f"{label:<18}{value}", soft_wrap=True, highlight=False, markup=False)

    line("algorithm", snapshot.get("algorithmKey"))
    line(
        "box",
        f"{snapshot.get('name')} (boxId {snapshot.get('boxId')}, boxVersionId "
        f"{snapshot.get('boxVersionId')}, version {snapshot.get('versionNumber')})",
    )
    line("server seed hash", server_seed_hash(server_seed))
    line("client seed", client_seed)
    line("nonce", nonce)
    line("snapshot sha256", raw_hash)
    if canonical_hash != raw_hash:
        line("canonical sha256", f"{canonical_hash} (file bytes are not canonical JSON)")
    line("total weight", total)

    console.print(_reel_table(reels), markup=False, highlight=False)


def _reel_table(reels: list[VerifiedReel]) -> Table:
    """One row per reel: its ticket, the ticket range that won, and the prize."""
    table = Table(title="Reels")
    table.add_column("reel", justify="right")
    table.add_column("ticket", justify="right")
    table.add_column("range", justify="right")
    table.add_column("prizeId", justify="right")
    table.add_column("itemId", justify="right")
    table.add_column("name")
    table.add_column("value", justify="right")
    for r in reels:
        table.add_row(
            str(r.reel_index),
            str(r.ticket),
            f"[{r.range_start}, {r.range_end})",
            str(r.prize_id),
            "cash" if r.item_id is None else str(r.item_id),
            r.name,
            f"{r.value_minor} {r.currency}",
        )
    return table


def _check_commitment(server_seed: str, expect_hash: str) -> None:
    """Refuse a seed whose hash is not the one the round committed to."""
    actual = server_seed_hash(server_seed)
    if actual != expect_hash.strip().lower():
        raise typer.BadParameter(
            f"sha256(server seed) is {actual}, not {expect_hash}: this is not the seed that "
            "was committed to for the round. Check you copied the revealed seed of the pair "
            "whose hash the round shows.",
            param_hint="--server-seed-hash",
        )


def verify_command(
    *,
    server_seed: Annotated[
        str, typer.Option("--server-seed", help="The revealed server seed (64 lowercase hex).")
    ],
    client_seed: Annotated[
        str, typer.Option("--client-seed", help="The round's client seed, exactly as shown.")
    ],
    nonce: Annotated[int, typer.Option("--nonce", min=0, help="The round's nonce.")],
    snapshot: Annotated[
        str,
        typer.Option(
            "--snapshot",
            help="Snapshot file path, or the URL of /fairness/box-version/{id}/snapshot.",
        ),
    ],
    reels: Annotated[int, typer.Option("--reels", min=1, help="Number of reels drawn.")] = 1,
    expect_hash: Annotated[
        str | None,
        typer.Option(
            "--server-seed-hash",
            help="The serverSeedHash published before the round; checked against the seed.",
        ),
    ] = None,
) -> None:
    """Recompute a round's tickets and prizes from its seeds, nonce and box-version snapshot."""
    try:
        raw, snap = load_snapshot(snapshot)
        verified = verify_draw(snap, server_seed, client_seed, nonce, reels)
    except VerifyError as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.param_hint) from exc
    if expect_hash is not None:
        _check_commitment(server_seed, expect_hash)
    console = Console()
    render(
        console,
        raw=raw,
        snapshot=snap,
        server_seed=server_seed,
        client_seed=client_seed,
        nonce=nonce,
        reels=verified,
    )
    if expect_hash is not None:
        console.print("server seed hash matches --server-seed-hash", highlight=False)
