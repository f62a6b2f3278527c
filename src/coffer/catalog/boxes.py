"""Boxes and their drafts: everything an operator edits before (and between) publishes."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.items import unsupported
from coffer.catalog.models import Box, BoxVersion, Item
from coffer.catalog.schemas import MAX_ID, BoxCreate, BoxUpdate, DraftIn
from coffer.kit.db import connection, utcnow
from coffer.kit.errors import AlreadyExists, NotFound, ValidationFailed
from coffer.kit.money import Rate
from coffer.ledger.queries import virtual_rates
from coffer.operators import service as operators
from coffer.operators.models import Operator

MAX_TOTAL_WEIGHT = 2**32
MAX_FIELD_ERRORS = 50
BONUS = "bonus"


@dataclass(frozen=True, slots=True)
class BoxView:
    """A box with its published versions, oldest first, as the admin API shows it."""

    box: Box
    versions: list[BoxVersion]


@dataclass(frozen=True, slots=True)
class CheckedDraft:
    """A draft that passed the publish-time checks, with what publishing needs next."""

    draft: DraftIn
    items: dict[int, Item]
    rates: dict[str, Rate]
    virtual: bool = False  # priced in a virtual currency: pays only in it (SPEC §12)


def stored_draft(draft: DraftIn) -> dict[str, Any]:
    """The JSON kept in Box.draft: every prize with its resolved sortIndex (default: position)."""
    return {
        "priceMinor": draft.price_minor,
        "currency": draft.currency,
        "prizes": [
            {
                "itemId": p.item_id,
                "cashMinor": p.cash_minor,
                "weight": p.weight,
                "sortIndex": i if p.sort_index is None else p.sort_index,
            }
            for i, p in enumerate(draft.prizes)
        ],
    }


async def box_rates(
    session: AsyncSession, operator: Operator, currency: str
) -> tuple[dict[str, Rate], bool]:
    """The operator's rates with ``currency`` among them, and whether it is a virtual one."""
    rates = await operators.load_rates(session, operator)
    if currency in rates:
        return rates, False
    virtual = await virtual_rates(await connection(session), operator.id)
    if currency not in virtual:
        raise unsupported(operator, currency)
    return {**rates, currency: virtual[currency]}, True


async def check_draft(session: AsyncSession, operator: Operator, draft: DraftIn) -> CheckedDraft:
    """Every item exists and is the operator's, every currency has a rate, W fits 32 bits; a
    box priced in a virtual currency pays no bonus (it would reach the casino's money)."""
    rates, virtual = await box_rates(session, operator, draft.currency)
    wanted = {p.item_id for p in draft.prizes if p.item_id is not None}
    found = await session.scalars(
        select(Item).where(Item.operator_id == operator.id, Item.id.in_(wanted))
    )
    items = {item.id: item for item in found}
    fields: dict[str, str] = {}
    for i, prize in enumerate(draft.prizes):
        if prize.item_id is None or len(fields) >= MAX_FIELD_ERRORS:
            continue
        item = items.get(prize.item_id)
        if item is None:
            fields[f"prizes[{i}].itemId"] = f"operator has no item {prize.item_id}"
        elif item.currency not in rates:
            fields[f"prizes[{i}].itemId"] = (
                f"item {item.id} is priced in {item.currency}, which has no rate"
            )
        elif virtual and item.type == BONUS:
            fields[f"prizes[{i}].itemId"] = (
                f"item {item.id} is a casino bonus; a box priced in the virtual currency "
                f"{draft.currency} cannot pay one (virtual currency never becomes real money)"
            )
    total = sum(p.weight for p in draft.prizes)
    if total > MAX_TOTAL_WEIGHT:
        fields["prizes"] = f"total weight {total} exceeds 2^32 ({MAX_TOTAL_WEIGHT})"
    if fields:
        raise ValidationFailed(fields=fields)
    return CheckedDraft(draft, items, rates, virtual)


async def versions_of(session: AsyncSession, box: Box) -> list[BoxVersion]:
    """Every published version of a box, oldest first."""
    stmt = select(BoxVersion).where(BoxVersion.box_id == box.id).order_by(BoxVersion.id)
    return list((await session.scalars(stmt)).all())


async def get_box(session: AsyncSession, operator: Operator, box_id: int) -> Box:
    """The operator's box; another operator's box answers as if it did not exist."""
    box = None
    if 1 <= box_id <= MAX_ID:
        box = await session.scalar(
            select(Box).where(Box.id == box_id, Box.operator_id == operator.id)
        )
    if box is None:
        raise NotFound(f"Operator {operator.slug} has no box {box_id}.")
    return box


async def box_view(session: AsyncSession, operator: Operator, box_id: int) -> BoxView:
    """The admin view of one box."""
    box = await get_box(session, operator, box_id)
    return BoxView(box, await versions_of(session, box))


async def create_box(session: AsyncSession, operator: Operator, data: BoxCreate) -> BoxView:
    """A new box with a checked draft and no version yet; the slug is unique per operator."""
    await check_draft(session, operator, data)
    now = utcnow()
    box = Box(
        operator_id=operator.id,
        name=data.name,
        slug=data.slug,
        is_active=data.is_active,
        image_url=data.image_url,
        custom_attributes=dict(data.custom_attributes),
        draft=stored_draft(data),
        created_at=now,
        updated_at=now,
    )
    message = f"Operator {operator.slug} already has a box with slug {data.slug!r}."
    session.add(box)
    try:
        await session.flush()
    except IntegrityError as exc:  # a failed flush expires every object: use nothing loaded
        raise AlreadyExists(message) from exc
    return BoxView(box, [])


async def put_draft(
    session: AsyncSession, operator: Operator, box_id: int, data: DraftIn
) -> BoxView:
    """Replace the draft; published versions are untouched until the next publish."""
    box = await get_box(session, operator, box_id)
    await check_draft(session, operator, data)
    box.draft = stored_draft(data)
    box.updated_at = utcnow()
    await session.flush()
    return BoxView(box, await versions_of(session, box))


async def update_box(
    session: AsyncSession, operator: Operator, box_id: int, data: BoxUpdate
) -> BoxView:
    """Change cosmetic fields; never creates a version."""
    box = await get_box(session, operator, box_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(box, name, value)
    box.updated_at = utcnow()
    await session.flush()
    return BoxView(box, await versions_of(session, box))


async def list_boxes(
    session: AsyncSession, operator: Operator, page: int, per_page: int
) -> tuple[list[Box], int]:
    """One page of the operator's boxes (active or not), oldest first, with the total."""
    scope = Box.operator_id == operator.id
    total = (await session.execute(select(func.count(Box.id)).where(scope))).scalar_one()
    stmt = select(Box).where(scope).order_by(Box.id).offset((page - 1) * per_page).limit(per_page)
    return list((await session.scalars(stmt)).all()), total
