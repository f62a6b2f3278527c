"""Reads of the ledger's configuration."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.ledger.models import VirtualCurrency


async def currencies_of(session: AsyncSession, operator_id: int) -> Sequence[VirtualCurrency]:
    """The operator's virtual currencies, by code."""
    return (
        await session.scalars(
            select(VirtualCurrency)
            .where(VirtualCurrency.operator_id == operator_id)
            .order_by(VirtualCurrency.code)
        )
    ).all()
