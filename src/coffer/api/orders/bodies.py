"""The orders API's bodies in the reference's snake_case; unknown fields are ignored, as there."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from coffer.kit.schemas import JSON_SAFE_MAX

MAX_ID = JSON_SAFE_MAX
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Amount = Annotated[StrictInt, Field(ge=0, le=10**15)]
Text = Annotated[str, StringConstraints(max_length=200)]
EntryType = Literal[
    "fill_loot",
    "purchase_loot",
    "purchase_dynamic_bundle",
    "promotion_code",
    "fill_loot_single_transient",
    "fill_entitled_loot",
    "create_new_persistent_inventory",
    "update_existing_persistent_inventory",
    "create_new_transient_inventory",
    "update_existing_transient_inventory",
    "update_inventory",
]
Bucket = Literal[
    "free", "sweat", "none", "anon", "amazon", "steam", "psn", "xbox_live", "google", "twitch",
    "nintendo_switch", "apple", "nintendo", "epic", "google_play", "nintendo_ppid",
]  # fmt: skip
Source = Literal[
    "UNKNOWN", "WEB_ORDER_REPAIR", "IN_GAME", "WEB_SITE", "NO_SALE", "SUPPORT", "ACTIVITY",
    "REFUND", "SYSTEM", "REWARDS", "ESPORTS", "TREASURE", "CONSOLE", "ODYSSEY", "STEAM", "RETURN",
    "JSON_GATE", "SEND_GIFT", "RECEIVE_GIFT", "STEAM_DLC", "TWITCH_MILESTONE", "TWITCH_PRIME",
    "PSN", "XBOX", "PTS_GRANT", "INSTANCE", "ACCOUNT_TRANSFER", "PROMOCODE", "TRIUMPH_SYSTEM",
    "LOGIN_GRANT", "EOM_UNCAPPED", "EOM_CAPPED", "FACEBOOK_DROP", "DATABASE_SCRIPT",
    "ACCOUNT_LINKING", "CLAN", "CONVERSION", "APPLE", "GOOGLE", "GOOGLE_PLAY", "PORTAL_DURABLE",
    "PARTNER_ACHIEVEMENT", "MIXER_DROP", "NINTENDO", "STREAM_VIEWING_PROGRESS", "DISCORD",
    "FIRST_LOGIN_GRANT", "TWITCH_FUEL", "DISCORD_DLC", "NETEASE", "EPIC_GAMES", "FORTE",
    "FACEBOOK", "HIREZ", "DAILY_REWARD", "ADD_ACCOUNT_EMAIL_REWARD", "CLIENT_CLAIM", "CLIENT",
    "ENTITLEMENTS", "AMAZON", "SIMULMEDIA", "LUNA",
]  # fmt: skip
CustomData = Annotated[
    dict[
        Annotated[str, StringConstraints(max_length=200)],
        Annotated[str, StringConstraints(max_length=5000)],
    ],
    Field(max_length=200),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CurrencyIn(Body):
    price_item_id: Id
    price: Amount


class PurchasePriceIn(Body):
    """Deprecated in the reference, still served: ``currencies`` or the older single price."""

    price_item_id: Id | None = None
    price: Amount | None = None
    price_coupon_item_id: Id | None = None
    currencies: Annotated[list[CurrencyIn], Field(max_length=10)] | None = None


class EntryIn(Body):
    type: EntryType
    loot_id: Id | None = None
    quantity: Annotated[StrictInt, Field(ge=-(10**6), le=10**6)]
    vendor_version: Annotated[StrictInt, Field(ge=0, le=MAX_ID)] | None = None
    vendor_etag: Text | None = None
    dynamic_bundle_loot_ids: Annotated[list[Id], Field(max_length=50)] | None = None
    purchase_price: PurchasePriceIn | None = None
    external_tran_id: Text | None = None
    external_item_sku: Text | None = None
    use_inventory_bucket: Bucket | None = None
    player_portal_event_id: Annotated[StrictInt, Field(ge=0, le=MAX_ID)] | None = None
    inventory_id: UUID | None = None
    legacy_inventory_id: Annotated[StrictInt, Field(ge=0, le=MAX_ID)] | None = None
    item_id: Id | None = None
    expires: AwareDatetime | None = None
    custom_data: CustomData | None = None


class OrderIn(Body):
    source: Source | None = None
    client_order_ref_id: UUID | None = None
    portal_id: Annotated[StrictInt, Field(ge=0, le=MAX_ID)] | None = None
    portal_user_id: Text | None = None
    instance_id: Text | None = None
    match_id: Text | None = None
    is_transaction: bool = False
    entries: Annotated[list[EntryIn], Field(min_length=1, max_length=50)]
