"""Public fairness routes: the exact snapshot bytes whose sha256 a version publishes, and a
round's draw values for anyone to recompute (SPEC §10)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from coffer.api.deps import DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import PublicId
from coffer.catalog import service
from coffer.fairness.algorithm import ALGORITHM_KEY
from coffer.kit.schemas import iso_z
from coffer.loot.containers import public_open
from coffer.rounds.public import public_round

router = APIRouter(prefix="/fairness", tags=["fairness"])

SNAPSHOT_DOC: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The canonical snapshot bytes; sha256 of the body is X-Snapshot-Hash.",
        # The bytes as published (their hash is the commitment), so an object of any shape.
        "content": {"application/json": {"schema": {"type": "object"}}},
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


@router.get("/rounds/{publicId}", responses=errors_for(404, 422))
async def get_round(session: DbSession, public_id: PublicId) -> dict[str, Any]:
    """A round's committed seed hash, client seed, nonce, and each reel's ticket and prize; the
    server seed once the player rotated it (revealed). Check it with ``coffer verify``."""
    found = await public_round(session, public_id)
    return {
        "round": {
            "publicId": found.public_id,
            "status": found.status,
            "settledAt": None if found.settled_at is None else iso_z(found.settled_at),
            "algorithmKey": found.algorithm_key,
            "serverSeedHash": found.server_seed_hash,
            "serverSeed": found.server_seed,
            "clientSeed": found.client_seed,
            "nonce": found.nonce,
            "reels": [
                {
                    "reelIndex": r.reel_index,
                    "boxVersionId": r.box_version_id,
                    "snapshotHash": r.snapshot_hash,
                    "snapshotUrl": f"/fairness/box-version/{r.box_version_id}/snapshot",
                    "ticket": r.ticket,
                    "prizeId": r.prize_id,
                }
                for r in found.reels
            ],
        }
    }


@router.get("/container-opens/{publicId}", responses=errors_for(404, 422))
async def get_container_open(session: DbSession, public_id: PublicId) -> dict[str, Any]:
    """A container open's draw values, like a round's: check it with ``coffer verify``
    against its snapshot once the player rotated the seed."""
    found = await public_open(session, public_id)
    return {
        "open": {
            "openId": found.public_id,
            "algorithmKey": ALGORITHM_KEY,
            "serverSeedHash": found.server_seed_hash,
            "serverSeed": found.server_seed,
            "clientSeed": found.client_seed,
            "nonce": found.nonce,
            "ticket": found.ticket,
            "prizeId": found.prize_id,
            "snapshotHash": found.snapshot_hash,
            "snapshotUrl": f"/fairness/container-opens/{found.public_id}/snapshot",
        }
    }


@router.get(
    "/container-opens/{publicId}/snapshot",
    response_class=Response,
    responses={**SNAPSHOT_DOC, **errors_for(404, 422)},
)
async def get_container_snapshot(session: DbSession, public_id: PublicId) -> Response:
    """The drop table exactly as the open drew from it, byte for byte as hashed."""
    found = await public_open(session, public_id)
    return Response(
        content=found.snapshot.encode("utf-8"),
        media_type="application/json",
        headers={"X-Snapshot-Hash": found.snapshot_hash},
    )
