"""Domain errors: each has a stable ``code``; STATUS_BY_CODE below maps codes to HTTP.

CofferError
 ├── AuthError            MISSING_HEADERS, INVALID_SIGNATURE, TIMESTAMP_SKEW, ADMIN_TOKEN_INVALID
 │                        (the player app's LAUNCH_TOKEN_* and SESSION_* live in ``play.errors``)
 ├── ValidationFailed     VALIDATION_ERROR (with ``fields``), INVALID_CLIENT_SEED,
 │                        UNSUPPORTED_CURRENCY, UNSUPPORTED_LOCALE, FX_RATE_MOVED
 ├── NotFound             UNKNOWN_BOX, UNKNOWN_PLAYER, ROUND_NOT_FOUND, NOT_FOUND, ...
 ├── Conflict             BOX_NOT_PLAYABLE, IDEMPOTENCY_KEY_REUSED, ALREADY_EXISTS, ...
 ├── Forbidden            GAME_DISABLED, TENANT_SUSPENDED, PLAYER_BLOCKED, PLAYER_SELF_EXCLUDED, ...
 ├── PlayerLimitReached   PLAYER_LIMIT_REACHED
 └── Unavailable          WALLET_UNAVAILABLE
"""

from typing import Any, ClassVar

# The one table from error code to HTTP status; the web layer and stored answers both use it.
STATUS_BY_CODE: dict[str, int] = {
    "MISSING_HEADERS": 401,
    "INVALID_SIGNATURE": 401,
    "TIMESTAMP_SKEW": 401,
    "ADMIN_TOKEN_INVALID": 401,
    "LAUNCH_TOKEN_INVALID": 401,
    "LAUNCH_TOKEN_EXPIRED": 401,
    "SESSION_INVALID": 401,
    "SESSION_EXPIRED": 401,
    "GAME_DISABLED": 403,
    "TENANT_SUSPENDED": 403,
    "PLAYER_BLOCKED": 403,
    "PLAYER_SELF_EXCLUDED": 403,
    "REFUND_NOT_ALLOWED": 403,
    "SHIPPING_DISABLED": 403,
    "FORBIDDEN": 403,
    "CSRF_REFUSED": 403,
    "ALWAYS_OWNED": 403,
    "NOT_FOUND": 404,
    "UNKNOWN_PLAYER": 404,
    "UNKNOWN_BOX": 404,
    "ROUND_NOT_FOUND": 404,
    "INVENTORY_ITEM_NOT_FOUND": 404,
    "ORDER_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "ALREADY_EXISTS": 409,
    "BOX_NOT_PLAYABLE": 409,
    "LAUNCH_TOKEN_CONSUMED": 409,
    "ROUND_NOT_HELD": 409,
    "ROUND_NOT_REFUNDABLE": 409,
    "IDEMPOTENCY_KEY_REUSED": 409,
    "ITEM_NOT_ACTIVE": 409,
    "PERSONAL_DATA_IN_USE": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "VALIDATION_ERROR": 422,
    "INSUFFICIENT_FUNDS": 422,
    "PLAYER_LIMIT_REACHED": 422,
    "INSUFFICIENT_ITEMS": 422,
    "STACK_LIMIT_REACHED": 422,
    "FX_RATE_MOVED": 422,
    "UNSUPPORTED_CURRENCY": 422,
    "CASHBACK_NOT_AVAILABLE": 422,
    "INVENTORY_NOT_SHIPPABLE": 422,
    "INVALID_CLIENT_SEED": 422,
    "UNSUPPORTED_LOCALE": 422,
    "RATE_LIMITED": 429,
    "INTERNAL": 500,
    "WALLET_UNAVAILABLE": 503,
    "WALLET_REFUSED": 422,
}


def envelope(
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The SPEC §3 error body; ``details`` holds structured data such as the ids refused."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    if details:
        error["details"] = details
    return {"error": error}


class CofferError(Exception):
    """An expected outcome the caller can act on; never rendered as a 500."""

    code: ClassVar[str] = "INTERNAL"
    default_message: ClassVar[str] = "Something went wrong."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fields = fields
        self.extra = extra or {}
        super().__init__(self.message)


class AuthError(CofferError):
    """The caller could not be authenticated."""


class MissingHeaders(AuthError):
    code = "MISSING_HEADERS"
    default_message = "Send X-Key-Id, X-Timestamp and X-Signature on every S2S request."


class InvalidSignature(AuthError):
    code = "INVALID_SIGNATURE"
    default_message = (
        "The key id is unknown or revoked, or the signature does not match "
        "HMAC-SHA256(secret, timestamp\\nMETHOD\\npath\\nsha256(body))."
    )


class TimestampSkew(AuthError):
    code = "TIMESTAMP_SKEW"
    default_message = "X-Timestamp is more than 300 s from the server clock; sync your clock."


class AdminTokenInvalid(AuthError):
    code = "ADMIN_TOKEN_INVALID"
    default_message = "Send 'Authorization: Bearer <admin token>' with a valid admin token."


class ValidationFailed(CofferError):
    code = "VALIDATION_ERROR"
    default_message = "The request is not valid; see fields."


class InvalidClientSeed(ValidationFailed):
    code = "INVALID_CLIENT_SEED"
    default_message = "A client seed is 1-64 printable ASCII characters."


class UnsupportedCurrency(ValidationFailed):
    code = "UNSUPPORTED_CURRENCY"
    default_message = "That currency is not configured for this operator, or has no rate."


class UnsupportedLocale(ValidationFailed):
    code = "UNSUPPORTED_LOCALE"
    default_message = "That locale is not a known language tag such as 'en' or 'de-AT'."


class FxRateMoved(ValidationFailed):
    code = "FX_RATE_MOVED"
    default_message = "The exchange rate moved past the operator's tolerance; re-quote and retry."


class PayloadTooLarge(CofferError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is larger than the service accepts."


class NotFound(CofferError):
    code = "NOT_FOUND"
    default_message = "No such resource."


class UnknownBox(NotFound):
    code = "UNKNOWN_BOX"
    default_message = "No such box or box version."


class UnknownPlayer(NotFound):
    code = "UNKNOWN_PLAYER"
    default_message = "No such player."


class Conflict(CofferError):
    code = "CONFLICT"
    default_message = "The request conflicts with the current state."


class AlreadyExists(Conflict):
    code = "ALREADY_EXISTS"
    default_message = "A resource with that identifier already exists."


class BoxNotPlayable(Conflict):
    code = "BOX_NOT_PLAYABLE"
    default_message = "Only the current version of an active box can be opened; refresh and retry."


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This idempotency key was used with a different request body."


class Forbidden(CofferError):
    code = "FORBIDDEN"
    default_message = "Not allowed."


class TenantSuspended(Forbidden):
    code = "TENANT_SUSPENDED"
    default_message = "This operator is suspended."


class RateLimited(CofferError):
    code = "RATE_LIMITED"
    default_message = "Too many requests; retry after the given delay."


class RoundNotFound(NotFound):
    code = "ROUND_NOT_FOUND"
    default_message = "No such round for this player."


class RoundNotHeld(Conflict):
    code = "ROUND_NOT_HELD"
    default_message = "The round is not held (already opened, refunded or voided)."


class RoundNotRefundable(Conflict):
    code = "ROUND_NOT_REFUNDABLE"
    default_message = "Only a held, player-funded round can be refunded."


class RefundNotAllowed(Forbidden):
    code = "REFUND_NOT_ALLOWED"
    default_message = "This operator does not allow refunds."


class WalletUnavailable(CofferError):
    code = "WALLET_UNAVAILABLE"
    default_message = "The operator's wallet could not be reached."


class InventoryItemNotFound(NotFound):
    code = "INVENTORY_ITEM_NOT_FOUND"
    default_message = "No such inventory item for this player."


class CashbackNotAvailable(ValidationFailed):
    code = "CASHBACK_NOT_AVAILABLE"
    default_message = "This item has no cashback, or the operator turned cashback off."


class InventoryNotShippable(ValidationFailed):
    code = "INVENTORY_NOT_SHIPPABLE"
    default_message = "Every item must be the player's, unresolved and shippable."


class ShippingDisabled(Forbidden):
    code = "SHIPPING_DISABLED"
    default_message = "This operator does not ship items."


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"
    default_message = "No such shipping order."


class PurchasesPaused(Forbidden):
    """The operator's or the box's kill switch is on: no new purchases, everything else goes on."""

    code = "GAME_DISABLED"
    default_message = "Purchases are paused by the operator; vault actions still work."


class PlayerSelfExcluded(Forbidden):
    code = "PLAYER_SELF_EXCLUDED"
    default_message = "The player is self-excluded: no purchases until the exclusion ends."


class PlayerLimitReached(CofferError):
    code = "PLAYER_LIMIT_REACHED"
    default_message = "This purchase would pass a limit the operator set for the player."
