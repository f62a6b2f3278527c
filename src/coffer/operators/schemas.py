"""Admin API bodies for operators, keys and currencies."""

from typing import Annotated

import httpx
from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from coffer.kit.schemas import ApiModel, PageCursor, SafeText, UtcTime, clean_text, not_null
from coffer.operators.app_settings import IdleMinutes, MaxMinutes, MaxReels, Origins, Theme

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Name = Annotated[SafeText, StringConstraints(min_length=1, max_length=200)]
Bps = Annotated[StrictInt, Field(ge=0, le=10_000)]
TimeoutMs = Annotated[StrictInt, Field(ge=100, le=60_000)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# A real (ISO 4217) code or a virtual currency's own (2-8 upper-case letters or digits).
AnyCurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,8}$")]


def _http_url(value: str) -> str:
    clean_text(value)
    if not value.startswith(("http://", "https://")) or len(value) > 2000:
        raise ValueError("must be an http:// or https:// URL of at most 2000 characters")
    try:
        parsed = httpx.URL(value)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"is not a valid URL: {exc}") from exc
    if not parsed.host:
        raise ValueError("must name a host")
    return value


HttpUrlText = Annotated[str, AfterValidator(_http_url)]


class Policies(ApiModel):
    """What an operator allows its players to do."""

    cashback_enabled: StrictBool = True
    shipping_enabled: StrictBool = True
    refund_enabled: StrictBool = True
    claim_window_days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = None
    # Game clients may sign in by a player's external id alone (PlayFab's LoginWithCustomID):
    # anyone who knows an id can then act as that player, so it is off until turned on.
    client_login: StrictBool = False
    # Game clients may credit virtual currency to themselves (PlayFab's client
    # AddUserVirtualCurrency); SPEC §12 refuses client grants unless the operator allows them.
    client_currency_grants: StrictBool = False


PerMinute = Annotated[StrictInt, Field(ge=1, le=10_000_000)]


class RateLimits(ApiModel):
    """Requests a minute per caller on each surface; a missing one takes the deployment's."""

    s2s: PerMinute | None = Field(None, alias="s2s", description="Per S2S key.")
    play: PerMinute | None = Field(None, description="Per player-app session.")
    admin: PerMinute | None = Field(None, description="Per admin token scoped to this operator.")


class OperatorCreate(ApiModel):
    slug: Slug
    name: Name
    base_currency: CurrencyCode
    wallet_url: HttpUrlText | None = None
    webhook_url: HttpUrlText | None = None
    fx_tolerance_bps: Bps = 50
    wallet_timeout_ms: TimeoutMs | None = None
    policies: Policies = Field(default_factory=Policies)
    allowed_origins: Origins = Field(default_factory=list)
    theme: Theme = Field(default_factory=Theme)
    max_reels: MaxReels = 5
    session_idle_minutes: IdleMinutes = 30
    session_max_minutes: MaxMinutes = 720


class OperatorUpdate(ApiModel):
    name: Name | None = None
    wallet_url: HttpUrlText | None = None
    webhook_url: HttpUrlText | None = None
    fx_tolerance_bps: Bps | None = None
    wallet_timeout_ms: TimeoutMs | None = None
    policies: Policies | None = None
    status: Annotated[str, StringConstraints(pattern="^(active|suspended)$")] | None = None
    allowed_origins: Origins | None = None
    theme: Theme | None = None
    max_reels: MaxReels | None = None
    session_idle_minutes: IdleMinutes | None = None
    session_max_minutes: MaxMinutes | None = None
    rate_limits: RateLimits | None = None

    _required = field_validator(
        "name",
        "fx_tolerance_bps",
        "policies",
        "status",
        "allowed_origins",
        "theme",
        "max_reels",
        "session_idle_minutes",
        "session_max_minutes",
    )(not_null)


class OperatorCreated(ApiModel):
    operator_id: int
    slug: str
    outbound_secret: str


class CurrencyPut(ApiModel):
    rate_to_base: Annotated[
        str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,12})?$", strict=True)
    ]
    minor_digits: Annotated[StrictInt, Field(ge=0, le=4)] | None = None


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
    allowed_origins: list[str]
    theme: Theme
    max_reels: int
    session_idle_minutes: int
    session_max_minutes: int
    purchases_paused: bool = Field(description="The kill switch: new purchases are refused.")
    rate_limits: RateLimits = Field(description="This operator's overrides of the rate limits.")


class OperatorList(ApiModel):
    operators: list[OperatorOut]
    cursor: PageCursor


class KeyCreate(ApiModel):
    label: Annotated[SafeText, StringConstraints(max_length=200)] = ""


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
    cursor: PageCursor


class OutboundRotate(ApiModel):
    """How long the old outbound secret keeps signing beside the new one."""

    window_hours: Annotated[StrictInt, Field(ge=1, le=720)] = 24


class OutboundRotated(ApiModel):
    """The new outbound secret (shown once) and when the old one stops signing."""

    outbound_secret: str
    old_secret_retires_at: UtcTime
