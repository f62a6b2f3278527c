"""The webhook events a vault item's changes write, in the transaction that makes the change."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory.models import InventoryItem
from coffer.kit.schemas import iso_z
from coffer.rounds.models import Round
from coffer.seamless.models import WalletInstruction
from coffer.webhooks.outbox import emit


async def _round_public_id(session: AsyncSession, item: InventoryItem) -> str | None:
    if item.round_id is None:
        return None
    return await session.scalar(select(Round.public_id).where(Round.id == item.round_id))


async def item_cashed_back(session: AsyncSession, item_id: int, key: str) -> None:
    """``item_cashed_back`` with the credit that paid it (amount in the wallet currency)."""
    item = await session.get(InventoryItem, item_id, populate_existing=True)
    assert item is not None
    credit = await session.scalar(
        select(WalletInstruction).where(
            WalletInstruction.operator_id == item.operator_id,
            WalletInstruction.idempotency_key == key,
        )
    )
    assert credit is not None
    data = {
        "inventoryItemId": item.id,
        "itemId": item.item_id,
        "state": "cashed_back",
        "cashbackMinor": credit.amount_minor,
        "currency": credit.currency,
        "idempotencyKey": credit.idempotency_key,
        "providerTxnRef": credit.provider_txn_ref,
        "wonAtRoundPublicId": await _round_public_id(session, item),
        "cashedBackAt": iso_z(item.updated_at),
    }
    await emit(session, item.operator_id, item.player_id, "item_cashed_back", data)


async def item_expired(session: AsyncSession, item: InventoryItem, window_days: int) -> None:
    """``item_expired``: the player left the item unclaimed past the operator's window."""
    data = {
        "inventoryItemId": item.id,
        "itemId": item.item_id,
        "state": "expired",
        "wonAtRoundPublicId": await _round_public_id(session, item),
        "wonAt": iso_z(item.created_at),
        "expiredAt": iso_z(item.updated_at),
        "claimWindowDays": window_days,
    }
    await emit(session, item.operator_id, item.player_id, "item_expired", data)
