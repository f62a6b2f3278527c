"""Admin API: the operator's webhook events, their attempts, and redelivery (SPEC §9, §13)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.kit.schemas import PlayerExternalId, clean_text
from coffer.webhooks import service
from coffer.webhooks.outbox import EVENT_TYPES
from coffer.webhooks.schemas import EventDetail, EventPage

router = APIRouter(prefix="/api/admin/operators/{slug}/webhooks", tags=["admin: webhooks"])

EventId = Annotated[
    str, Path(alias="eventId", min_length=1, max_length=32), AfterValidator(clean_text)
]
Status = Literal["pending", "delivered", "failed"]
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


@router.get("/events", responses=errors_for(401, 403, 404))
async def list_events(
    operator: AdminOperator,
    session: DbSession,
    status: Annotated[Status | None, Query()] = None,
    kind: Annotated[EventType | None, Query(alias="type")] = None,
    player_external_id: Annotated[PlayerExternalId | None, Query(alias="playerExternalId")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> EventPage:
    """Events newest first; filter by status, type or player; page with ``cursor.next``."""
    query = service.EventQuery(status, kind, player_external_id, limit, cursor)
    return await service.list_events(session, operator, query)


@router.get("/events/{eventId}", responses=errors_for(401, 403, 404))
async def get_event(event_id: EventId, operator: AdminOperator, session: DbSession) -> EventDetail:
    """One event, its exact payload and every delivery attempt (answer bodies cut to 1 KB)."""
    return await service.get_event(session, operator, event_id)


@router.post("/events/{eventId}/redeliver", responses=errors_for(401, 403, 404, 409))
async def redeliver(event_id: EventId, operator: AdminOperator, session: DbSession) -> EventDetail:
    """Queue the event for delivery now, with a fresh retry window (delivered or failed too)."""
    event = await service.redeliver(session, operator, event_id)
    await session.commit()
    return event
