"""Refusals of the generic inventory; their HTTP statuses are in ``kit.errors.STATUS_BY_CODE``."""

from coffer.kit.errors import Conflict, Forbidden, ValidationFailed


class NotEnoughItems(ValidationFailed):
    code = "INSUFFICIENT_ITEMS"
    default_message = "The player does not hold that many of the item (or uses); nothing changed."


class StackLimitReached(ValidationFailed):
    code = "STACK_LIMIT_REACHED"
    default_message = "That would take the stack past the item's maxStack; nothing was granted."


class CustomDataTooLarge(ValidationFailed):
    code = "VALIDATION_ERROR"
    default_message = "Custom data is limited in keys and sizes; see fields."


class AlwaysOwned(Forbidden):
    code = "ALWAYS_OWNED"
    default_message = "Every player always owns this item; it cannot be granted or changed."


class ItemNotActive(Conflict):
    code = "ITEM_NOT_ACTIVE"
    default_message = "The item is switched off; activate it (PATCH its isActive) to grant it."


class ExpiryInPast(ValidationFailed):
    code = "VALIDATION_ERROR"
    default_message = "The expiry is in the past; send a future time or none."
