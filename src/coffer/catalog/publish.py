"""Publishing: freeze a box's draft into an immutable, hashed box version."""

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.boxes import CheckedDraft, check_draft, get_box
from coffer.catalog.models import Box, BoxPrize, BoxVersion
from coffer.catalog.schemas import DraftIn
from coffer.catalog.snapshot import (
    SnapshotHeader,
    SnapshotPrize,
    cash_name,
    house_edge_bps,
    render,
)
from coffer.kit.db import utcnow
from coffer.kit.errors import Conflict, ValidationFailed
from coffer.kit.money import MAX_MINOR, convert
from coffer.operators.models import Operator

MIN_HOUSE_EDGE_BPS = -(10**9)


def prize_values(checked: CheckedDraft) -> list[int]:
    """Each prize's value in the box currency at today's rates (cash prizes already are). In
    a virtual currency an item is worth nothing: no rate links it to the item's real value,
    so the house edge counts the cash prizes only."""
    draft, rates = checked.draft, checked.rates
    target = rates[draft.currency]
    values: list[int] = []
    fields: dict[str, str] = {}
    for i, prize in enumerate(draft.prizes):
        if prize.item_id is None:
            assert prize.cash_minor is not None
            values.append(prize.cash_minor)
            continue
        item = checked.items[prize.item_id]
        if checked.virtual:
            values.append(0)
            continue
        value = convert(item.value_minor, rates[item.currency], target)
        if value > MAX_MINOR:
            fields[f"prizes[{i}].itemId"] = f"value converts to more than {MAX_MINOR} minor units"
        values.append(value)
    if fields:
        raise ValidationFailed(fields=fields)
    return values


def checked_edge(draft: DraftIn, values: list[int]) -> int:
    """The house edge, refused when it would not fit the column (absurd prize tables)."""
    edge = house_edge_bps(
        [(p.weight, v) for p, v in zip(draft.prizes, values, strict=True)], draft.price_minor
    )
    if edge < MIN_HOUSE_EDGE_BPS:
        raise ValidationFailed(
            fields={"priceMinor": "the expected prize value is over 100,000 times the price"}
        )
    return edge


async def insert_version(session: AsyncSession, box: Box, draft: DraftIn, edge: int) -> BoxVersion:
    """The next version row; the unique (box, number) constraint arbitrates concurrent publishes."""
    previous = await session.scalar(
        select(func.max(BoxVersion.version_number)).where(BoxVersion.box_id == box.id)
    )
    version = BoxVersion(
        box_id=box.id,
        operator_id=box.operator_id,
        version_number=(previous or 0) + 1,
        price_minor=draft.price_minor,
        currency=draft.currency,
        house_edge_bps=edge,
        total_weight=sum(p.weight for p in draft.prizes),
        snapshot="",
        snapshot_hash="",
        published_at=utcnow(),
    )
    message = (
        f"Another publish of box {box.id} took version {version.version_number} "
        "at the same time (publish raced); retry."
    )
    session.add(version)
    try:
        await session.flush()
    except IntegrityError as exc:  # a failed flush expires every object: use nothing loaded
        raise Conflict(message) from exc
    return version


async def insert_prizes(
    session: AsyncSession, version: BoxVersion, checked: CheckedDraft, values: list[int]
) -> list[SnapshotPrize]:
    """Bulk-insert the prize rows, then read them back with their ids for the snapshot."""
    draft = checked.draft
    rows = [
        {
            "box_version_id": version.id,
            "item_id": p.item_id,
            "cash_minor": p.cash_minor,
            "value_minor": value,
            "weight": p.weight,
            "sort_index": i if p.sort_index is None else p.sort_index,
        }
        for i, (p, value) in enumerate(zip(draft.prizes, values, strict=True))
    ]
    # Plain executemany: each row describes itself, so no ordered RETURNING is needed.
    await session.execute(insert(BoxPrize), rows)
    stmt = select(
        BoxPrize.id, BoxPrize.sort_index, BoxPrize.weight, BoxPrize.item_id, BoxPrize.value_minor
    ).where(BoxPrize.box_version_id == version.id)
    digits = checked.rates[draft.currency].minor_digits
    out: list[SnapshotPrize] = []
    for prize_id, sort_index, weight, item_id, value in await session.execute(stmt):
        item = None if item_id is None else checked.items[item_id]
        out.append(
            SnapshotPrize(
                prize_id=prize_id,
                sort_index=sort_index,
                weight=weight,
                item_id=item_id,
                name=cash_name(value, draft.currency, digits) if item is None else item.name,
                type="cash" if item is None else item.type,
                value_minor=value,
            )
        )
    return out


async def publish(session: AsyncSession, operator: Operator, box_id: int) -> BoxVersion:
    """Validate the draft now, write the version and prizes, hash the snapshot, make it current."""
    box = await get_box(session, operator, box_id)
    checked = await check_draft(session, operator, DraftIn.model_validate(box.draft))
    values = prize_values(checked)
    version = await insert_version(session, box, checked.draft, checked_edge(checked.draft, values))
    prizes = await insert_prizes(session, version, checked, values)
    header = SnapshotHeader(
        box_id=box.id,
        box_version_id=version.id,
        version_number=version.version_number,
        operator_id=operator.id,
        name=box.name,
        slug=box.slug,
        price_minor=version.price_minor,
        currency=version.currency,
        published_at=version.published_at,
    )
    version.snapshot, version.snapshot_hash = render(header, prizes)
    box.current_version_id = version.id
    box.updated_at = utcnow()
    await session.flush()
    return version
