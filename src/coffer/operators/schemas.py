"""Admin API bodies for operators, keys and currencies."""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from coffer.schemas import ApiModel, UtcTime

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) > 2000:
        raise ValueError("must be an http:// or https:// URL of at most 2000 characters")
    return value


HttpUrlText = Annotated[str, AfterValidator(_http_url)]


class Policies(ApiModel):
    """What an operator allows its players to do."""

    cashback_enabled: bool = True
    shipping_enabled: bool = True
    refund_enabled: bool = True
    claim_window_days: int | None = Field(default=None, ge=1, le=3650)


class OperatorCreate(ApiModel):
    slug: Slug
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    base_currency: CurrencyCode
    wallet_url: HttpUrlText | None = None
    webhook_url: HttpUrlText | None = None
    fx_tolerance_bps: int = Field(default=50, ge=0, le=10_000)
    wallet_timeout_ms: int | None = Field(default=None, ge=100, le=60_000)
    policies: Policies = Field(default_factory=Policies)


class OperatorUpdate(ApiModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    wallet_url: HttpUrlText | None = None
    webhook_url: HttpUrlText | None = None
    fx_tolerance_bps: int | None = Field(default=None, ge=0, le=10_000)
    wallet_timeout_ms: int | None = Field(default=None, ge=100, le=60_000)
    policies: Policies | None = None
    status: Annotated[str, StringConstraints(pattern="^(active|suspended)$")] | None = None


class OperatorCreated(ApiModel):
    operator_id: int
    slug: str
    outbound_secret: str


class CurrencyPut(ApiModel):
    rate_to_base: Annotated[
        str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,12})?$", strict=True)
    ]
    minor_digits: int | None = Field(default=None, ge=0, le=4)


class CurrencyOut(ApiModel):
    code: str
    rate_to_base: str
    minor_digits: int
    is_base: bool
    updated_at: UtcTime


class OperatorOut(ApiModel):
    operator_id: int
    slug: str
    name: str
    base_currency: str
    wallet_url: str | None
    webhook_url: str | None
    fx_tolerance_bps: int
    wallet_timeout_ms: int | None
    policies: Policies
    status: str
    created_at: UtcTime
    currencies: list[CurrencyOut]


class OperatorList(ApiModel):
    operators: list[OperatorOut]


class KeyCreate(ApiModel):
    label: Annotated[str, StringConstraints(max_length=200)] = ""


class KeyCreated(ApiModel):
    key_id: str
    secret: str
    label: str
    created_at: UtcTime


class KeyOut(ApiModel):
    key_id: str
    label: str
    created_at: UtcTime
    revoked_at: UtcTime | None


class KeyList(ApiModel):
    keys: list[KeyOut]
