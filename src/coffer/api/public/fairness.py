"""Public fairness routes: the exact snapshot bytes whose sha256 a version publishes."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from coffer.api.deps import DbSession
from coffer.api.openapi import errors_for
from coffer.catalog import service

router = APIRouter(prefix="/fairness", tags=["fairness"])

SNAPSHOT_DOC: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The canonical snapshot bytes; sha256 of the body is X-Snapshot-Hash.",
        "content": {"application/json": {}},
    }
}


@router.get(
    "/box-version/{boxVersionId}/snapshot",
    response_class=Response,
    responses={**SNAPSHOT_DOC, **errors_for(404, 422)},
)
async def get_snapshot(
    session: DbSession, box_version_id: Annotated[int, Path(alias="boxVersionId")]
) -> Response:
    """The exact published snapshot of a box version, byte for byte as hashed."""
    version = await service.published_version(session, box_version_id)
    return Response(
        content=version.snapshot.encode("utf-8"),
        media_type="application/json",
        headers={"X-Snapshot-Hash": version.snapshot_hash},
    )
