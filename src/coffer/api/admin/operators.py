"""Admin API for operators, their S2S keys and currencies (SPEC §13)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path

from coffer.api.deps import Admin, AdminOperator, DbSession, RuntimeDep, Slug
from coffer.api.openapi import errors_for
from coffer.api.params import CursorParam, Limit
from coffer.audit.service import Change, record
from coffer.catalog import rates
from coffer.kit.errors import Forbidden
from coffer.kit.schemas import PageCursor
from coffer.operators import outbound, service
from coffer.operators.app_settings import Theme
from coffer.operators.models import ApiKey, Currency, Operator
from coffer.operators.schemas import (
    CurrencyOut,
    CurrencyPut,
    KeyCreate,
    KeyCreated,
    KeyList,
    KeyOut,
    OperatorCreate,
    OperatorCreated,
    OperatorList,
    OperatorOut,
    OperatorUpdate,
    OutboundRotate,
    OutboundRotated,
    Policies,
    RateLimits,
)

router = APIRouter(prefix="/api/admin/operators", tags=["admin: operators"])


def currency_out(currency: Currency, operator: Operator) -> CurrencyOut:
    return CurrencyOut(
        code=currency.code,
        rate_to_base=currency.rate_to_base,
        minor_digits=currency.minor_digits,
        is_base=currency.code == operator.base_currency,
        updated_at=currency.updated_at,
    )


def operator_out(operator: Operator, currencies: list[Currency]) -> OperatorOut:
    return OperatorOut(
        operator_id=operator.id,
        slug=operator.slug,
        name=operator.name,
        base_currency=operator.base_currency,
        wallet_url=operator.wallet_url,
        webhook_url=operator.webhook_url,
        fx_tolerance_bps=operator.fx_tolerance_bps,
        wallet_timeout_ms=operator.wallet_timeout_ms,
        policies=Policies.model_validate(operator.policies),
        status=operator.status,
        created_at=operator.created_at,
        currencies=[currency_out(c, operator) for c in currencies],
        allowed_origins=list(operator.allowed_origins or []),
        theme=Theme.model_validate(operator.theme or {}),
        max_reels=operator.max_reels,
        session_idle_minutes=operator.session_idle_minutes,
        session_max_minutes=operator.session_max_minutes,
        purchases_paused=operator.purchases_paused,
        rate_limits=RateLimits.model_validate(operator.rate_limits or {}),
    )


def key_out(key: ApiKey) -> KeyOut:
    return KeyOut(
        key_id=key.key_id, label=key.label, created_at=key.created_at, revoked_at=key.revoked_at
    )


@router.post("", status_code=201, responses=errors_for(401, 403, 409, 422))
async def create_operator(
    body: OperatorCreate, principal: Admin, session: DbSession, runtime: RuntimeDep
) -> OperatorCreated:
    """Create an operator; its outbound secret (for wallet and webhook signatures) is shown once."""
    if principal.operator_id is not None:
        raise Forbidden("Only a global admin token can create operators.")
    operator, secret = await service.create_operator(session, runtime.secrets, body, runtime.egress)
    await session.commit()
    return OperatorCreated(operator_id=operator.id, slug=operator.slug, outbound_secret=secret)


@router.get("", responses=errors_for(401, 422))
async def list_operators(
    principal: Admin, session: DbSession, limit: Limit = 50, cursor: CursorParam = None
) -> OperatorList:
    """The operators this token may manage, oldest first; page with ``cursor.next``."""
    found = await service.operators_after(session, principal, cursor, limit)
    shown = [operator_out(o, await service.list_currencies(session, o)) for o in found.rows]
    return OperatorList(operators=shown, cursor=PageCursor(next=found.next_cursor, prev=None))


@router.get("/{slug}", responses=errors_for(401, 404))
async def get_operator(operator: AdminOperator, session: DbSession) -> OperatorOut:
    """One operator with its currencies and policies."""
    return operator_out(operator, await service.list_currencies(session, operator))


@router.patch("/{slug}", responses=errors_for(401, 403, 404, 422))
async def update_operator(
    body: OperatorUpdate, principal: Admin, slug: Slug, session: DbSession, runtime: RuntimeDep
) -> OperatorOut:
    """Change URLs (a global admin only; internal addresses are refused by the egress policy),
    FX tolerance, wallet timeout, policies (merged) or status."""
    await service.vet_update(principal, body, runtime.egress)
    operator = await service.operator_for(session, principal, slug)
    await service.update_operator(session, operator, body)
    await session.commit()
    return operator_out(operator, await service.list_currencies(session, operator))


@router.post("/{slug}/keys", status_code=201, responses=errors_for(401, 404, 422))
async def create_key(
    operator: AdminOperator, session: DbSession, runtime: RuntimeDep, body: KeyCreate | None = None
) -> KeyCreated:
    """A new S2S signing key; the secret is in this response only."""
    key, secret = await service.create_key(
        session, runtime.secrets, operator, body.label if body else ""
    )
    await session.commit()
    return KeyCreated(key_id=key.key_id, secret=secret, label=key.label, created_at=key.created_at)


@router.get("/{slug}/keys", responses=errors_for(401, 404, 422))
async def list_keys(
    operator: AdminOperator, session: DbSession, limit: Limit = 50, cursor: CursorParam = None
) -> KeyList:
    """The operator's keys, live and revoked, newest first, never with their secrets."""
    found = await service.keys_after(session, operator, cursor, limit)
    page = PageCursor(next=found.next_cursor, prev=None)
    return KeyList(keys=[key_out(k) for k in found.rows], cursor=page)


@router.delete("/{slug}/keys/{keyId}", responses=errors_for(401, 404))
async def revoke_key(
    operator: AdminOperator,
    session: DbSession,
    key_id: Annotated[str, Path(alias="keyId", max_length=64)],
) -> KeyOut:
    """Revoke a key: requests signed with it fail from now on."""
    key = await service.revoke_key(session, operator, key_id)
    await session.commit()
    return key_out(key)


@router.put("/{slug}/currencies/{code}", responses=errors_for(401, 404, 422))
async def put_currency(
    body: CurrencyPut,
    principal: Admin,
    operator: AdminOperator,
    session: DbSession,
    code: str = Path(pattern=r"^[A-Z]{3}$"),
) -> CurrencyOut:
    """Accept a currency at a rate to the base (1 unit = rateToBase base units); a rate that
    would price something at 0 or past the largest amount is refused. Audited with the rate
    before and after."""
    before = await service.currency_of(session, operator, code)
    currency = await rates.set_rate(session, operator, code, body.rate_to_base, body.minor_digits)
    after = {"rateToBase": currency.rate_to_base, "minorDigits": currency.minor_digits}
    was = None if before is None else {"rateToBase": before[0], "minorDigits": before[1]}
    change = Change(principal.actor, "currency.rate_set", f"currency:{code}", was, after)
    await record(session, operator.id, change)
    await session.commit()
    return currency_out(currency, operator)


@router.post("/{slug}/outbound-secret/rotate", responses=errors_for(401, 403, 404, 409, 422))
async def rotate_outbound_secret(
    body: OutboundRotate,
    principal: Admin,
    operator: AdminOperator,
    session: DbSession,
    runtime: RuntimeDep,
) -> OutboundRotated:
    """Start signing wallet calls and webhooks with a new secret (``X-Signature-Next``) beside the
    old one (``X-Signature``) for ``windowHours``; after that only the new one signs."""
    if principal.operator_id is not None:
        raise Forbidden("Only a global admin token can rotate an outbound secret.")
    rotation = await outbound.rotate(
        session, runtime.secrets, operator, timedelta(hours=body.window_hours)
    )
    await session.commit()
    return OutboundRotated(
        outbound_secret=rotation.new_secret, old_secret_retires_at=rotation.old_retires_at
    )
