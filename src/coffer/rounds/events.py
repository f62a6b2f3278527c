"""The webhook events a round's changes write, in the transaction that makes the change."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory.models import Entitlement
from coffer.kit.schemas import iso_z
from coffer.rounds.answers import Settled, settled_round
from coffer.rounds.models import Round
from coffer.webhooks.outbox import emit


async def round_settled(
    session: AsyncSession, round_: Round, result: Settled, bonuses: list[Entitlement]
) -> None:
    """``round_settled`` carries the round as the purchase answered it; bonuses follow it."""
    data = {"round": settled_round(result)}
    await emit(session, round_.operator_id, round_.player_id, "round_settled", data)
    for entitlement in bonuses:
        item = await session.get(Item, entitlement.item_id)
        assert item is not None
        event = await emit(
            session,
            round_.operator_id,
            round_.player_id,
            "bonus_entitlement",
            {
                "entitlementId": entitlement.id,
                "roundPublicId": round_.public_id,
                "reelIndex": entitlement.reel_index,
                "item": bonus_item(item),
            },
        )
        entitlement.event_id = event.id
    await session.flush()


def bonus_item(item: Item) -> dict[str, Any]:
    """An item as a bonus event shows it (an ORM row or a Core row)."""
    return {
        "itemId": item.id,
        "name": item.name,
        "type": item.type,
        "valueMinor": item.value_minor,
        "currency": item.currency,
        "customAttributes": item.custom_attributes,
    }


async def round_voided(session: AsyncSession, round_: Round, reason: str) -> None:
    """The debit was refused or rolled back: the player paid nothing for this round."""
    assert round_.voided_at is not None
    data = {
        "round": {
            "publicId": round_.public_id,
            "status": "voided",
            "betMinor": round_.bet_minor,
            "currency": round_.currency,
            "funding": round_.funding,
            "voidedAt": iso_z(round_.voided_at),
        },
        "reason": reason,
    }
    await emit(session, round_.operator_id, round_.player_id, "round_voided", data)


async def round_refunded(session: AsyncSession, round_: Round) -> None:
    """A held round's price went back to the player."""
    assert round_.refunded_at is not None
    data = {
        "round": {
            "publicId": round_.public_id,
            "status": "refunded",
            "refundedMinor": round_.refunded_minor,
            "currency": round_.currency,
            "funding": round_.funding,
            "refundedAt": iso_z(round_.refunded_at),
        }
    }
    await emit(session, round_.operator_id, round_.player_id, "round_refunded", data)
