"""What other features ask of the catalog outside the purchase path (which reads
``catalog.cards``): a published version by id."""

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import BoxVersion
from coffer.catalog.schemas import MAX_ID
from coffer.kit.errors import UnknownBox


async def published_version(session: AsyncSession, box_version_id: int) -> BoxVersion:
    """Any published version by id (public: versions are not secret), else UNKNOWN_BOX."""
    version = None
    if 1 <= box_version_id <= MAX_ID:
        version = await session.get(BoxVersion, box_version_id)
    if version is None or not version.snapshot_hash:
        raise UnknownBox(f"No box version {box_version_id}.")
    return version
