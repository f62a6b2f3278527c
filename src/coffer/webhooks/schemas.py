"""Admin API shapes for webhook events and their delivery attempts."""

from typing import Any

from coffer.kit.schemas import ApiModel, UtcTime


class AttemptOut(ApiModel):
    attempted_at: UtcTime
    http_status: int | None
    latency_ms: int
    error: str | None
    response_body: str | None


class EventOut(ApiModel):
    """An outbox event: ``payload`` is the exact body POSTed on every attempt."""

    id: str
    type: str
    status: str
    player_external_id: str | None
    attempts: int
    next_attempt_at: UtcTime | None
    last_error: str | None
    created_at: UtcTime
    delivered_at: UtcTime | None
    payload: dict[str, Any]


class EventDetail(EventOut):
    attempt_log: list[AttemptOut]


class EventCursor(ApiModel):
    next: str | None


class EventPage(ApiModel):
    events: list[EventOut]
    cursor: EventCursor
