"""Every change made through the admin API (and so the back office) lands in the audit log in
the transaction that makes it: who, which call, the body sent (credentials masked), and each
row it changed with its fields before and after, read from the ORM's own change history.

A use case that writes its own, richer entry (limits, kill switches, privacy) is left to it.
Rows written with Core statements (a publish's prize rows, a key's revocation) have no ORM
history: an insert is recorded with the values it sent; a delete with the rows its WHERE
matched, read just before it runs; an update with the fields it changed, those rows read again at
commit. Personal data (addresses, contacts, webhook bodies) stays in its own tables, where
erasure finds it, and is masked here like credentials.
"""

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Delete, Insert, Table, Update, and_, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from coffer.audit.models import AuditEntry
from coffer.kit.db import utcnow
from coffer.operators.models import Operator

MASKED = ("secret", "token", "password", "sealed", "hash", "address", "contact", "body")
MAX_ROWS = 50
UNREAD = {"row": "unread"}  # rows the trail could not read: the call goes on regardless
logger = logging.getLogger(__name__)


def watch(
    session: Session, actor: str, operator: int | str | None, call: tuple[str, str, bytes]
) -> None:
    """Record the changes this session commits; ``operator`` is its id or its slug, ``call``
    is (action, path, body)."""
    trail = _Trail(actor, operator, call)
    event.listen(session, "before_flush", trail.before_flush)
    event.listen(session, "do_orm_execute", trail.on_execute)
    event.listen(session, "before_commit", trail.before_commit)


class _Trail:
    """One call's changes, gathered as the session flushes and executes, written at commit."""

    def __init__(self, actor: str, operator: int | str | None, call: tuple[str, str, bytes]):
        self.actor, self.operator, self.call = actor, operator, call
        self.changes: list[dict[str, Any]] = []
        self.updated: list[tuple[Table, dict[str, Any], dict[str, Any]]] = []  # table, key, change
        self.created: list[Operator] = []

    def before_flush(self, sync: Session, _context: object, _instances: object) -> None:
        self.created.extend(row for row in sync.new if isinstance(row, Operator))
        for row in [*sync.new, *sync.dirty, *sync.deleted][:MAX_ROWS]:
            if not isinstance(row, AuditEntry):
                self.changes.append(_change(row, row in sync.new, row in sync.deleted))

    def on_execute(self, state: ORMExecuteState) -> None:
        writes = state.is_insert or state.is_update or state.is_delete
        if len(self.changes) >= MAX_ROWS or not writes:
            return
        try:
            if state.is_insert:
                self.changes.extend(_inserted(state))
                return
            table, rows = _matched(state)
        except Exception:  # the audit never fails the change it records
            logger.warning("audit: could not read a statement's rows", exc_info=True)
            self.changes.append({"before": UNREAD, "after": UNREAD})
            return
        for keys, row in rows:
            change = {"before": row, "after": {"row": row["row"]}}
            self.changes.append(change)
            if state.is_update and keys:
                self.updated.append((table, keys, change))

    def before_commit(self, sync: Session) -> None:
        if sync.info.pop("audited", False) or sync.info.get("trail_written"):
            return
        for table, keys, change in self.updated:
            try:
                change["before"], change["after"] = _reread(sync, table, keys, change["before"])
            except Exception:
                logger.warning("audit: could not read an updated row again", exc_info=True)
        sync.info["trail_written"] = True  # one entry per call, however often it commits
        action, path, body = self.call
        operator_id = (  # a slug is looked up in the commit's own transaction
            sync.scalar(select(Operator.id).where(Operator.slug == self.operator))
            if isinstance(self.operator, str)
            else self.operator
        )
        if operator_id is None:  # a new operator's entry belongs to it
            operator_id = next((o.id for o in self.created if o.id is not None), None)
        changes = self.changes
        sync.add(
            AuditEntry(
                operator_id=operator_id, actor=self.actor[:200], action=action[:64],
                subject=path[:200], before={"rows": [c["before"] for c in changes]},
                after={"request": _masked(body), "rows": [c["after"] for c in changes]},
                created_at=utcnow(),
            )
        )  # fmt: skip


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


def _inserted(state: ORMExecuteState) -> list[dict[str, Any]]:
    """An insert's rows as the values it sent (a multi-row insert: each parameter set)."""
    statement = cast(Insert, state.statement)
    name = f"{statement.table.name}:new"
    sent = state.parameters
    if isinstance(sent, Mapping) and sent:
        rows: Sequence[Mapping[str, Any]] = [sent]
    elif isinstance(sent, Sequence) and sent:
        rows = sent
    else:  # values given inline; a column left to its default compiles as None: not shown
        defaulted = {c.key for c in statement.table.columns if c.default or c.server_default}
        inline = statement.compile().params.items()
        rows = [{k: v for k, v in inline if not (v is None and k in defaulted)}]
    return [
        {
            "before": {"row": name},
            "after": {"row": name, **{k: _plain(k, v) for k, v in row.items()}},
        }
        for row in rows[:MAX_ROWS]
    ]


def _matched(state: ORMExecuteState) -> tuple[Table, list[tuple[dict[str, Any], dict[str, Any]]]]:
    """The rows an update or delete is about to touch, read with its own WHERE and parameters,
    each with its primary key as stored."""
    statement = cast(Update | Delete, state.statement)
    mapper = state.bind_mapper  # an ORM-enabled statement's table selects as its entity
    table = cast(Table, mapper.local_table if mapper is not None else statement.table)
    sent = state.parameters
    if isinstance(sent, Sequence) and len(sent) > 1:  # executemany: one WHERE per parameter set
        return table, [({}, {"row": f"{table.name}:many", "statements": len(sent)})]
    params: dict[str, Any] = {}
    if isinstance(sent, Mapping):
        params = dict(sent)
    elif sent:
        params = dict(sent[0])
    query = select(table).limit(MAX_ROWS)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    found = state.session.execute(query, params).mappings()
    pk = [column.key for column in table.primary_key.columns]
    return table, [({k: row[k] for k in pk}, _row(table, dict(row))) for row in found]


def _reread(
    sync: Session, table: Table, keys: dict[str, Any], read: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An updated row's changed fields before the update and as they stand at commit."""
    where = [column == keys[column.key] for column in table.primary_key.columns]
    found = sync.execute(select(table).where(and_(*where))).mappings().first()
    if found is None:
        return read, {"row": read["row"]}
    now = _row(table, dict(found))
    changed = {key for key, value in now.items() if read.get(key) != value} | {"row"}
    return (
        {key: value for key, value in read.items() if key in changed},
        {key: value for key, value in now.items() if key in changed},
    )


def _row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    ids = ",".join("…" if _secret(c.key) else str(values[c.key]) for c in table.primary_key.columns)
    return {"row": f"{table.name}:{ids}", **{k: _plain(k, v) for k, v in values.items()}}


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
