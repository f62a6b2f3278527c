"""Tests for the offline verifier behind ``coffer verify``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from coffer.cli.verify import load_snapshot, verify_command
from coffer.fairness.verify import VerifyError, verify_draw
from coffer.kit.canonical import canonical_json

SERVER_SEED = "a" * 64
SERVER_SEED_HASH = "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
CLIENT_SEED = "client-seed"


def make_snapshot() -> dict[str, Any]:
    """The SPEC vector's weights [5000, 25000, 70000], listed out of order to exercise sorting."""
    return {
        "algorithmKey": "hmac_sha256_v1",
        "boxId": 12,
        "boxVersionId": 1201,
        "versionNumber": 3,
        "operatorId": 1,
        "name": "Starter Box",
        "slug": "starter-box",
        "priceMinor": 500,
        "currency": "EUR",
        "houseEdgeBps": 1234,
        "totalWeight": 100000,
        "publishedAt": "2026-01-01T00:00:00Z",
        "prizes": [
            {
                "prizeId": 3,
                "sortIndex": 2,
                "weight": 70000,
                "itemId": None,
                "name": "Cash 1 EUR",
                "type": "cash",
                "valueMinor": 100,
                "currency": "EUR",
            },
            {
                "prizeId": 1,
                "sortIndex": 0,
                "weight": 5000,
                "itemId": 906,
                "name": "Headphones",
                "type": "physical",
                "valueMinor": 3200,
                "currency": "EUR",
            },
            {
                "prizeId": 2,
                "sortIndex": 1,
                "weight": 25000,
                "itemId": 907,
                "name": "Sticker",
                "type": "digital",
                "valueMinor": 320,
                "currency": "EUR",
            },
        ],
    }


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_bytes(canonical_json(make_snapshot()))
    return path


def make_app() -> typer.Typer:
    app = typer.Typer()
    app.command("verify")(verify_command)

    @app.command("noop")
    def noop() -> None:  # a second command keeps "verify" a named subcommand
        """Unused."""

    return app


def run(*args: str) -> Any:
    return CliRunner().invoke(make_app(), ["verify", *args])


def base_args(snapshot: Path | str, *, nonce: str = "1", reels: str = "3") -> list[str]:
    return [
        "--server-seed",
        SERVER_SEED,
        "--client-seed",
        CLIENT_SEED,
        "--nonce",
        nonce,
        "--snapshot",
        str(snapshot),
        "--reels",
        reels,
    ]


def flat(text: str) -> str:
    """Collapse Rich panel borders and wrapping so messages can be matched as plain text."""
    return " ".join(text.replace("│", " ").split())


# --- verify_draw ------------------------------------------------------------------------------


def test_verify_draw_spec_vector() -> None:
    reels = verify_draw(make_snapshot(), SERVER_SEED, CLIENT_SEED, 1, 3)
    assert [r.ticket for r in reels] == [27897, 54016, 61375]
    assert [r.prize_index for r in reels] == [1, 2, 2]
    assert [r.prize_id for r in reels] == [2, 3, 3]
    assert [r.item_id for r in reels] == [907, None, None]
    assert (reels[0].range_start, reels[0].range_end) == (5000, 30000)
    assert (reels[1].range_start, reels[1].range_end) == (30000, 100000)


def test_verify_draw_sorts_by_sort_index_then_prize_id() -> None:
    snap = make_snapshot()
    for p in snap["prizes"]:
        p["sortIndex"] = 0  # tie: prizeId decides, giving the same order 1, 2, 3
    reels = verify_draw(snap, SERVER_SEED, CLIENT_SEED, 1, 3)
    assert [r.prize_id for r in reels] == [2, 3, 3]


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda s: s.update(algorithmKey="sha512_v9"), "algorithmKey"),
        (lambda s: s.pop("algorithmKey"), "algorithmKey"),
        (lambda s: s.update(totalWeight=99999), "totalWeight"),
        (lambda s: s.update(prizes=[]), "prizes"),
        (lambda s: s["prizes"][0].update(weight=0), "weight"),
        (lambda s: s["prizes"][0].update(weight="70000"), "weight"),
        (lambda s: s["prizes"][0].update(prizeId=True), "prizeId"),
    ],
)
def test_verify_draw_rejects_bad_snapshot(mutate: Any, match: str) -> None:
    snap = make_snapshot()
    mutate(snap)
    with pytest.raises(VerifyError, match=match):
        verify_draw(snap, SERVER_SEED, CLIENT_SEED, 1, 3)


@pytest.mark.parametrize(
    ("server_seed", "client_seed", "nonce", "hint"),
    [
        ("A" * 64, CLIENT_SEED, 1, "--server-seed"),
        ("a" * 63, CLIENT_SEED, 1, "--server-seed"),
        (SERVER_SEED, "tab\there", 1, "--client-seed"),
        (SERVER_SEED, "", 1, "--client-seed"),
        (SERVER_SEED, CLIENT_SEED, -1, "--nonce"),
    ],
)
def test_verify_draw_rejects_bad_inputs(
    server_seed: str, client_seed: str, nonce: int, hint: str
) -> None:
    with pytest.raises(VerifyError) as info:
        verify_draw(make_snapshot(), server_seed, client_seed, nonce, 1)
    assert info.value.param_hint == hint


# --- load_snapshot ----------------------------------------------------------------------------


def test_load_snapshot_file(snapshot_file: Path) -> None:
    raw, obj = load_snapshot(str(snapshot_file))
    assert raw == snapshot_file.read_bytes()
    assert obj == make_snapshot()


def test_load_snapshot_url(monkeypatch: pytest.MonkeyPatch) -> None:
    body = canonical_json(make_snapshot())
    seen: dict[str, Any] = {}

    def fake_get(url: str, **kwargs: Any) -> httpx.Response:
        seen.update(url=url, **kwargs)
        return httpx.Response(200, content=body, request=httpx.Request("GET", url))

    monkeypatch.setattr(httpx, "get", fake_get)
    url = "https://coffer.example/fairness/box-version/1201/snapshot"
    raw, obj = load_snapshot(url)
    assert raw == body
    assert obj["boxVersionId"] == 1201
    assert seen["url"] == url
    assert seen["timeout"] > 0


def test_load_snapshot_url_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_found(url: str, **kwargs: Any) -> httpx.Response:
        return httpx.Response(404, request=httpx.Request("GET", url))

    def refused(url: str, **kwargs: Any) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    for fake in (not_found, refused):
        monkeypatch.setattr(httpx, "get", fake)
        with pytest.raises(VerifyError, match="cannot fetch snapshot"):
            load_snapshot("http://coffer.invalid/fairness/box-version/1/snapshot")


def test_load_snapshot_errors(tmp_path: Path) -> None:
    with pytest.raises(VerifyError, match="cannot read snapshot file"):
        load_snapshot(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("<html>not json</html>")
    with pytest.raises(VerifyError, match="not valid UTF-8 JSON"):
        load_snapshot(str(bad))
    arr = tmp_path / "arr.json"
    arr.write_text("[1, 2]")
    with pytest.raises(VerifyError, match="not an object"):
        load_snapshot(str(arr))


# --- CLI --------------------------------------------------------------------------------------


def test_cli_prints_spec_vector(snapshot_file: Path) -> None:
    result = run(*base_args(snapshot_file))
    assert result.exit_code == 0, result.output
    out = result.output
    for t in ("27897", "54016", "61375"):
        assert t in out
    assert SERVER_SEED_HASH in out
    assert hashlib.sha256(snapshot_file.read_bytes()).hexdigest() in out
    assert "Sticker" in out
    assert "320 EUR" in out
    assert "not canonical" not in out
    assert SERVER_SEED not in out  # only the hash is echoed


def test_cli_single_reel_default(snapshot_file: Path) -> None:
    args = base_args(snapshot_file)[:-2]  # drop --reels
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "27897" in result.output
    assert "54016" not in result.output


def test_cli_notes_non_canonical_file(tmp_path: Path) -> None:
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(make_snapshot(), indent=2))
    result = run(*base_args(path))
    assert result.exit_code == 0, result.output
    canonical = hashlib.sha256(canonical_json(make_snapshot())).hexdigest()
    assert canonical in result.output
    assert "not canonical" in result.output


def test_cli_expect_hash(snapshot_file: Path) -> None:
    ok = run(*base_args(snapshot_file), "--server-seed-hash", SERVER_SEED_HASH.upper())
    assert ok.exit_code == 0, ok.output
    assert "matches" in ok.output
    bad = run(*base_args(snapshot_file), "--server-seed-hash", "0" * 64)
    assert bad.exit_code == 2
    assert "not the seed that was committed" in flat(bad.output)


def test_cli_errors(tmp_path: Path, snapshot_file: Path) -> None:
    missing = run(*base_args(tmp_path / "nope.json"))
    assert missing.exit_code == 2
    assert "cannot read snapshot file" in flat(missing.output)

    not_json = tmp_path / "x.json"
    not_json.write_text("oops")
    result = run(*base_args(not_json))
    assert result.exit_code == 2
    assert "not valid UTF-8 JSON" in flat(result.output)

    wrong_algo = tmp_path / "algo.json"
    snap = make_snapshot()
    snap["algorithmKey"] = "md5_v0"
    wrong_algo.write_bytes(canonical_json(snap))
    result = run(*base_args(wrong_algo))
    assert result.exit_code == 2
    assert "algorithmKey" in flat(result.output)

    args = base_args(snapshot_file)
    args[1] = "a" * 10
    result = run(*args)
    assert result.exit_code == 2
    assert "64 lowercase hex" in flat(result.output)

    args = base_args(snapshot_file)
    args[3] = "caf\u00e9"
    result = run(*args)
    assert result.exit_code == 2
    assert "printable ASCII" in flat(result.output)

    result = run(*base_args(snapshot_file, nonce="-1"))
    assert result.exit_code == 2
