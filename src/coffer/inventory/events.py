"""The webhook events a vault item's changes write, in the transaction that makes the change."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.inventory.models import InventoryItem
from coffer.inventory.states import CASHED_BACK, EXPIRED
from coffer.kit.schemas import iso_z
from coffer.seamless.models import WalletInstruction
from coffer.webhooks.outbox import emit


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
        "state": CASHED_BACK,
        "cashbackMinor": credit.amount_minor,
        "currency": credit.currency,
        "idempotencyKey": credit.idempotency_key,
        "providerTxnRef": credit.provider_txn_ref,
        "wonAtRoundPublicId": item.round_public_id,
        "cashedBackAt": iso_z(item.updated_at),
    }
    await emit(session, item.operator_id, item.player_id, "item_cashed_back", data)


async def item_expired(session: AsyncSession, item: InventoryItem, window_days: int) -> None:
    """``item_expired``: the player left the item unclaimed past the operator's window."""
    data = {
        "inventoryItemId": item.id,
        "itemId": item.item_id,
        "state": EXPIRED,
        "wonAtRoundPublicId": item.round_public_id,
        "wonAt": iso_z(item.created_at),
        "expiredAt": iso_z(item.updated_at),
        "claimWindowDays": window_days,
    }
    await emit(session, item.operator_id, item.player_id, "item_expired", data)
