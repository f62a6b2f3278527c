"""The simulator draws exactly what SPEC §10 draws, and its figures agree with the odds."""

import itertools
from collections import Counter
from fractions import Fraction

import pytest

from coffer.fairness import algorithm
from coffer.fairness.simulation import (
    Odds,
    Simulation,
    edges,
    exact_behind_one,
    exact_rtp,
    exact_rtp_bps,
    simulate,
    tickets,
    wilson95,
)

SEED_A = "a" * 64
SEED_B = "0123456789abcdef" * 4
VECTOR_WEIGHTS = (5000, 25000, 70000)
# price 1000: a jackpot, a refund and two small prizes; RTP = (2·20000 + 18·1000 + 30·300
# + 50·100) / (100·1000) = 0.72
KNOWN = Odds(1000, ((2, 20_000), (18, 1000), (30, 300), (50, 100)))


def test_the_spec_test_vector_tickets_come_out_of_the_simulator() -> None:
    assert tickets(SEED_A, "client-seed", 1, 1, 100_000) == [27897]
    odds = Odds(1000, tuple((w, 0) for w in VECTOR_WEIGHTS))
    run = Simulation(odds, SEED_A, "client-seed")
    run.advance(2)  # nonces 0 and 1; nonce 1's single reel draws ticket 27897: the 2nd prize
    assert run.counts[1] >= 1
    first = algorithm.draw(SEED_A, "client-seed", 0, algorithm.PrizeTable(VECTOR_WEIGHTS), 1)
    assert run.counts[first[0].prize_index] >= 1


def test_every_open_is_the_real_one_reel_draw_at_its_nonce() -> None:
    table = algorithm.PrizeTable(w for w, _ in KNOWN.prizes)
    expected = [algorithm.draw(SEED_B, "c", n, table, 1)[0] for n in range(300)]
    assert tickets(SEED_B, "c", 0, 300, table.total) == [reel.ticket for reel in expected]
    run = Simulation(KNOWN, SEED_B, "c")
    run.advance(200)
    run.advance(100)
    assert run.counts == [Counter(r.prize_index for r in expected)[i] for i in range(4)]


def test_the_exact_rtp_is_the_odds_weighted_value_over_the_price() -> None:
    assert exact_rtp(KNOWN) == Fraction(72, 100)
    assert exact_rtp_bps(KNOWN) == 7200
    assert exact_rtp_bps(Odds(3, ((1, 1), (1, 1), (1, 0)))) == 2222  # 2/9 = 0.2222…
    assert exact_behind_one(KNOWN) == Fraction(80, 100)


def test_with_a_fixed_seed_the_exact_rtp_lies_in_the_simulated_interval() -> None:
    report = simulate(KNOWN, SEED_B, "c", 60_000)
    low, high = report.interval95
    assert low < float(report.exact_rtp) < high
    assert high - low < 0.05
    assert report.opens == 60_000 == sum(b.count for b in report.histogram)
    assert report.runs == {1: 60_000, 10: 6000, 100: 600}


def test_behind_after_one_open_is_the_chance_one_open_pays_less_than_the_price() -> None:
    report = simulate(KNOWN, SEED_A, "s", 50_000)
    low, high = wilson95(report.behind_after[1], 50_000)
    assert low < float(exact_behind_one(KNOWN)) < high


def test_behind_after_ten_opens_agrees_with_the_convolved_distribution() -> None:
    # Values in units of 100: the sum of ten opens has a small support, so convolve exactly.
    odds = Odds(1000, ((2, 2000), (18, 1000), (30, 300), (50, 100)))
    step = {value // 100: Fraction(weight, 100) for weight, value in odds.prizes}
    total: dict[int, Fraction] = {0: Fraction(1)}
    for _ in range(10):
        grown: dict[int, Fraction] = {}
        for have, p in total.items():
            for add, q in step.items():
                grown[have + add] = grown.get(have + add, Fraction(0)) + p * q
        total = grown
    exact = float(sum(p for value, p in total.items() if value < 100))
    report = simulate(odds, SEED_B, "ten", 200_000)
    low, high = wilson95(report.behind_after[10], report.runs[10])
    assert low < exact < high


def test_bins_are_price_multiples_that_cover_every_prize() -> None:
    assert edges(1000, 20_000) == [0, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]
    assert edges(1000, 0) == [0, 100, 200, 500, 1000, 2000]  # [1, 2) prices always shows
    assert edges(1, 3) == [0, 1, 2, 5]  # a 1-unit price merges the edges below it
    bins = simulate(KNOWN, SEED_A, "h", 1000).histogram
    assert bins[0].from_minor == 0
    assert bins[-1].to_minor > 20_000
    assert all(a.to_minor == b.from_minor for a, b in itertools.pairwise(bins))


def test_misuse_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 100"):
        simulate(KNOWN, SEED_A, "c", 99)
    run = Simulation(KNOWN, SEED_A, "c")
    run.advance(150)
    with pytest.raises(ValueError, match="multiple of 100"):
        run.advance(100)
    with pytest.raises(ValueError, match="positive"):
        Odds(0, ((1, 1),))
    with pytest.raises(ValueError, match="2\\^32"):
        Odds(1, ((2**32, 1), (1, 1)))
    low, high = wilson95(1.0, 10_000)  # every run lost: still not certain
    assert 0.9995 < low < 0.9997
    assert high == pytest.approx(1.0)
