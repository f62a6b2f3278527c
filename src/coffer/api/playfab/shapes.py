"""Coffer's records in PlayFab's shapes: ItemInstance, balances, recharge times, PlayFabId."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from coffer.catalog.models import Item
from coffer.inventory.instances import Instance
from coffer.kit.schemas import iso_z
from coffer.ledger.models import LedgerAccount, VirtualCurrency

CATALOG_VERSION = "coffer"  # one catalog per title: the operator's items


def playfab_id(player_id: int) -> str:
    """The player's PlayFabId: 16 upper-case hex characters, the same for as long as it lives."""
    return f"{player_id:016X}"


def player_id_of(playfab: str) -> int | None:
    """The player id a PlayFabId names, or None if it is not one."""
    if len(playfab) != 16:
        return None
    try:
        return int(playfab, 16)
    except ValueError:
        return None


def item_ref(item: Item) -> str:
    """The item's PlayFab ItemId: its code where it has one, else its id in digits."""
    return item.code or str(item.id)


def item_instance(instance: Instance, item: Item) -> dict[str, Any]:
    """An ItemInstance; ``RemainingUses`` is a consumable's uses, else a stack's count."""
    found: dict[str, Any] = {
        "ItemId": item_ref(item),
        "ItemInstanceId": str(instance.id),
        "ItemClass": item.item_class,
        "DisplayName": item.name,
        "CatalogVersion": CATALOG_VERSION,
        "PurchaseDate": iso_z(instance.acquired),
    }
    if instance.expires_at is not None:
        found["Expiration"] = iso_z(instance.expires_at)
    if instance.remaining_uses is not None:
        found["RemainingUses"] = instance.remaining_uses
    elif item.stackable:
        found["RemainingUses"] = instance.count
    if instance.custom_data:
        found["CustomData"] = dict(instance.custom_data)
    return found


def balances(held: Sequence[tuple[VirtualCurrency, LedgerAccount]]) -> dict[str, int]:
    return {currency.code: account.balance_minor for currency, account in held}


def recharge_times(
    held: Sequence[tuple[VirtualCurrency, LedgerAccount]], now: datetime
) -> dict[str, dict[str, Any]]:
    """For each regenerating currency: its cap and when the next amount lands."""
    found = {}
    for currency, account in held:
        period = currency.regen_period_seconds
        if not currency.regen_amount_minor or not period or account.regen_from is None:
            continue
        due = account.regen_from + timedelta(seconds=period)
        found[currency.code] = {
            "RechargeMax": currency.regen_cap_minor,
            "RechargeTime": iso_z(due),
            "SecondsToRecharge": max(0, int((due - now).total_seconds())),
        }
    return found
