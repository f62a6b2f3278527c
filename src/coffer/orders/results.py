"""An order entry's result codes (the reference's list) and how domain refusals map to them."""

from coffer.inventory.errors import (
    AlwaysOwned,
    CustomDataTooLarge,
    ExpiryInPast,
    ItemNotActive,
    NotEnoughItems,
    StackLimitReached,
)
from coffer.kit.errors import CofferError, InventoryItemNotFound
from coffer.ledger.errors import InsufficientVirtualFunds

SUCCESS = "success"
ROLLBACK = "rollback"
INVALID_ENTRY_TYPE = "invalid_entry_type"
LOOT_NOT_FOUND = "loot_not_found"
LOOT_NOT_ACTIVE = "loot_not_active"
LOOT_NOT_FILLABLE = "loot_not_fillable_from_client"
PRICE_ITEM_NOT_FOUND = "price_item_not_found"
PRICE_NOT_ALLOWED = "price_not_allowed"
PRICE_DOES_NOT_MATCH = "price_does_not_match"
VERSION_MISMATCH = "vendor_version_does_not_match"
NOT_FOR_SALE = "loot_not_for_sale_with_price_item"
CANNOT_AFFORD_PRICE = "cannot_afford_price"
CANNOT_AFFORD_COUPON = "cannot_afford_coupon"
COUPON_NOT_FOUND = "coupon_item_not_found"
COUPON_NOT_ACTIVE = "coupon_item_not_active"
COUPON_NOT_FOR_QUANTITY = "coupon_item_not_applicable_for_quantity"
COUPON_NOT_FOR_PRICE_ITEM = "coupon_item_not_applicable_for_price_item"
COUPON_NOT_FOR_LOOT = "coupon_item_not_applicable_for_loot"
QUANTITY_NOT_ALLOWED = "quantity_not_allowed"
DYNAMIC_BUNDLE_INVALID = "dynamic_bundle_invalid"
PROMOTION_EXPIRED = "promotion_expired"
PROMOTION_NOT_FOUND = "promotion_not_found"
PROMOTION_NO_USES_LEFT = "promotion_no_uses_left"
PROMOTION_NOT_AVAILABLE = "promotion_not_available"
PROMOTION_CLAIMED = "promotion_claimed_already"
SINGLE_LOOT_APPLIED = "transient_single_loot_already_applied"
PERMISSION_DENIED = "permission_denied"
FAILED_TO_MODIFY = "failed_to_modify_inventory"
INVENTORY_NOT_FOUND = "inventory_not_found"
ITEM_NOT_FOUND = "item_not_found"
ITEM_NOT_ACTIVE = "item_not_active"
TOO_MANY_ATTRIBUTES = "too_many_inv_custom_attributes"
ALWAYS_OWNED = "always_owned_inventory_cannot_be_modified"
IN_THE_PAST = "available_until_is_in_past"
INTERNAL_ERROR = "internal_error"


class EntryFailed(Exception):
    """An entry that cannot be applied; ``result`` is the code its record shows."""

    def __init__(self, result: str) -> None:
        self.result = result
        super().__init__(result)


BY_ERROR: tuple[tuple[type[CofferError], str], ...] = (
    (InsufficientVirtualFunds, CANNOT_AFFORD_PRICE),
    (NotEnoughItems, FAILED_TO_MODIFY),
    (StackLimitReached, QUANTITY_NOT_ALLOWED),
    (CustomDataTooLarge, TOO_MANY_ATTRIBUTES),
    (AlwaysOwned, ALWAYS_OWNED),
    (ItemNotActive, ITEM_NOT_ACTIVE),
    (ExpiryInPast, IN_THE_PAST),
    (InventoryItemNotFound, INVENTORY_NOT_FOUND),
)


def result_of(error: CofferError) -> str:
    """The result code for a domain refusal met while applying an entry."""
    for kind, result in BY_ERROR:
        if isinstance(error, kind):
            return result
    return INTERNAL_ERROR
