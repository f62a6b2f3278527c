"""Pricing a purchase in the player's currency: pure rules, no I/O."""

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from coffer.kit.errors import FxRateMoved
from coffer.kit.money import Rate, differs_beyond
from coffer.operators.service import convert_checked, rate_for


def price_reels(
    prices: Sequence[tuple[int, str]], currency: str, rates: dict[str, Rate]
) -> list[int]:
    """Each reel's price (minor units in its box currency) converted to ``currency``."""
    target = rate_for(rates, currency)
    return [
        convert_checked(minor, rate_for(rates, box_currency), target)
        for minor, box_currency in prices
    ]


def check_expected(total: int, expected: int | None, tolerance_bps: int) -> None:
    """Refuse when the current price moved past the tolerance from the price shown."""
    if expected is not None and differs_beyond(total, expected, tolerance_bps):
        raise FxRateMoved(
            f"The price is now {total}, not {expected}: the rate moved more than "
            f"{tolerance_bps} bps. Re-fetch the box price and retry.",
            extra={"priceMinor": total},
        )


def snapshot_rates(rates: dict[str, Rate], codes: set[str]) -> dict[str, Any]:
    """The rates a round was priced with, kept so that opening it later uses the same ones."""
    return {
        code: {"toBase": str(rates[code].to_base), "minorDigits": rates[code].minor_digits}
        for code in sorted(codes)
    }


def rates_from_snapshot(snapshot: dict[str, Any]) -> dict[str, Rate]:
    """Exact rates back from a round's snapshot ("23/25" is a Fraction's own text)."""
    return {
        code: Rate(code, Fraction(entry["toBase"]), int(entry["minorDigits"]))
        for code, entry in snapshot.items()
    }
