"""Draw cost against prize-list size: binary search (ours) vs a linear scan, in one run.

Run: .venv/bin/python bench/fairness.py [--draws N]
"""

import argparse
import itertools
import random
import time

from coffer.fairness import algorithm

SIZES = [10, 100, 1_000, 10_000]


def linear_pick(cumulative: list[int], ticket: int) -> int:
    """The naive baseline: first running sum above the ticket, by scanning."""
    for index, running in enumerate(cumulative):
        if running > ticket:
            return index
    raise AssertionError("ticket out of range")


def per_draw_us(fn: object, draws: int) -> float:
    assert callable(fn)
    started = time.perf_counter()
    for nonce in range(draws):
        fn(nonce)
    return (time.perf_counter() - started) / draws * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(7)
    seed, client = "a" * 64, "bench"
    print(
        f"{'prizes':>7} {'table build ms':>15} {'draw us (bisect)':>17} "
        f"{'draw us (linear)':>17} {'linear/bisect':>14}"
    )
    for size in SIZES:
        weights = [rng.randint(1, 1_000_000) for _ in range(size)]
        started = time.perf_counter()
        table = algorithm.PrizeTable(weights)
        build_ms = (time.perf_counter() - started) * 1e3
        cumulative = list(itertools.accumulate(weights))

        def ours(nonce: int, table: algorithm.PrizeTable = table) -> None:
            algorithm.draw(seed, client, nonce, table, 1)

        def baseline(nonce: int, cumulative: list[int] = cumulative) -> None:
            (u,) = algorithm.words(seed, client, nonce, 1)
            linear_pick(cumulative, algorithm.ticket(u, cumulative[-1]))

        fast, slow = per_draw_us(ours, args.draws), per_draw_us(baseline, args.draws)
        print(f"{size:>7} {build_ms:>15.3f} {fast:>17.2f} {slow:>17.2f} {slow / fast:>14.1f}")


if __name__ == "__main__":
    main()
