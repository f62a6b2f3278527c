"""The player app's authentication: ``Authorization: Bearer ps_…`` names a live session."""

from typing import Annotated

from fastapi import Depends, Request

from coffer.api.deps import the_runtime
from coffer.kit.db import utcnow
from coffer.play.errors import SessionInvalid
from coffer.play.sessions import PlayContext, authenticate


async def play_context(request: Request) -> PlayContext:
    """One read outside any transaction (PostgreSQL: no BEGIN); the token never reaches a log."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith("ps_"):
        raise SessionInvalid()
    runtime = the_runtime(request)
    async with runtime.engine.connect() as conn:
        reader = conn
        if conn.dialect.name == "postgresql":
            reader = await conn.execution_options(isolation_level="AUTOCOMMIT")
        return await authenticate(reader, token.strip(), utcnow())


Play = Annotated[PlayContext, Depends(play_context)]
