"""Admin: one player's whole picture, and the wallet instructions a person must reconcile."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import StringConstraints

from coffer.api.deps import AdminOperator, DbSession, RuntimeDep
from coffer.api.openapi import errors_for
from coffer.inventory.listing import vault_row
from coffer.kit.cursors import encode_keyset
from coffer.kit.paging import next_id
from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel, PlayerExternalId, SafeText, iso_z
from coffer.ledger import queries
from coffer.players import service as players
from coffer.rounds.models import Round
from coffer.seamless.models import WalletAttempt, WalletInstruction
from coffer.staff import review
from coffer.staff.players import Below, player_picture

router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: players"])
InstructionId = Annotated[int, Path(alias="instructionId", ge=1, le=JSON_SAFE_MAX)]
ExternalId = Annotated[PlayerExternalId, Path(alias="externalId")]


class SettleOutside(ApiModel):
    """Why the money was reconciled outside Coffer (kept with the instruction)."""

    note: Annotated[SafeText, StringConstraints(min_length=3, max_length=500)]


def _attempt(a: WalletAttempt) -> dict[str, Any]:
    return {
        "number": a.number,
        "outcome": a.outcome,
        "httpStatus": a.http_status,
        "latencyMs": a.latency_ms,
        "detail": a.detail,
        "requestId": a.request_id,
        "at": iso_z(a.created_at),
    }


def _instruction(
    i: WalletInstruction, attempts: list[WalletAttempt] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": i.id,
        "kind": i.kind,
        "rpc": i.rpc,
        "idempotencyKey": i.idempotency_key,
        "roundPublicId": i.round_public_id,
        "inventoryItemId": i.inventory_item_id,
        "amountMinor": i.amount_minor,
        "currency": i.currency,
        "state": i.state,
        "attempts": i.attempts,
        "lastError": i.last_error,
        "refusalCode": i.refusal_code,
        "createdAt": iso_z(i.created_at),
        "resolvedAt": iso_z(i.resolved_at) if i.resolved_at else None,
        "requestId": i.request_id,  # the X-Request-Id (or job pass) that wrote it
    }
    if attempts is not None:
        body["attemptLog"] = [_attempt(a) for a in attempts]
    return body


def _round(r: Round) -> dict[str, Any]:
    return {
        "publicId": r.public_id,
        "status": r.status,
        "mode": r.mode,
        "funding": r.funding,
        "betMinor": r.bet_minor,
        "payoutMinor": r.payout_minor,
        "currency": r.currency,
        "createdAt": iso_z(r.created_at),
    }


PictureCursor = Annotated[str | None, Query(max_length=200)]


@router.get("/players/{externalId}", responses=errors_for(401, 403, 404, 422))
async def get_player(
    external_id: ExternalId,
    operator: AdminOperator,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    inventory_cursor: Annotated[PictureCursor, Query(alias="inventoryCursor")] = None,
    rounds_cursor: Annotated[PictureCursor, Query(alias="roundsCursor")] = None,
    instructions_cursor: Annotated[PictureCursor, Query(alias="instructionsCursor")] = None,
) -> dict[str, Any]:
    """The player's newest vault items, rounds and wallet instructions (with every attempt),
    each list paged by its own ``cursor``, and every instruction that may need a person."""
    below = Below(
        next_id(inventory_cursor, "inventoryCursor"),
        next_id(rounds_cursor, "roundsCursor"),
        next_id(instructions_cursor, "instructionsCursor"),
    )
    seen = await player_picture(session, operator, external_id, below, limit)
    return {
        "player": {"externalId": seen.external_id, "createdAt": iso_z(seen.created_at)},
        "inventory": [
            vault_row(row, item, row.round_public_id, operator.policies) for row, item in seen.items
        ],
        "rounds": [_round(r) for r in seen.rounds],
        "walletInstructions": [_instruction(i, a) for i, a in seen.instructions],
        "needsAttention": [_instruction(i, a) for i, a in seen.attention],
        "needsAttentionMore": seen.attention_cut,  # the oldest 200 are listed; more wait
        "cursor": {
            "inventory": _older(seen.more.items),
            "rounds": _older(seen.more.rounds),
            "walletInstructions": _older(seen.more.instructions),
        },
    }


def _older(last: int | None) -> str | None:
    return None if last is None else encode_keyset("next", last)


@router.get("/wallet/instructions/review", responses=errors_for(401, 403, 404))
async def instructions_in_review(
    operator: AdminOperator, session: DbSession, runtime: RuntimeDep
) -> dict[str, Any]:
    """What needs a person: rollbacks the wallet refused (money held, state ``review``) and
    instructions unresolved for longer than ``COFFER_WALLET_ATTENTION_HOURS`` (still retried)."""
    window = timedelta(hours=runtime.settings.wallet_attention_hours)
    found = await review.in_review(session, operator, window)
    return {"instructions": [_instruction(i) for i in found]}


@router.post("/wallet/instructions/{instructionId}/retry", responses=errors_for(401, 403, 404, 409))
async def retry_instruction(
    instruction_id: InstructionId, operator: AdminOperator, session: DbSession
) -> dict[str, Any]:
    """Send it again now (the resolver takes it on its next pass)."""
    instruction = await review.retry_now(session, operator, instruction_id)
    await session.commit()
    return _instruction(instruction)


@router.post(
    "/wallet/instructions/{instructionId}/settle-outside", responses=errors_for(401, 403, 404, 409)
)
async def settle_instruction_outside(
    instruction_id: InstructionId,
    body: SettleOutside,
    operator: AdminOperator,
    session: DbSession,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    """Close it as settled outside Coffer, with a note; its round is voided."""
    instruction = await review.settle_outside(
        session, runtime.gateway, operator, instruction_id, body.note
    )
    await session.commit()
    return _instruction(instruction)


@router.get("/players/{externalId}/postings", responses=errors_for(401, 403, 404, 422))
async def player_postings(
    external_id: ExternalId,
    operator: AdminOperator,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """The player's virtual-currency postings, newest first; page with ``cursor.next``."""
    player = await players.get_player(session, operator, external_id)
    found = await queries.player_postings(session, player.id, next_id(cursor), limit + 1)
    page = found[:limit]
    for posting in page:
        posting["at"] = iso_z(posting["at"])  # type: ignore[arg-type]
    last = page[-1]["id"] if page and len(found) > limit else None
    return {
        "postings": page,
        "cursor": {"next": _older(None if last is None else int(str(last)))},
    }
