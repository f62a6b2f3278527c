"""Money rules without I/O: exact rates, half-up rounding away from zero, conversion."""

from fractions import Fraction

import pytest

from coffer.kit.money import MAX_MINOR, Rate, convert, fits, parse_rate, round_half_up


def test_rates_parse_exactly_and_refuse_with_the_fix_in_the_message() -> None:
    assert parse_rate("1.0850") == Fraction(217, 200)
    for bad in ["abc", "", "1,5"]:
        with pytest.raises(ValueError, match=r"^rate must be a decimal string such as '1\.0850'$"):
            parse_rate(bad)
    for bad in ["0", "-1", "NaN", "Infinity"]:
        with pytest.raises(ValueError, match="positive"):
            parse_rate(bad)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("2.5", 3), ("2.4999", 2), ("-2.5", -3), ("-2.4", -2), ("0", 0), ("-0.5", -1), ("0.5", 1)],
)
def test_half_up_rounds_halves_away_from_zero(value: str, rounded: int) -> None:
    assert round_half_up(Fraction(value)) == rounded


def test_conversion_goes_through_the_base_and_rounds_once() -> None:
    eur, usd, jpy = (
        Rate("EUR", Fraction(1), 2),
        Rate("USD", Fraction(92, 100), 2),
        Rate("JPY", Fraction(61, 10000), 0),
    )
    assert convert(500, eur, usd) == 543  # 5.00 EUR / 0.92 = 5.4347… USD
    assert convert(500, eur, jpy) == 820  # 5.00 EUR / 0.0061 = 819.67 JPY
    assert convert(500, eur, eur) == 500
    assert fits(0, 0)
    assert fits(5, 1)
    assert not fits(5, 0)  # a price rounded to nothing
    assert not fits(5, MAX_MINOR + 1)
