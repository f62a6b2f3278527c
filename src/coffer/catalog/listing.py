"""The S2S box catalog: live boxes with current names, optionally priced in another currency."""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from babel import Locale, UnknownLocaleError
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.items import unsupported
from coffer.catalog.models import Box, BoxPrize, BoxVersion, Item
from coffer.catalog.schemas import MAX_ID
from coffer.catalog.snapshot import cash_name
from coffer.kit.db import connection
from coffer.kit.errors import UnknownBox, UnsupportedLocale, ValidationFailed
from coffer.kit.money import Rate, convert, round_half_up
from coffer.ledger.queries import virtual_rates
from coffer.operators import service as operators
from coffer.operators.models import Operator

MAX_IDS = 200
ODDS_SCALE = 10**8

# (prizeId, itemId, valueMinor, weight, live item name, live item image)
PrizeRow = tuple[int, int | None, int, int, str | None, str | None]


@dataclass(frozen=True, slots=True)
class BoxQuery:
    """What an S2S caller may ask of the catalog listing."""

    page: int = 1
    per_page: int = 50
    ids: list[int] | None = None
    currency: str | None = None
    locale: str | None = None
    real_money: bool = False  # the player app's view: no box priced in a virtual currency


@dataclass(frozen=True, slots=True)
class LivePrize:
    prize_id: int
    item_id: int | None
    name: str
    value_minor: int
    currency: str
    image_url: str | None
    odds: float


@dataclass(frozen=True, slots=True)
class LiveBox:
    """An active box's current version, with prices in the requested currency."""

    box: Box
    version: BoxVersion
    price_minor: int
    currency: str
    prizes: list[LivePrize]


def parse_ids(text: str) -> list[int]:
    """Parse ``ids=1,2,3``; anything but a comma list of positive integers is refused."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > MAX_IDS:
        raise ValidationFailed(fields={"ids": f"at most {MAX_IDS} ids"})
    if not all(part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_ID for part in parts):
        raise ValidationFailed(
            fields={"ids": "must be a comma-separated list of box ids, e.g. 1,2"}
        )
    return [int(part) for part in parts]


def check_locale(locale: str) -> None:
    """Accept any known language tag ('en', 'de-AT'); names are not translated yet."""
    try:
        Locale.parse(locale, sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise UnsupportedLocale(fields={"locale": f"{locale!r} is not a known locale"}) from exc


def odds(weight: int, total: int) -> float:
    """weight / total rounded half-up to 8 decimals; a display figure, not money."""
    return float(Fraction(round_half_up(Fraction(weight * ODDS_SCALE, total)), ODDS_SCALE))


def _live(operator: Operator) -> Select[Box, BoxVersion]:
    """Players only ever see the current version of an active box."""
    return (
        select(Box, BoxVersion)
        .join(BoxVersion, BoxVersion.id == Box.current_version_id)
        .where(Box.operator_id == operator.id, Box.is_active.is_(True))
    )


async def _prizes_by_version(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, list[PrizeRow]]:
    """Every prize of the given versions, in draw order, joined to its live item, in one query."""
    stmt = (
        select(
            BoxPrize.box_version_id,
            BoxPrize.id,
            BoxPrize.item_id,
            BoxPrize.value_minor,
            BoxPrize.weight,
            Item.name,
            Item.image_url,
        )
        .outerjoin(Item, Item.id == BoxPrize.item_id)
        .where(BoxPrize.box_version_id.in_(version_ids))
        .order_by(BoxPrize.box_version_id, BoxPrize.sort_index, BoxPrize.id)
    )
    grouped: dict[int, list[PrizeRow]] = {}
    for version_id, prize_id, item_id, value, weight, name, image in await session.execute(stmt):
        grouped.setdefault(version_id, []).append((prize_id, item_id, value, weight, name, image))
    return grouped


async def _rates(session: AsyncSession, operator: Operator, query: BoxQuery) -> dict[str, Rate]:
    """Check the locale and currency before any lookup; the rates are read once per request."""
    if query.locale is not None:
        check_locale(query.locale)
    rates = await operators.load_rates(session, operator)
    if query.currency is not None and query.currency not in rates:
        raise unsupported(operator, query.currency)
    return rates


async def _shape(
    session: AsyncSession,
    operator: Operator,
    rows: Sequence[tuple[Box, BoxVersion]],
    rates: dict[str, Rate],
    query: BoxQuery,
) -> list[LiveBox]:
    """Attach live prizes (one query for the whole page) and convert prices; a box priced in
    a virtual currency shows in it, whatever currency was asked (no rate links the two)."""
    prizes = await _prizes_by_version(session, [version.id for _, version in rows])
    virtual: dict[str, Rate] = {}
    if any(version.currency not in rates for _, version in rows):
        virtual = await virtual_rates(await connection(session), operator.id)
    out: list[LiveBox] = []
    for box, version in rows:
        source = rates.get(version.currency)
        target = rates.get(query.currency) if query.currency else source
        if source is None and version.currency in virtual:
            if query.real_money:
                raise UnknownBox(
                    f"Box {box.id} is priced in {version.currency}, a virtual currency; "
                    "the player app sells boxes for real money only."
                )
            source = target = virtual[version.currency]
        if source is None or target is None:
            raise unsupported(operator, version.currency)
        out.append(_live_box(box, version, source, target, prizes.get(version.id, [])))
    return out


def _live_box(
    box: Box,
    version: BoxVersion,
    source: Rate,
    target: Rate,
    prizes: list[PrizeRow],
) -> LiveBox:
    """Prices and values shown in ``target``; odds come from the frozen weights."""
    live: list[LivePrize] = []
    for prize_id, item_id, value, weight, item_name, image in prizes:
        shown = convert(value, source, target)
        name = item_name  # live; a cash prize is named after its amount in the shown currency
        if name is None:
            name = cash_name(shown, target.currency, target.minor_digits)
        live.append(
            LivePrize(
                prize_id=prize_id,
                item_id=item_id,
                name=name,
                value_minor=shown,
                currency=target.currency,
                image_url=image,
                odds=odds(weight, version.total_weight),
            )
        )
    price = convert(version.price_minor, source, target)
    return LiveBox(box, version, price, target.currency, live)


async def live_boxes(
    session: AsyncSession, operator: Operator, query: BoxQuery
) -> tuple[list[LiveBox], int]:
    """One page of active, published boxes (optionally only ``ids``) with the total count."""
    rates = await _rates(session, operator, query)
    stmt = _live(operator)
    if query.ids is not None:
        stmt = stmt.where(Box.id.in_(query.ids))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(Box.id).offset((query.page - 1) * query.per_page).limit(query.per_page)
    rows = [(box, version) for box, version in await session.execute(page)]
    return await _shape(session, operator, rows, rates, query), total


async def live_box(
    session: AsyncSession, operator: Operator, box_id: int, query: BoxQuery
) -> LiveBox:
    """One active, published box of this operator, else UNKNOWN_BOX."""
    rates = await _rates(session, operator, query)
    found = None
    if 1 <= box_id <= MAX_ID:
        found = (await session.execute(_live(operator).where(Box.id == box_id))).first()
    if found is None:
        raise UnknownBox(f"No box {box_id}.")
    box, version = found
    return (await _shape(session, operator, [(box, version)], rates, query))[0]
