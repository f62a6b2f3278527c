"""What a round counts against the player's limits: taken when it is bought, given back when
it is voided (no money moved, nothing opened)."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit.db import connection
from coffer.kit.money import Rate
from coffer.limits import guard
from coffer.limits.rules import Usage, usage_of
from coffer.operators.models import Operator
from coffer.operators.service import default_minor_digits
from coffer.rounds.models import Round, RoundReel
from coffer.rounds.pricing import rates_from_snapshot


def base_usage(operator: Operator, bet_minor: int, rate: Rate, funding: str, reels: int) -> Usage:
    """The usage in the operator's base currency (ISO minor units, as limits are set)."""
    base = operator.base_currency
    return usage_of(bet_minor, rate, base, default_minor_digits(base), funding, reels)


async def release(session: AsyncSession, round_: Round) -> None:
    """Give back a voided round's spend and opens, in the period it was bought in."""
    operator = await session.get(Operator, round_.operator_id)
    assert operator is not None
    reels = await session.scalar(
        select(func.count()).select_from(RoundReel).where(RoundReel.round_id == round_.id)
    )
    rate = rates_from_snapshot(round_.fx_rates)[round_.currency]
    usage = base_usage(operator, round_.bet_minor, rate, round_.funding, int(reels or 0))
    await guard.release(await connection(session), round_.player_id, usage, round_.created_at)
