"""Admin API for an operator's virtual currencies (SPEC §12)."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import Field, StrictInt, StringConstraints, field_validator

from coffer.api.deps import AdminOperator, DbSession
from coffer.api.openapi import errors_for
from coffer.api.params import CursorParam, Limit
from coffer.catalog import currencies
from coffer.catalog.currencies import currency_items, define_virtual_currency
from coffer.kit.schemas import ApiModel, PageCursor, SafeText, Unchangeable, not_null, unchangeable
from coffer.ledger.accounts import CurrencySpec
from coffer.ledger.models import VirtualCurrency
from coffer.ledger.queries import currencies_after

router = APIRouter(prefix="/api/admin/operators", tags=["admin: virtual currencies"])

Amount = Annotated[StrictInt, Field(ge=0, le=10**15)]


class VirtualCurrencyIn(ApiModel):
    """A currency of the operator's own: never a real one, never exchanged for money."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,8}$")]
    name: Annotated[SafeText, StringConstraints(min_length=1, max_length=100)]
    decimals: Annotated[StrictInt, Field(ge=0, le=8)] = 0
    initial_grant_minor: Amount = 0
    regen_amount_minor: Amount = 0
    regen_period_seconds: Annotated[StrictInt, Field(ge=0, le=366 * 24 * 3600)] = 0
    regen_cap_minor: Amount = 0


class VirtualCurrencyOut(VirtualCurrencyIn):
    item_id: int | None  # the currency as an item: a price item in orders, content in loots


class VirtualCurrencyList(ApiModel):
    currencies: list[VirtualCurrencyOut]
    cursor: PageCursor


def currency_out(currency: VirtualCurrency, item_id: int | None) -> VirtualCurrencyOut:
    fields = {name: getattr(currency, name) for name in VirtualCurrencyIn.model_fields}
    return VirtualCurrencyOut(**fields, item_id=item_id)


@router.post(
    "/{slug}/virtual-currencies", status_code=201, responses=errors_for(401, 404, 409, 422)
)
async def create_virtual_currency(
    body: VirtualCurrencyIn, operator: AdminOperator, session: DbSession
) -> VirtualCurrencyOut:
    """Define a currency; players' balances open on first use with its initial grant."""
    spec = CurrencySpec(**body.model_dump())
    currency, item = await define_virtual_currency(session, operator, spec)
    await session.commit()
    return currency_out(currency, item.id)


@router.get("/{slug}/virtual-currencies", responses=errors_for(401, 404, 422))
async def list_virtual_currencies(
    operator: AdminOperator, session: DbSession, limit: Limit = 50, cursor: CursorParam = None
) -> VirtualCurrencyList:
    """The operator's virtual currencies, oldest first; page with ``cursor.next``."""
    found = await currencies_after(session, operator.id, cursor, limit)
    items = await currency_items(session, [c.id for c in found.rows])
    return VirtualCurrencyList(
        currencies=[currency_out(c, items.get(c.id)) for c in found.rows],
        cursor=PageCursor(next=found.next_cursor, prev=None),
    )


CurrencyCode = Annotated[str, Path(pattern=r"^[A-Z0-9]{2,8}$", description="The currency's code.")]
FIXED_CURRENCY_FIELDS = {
    "code": "balances, prices and the ledger name the currency by it; define a new currency",
    "decimals": "it would rescale every balance held; define a new currency",
}


class VirtualCurrencyUpdate(ApiModel):
    """What staff may change of a currency; omitted fields keep their value."""

    name: Annotated[SafeText, StringConstraints(min_length=1, max_length=100)] | None = None
    initial_grant_minor: Amount | None = None
    regen_amount_minor: Amount | None = None
    regen_period_seconds: Annotated[StrictInt, Field(ge=0, le=366 * 24 * 3600)] | None = None
    regen_cap_minor: Amount | None = None
    code: Unchangeable = None
    decimals: Unchangeable = None

    _required = field_validator(
        "name", "initial_grant_minor", "regen_amount_minor", "regen_period_seconds",
        "regen_cap_minor",
    )(not_null)  # fmt: skip
    _fixed = field_validator(*FIXED_CURRENCY_FIELDS, mode="before")(
        unchangeable(FIXED_CURRENCY_FIELDS)
    )


@router.patch("/{slug}/virtual-currencies/{code}", responses=errors_for(401, 404, 422))
async def update_virtual_currency(
    code: CurrencyCode, body: VirtualCurrencyUpdate, operator: AdminOperator, session: DbSession
) -> VirtualCurrencyOut:
    """Rename a currency (its item too) or change its grant and regeneration; code and decimals
    are fixed. New regeneration terms pay at each balance's next read, for all the time since
    its last paid period (up to the cap; nothing is taken back); switching regeneration on
    starts every player's first period now. A new initial grant is for accounts opened later."""
    currency, item_id = await currencies.update_virtual_currency(
        session, operator, code, body.model_dump(exclude_unset=True)
    )
    await session.commit()
    return currency_out(currency, item_id)
