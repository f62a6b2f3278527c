"""Admin: a day's reconciliation statement, and the wallet's CSV export compared with it.

Lines are paged (``limit`` ≤ 1000, ascending id, opaque ``cursor.next``); the totals always
cover the whole day. The comparison always covers every line of the day, whatever the page;
it lists the first 1000 differences by key and counts them all (``differenceCount``). The CSV
is capped by the admin body limit (``COFFER_ADMIN_BODY_LIMIT_BYTES``, 4 MiB by default: about
30,000 rows); ``coffer reconcile --wallet-csv`` has no such cap.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.kit.errors import ValidationFailed
from coffer.reconcile.shapes import reconciliation_json, statement_json
from coffer.reconcile.statement import DEFAULT_LIMIT, MAX_LIMIT, parse_day, reconcile, statement
from coffer.reconcile.walletcsv import HEADER, parse_wallet_export

router = APIRouter(prefix="/api/admin/operators/{slug}", tags=["admin: reconciliation"])
Day = Annotated[str, Query(min_length=1, max_length=32, description="The UTC day, YYYY-MM-DD.")]
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=0, le=MAX_LIMIT, description="Lines per page (0: totals only).")]
CSV_TYPES = ("text/csv", "text/plain")
CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": f"The wallet's export: a header line {','.join(HEADER)}, then one row "
        "per instruction the wallet accepted.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("/reconciliation", responses=errors_for(401, 403, 404))
async def get_statement(
    day: Day,
    operator: AdminOperator,
    session: DbSession,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Every wallet instruction of a UTC day (key, amount, outcome) and the totals debited,
    credited and rolled back per currency."""
    found = await statement(session, operator.id, parse_day(day), cursor, limit)
    return statement_json(found, operator.slug)


@router.post("/reconciliation", responses=errors_for(401, 403, 404), openapi_extra=CSV_BODY)
async def compare_with_wallet(
    day: Day,
    request: Request,
    operator: AdminOperator,
    session: DbSession,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The statement plus every key on which the wallet's CSV export disagrees with Coffer
    (``agrees`` is true when there is none)."""
    chosen = parse_day(day)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in CSV_TYPES:
        raise ValidationFailed(
            "Send the wallet's export as the body, with Content-Type: text/csv.",
            fields={"body": "a text/csv wallet export"},
        )
    rows = parse_wallet_export(await request.body())
    found = await reconcile(session, operator.id, chosen, rows, cursor, limit)
    return reconciliation_json(found, operator.slug)
