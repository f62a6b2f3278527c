"""Money as integer minor units plus a currency, and exact FX conversion between them."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# The largest amount of minor units any price, value or credit may have: sums of up to a few
# thousand of them still fit a signed 64-bit column.
MAX_MINOR = 10**15
# A virtual currency's rate: never converted to or from anything (SPEC §12).
NO_LINK = Fraction(0)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one ISO-4217 currency; never a float."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError("Money.minor must be an int")

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")


@dataclass(frozen=True, slots=True)
class Rate:
    """How one currency relates to the operator's base: 1 unit = ``to_base`` base units."""

    currency: str
    to_base: Fraction
    minor_digits: int


def parse_rate(text: str) -> Fraction:
    """Parse a decimal-string rate exactly; rates must be positive and finite."""
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError("rate must be a decimal string such as '1.0850'") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError("rate must be a positive decimal")
    return Fraction(value)


def round_half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves away from zero."""
    magnitude = abs(value)
    rounded = int(magnitude + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


def virtual_rate(code: str, decimals: int) -> Rate:
    """A virtual currency's place among rates: its digits, and no link to any real currency."""
    return Rate(code, NO_LINK, decimals)


def is_virtual(rate: Rate) -> bool:
    return rate.to_base == NO_LINK


def convert(amount_minor: int, source: Rate, target: Rate) -> int:
    """Convert minor units through the base, rounding half-up to the target's minor unit."""
    if source.currency == target.currency:
        return amount_minor
    if NO_LINK in (source.to_base, target.to_base):
        raise ValueError(f"no rate links {source.currency} to {target.currency} (SPEC §12)")
    major = Fraction(amount_minor, 10**source.minor_digits)
    in_target = major * source.to_base / target.to_base
    return round_half_up(in_target * 10**target.minor_digits)


def differs_beyond(actual: int, expected: int, tolerance_bps: int) -> bool:
    """True when ``actual`` is more than ``tolerance_bps`` away from ``expected``."""
    if expected == 0:
        return actual != 0
    return abs(actual - expected) * 10_000 > tolerance_bps * abs(expected)


def fits(amount_minor: int, converted: int) -> bool:
    """A conversion is usable when a non-zero amount stays non-zero and within ``MAX_MINOR``."""
    return amount_minor == 0 or 0 < converted <= MAX_MINOR
