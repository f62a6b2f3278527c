"""Every change made through the admin API (and so the back office) lands in the audit log in
the transaction that makes it: who, which call, the body sent (credentials masked), and each
row it changed with its fields before and after, read from the ORM's own change history.

A use case that writes its own, richer entry (limits, kill switches, privacy) is left to it.
Rows written with Core statements (an upsert of a rate, say) have no ORM history: their entry
holds the call and its body, with no rows.
"""

import json
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from coffer.audit.models import AuditEntry
from coffer.kit.db import utcnow
from coffer.operators.models import Operator

MASKED = ("secret", "token", "password", "sealed", "hash")
MAX_ROWS = 50


def watch(
    session: Session, actor: str, operator: int | str | None, call: tuple[str, str, bytes]
) -> None:
    """Record the changes this session commits; ``operator`` is its id or its slug, ``call``
    is (action, path, body)."""
    changes: list[dict[str, Any]] = []

    created: list[Operator] = []

    def before_flush(sync: Session, _context: object, _instances: object) -> None:
        created.extend(row for row in sync.new if isinstance(row, Operator))
        for row in [*sync.new, *sync.dirty, *sync.deleted][:MAX_ROWS]:
            if not isinstance(row, AuditEntry):
                changes.append(_change(row, row in sync.new, row in sync.deleted))

    def before_commit(sync: Session) -> None:
        if sync.info.pop("audited", False) or sync.info.get("trail_written"):
            return
        sync.info["trail_written"] = True  # one entry per call, however often it commits
        action, path, body = call
        operator_id = (  # a slug is looked up in the commit's own transaction
            sync.scalar(select(Operator.id).where(Operator.slug == operator))
            if isinstance(operator, str)
            else operator
        )
        if operator_id is None:  # a new operator's entry belongs to it
            operator_id = next((o.id for o in created if o.id is not None), None)
        sync.add(
            AuditEntry(
                operator_id=operator_id, actor=actor[:200], action=action[:64],
                subject=path[:200], before={"rows": [c["before"] for c in changes]},
                after={"request": _masked(body), "rows": [c["after"] for c in changes]},
                created_at=utcnow(),
            )
        )  # fmt: skip

    event.listen(session, "before_flush", before_flush)
    event.listen(session, "before_commit", before_commit)


def _change(row: Any, new: bool, deleted: bool) -> dict[str, Any]:
    state = inspect(row)
    name = f"{state.mapper.local_table.name}:{state.identity[0] if state.identity else 'new'}"
    before: dict[str, Any] = {"row": name}
    after: dict[str, Any] = {"row": name}
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        history = state.attrs[key].history
        if not (new or deleted or history.has_changes()):
            continue
        if not new:
            before[key] = _plain(key, (history.deleted or history.unchanged or [None])[0])
        if not deleted:
            after[key] = _plain(key, (history.added or history.unchanged or [None])[0])
    return {"before": before, "after": after}


def _plain(key: str, value: Any) -> Any:
    """JSON-ready, with sealed secrets and token hashes masked."""
    if value is not None and any(word in key for word in MASKED):
        return "…"
    return json.loads(json.dumps(value, default=str))


def _masked(body: bytes) -> Any:
    try:
        parsed = json.loads(body) if body.strip() else None
    except ValueError:
        return f"({len(body)} bytes, not JSON)"
    return _mask(parsed)


def _secret(key: str) -> bool:
    return any(word in key.lower() for word in MASKED)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "…" if any(w in k.lower() for w in MASKED) else _mask(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask(v) for v in value[:100]]
    return value
