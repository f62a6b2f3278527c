"""PlayFab's Admin API for a title's economy: its catalog and its virtual currency types.

A CatalogItem becomes an item whose code is its ``ItemId`` (an all-digit ItemId names an
existing item by id), priced by an offer (catalog.store); ``SetCatalogItems`` replaces the
catalog, so the title's items it does not list are deactivated. Bundles are defined as loots
through Coffer's admin API, not here.
"""

import json
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, StringConstraints, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.api.playfab import Failure
from coffer.api.playfab.access import title_of
from coffer.api.playfab.calls import Body, Call, Handler
from coffer.api.playfab.orders import in_write
from coffer.catalog import items as catalog_items
from coffer.catalog.currencies import define_virtual_currency
from coffer.catalog.items import item_by_ref
from coffer.catalog.models import Item
from coffer.catalog.schemas import ItemCreate, ItemUpdate
from coffer.catalog.store import catalog, currency_codes, set_offer
from coffer.kit.money import MAX_MINOR
from coffer.ledger.accounts import CurrencySpec
from coffer.ledger.models import VirtualCurrency
from coffer.ledger.queries import currencies_of
from coffer.operators.models import Operator

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Positive = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class ConsumableIn(Body):
    UsageCount: Positive | None = None
    UsagePeriod: Positive | None = None


class ContainerIn(Body):
    KeyItemId: Ref | None = None
    ResultTableContents: Annotated[list[Ref], Field(min_length=1, max_length=1)]


class CatalogItemIn(Body):
    ItemId: Ref
    ItemClass: Annotated[str, StringConstraints(max_length=64)] | None = None
    DisplayName: Annotated[str, StringConstraints(max_length=200)] | None = None
    VirtualCurrencyPrices: Annotated[
        dict[str, Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)]], Field(max_length=10)
    ] | None = None  # fmt: skip
    Tags: (
        Annotated[list[Annotated[str, StringConstraints(max_length=32)]], Field(max_length=20)]
        | None
    ) = None
    CustomData: Text | None = None
    Consumable: ConsumableIn | None = None
    Container: ContainerIn | None = None
    Bundle: dict[str, Any] | None = None
    IsStackable: StrictBool = False
    ItemImageUrl: Annotated[str, StringConstraints(max_length=2000)] | None = None


class CatalogIn(Body):
    Catalog: Annotated[list[CatalogItemIn], Field(min_length=1, max_length=500)]


def _invalid(field: str, message: str) -> Failure:
    return Failure("InvalidParams", 1000, message, 400, {field: [message]})


def _attributes(text: str | None) -> dict[str, Any]:
    """PlayFab's CustomData is text: a JSON object becomes the item's attributes, else it is
    kept whole under ``customData``."""
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {"customData": text}
    return found if isinstance(found, dict) else {"customData": text}


async def _fields(session: AsyncSession, operator: Operator, sent: CatalogItemIn) -> dict[str, Any]:
    """The item's fields as Coffer's admin API names them."""
    if sent.Bundle:
        raise _invalid("Bundle", "define bundles as loots through /api/admin (docs/compat)")
    fields: dict[str, Any] = {
        "name": sent.DisplayName or sent.ItemId,
        "item_class": sent.ItemClass,
        "tags": sent.Tags,
        "stackable": sent.IsStackable,
        "uses": sent.Consumable.UsageCount if sent.Consumable else None,
        "lifetime_seconds": sent.Consumable.UsagePeriod if sent.Consumable else None,
        "image_url": sent.ItemImageUrl,
        "custom_attributes": _attributes(sent.CustomData),
        "is_active": True,
        "kind": "item",
    }
    if sent.Container:
        table = sent.Container.ResultTableContents[0]
        if not table.isdecimal():
            raise _invalid("Container.ResultTableContents", "name a drop table loot by its id")
        fields |= {"kind": "container", "loot_id": int(table), "key_item_id": None}
        if sent.Container.KeyItemId:
            key = await item_by_ref(session, operator.id, sent.Container.KeyItemId)
            if key is None:
                raise _invalid("Container.KeyItemId", "no such item")
            fields["key_item_id"] = key.id
    return fields


async def _upsert(session: AsyncSession, operator: Operator, sent: CatalogItemIn) -> Item:
    item = await item_by_ref(session, operator.id, sent.ItemId)
    if item is None and sent.ItemId.isdecimal():
        raise _invalid("ItemId", "an all-digit ItemId names an existing item; codes need a letter")
    fields = await _fields(session, operator, sent)
    try:
        if item is None:
            base = {"type": "digital", "value_minor": 0, "currency": operator.base_currency}
            made = ItemCreate.model_validate(fields | base | {"code": sent.ItemId})
            item = await catalog_items.create_item(session, operator, made)
        else:
            await catalog_items.update_item(
                session, operator, item.id, ItemUpdate.model_validate(fields)
            )
    except ValidationError as exc:
        raise _invalid(sent.ItemId, str(exc.errors()[0]["msg"])) from exc
    codes = {
        code: item_id for item_id, code in (await currency_codes(session, operator.id)).items()
    }
    prices = sent.VirtualCurrencyPrices or {}
    unknown = sorted(set(prices) - set(codes))
    if unknown:
        raise Failure("InvalidVirtualCurrency", 1051, f"No virtual currency {unknown[0]}.")
    await set_offer(session, operator, item, {codes[c]: p for c, p in prices.items()})
    return item


async def _write(call: Call, replace: bool) -> dict[str, Any]:
    operator = await title_of(call)
    ask = call.parse(CatalogIn)

    async def work(session: AsyncSession) -> dict[str, Any]:
        kept = {(await _upsert(session, operator, sent)).id for sent in ask.Catalog}
        if replace:
            for item in (await catalog(session, operator.id)).items.values():
                if item.id not in kept and item.is_active:
                    off = ItemUpdate(is_active=False)
                    await catalog_items.update_item(session, operator, item.id, off)
        return {}

    return await in_write(call, work)


async def set_catalog_items(call: Call) -> dict[str, Any]:
    """Replace the title's catalog: listed items are written, the others deactivated."""
    return await _write(call, replace=True)


async def update_catalog_items(call: Call) -> dict[str, Any]:
    """Write the listed items; the others stay as they are."""
    return await _write(call, replace=False)


DAY = 86_400


class CurrencyTypeIn(Body):
    CurrencyCode: Annotated[str, StringConstraints(min_length=2, max_length=8)]
    DisplayName: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    InitialDeposit: Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)] = 0
    RechargeRate: Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)] = 0
    RechargeMax: Annotated[StrictInt, Field(ge=0, le=MAX_MINOR)] = 0


class CurrencyTypesIn(Body):
    VirtualCurrencies: Annotated[list[CurrencyTypeIn], Field(min_length=1, max_length=20)]


def currency_type(currency: VirtualCurrency) -> dict[str, Any]:
    """A VirtualCurrencyData; a recharge of ``amount`` per period is that many per day."""
    period = currency.regen_period_seconds or 0
    rate = currency.regen_amount_minor * DAY // period if period else 0
    return {
        "CurrencyCode": currency.code,
        "DisplayName": currency.name,
        "InitialDeposit": currency.initial_grant_minor,
        "RechargeRate": rate,
        "RechargeMax": currency.regen_cap_minor if period else 0,
    }


async def add_virtual_currency_types(call: Call) -> dict[str, Any]:
    """Define each new currency (recharging ``RechargeRate`` a day up to ``RechargeMax``); a
    code the title already has is left as it is, so a setup script can run again."""
    operator = await title_of(call)
    ask = call.parse(CurrencyTypesIn)

    async def work(session: AsyncSession) -> dict[str, Any]:
        have = {currency.code for currency in await currencies_of(session, operator.id)}
        for sent in ask.VirtualCurrencies:
            if sent.CurrencyCode in have:
                continue
            regen = (sent.RechargeRate, DAY, sent.RechargeMax) if sent.RechargeRate else (0, 0, 0)
            spec = CurrencySpec(
                sent.CurrencyCode, sent.DisplayName or sent.CurrencyCode, 0,
                sent.InitialDeposit, *regen,
            )  # fmt: skip
            await define_virtual_currency(session, operator, spec)
            have.add(sent.CurrencyCode)
        return {}

    return await in_write(call, work)


async def list_virtual_currency_types(call: Call) -> dict[str, Any]:
    """The title's virtual currencies."""
    operator = await title_of(call)
    async with call.runtime.sessions() as session:
        found = await currencies_of(session, operator.id)
    return {"VirtualCurrencies": [currency_type(currency) for currency in found]}


ADMIN: dict[str, Handler] = {
    "AddVirtualCurrencyTypes": add_virtual_currency_types,
    "ListVirtualCurrencyTypes": list_virtual_currency_types,
    "SetCatalogItems": set_catalog_items,
    "UpdateCatalogItems": update_catalog_items,
}
