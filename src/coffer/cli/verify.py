"""``coffer verify``: check a round offline from its revealed seed and its box snapshot."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from coffer.fairness.algorithm import server_seed_hash
from coffer.fairness.verify import SNAPSHOT_HINT, VerifiedReel, VerifyError, verify_draw
from coffer.kit.canonical import canonical_json

HTTP_TIMEOUT_SECONDS = 10.0


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


SEED_HELP = (
    "The revealed server seed (64 lowercase hex): revealed.serverSeed of POST "
    "/api/s2s/fairness/rotate, once the player rotated past the round."
)
CLIENT_HELP = "The round's client seed, exactly as shown: round.fairness.clientSeed."
NONCE_HELP = "The round's nonce: round.fairness.nonce."
SNAPSHOT_HELP = "Snapshot file path, or the URL of /fairness/box-version/{id}/snapshot."
REELS_HELP = "Number of reels drawn: the length of round.reels."
HASH_HELP = (
    "The serverSeedHash published before the round (round.fairness.serverSeedHash); checked "
    "against the seed."
)


def verify_command(
    *,
    server_seed: Annotated[str, typer.Option("--server-seed", help=SEED_HELP)],
    client_seed: Annotated[str, typer.Option("--client-seed", help=CLIENT_HELP)],
    nonce: Annotated[int, typer.Option("--nonce", min=0, help=NONCE_HELP)],
    snapshot: Annotated[str, typer.Option("--snapshot", help=SNAPSHOT_HELP)],
    reels: Annotated[int, typer.Option("--reels", min=1, help=REELS_HELP)] = 1,
    expect_hash: Annotated[str | None, typer.Option("--server-seed-hash", help=HASH_HELP)] = None,
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
