"""Setting a currency's rate without breaking a price: every configured price must still convert
into every configured currency as a non-zero amount within ``MAX_MINOR``.

A rate like ``0.000000000001`` would price a €5 box at more minor units than a column holds; a
huge one would round a price to 0 and settle boxes for free. Conversion is monotonic, so the
smallest and largest non-zero amount per currency are all that need checking.
"""

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from coffer.catalog.models import BoxPrize, BoxVersion, Item
from coffer.kit.errors import ValidationFailed
from coffer.kit.money import MAX_MINOR, Rate, convert, fits
from coffer.operators import service as operators
from coffer.operators.models import Currency, Operator


async def set_rate(
    session: AsyncSession, operator: Operator, code: str, rate_text: str, digits: int | None
) -> Currency:
    """Accept ``code`` at ``rate_text``, unless it would leave some price unusable."""
    currency = await operators.put_currency(session, operator, code, rate_text, digits)
    rates = await operators.load_rates(session, operator)
    for source_code, amount in await _extremes(session, operator):
        source = rates.get(source_code)
        if source is None:
            continue
        for target in rates.values():
            converted = convert(amount, source, target)
            if not fits(amount, converted):
                raise ValidationFailed(
                    fields={"rateToBase": _why(amount, source, target, converted)}
                )
    return currency


def _why(amount: int, source: Rate, target: Rate, converted: int) -> str:
    return (
        f"a price of {amount} {source.currency} minor units would be {converted} "
        f"{target.currency}, outside 1..{MAX_MINOR}; this rate is off by orders of magnitude"
    )


async def _extremes(session: AsyncSession, operator: Operator) -> list[tuple[str, int]]:
    """(currency, amount) for the smallest and largest non-zero price in each currency."""
    mine = BoxVersion.operator_id == operator.id
    queries = [
        _min_max(Item.currency, Item.value_minor).where(Item.operator_id == operator.id),
        _min_max(Item.currency, Item.cashback_minor).where(Item.operator_id == operator.id),
        _min_max(BoxVersion.currency, BoxVersion.price_minor).where(mine),
        _min_max(BoxVersion.currency, BoxPrize.value_minor)
        .join(BoxVersion, BoxVersion.id == BoxPrize.box_version_id)
        .where(mine),
    ]
    found: list[tuple[str, int]] = []
    for query in queries:
        for currency, low, high in await session.execute(query):
            found += [(currency, amount) for amount in (low, high) if amount is not None]
    return found


def _min_max(
    currency: InstrumentedAttribute[str],
    amount: InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
) -> Select[str, int | None, int | None]:
    stmt: Select[str, int | None, int | None] = (
        select(currency, func.min(amount), func.max(amount)).where(amount > 0).group_by(currency)
    )
    return stmt
