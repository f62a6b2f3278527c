"""What other features ask of the catalog: which version is openable and its prize table."""

from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Box, BoxPrize, BoxVersion
from coffer.catalog.schemas import MAX_ID
from coffer.kit.errors import BoxNotPlayable, UnknownBox
from coffer.operators.models import Operator

PRIZE_CACHE_SIZE = 64

# Versions are immutable, so their prize tables can be cached; the key carries the snapshot
# hash so that a different database reusing a version id never sees another table.
_prize_cache: OrderedDict[tuple[int, str], list[BoxPrize]] = OrderedDict()


async def published_version(session: AsyncSession, box_version_id: int) -> BoxVersion:
    """Any published version by id (public: versions are not secret), else UNKNOWN_BOX."""
    version = None
    if 1 <= box_version_id <= MAX_ID:
        version = await session.get(BoxVersion, box_version_id)
    if version is None or not version.snapshot_hash:
        raise UnknownBox(f"No box version {box_version_id}.")
    return version


async def openable_version(
    session: AsyncSession, operator: Operator, box_version_id: int
) -> BoxVersion:
    """The version if it is the current version of this operator's active box."""
    row = None
    if 1 <= box_version_id <= MAX_ID:
        row = (
            await session.execute(
                select(BoxVersion, Box)
                .join(Box, Box.id == BoxVersion.box_id)
                .where(BoxVersion.id == box_version_id, BoxVersion.operator_id == operator.id)
            )
        ).one_or_none()
    if row is None:
        raise UnknownBox(f"No box version {box_version_id}.")
    version, box = row
    if not box.is_active:
        raise BoxNotPlayable(f"Box {box.id} is not active.")
    if box.current_version_id != version.id:
        raise BoxNotPlayable(
            f"Box version {version.id} was superseded by version {box.current_version_id} "
            f"of box {box.id}; refresh the box and retry."
        )
    return version


async def prize_table(session: AsyncSession, box_version_id: int) -> list[BoxPrize]:
    """The prizes in draw order (sortIndex, prizeId); cached, since versions never change.

    No tenancy check here: callers get the version from ``openable_version`` first.
    """
    version = await published_version(session, box_version_id)
    key = (version.id, version.snapshot_hash)
    cached = _prize_cache.get(key)
    if cached is None:
        stmt = (
            select(BoxPrize)
            .where(BoxPrize.box_version_id == version.id)
            .order_by(BoxPrize.sort_index, BoxPrize.id)
        )
        cached = list((await session.scalars(stmt)).all())
        for prize in cached:
            session.expunge(prize)  # detached: a later rollback of this session cannot expire it
        _prize_cache[key] = cached
        while len(_prize_cache) > PRIZE_CACHE_SIZE:
            _prize_cache.popitem(last=False)
    else:
        _prize_cache.move_to_end(key)
    return list(cached)
