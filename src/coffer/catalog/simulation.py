"""The RTP simulator's inputs: a published version's or a draft's odds, valued exactly as
publishing values them (SPEC §5), so the simulator's exact RTP is 10000 - houseEdgeBps."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.boxes import check_draft, get_box
from coffer.catalog.models import BoxPrize, BoxVersion
from coffer.catalog.publish import checked_edge, prize_values
from coffer.catalog.schemas import MAX_ID, DraftIn
from coffer.fairness.simulation import Odds
from coffer.kit.errors import UnknownBox
from coffer.operators.models import Operator


@dataclass(frozen=True, slots=True)
class Priced:
    """Odds with the facts a simulation's reader sees beside them."""

    odds: Odds
    currency: str
    house_edge_bps: int
    box_id: int
    version_number: int | None  # None: the draft, not yet published


async def version_odds(session: AsyncSession, version_id: int) -> Priced:
    """A published version's prizes in draw order (sortIndex, prizeId) with their frozen values."""
    version = await session.get(BoxVersion, version_id) if 1 <= version_id <= MAX_ID else None
    if version is None or not version.snapshot_hash:
        raise UnknownBox(f"No box version {version_id}.")
    rows = await session.execute(
        select(BoxPrize.weight, BoxPrize.value_minor)
        .where(BoxPrize.box_version_id == version_id)
        .order_by(BoxPrize.sort_index, BoxPrize.id)
    )
    prizes = tuple((weight, value) for weight, value in rows)
    return Priced(
        Odds(version.price_minor, prizes),
        version.currency,
        version.house_edge_bps,
        version.box_id,
        version.version_number,
    )


async def draft_odds(session: AsyncSession, operator: Operator, box_id: int) -> Priced:
    """The operator's draft as publishing would freeze it now: checked (422 with fields, like a
    publish), items valued at today's rates, in the order publishing would draw them."""
    box = await get_box(session, operator, box_id)
    checked = await check_draft(session, operator, DraftIn.model_validate(box.draft))
    values = prize_values(checked)
    edge = checked_edge(checked.draft, values)
    draft = checked.draft
    keyed = [
        (i if prize.sort_index is None else prize.sort_index, i, prize.weight, value)
        for i, (prize, value) in enumerate(zip(draft.prizes, values, strict=True))
    ]
    prizes = tuple((weight, value) for _, _, weight, value in sorted(keyed))
    return Priced(Odds(draft.price_minor, prizes), draft.currency, edge, box.id, None)
