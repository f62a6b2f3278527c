"""The RTP simulator: real ``hmac_sha256_v1`` opens of one prize table, and what they add up to.

Pure: the seeds are given, nothing is read or written. Open ``n`` of a simulation is what a
player gets opening the box once at nonce ``n``: ticket of word u_0 of block(0) (SPEC §10).
"""

from __future__ import annotations

import bisect
import hmac
import itertools
import math
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from coffer.kit.money import round_half_up

BPS = 10_000
Z95 = 1.96  # two-sided 95% quantile of the normal distribution
HORIZONS = (1, 10, 100)  # "ends behind after k opens" is reported for these k
CHUNK = 50_000  # opens per step: a multiple of every horizon, so runs never straddle steps
MAX_WEIGHT_TOTAL = 2**32  # as publishing allows: u * W then fits 64 bits
# 1/10, 1/5, 1/2 of the price, then 1-2-5 multiples: equal-width bars on a log-like axis.
BELOW_PRICE = (Fraction(0), Fraction(1, 10), Fraction(1, 5), Fraction(1, 2))
STEPS = (1, 2, 5)


@dataclass(frozen=True, slots=True)
class Odds:
    """A prize table as the simulator sees it: the price, and (weight, value) in draw order."""

    price_minor: int
    prizes: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if self.price_minor <= 0:
            raise ValueError("the price must be positive")
        if not self.prizes:
            raise ValueError("a prize table needs at least one prize")
        if any(weight <= 0 or value < 0 for weight, value in self.prizes):
            raise ValueError("weights must be positive and values not negative")
        if self.total_weight > MAX_WEIGHT_TOTAL:
            raise ValueError("the total weight exceeds 2^32")

    @property
    def total_weight(self) -> int:
        """W: tickets range over [0, W)."""
        return sum(weight for weight, _ in self.prizes)


@dataclass(frozen=True, slots=True)
class Bin:
    """Opens whose prize value lies in [from_minor, to_minor)."""

    from_minor: int
    to_minor: int
    count: int


@dataclass(frozen=True, slots=True)
class Report:
    """What a simulation found, beside what the odds say exactly."""

    opens: int
    price_minor: int
    exact_rtp: Fraction
    exact_rtp_bps: int
    exact_behind_one: Fraction
    simulated_rtp: float
    interval95: tuple[float, float]
    behind_after: dict[int, float]  # Monte Carlo: share of runs of k opens that lost money
    runs: dict[int, int]  # how many runs of k opens each estimate counted
    histogram: tuple[Bin, ...]
    server_seed: str
    client_seed: str


def exact_rtp(odds: Odds) -> Fraction:
    """RTP = Σ odds·value / price, exactly, as publishing computes the house edge."""
    expected = sum(weight * value for weight, value in odds.prizes)
    return Fraction(expected, odds.total_weight * odds.price_minor)


def exact_rtp_bps(odds: Odds) -> int:
    """The RTP in bps rounded half-up: exactly 10000 - the published houseEdgeBps."""
    return round_half_up(exact_rtp(odds) * BPS)


def exact_behind_one(odds: Odds) -> Fraction:
    """The probability that one open returns less than the price."""
    losing = sum(weight for weight, value in odds.prizes if value < odds.price_minor)
    return Fraction(losing, odds.total_weight)


def wilson95(share: float, runs: int) -> tuple[float, float]:
    """The 95% (Wilson) interval of a share counted over ``runs`` independent runs: honest
    at 0% and 100% too, where the normal approximation claims certainty."""
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * runs)) / (1 + z2 / runs)
    half = Z95 / (1 + z2 / runs) * math.sqrt(share * (1 - share) / runs + z2 / (4 * runs * runs))
    return max(0.0, centre - half), min(1.0, centre + half)


def words(server_seed: str, client_seed: str, first_nonce: int, count: int) -> array[int]:
    """Word u_0 of block(0) for each nonce first_nonce, …, first_nonce + count - 1."""
    key, prefix = server_seed.encode("utf-8"), client_seed.encode("utf-8")
    blocks = b"".join(
        [
            hmac.digest(key, b"%b:%d:0" % (prefix, nonce), "sha256")
            for nonce in range(first_nonce, first_nonce + count)
        ]
    )
    out = array("I")  # 4 bytes on every platform CPython supports here
    out.frombytes(blocks)
    if sys.byteorder == "little":
        out.byteswap()  # the stream's words are big-endian
    return out[::8]


def tickets(
    server_seed: str, client_seed: str, first_nonce: int, count: int, total_weight: int
) -> list[int]:
    """Each open's ticket, (u_0 · W) >> 32, as the real draw computes it."""
    found = words(server_seed, client_seed, first_nonce, count)
    return [(u * total_weight) >> 32 for u in found]


class Simulation:
    """Opens drawn step by step (so a caller can show progress), tallied as they come."""

    def __init__(self, odds: Odds, server_seed: str, client_seed: str) -> None:
        self.odds, self.server_seed, self.client_seed = odds, server_seed, client_seed
        self.cumulative = list(itertools.accumulate(weight for weight, _ in odds.prizes))
        self.values = [value for _, value in odds.prizes]
        self.counts = [0] * len(odds.prizes)
        self.behind = dict.fromkeys(HORIZONS[1:], 0)
        self.runs = dict.fromkeys(HORIZONS[1:], 0)
        self.opens = 0

    def advance(self, count: int) -> None:
        """Draw the next ``count`` opens (a multiple of 100 unless it is the last step)."""
        if self.opens % HORIZONS[-1]:
            raise ValueError("only the last step may be a count that is not a multiple of 100")
        found = words(self.server_seed, self.client_seed, self.opens, count)
        total, cumulative, pick = self.odds.total_weight, self.cumulative, bisect.bisect_right
        picked = [pick(cumulative, (u * total) >> 32) for u in found]
        counts = self.counts
        for index in picked:
            counts[index] += 1
        self.opens += count
        self._tally_runs([self.values[index] for index in picked])

    def _tally_runs(self, values: Sequence[int]) -> None:
        """Count the complete runs of k consecutive opens whose prizes are worth less than k
        prices, for each horizon k > 1 (non-overlapping runs: independent samples)."""
        for k in self.runs:
            stake = k * self.odds.price_minor
            sums = [sum(values[start : start + k]) for start in range(0, len(values) - k + 1, k)]
            self.runs[k] += len(sums)
            self.behind[k] += sum(1 for total in sums if total < stake)

    def report(self) -> Report:
        """The figures so far (at least one run of the longest horizon, 100 opens)."""
        if self.opens < HORIZONS[-1]:
            raise ValueError(f"simulate at least {HORIZONS[-1]} opens")
        odds, n = self.odds, self.opens
        price = odds.price_minor
        paid = sum(c * v for c, v in zip(self.counts, self.values, strict=True))
        squares = sum(c * v * v for c, v in zip(self.counts, self.values, strict=True))
        mean = Fraction(paid, n * price)
        variance = Fraction(squares * n - paid * paid, n * (n - 1) * price * price)
        half = Z95 * math.sqrt(variance / n)
        losing = sum(c for c, v in zip(self.counts, self.values, strict=True) if v < price)
        behind = {1: losing / n} | {k: self.behind[k] / self.runs[k] for k in self.runs}
        return Report(
            opens=n,
            price_minor=price,
            exact_rtp=exact_rtp(odds),
            exact_rtp_bps=exact_rtp_bps(odds),
            exact_behind_one=exact_behind_one(odds),
            simulated_rtp=float(mean),
            interval95=(float(mean) - half, float(mean) + half),
            behind_after=behind,
            runs={1: n, **self.runs},
            histogram=histogram(odds, self.counts),
            server_seed=self.server_seed,
            client_seed=self.client_seed,
        )


def simulate(odds: Odds, server_seed: str, client_seed: str, opens: int) -> Report:
    """Draw ``opens`` opens in steps and report (for callers that need no progress)."""
    run = Simulation(odds, server_seed, client_seed)
    for start in range(0, opens, CHUNK):
        run.advance(min(CHUNK, opens - start))
    return run.report()


def edges(price_minor: int, top_minor: int) -> list[int]:
    """Bin edges in minor units at 0, 0.1, 0.2, 0.5, 1, 2, 5, 10, … prices, past ``top_minor``
    and past 2 prices; rounded up, so a value is below an edge exactly when it is below the
    multiple of the price (a tiny price merges edges that round alike)."""
    out: list[int] = []
    multiples = itertools.chain(
        BELOW_PRICE, (step * 10**power for power in itertools.count() for step in STEPS)
    )
    for multiple in multiples:
        edge = math.ceil(multiple * price_minor)
        if not out or edge > out[-1]:
            out.append(edge)
        if edge > top_minor and multiple >= 2:
            return out
    raise AssertionError("unreachable: the multiples grow without bound")


def histogram(odds: Odds, counts: Sequence[int]) -> tuple[Bin, ...]:
    """How many opens fell in each bin; the bins span every prize, drawn or not."""
    values = [value for _, value in odds.prizes]
    bounds = edges(odds.price_minor, max(values))
    tally = [0] * (len(bounds) - 1)
    for value, count in zip(values, counts, strict=True):
        tally[bisect.bisect_right(bounds, value) - 1] += count
    return tuple(
        Bin(low, high, count) for low, high, count in zip(bounds, bounds[1:], tally, strict=False)
    )
