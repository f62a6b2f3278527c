"""Admin: the operator's audit log, newest first, for the back office and for auditors."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.audit.models import AuditEntry
from coffer.audit.service import entries
from coffer.kit.cursors import encode_keyset
from coffer.kit.paging import next_id
from coffer.kit.schemas import iso_z

router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: audit"])


def _entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "before": entry.before,
        "after": entry.after,
        "requestId": entry.request_id,
        "createdAt": iso_z(entry.created_at),
    }


@router.get("/audit", responses=errors_for(401, 403, 404))
async def audit_log(
    operator: AdminOperator,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Who changed what, newest first; page with ``cursor.next`` until it is null."""
    found = await entries(session, operator.id, next_id(cursor), limit + 1)
    page = found[:limit]
    more = len(found) > limit
    return {
        "entries": [_entry(entry) for entry in page],
        "cursor": {"next": encode_keyset("next", page[-1].id) if more else None},
    }
