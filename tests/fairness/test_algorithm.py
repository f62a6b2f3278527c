"""Tests for the hmac_sha256_v1 draw: the SPEC vector, an independent oracle and the odds."""

from __future__ import annotations

import hashlib
import hmac
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coffer.fairness import algorithm
from coffer.fairness.algorithm import (
    ALGORITHM_KEY,
    PrizeTable,
    Reel,
    draw,
    is_valid_client_seed,
    is_valid_server_seed,
    new_client_seed,
    new_server_seed,
    server_seed_hash,
    ticket,
    words,
)

VECTOR_SERVER_SEED = "a" * 64
VECTOR_HASH = "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
VECTOR_CLIENT_SEED = "client-seed"
VECTOR_BLOCK0 = "476ae8998a47f61b9d1f4f76d6d578dc2755b7ea85487b65bb82e6fa8c9263ce"
VECTOR_WEIGHTS = [5000, 25000, 70000]


# --- SPEC §10 test vector ---------------------------------------------------------------------


def test_algorithm_key() -> None:
    assert ALGORITHM_KEY == "hmac_sha256_v1"


def test_vector_server_seed_hash() -> None:
    assert server_seed_hash(VECTOR_SERVER_SEED) == VECTOR_HASH


def test_vector_block0() -> None:
    got = algorithm.block(VECTOR_SERVER_SEED, VECTOR_CLIENT_SEED, 1, 0)
    assert got.hex() == VECTOR_BLOCK0
    expected_words = [int(VECTOR_BLOCK0[8 * k : 8 * k + 8], 16) for k in range(8)]
    assert words(VECTOR_SERVER_SEED, VECTOR_CLIENT_SEED, 1, 8) == expected_words


def test_vector_draw() -> None:
    table = PrizeTable(VECTOR_WEIGHTS)
    assert table.total == 100000
    reels = draw(VECTOR_SERVER_SEED, VECTOR_CLIENT_SEED, 1, table, 3)
    assert reels == [
        Reel(reel_index=0, ticket=27897, prize_index=1),
        Reel(reel_index=1, ticket=54016, prize_index=2),
        Reel(reel_index=2, ticket=61375, prize_index=2),
    ]


# --- independent oracle -----------------------------------------------------------------------


def reference_draw(
    server_seed: str, client_seed: str, nonce: int, weights: list[int], reels: int
) -> list[tuple[int, int]]:
    """Straight transcription of SPEC §10 with a linear scan; returns (ticket, prize_index)."""
    key = server_seed.encode("utf-8")
    stream = b""
    r = 0
    while len(stream) < 4 * reels:
        msg = (client_seed + ":" + str(nonce) + ":" + str(r)).encode("utf-8")
        stream += hmac.new(key, msg, hashlib.sha256).digest()
        r += 1
    total = sum(weights)
    out: list[tuple[int, int]] = []
    for k in range(reels):
        u = int.from_bytes(stream[4 * k : 4 * k + 4], "big")
        t = u * total // 2**32
        running = 0
        for i, w in enumerate(weights):
            running += w
            if running > t:
                out.append((t, i))
                break
        else:  # pragma: no cover - would mean t >= total
            raise AssertionError("ticket beyond total weight")
    return out


hex_seeds = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
client_seeds = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64
)


@settings(max_examples=300, deadline=None)
@given(
    server_seed=st.one_of(hex_seeds, st.text(max_size=80)),
    client_seed=client_seeds,
    nonce=st.integers(min_value=0, max_value=2**63),
    weights=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=60),
    reels=st.integers(min_value=1, max_value=40),
)
def test_draw_matches_reference(
    server_seed: str, client_seed: str, nonce: int, weights: list[int], reels: int
) -> None:
    got = draw(server_seed, client_seed, nonce, PrizeTable(weights), reels)
    assert [r.reel_index for r in got] == list(range(reels))
    assert [(r.ticket, r.prize_index) for r in got] == reference_draw(
        server_seed, client_seed, nonce, weights, reels
    )


@settings(max_examples=100, deadline=None)
@given(
    server_seed=hex_seeds,
    client_seed=client_seeds,
    nonce=st.integers(min_value=0, max_value=10**6),
    count=st.integers(min_value=0, max_value=50),
)
def test_words_prefix_stable(server_seed: str, client_seed: str, nonce: int, count: int) -> None:
    """Drawing more reels never changes the earlier reels' words."""
    more = words(server_seed, client_seed, nonce, count + 9)
    assert words(server_seed, client_seed, nonce, count) == more[:count]
    assert all(0 <= u < 2**32 for u in more)


@pytest.mark.parametrize(("count", "blocks"), [(0, 0), (1, 1), (8, 1), (9, 2), (16, 2), (17, 3)])
def test_words_computes_only_needed_blocks(
    monkeypatch: pytest.MonkeyPatch, count: int, blocks: int
) -> None:
    calls: list[int] = []
    real_block = algorithm.block

    def counting_block(server_seed: str, client_seed: str, nonce: int, r: int) -> bytes:
        calls.append(r)
        return real_block(server_seed, client_seed, nonce, r)

    monkeypatch.setattr(algorithm, "block", counting_block)
    assert len(words("s", "c", 0, count)) == count
    assert calls == list(range(blocks))


def test_words_rejects_negative_count() -> None:
    with pytest.raises(ValueError, match="count"):
        words("s", "c", 0, -1)


# --- odds: chi-square over many nonces --------------------------------------------------------

# Upper-tail chi-square critical values at p = 0.001 (standard tables).
CHI2_CRIT_P001 = {1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 6: 22.458}


def wilson_hilferty_critical(df: int, z: float = 3.090232) -> float:
    """Chi-square quantile approximation; z is the standard-normal 0.999 quantile."""
    a = 2.0 / (9.0 * df)
    return float(df * (1.0 - a + z * math.sqrt(a)) ** 3)


def test_wilson_hilferty_agrees_with_table() -> None:
    for df, crit in CHI2_CRIT_P001.items():
        if df >= 3:  # the approximation is poor for tiny df
            assert wilson_hilferty_critical(df) == pytest.approx(crit, rel=0.02)


def chi_square(counts: list[int], weights: list[int]) -> float:
    n = sum(counts)
    total = sum(weights)
    return sum(
        (c - n * w / total) ** 2 / (n * w / total) for c, w in zip(counts, weights, strict=True)
    )


@pytest.mark.parametrize(
    "weights",
    [VECTOR_WEIGHTS, [1, 9, 40, 150, 800], [7, 7, 7, 7, 7, 7, 7]],
)
def test_prize_frequencies_match_odds(weights: list[int]) -> None:
    """20,000 rounds x 3 reels with fixed seeds (deterministic, cannot flake)."""
    table = PrizeTable(weights)
    n_rounds, n_reels = 20_000, 3
    per_reel = [[0] * len(weights) for _ in range(n_reels)]
    for nonce in range(n_rounds):
        for reel in draw(VECTOR_SERVER_SEED, VECTOR_CLIENT_SEED, nonce, table, n_reels):
            per_reel[reel.reel_index][reel.prize_index] += 1
    df = len(weights) - 1
    crit = CHI2_CRIT_P001.get(df) or wilson_hilferty_critical(df)
    for counts in per_reel:
        assert min(n_rounds * w / table.total for w in weights) >= 5  # chi-square validity
        assert chi_square(counts, weights) < crit, counts
    pooled = [sum(col) for col in zip(*per_reel, strict=True)]
    assert chi_square(pooled, weights) < crit, pooled


def test_chi_square_detects_wrong_odds() -> None:
    """The statistic has power: uniform picks against skewed odds must fail loudly."""
    weights = [1, 9, 40, 150, 800]
    assert chi_square([4000] * 5, weights) > 100 * CHI2_CRIT_P001[4]


# --- prize table ------------------------------------------------------------------------------


def test_large_table_boundaries() -> None:
    weights = [(i * 37) % 11 + 1 for i in range(10_000)]
    table = PrizeTable(weights)
    assert len(table) == 10_000
    assert table.total == sum(weights)
    assert table.pick(0) == 0
    running = 0
    for i, w in enumerate(weights):
        running += w
        assert table.pick(running - 1) == i
        if i + 1 < len(weights):
            assert table.pick(running) == i + 1
    with pytest.raises(ValueError, match="outside"):
        table.pick(table.total)
    with pytest.raises(ValueError, match="outside"):
        table.pick(-1)


@pytest.mark.parametrize("weights", [[], [0], [5, -1], [1, 2.5], [True, 3]])
def test_prize_table_rejects_bad_weights(weights: list[int]) -> None:
    with pytest.raises(ValueError, match=r"prize|weight"):
        PrizeTable(weights)


def test_ticket_range() -> None:
    assert ticket(0, 100000) == 0
    assert ticket(2**32 - 1, 100000) == 99999
    assert ticket(2**31, 3) == 1
    assert ticket(2**32 - 1, 1) == 0


def test_draw_rejects_zero_reels() -> None:
    with pytest.raises(ValueError, match="reels"):
        draw("s", "c", 0, PrizeTable([1]), 0)


# --- seeds ------------------------------------------------------------------------------------


def test_new_server_seed_is_64_lowercase_hex() -> None:
    seed = new_server_seed(lambda n: bytes(range(n)))
    assert seed == bytes(range(32)).hex()
    assert is_valid_server_seed(seed)
    rnd = random.Random(7)
    assert is_valid_server_seed(new_server_seed(rnd.randbytes))


def test_new_client_seed_is_valid() -> None:
    rnd = random.Random(7)
    seed = new_client_seed(rnd.randbytes)
    assert len(seed) == 16
    assert is_valid_client_seed(seed)


def test_seed_generators_reject_short_randomness() -> None:
    with pytest.raises(ValueError, match="bytes"):
        new_server_seed(lambda n: b"\x00" * (n - 1))
    with pytest.raises(ValueError, match="bytes"):
        new_client_seed(lambda n: b"")


@pytest.mark.parametrize(
    ("seed", "ok"),
    [
        ("a", True),
        ("client-seed", True),
        ("!~" + "x" * 62, True),
        ("a" * 65, False),
        ("", False),
        ("has space", True),
        (" ", True),
        ("tab\t", False),
        ("caf\u00e9", False),
        ("\x7f", False),
    ],
)
def test_is_valid_client_seed(seed: str, ok: bool) -> None:
    assert is_valid_client_seed(seed) is ok


@pytest.mark.parametrize(
    ("seed", "ok"),
    [("a" * 64, True), ("A" * 64, False), ("a" * 63, False), ("g" * 64, False)],
)
def test_is_valid_server_seed(seed: str, ok: bool) -> None:
    assert is_valid_server_seed(seed) is ok
