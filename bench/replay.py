"""Replaying a captured purchase: as a pgbench script, with asyncpg, or with sqlite3.

Every replay sends the same statements in the same transactions as Coffer, with fresh unique
values, and each purchase's own ids taken from the rows its earlier statements returned.
"""

import asyncio
import random
import re
import sqlite3
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
from capture import PLACEHOLDER, Fresh, Ref, Script, Step

FRESH_MAX = 10**15


def _literal(value: Any) -> str:
    """A SQL literal pgbench sends as is (colons escaped: pgbench reads ``:name`` anywhere)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, datetime):
        value = value.isoformat()
    if isinstance(value, bytes):
        return "'\\x" + value.hex() + "'::bytea"
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\x3a")
    return f"E'{escaped}'"


def _expression(param: Any) -> str:
    if isinstance(param, Ref):
        return f"(:{param.name})"
    if isinstance(param, Fresh):
        pieces = [f"(:{p[0]})::text" if isinstance(p, tuple) else _literal(p) for p in param.parts]
        return "(" + " || ".join(pieces) + ")"
    return _literal(param)


def _with_values(sql: str, params: list[Any]) -> str:
    return PLACEHOLDER.sub(lambda m: _expression(params[int(m.group(1)) - 1]), sql)


def pgbench_script(script: Script) -> str:
    """The purchase as a pgbench script (``-M prepared``); one script run is one purchase."""
    lines = [f"\\set {name} random(1, {FRESH_MAX})" for name in script.fresh_names]
    lines.append("\\set player :client_id")
    for step in script.steps:
        if step.kind != "sql":
            lines.append(
                {"begin": "BEGIN;", "commit": "COMMIT;", "rollback": "ROLLBACK;"}[step.kind]
            )
            continue
        sql = " ".join(step.sql.split())
        sql = _with_values(sql, step.params)
        sql = sql.replace("::", " ::")  # keep pgbench from reading a cast as a variable
        lines.append(f"{sql} \\gset {step.sets}" if step.sets else f"{sql};")
    return "\n".join(lines) + "\n"


def _value(param: Any, fresh: dict[str, str], got: dict[str, Any]) -> Any:
    if isinstance(param, Ref):
        return got[param.name]
    if isinstance(param, Fresh):
        return "".join(fresh[p[0]] if isinstance(p, tuple) else p for p in param.parts)
    return param


def _fresh(script: Script, player: int) -> dict[str, str]:
    values = {name: str(random.randint(1, FRESH_MAX)) for name in script.fresh_names}
    values["player"] = str(player)
    return values


def _keep(step: Step, row: Any, got: dict[str, Any]) -> None:
    if step.sets and row is not None:
        for column, value in zip(row.keys(), row.values(), strict=True):
            got[f"{step.sets}{column}"] = value


async def asyncpg_purchase(conn: asyncpg.Connection, script: Script, player: int) -> None:
    """One purchase: the same statements, prepared (asyncpg caches them), same transactions."""
    fresh, got = _fresh(script, player), dict[str, Any]()
    transaction = None
    for step in script.steps:
        if step.kind == "begin":
            transaction = conn.transaction()
            await transaction.start()
        elif step.kind in ("commit", "rollback"):
            assert transaction is not None
            await (transaction.commit() if step.kind == "commit" else transaction.rollback())
        else:
            args = [_value(p, fresh, got) for p in step.params]
            rows = await conn.fetch(step.sql, *args)
            _keep(step, rows[0] if len(rows) == 1 else None, got)


def sqlite_purchase(conn: sqlite3.Connection, script: Script, player: int) -> None:
    """One purchase on SQLite (autocommit mode, explicit BEGIN and COMMIT as Coffer's driver)."""
    fresh, got = _fresh(script, player), dict[str, Any]()
    for step in script.steps:
        if step.kind != "sql":
            conn.execute(step.sql or step.kind.upper())
            continue
        args = [_value(p, fresh, got) for p in step.params]
        cursor = conn.execute(step.sql, args)
        rows = cursor.fetchall()
        if step.sets and cursor.description is None:
            got[f"{step.sets}id"] = cursor.lastrowid
        elif step.sets and len(rows) == 1:
            for column, value in zip([d[0] for d in cursor.description], rows[0], strict=True):
                got[f"{step.sets}{column}"] = value


async def asyncpg_loop(
    dsn: str, script: Script, players: list[int], seconds: float
) -> tuple[int, float, list[float]]:
    """Each client purchases for its own player until time is up: (purchases, elapsed, ms)."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(player: int) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                await asyncpg_purchase(conn, script, player)
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            await conn.close()

    started = time.monotonic()
    await asyncio.gather(*(client(p) for p in players))
    return len(latencies), time.monotonic() - started, latencies


def sqlite_loop(
    path: str, script: Script, players: list[int], seconds: float
) -> tuple[int, float, list[float]]:
    """The SQLite baseline: one thread per client, each with its own connection."""
    import threading

    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def client(player: int) -> None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA busy_timeout=30000")
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                sqlite_purchase(conn, script, player)
            except sqlite3.OperationalError:
                conn.execute("ROLLBACK")
                continue
            latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(p,)) for p in players]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), time.monotonic() - started, latencies


def asyncpg_dsn(url: str) -> str:
    return re.sub(r"^postgresql\+asyncpg://", "postgresql://", url)
