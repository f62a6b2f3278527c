"""The reference's records (snake_case, as the orders API shows them), built from effects.

No I/O. Instances, ledger accounts and players are shown as UUIDs (``kit.uuids``) that decode
back to their rows; an instance's ``legacy_inventory_id`` is its integer inventory id.
"""

from typing import Any

from coffer.inventory.instances import Instance
from coffer.kit.schemas import iso_z
from coffer.kit.uuids import from_uuid, to_uuid
from coffer.loot.effects import Effect

INSTANCE_KIND = 0x1C0FFE
ACCOUNT_KIND = 0x2C0FFE
PLAYER_KIND = 0x3C0FFE


def player_uuid(player_id: int) -> str:
    return to_uuid(PLAYER_KIND, player_id)


def instance_id_of(text: str) -> int:
    """The inventory id an ``inventory_id`` names; -1 (found nowhere) for anything else."""
    found = from_uuid(INSTANCE_KIND, text)
    return -1 if found is None else found


def inventory_record(instance: Instance, account: bool) -> dict[str, Any]:
    kind = ACCOUNT_KIND if account else INSTANCE_KIND
    return {
        "inventory_id": to_uuid(kind, instance.id),
        "type": instance.inventory_type,
        "legacy_inventory_id": None if account else instance.id,
        "bucket": instance.bucket,
        "count": instance.count,
        "acquired": iso_z(instance.acquired),
        "expires": iso_z(instance.expires_at) if instance.expires_at else None,
        "custom_data": dict(instance.custom_data),
    }


def detail(kind: str, loot_id: int | None = None, inv_change: Any = None) -> dict[str, Any]:
    return {"type": kind, "loot_id": loot_id, "inv_change": inv_change, "order": None}


def change_detail(effect: Effect, loot_id: int | None) -> dict[str, Any]:
    """An ``inventory_change`` detail: the instance (or balance) before and after."""
    before = effect.before
    change = {
        "before_item_id": effect.item_id if before is not None else None,
        "after_item_id": effect.item_id,
        "before": inventory_record(before, effect.account) if before is not None else None,
        "after": inventory_record(effect.after, effect.account),
    }
    return detail("inventory_change", loot_id, change)
