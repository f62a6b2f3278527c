"""Game server sessions: an operator credential traded for a token the server then sends.

LootLocker's server API starts a session with its server key and keeps it alive by pinging it
at least once an hour; a session idle past ``IDLE`` ends. The token is stored as its hash.
"""

from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.kit.errors import AuthError
from coffer.kit.secrets import new_secret, token_hash
from coffer.operators.models import Operator, ServerSession

IDLE = timedelta(hours=1)


class ServerSessionInvalid(AuthError):
    code = "SESSION_INVALID"
    default_message = "Unknown session token: start a session with POST session."


class ServerSessionExpired(AuthError):
    code = "SESSION_EXPIRED"
    default_message = "The session ended: ping it at least once an hour, or start another."


async def start(session: AsyncSession, operator_id: int, now: datetime) -> str:
    """A new session's token, shown once."""
    token = new_secret("lls_")
    values = {"operator_id": operator_id, "token_hash": token_hash(token), "created_at": now}
    await session.execute(insert(ServerSession).values(**values, expires_at=now + IDLE))
    return token


async def authenticate(conn: AsyncConnection, token: str, now: datetime) -> Operator:
    """The session's operator; SESSION_EXPIRED past its idle end, SESSION_INVALID otherwise."""
    found = (
        await conn.execute(
            select(ServerSession.expires_at, Operator)
            .join(Operator, Operator.id == ServerSession.operator_id)
            .where(ServerSession.token_hash == token_hash(token))
        )
    ).first()
    if found is None:
        raise ServerSessionInvalid()
    if found.expires_at <= now:
        raise ServerSessionExpired()
    return Operator(**{c.key: getattr(found, c.key) for c in Operator.__table__.columns})


async def ping(session: AsyncSession, token: str, now: datetime) -> bool:
    """Keep a live session alive for another ``IDLE``; False when it already ended."""
    kept = await session.execute(
        update(ServerSession)
        .where(ServerSession.token_hash == token_hash(token), ServerSession.expires_at > now)
        .values(expires_at=now + IDLE)
    )
    return bool(getattr(kept, "rowcount", 0))
