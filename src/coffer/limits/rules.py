"""Pure rules of responsible play: what a purchase counts against, and in which periods."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from coffer.kit.money import Rate, convert, is_virtual


@dataclass(frozen=True, slots=True)
class Usage:
    """What one purchase uses: real money in the base currency's minor units, and opens."""

    spent_base_minor: int
    opens: int


def usage_of(
    bet_minor: int, rate: Rate, base: str, base_digits: int, funding: str, reels: int
) -> Usage:
    """Only the player's real money counts as spend; every reel counts as an open."""
    if funding != "player" or is_virtual(rate):
        return Usage(0, reels)
    return Usage(convert(bet_minor, rate, Rate(base, Fraction(1), base_digits)), reels)


def day_of(when: datetime) -> date:
    """The UTC day a purchase counts in."""
    return when.date()


def week_of(when: datetime) -> date:
    """The Monday (UTC) of the ISO week a purchase counts in."""
    day = when.date()
    return day - timedelta(days=day.weekday())


def resets_at(period: str, starts_on: date) -> datetime:
    """When a period's usage starts again from zero."""
    start = datetime(starts_on.year, starts_on.month, starts_on.day, tzinfo=UTC)
    return start + timedelta(days=1 if period == "day" else 7)
