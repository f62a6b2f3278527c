"""The purchase's exact SQL, captured from a real purchase, replayable as a baseline.

A statement listener records every statement, its DBAPI parameters and the rows it returned, and
every BEGIN, COMMIT and pool liveness ping, while one signed purchase runs through the real app.
Values that must differ on every replay become variables: ULIDs and the clientActionId become
fresh random numbers, the player becomes the replaying client's own, and ids an earlier statement
returned are taken from that statement's rows (``\\gset`` in pgbench). The result replays in
pgbench (``pgbench_script``) or in a plain asyncpg loop (``AsyncpgReplay``), so the baseline can
never drift from the code it measures.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
PLACEHOLDER = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Fresh:
    """A string whose ``{name}`` parts are filled with this replay's values."""

    parts: tuple[str | tuple[str], ...]  # a literal piece, or (variable name,)


@dataclass(frozen=True)
class Ref:
    """A value an earlier statement of the same purchase returned."""

    name: str


Param = Any  # a literal DBAPI value, a Fresh string or a Ref


@dataclass
class Step:
    """BEGIN, COMMIT, or one statement with its parameters and the variables it sets."""

    kind: str  # "begin", "commit", "rollback" or "sql"
    sql: str = ""
    params: list[Param] = field(default_factory=list)
    sets: str | None = None  # the prefix of the variables its one returned row sets


@dataclass
class Script:
    """One purchase: its steps, and how many database round trips Coffer made for it."""

    steps: list[Step]
    round_trips: int
    pings: int

    @property
    def statements(self) -> int:
        return sum(1 for s in self.steps if s.kind == "sql")

    @property
    def fresh_names(self) -> list[str]:
        names = {
            part[0]
            for step in self.steps
            for p in step.params
            if isinstance(p, Fresh)
            for part in p.parts
            if isinstance(part, tuple)
        }
        return sorted(names - {"player"})


@dataclass
class _Raw:
    kind: str
    sql: str = ""
    params: tuple[Any, ...] = ()
    columns: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)


class Recorder:
    """Engine listeners that keep what a purchase sent; ``script`` turns it into steps."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.raw: list[_Raw] = []
        self.pings = 0
        self.on = False

    def __enter__(self) -> "Recorder":
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        event.listen(self.engine, "after_cursor_execute", self._after)
        event.listen(self.engine.pool, "checkout", self._checkout)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)
        event.remove(self.engine, "after_cursor_execute", self._after)
        event.remove(self.engine.pool, "checkout", self._checkout)

    def _begin(self, _conn: Any) -> None:
        if self.on:
            self.raw.append(_Raw("begin"))

    def _commit(self, _conn: Any) -> None:
        if self.on:
            self.raw.append(_Raw("commit"))

    def _rollback(self, _conn: Any) -> None:
        if self.on:
            self.raw.append(_Raw("rollback"))

    def _checkout(self, *_args: Any) -> None:
        if self.on and self.engine.pool._pre_ping:
            self.pings += 1

    def _after(self, _c: Any, cursor: Any, sql: str, params: Any, _x: Any, many: bool) -> None:
        if not self.on:
            return
        if sql.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE: the begin's own
            begins = [r for r in self.raw if r.kind == "begin"]
            if begins:
                begins[-1].sql = sql
            return
        columns = tuple(d[0] for d in cursor.description or ())
        # The asyncpg and aiosqlite adapters fetch every row up front; peek without consuming.
        rows = [tuple(r) for r in getattr(cursor, "_rows", [])] if columns else []
        if not columns and not many and sql.lstrip().startswith("INSERT") and cursor.lastrowid:
            columns, rows = ("id",), [(cursor.lastrowid,)]  # SQLite: the id comes as lastrowid
        for one in params if many else [params]:
            self.raw.append(_Raw("sql", sql, tuple(one or ()), columns, rows))

    def script(self, tokens: dict[str, str], purchases: int = 1) -> Script:
        """The last purchase recorded as steps; ``tokens`` maps known values to variables."""
        trips = sum(1 for r in self.raw if r.kind in ("sql", "begin", "commit", "rollback"))
        steps = _steps(self.raw, tokens)
        return Script(steps, (trips + self.pings) // purchases, self.pings // purchases)


TABLE_OF_COLUMN = {"instruction_id": "wallet_instructions", "seed_pair_id": "seed_pairs"}
STATEMENT_TABLE = re.compile(r"^\s*(?:INSERT INTO|UPDATE|SELECT .*? FROM)\s+(\w+)", re.S)
INSERT_COLUMNS = re.compile(r"^\s*INSERT INTO \w+ \(([^)]*)\) VALUES", re.S)
COMPARED = re.compile(r"([\w.]+)\s*=\s*\(?\s*$")


def _table_of(column: str, table: str | None) -> str | None:
    """Which table's id a column holds: ``id`` its own, ``round_id`` the rounds'."""
    if "." in column:
        table, column = column.rsplit(".", 1)
    if column == "id":
        return table
    if column.endswith("_id"):
        return TABLE_OF_COLUMN.get(column, column[:-3] + "s")
    return None


def _param_tables(sql: str) -> list[str | None]:
    """For each placeholder in order, the table whose id it holds (None: not an id)."""
    own = STATEMENT_TABLE.match(sql)
    table = own.group(1) if own else None
    spots = [(m.start(), m.group(0)) for m in re.finditer(r"\$\d+|\?", sql)]
    inserted = INSERT_COLUMNS.match(sql)
    if inserted:
        columns = [c.strip() for c in inserted.group(1).split(",")]
        found = {int(spot[1:]) if spot != "?" else n + 1: columns[n] for n, (_, spot) in
                 enumerate(spots) if n < len(columns)}  # fmt: skip
        return [_table_of(found.get(n + 1, ""), table) for n in range(len(spots))]
    tables: dict[int, str | None] = {}
    for n, (at, spot) in enumerate(spots):
        compared = COMPARED.search(sql[:at])
        number = int(spot[1:]) if spot != "?" else n + 1
        tables[number] = _table_of(compared.group(1), table) if compared else None
    return [tables.get(n + 1) for n in range(len(spots))]


def _steps(raw: list[_Raw], tokens: dict[str, str]) -> list[Step]:
    """Turn recorded statements into steps whose unique values are variables."""
    ulids: dict[str, str] = {}
    returned: dict[tuple[str, Any], str] = {}
    steps: list[Step] = []
    for n, r in enumerate(raw):
        if r.kind != "sql":
            steps.append(Step(r.kind, r.sql))
            continue
        tables = _param_tables(r.sql)
        params = [
            _param(p, tokens, ulids, returned.get((t, p)) if t else None)
            for p, t in zip(r.params, tables, strict=False)
        ]
        step = Step("sql", r.sql, params)
        own = STATEMENT_TABLE.match(r.sql)
        if len(r.rows) == 1 and own:
            step.sets = f"q{n}_"
            for column, value in zip(r.columns, r.rows[0], strict=True):
                held = _table_of(column, own.group(1))
                if held and isinstance(value, int):
                    returned.setdefault((held, value), f"q{n}_{column}")
        steps.append(step)
    return steps


def _param(value: Any, tokens: dict[str, str], ulids: dict[str, str], ref: str | None) -> Param:
    if ref is not None:
        return Ref(ref)
    if not isinstance(value, str):
        return value
    for found in ULID.findall(value):
        ulids.setdefault(found, f"u{len(ulids)}")
    pattern = "|".join(re.escape(t) for t in [*ulids, *tokens])
    if not pattern or not re.search(pattern, value):
        return value
    names = {**ulids, **tokens}
    parts: list[str | tuple[str]] = []
    last = 0
    for match in re.finditer(pattern, value):
        parts += [value[last : match.start()], (names[match.group(0)],)]
        last = match.end()
    parts.append(value[last:])
    return Fresh(tuple(p for p in parts if p != ""))
