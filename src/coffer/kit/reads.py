"""Whole-row reads on the hot paths, answered as detached model instances.

The ORM's own load (``session.get``, ``select(Model)``) costs about 250 µs of CPU per call in
identity-map bookkeeping and result machinery; the same row through ``kit.direct`` and an
instance filled as the ORM fills one (its ``__dict__``, no change history) costs a tenth of
that. The instance belongs to no session: it is for reading (an item's rules, a loot's
contents), never for changing and flushing. Pending changes are flushed first, as the ORM's
autoflush would, so a read never misses what the same transaction just wrote.
"""

import functools
from collections.abc import Iterable
from typing import Any, TypeVar, cast

from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import Base, connection
from coffer.kit.direct import run

M = TypeVar("M", bound=Base)


@functools.cache
def _keys(model: type[Base]) -> tuple[str, ...]:
    return tuple(attr.key for attr in inspect(model).column_attrs)


@functools.cache
def columns(model: type[Base]) -> Select[Any]:
    """Every column of the model, named by attribute, in the order ``detached`` reads them."""
    mapper = inspect(model)
    return select(*(attr.columns[0].label(attr.key) for attr in mapper.column_attrs))


@functools.cache
def by_id(model: type[Base]) -> Select[Any]:
    """The model's row by primary key ``b_id``."""
    (key,) = inspect(model).primary_key
    return columns(model).where(key == bindparam("b_id"))


@functools.cache
def by_ids(model: type[Base], scope: str) -> Select[Any]:
    """The model's rows among ``b_ids`` whose ``scope`` column is ``b_scope``."""
    mapper = inspect(model)
    (key,) = mapper.primary_key
    owner = mapper.columns[scope]
    return columns(model).where(
        key.in_(bindparam("b_ids", expanding=True)), owner == bindparam("b_scope")
    )


def detached(model: type[M], row: Iterable[Any]) -> M:
    """An instance of ``model`` holding ``row`` (its columns in mapper order) as loaded values."""
    made = cast(M, inspect(model).class_manager.new_instance())
    made.__dict__.update(zip(_keys(model), row, strict=True))
    return made


async def flushed(session: AsyncSession) -> Any:
    """The session's connection, after flushing what it holds unwritten (the ORM's autoflush)."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await connection(session)


async def get(session: AsyncSession, model: type[M], ident: int) -> M | None:
    """``session.get`` for reading, without the ORM's load path."""
    conn = await flushed(session)
    row = (await run(conn, by_id(model), {"b_id": ident})).one_or_none()
    return None if row is None else detached(model, row)


async def scoped(
    session: AsyncSession, model: type[M], scope: str, owner: int, ids: Iterable[int]
) -> list[M]:
    """The rows among ``ids`` whose ``scope`` column is ``owner`` (another owner's are absent)."""
    conn = await flushed(session)
    found = await run(conn, by_ids(model, scope), {"b_ids": list(ids), "b_scope": owner})
    return [detached(model, row) for row in found]
