"""The ledger's refusals; their HTTP statuses are in ``kit.errors.STATUS_BY_CODE``."""

from coffer.kit.errors import NotFound, ValidationFailed


class UnknownVirtualCurrency(NotFound):
    code = "NOT_FOUND"
    default_message = (
        "This operator has no virtual currency with that code; define it first "
        "(POST /api/admin/operators/{slug}/virtual-currencies)."
    )


class InsufficientVirtualFunds(ValidationFailed):
    code = "INSUFFICIENT_FUNDS"
    default_message = "The player's balance does not cover this; nothing was taken."
