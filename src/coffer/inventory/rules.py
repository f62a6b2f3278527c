"""What a won item is worth back: pure rules, no I/O."""

from fractions import Fraction
from typing import Any

from coffer.catalog.models import Item
from coffer.kit.money import round_half_up

VAULT_TYPES = ("physical", "digital")


def cashback_minor(item: Item, policies: dict[str, Any]) -> int | None:
    """The item's cashback in its own currency, or None when it has none or the operator is off."""
    if not policies.get("cashback_enabled", True) or item.type not in VAULT_TYPES:
        return None
    if item.cashback_minor is not None:
        return item.cashback_minor
    if item.cashback_bps is not None:
        return round_half_up(Fraction(item.value_minor * item.cashback_bps, 10_000))
    return None
