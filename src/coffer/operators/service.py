"""Operators, S2S keys, admin tokens and currencies: the rules behind the admin API and CLI."""

import hmac
import re
import secrets
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pycountry
from babel.numbers import get_currency_precision
from pydantic.alias_generators import to_camel
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.kit.db import table, upsert, utcnow
from coffer.kit.direct import run
from coffer.kit.egress import EgressPolicy, url_refusal
from coffer.kit.errors import (
    AdminTokenInvalid,
    AlreadyExists,
    Forbidden,
    NotFound,
    UnsupportedCurrency,
    ValidationFailed,
)
from coffer.kit.money import MAX_MINOR, Rate, convert, fits, parse_rate
from coffer.kit.paging import Page, page_after
from coffer.kit.secrets import SecretBox, new_secret, token_hash
from coffer.operators.models import AdminToken, ApiKey, Currency, Operator
from coffer.operators.schemas import OperatorCreate, OperatorUpdate, Policies

RATE_TEXT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,12})?")
MAX_MINOR_DIGITS = 4


@dataclass(frozen=True)
class AdminPrincipal:
    """Who is calling the admin API: a global admin (operator_id None) or one operator's staff.

    ``actor`` names the token in the audit log and keys its rate limit; never the secret."""

    operator_id: int | None
    actor: str = "admin-token:env"


def check_currency_code(code: str, field: str) -> None:
    """Refuse codes that are not ISO-4217."""
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationFailed(fields={field: f"{code!r} is not an ISO-4217 currency code"})


def default_minor_digits(code: str) -> int:
    """ISO-4217 minor digits (EUR 2, JPY 0, BHD 3)."""
    return int(get_currency_precision(code))


async def check_outbound_urls(policy: EgressPolicy, urls: dict[str, str | None]) -> None:
    """422 naming each URL the egress policy refuses (SPEC §2), before anything is stored."""
    fields = {}
    for name, url in urls.items():
        reason = None if url is None else await url_refusal(policy, url)
        if reason is not None:
            fields[name] = (
                f"refused: {reason}; outbound calls may not reach internal addresses unless "
                "COFFER_EGRESS_ALLOW names them"
            )
    if fields:
        raise ValidationFailed(fields=fields)


async def create_operator(
    session: AsyncSession, box: SecretBox, data: OperatorCreate, policy: EgressPolicy
) -> tuple[Operator, str]:
    """Create an operator with its base currency at rate 1; returns its outbound secret once."""
    check_currency_code(data.base_currency, "baseCurrency")
    await check_outbound_urls(
        policy, {"walletUrl": data.wallet_url, "webhookUrl": data.webhook_url}
    )
    outbound_secret = new_secret("whsec_")
    operator = Operator(
        slug=data.slug,
        name=data.name,
        base_currency=data.base_currency,
        wallet_url=data.wallet_url,
        webhook_url=data.webhook_url,
        outbound_secret_sealed=box.seal(outbound_secret),
        fx_tolerance_bps=data.fx_tolerance_bps,
        wallet_timeout_ms=data.wallet_timeout_ms,
        policies=data.policies.model_dump(),
        status="active",
        created_at=utcnow(),
        allowed_origins=data.allowed_origins,
        theme=data.theme.model_dump(exclude_none=True),
        max_reels=data.max_reels,
        session_idle_minutes=data.session_idle_minutes,
        session_max_minutes=data.session_max_minutes,
    )
    session.add(operator)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(f"An operator with slug {data.slug!r} already exists.") from exc
    session.add(
        Currency(
            operator_id=operator.id,
            code=data.base_currency,
            rate_to_base="1",
            minor_digits=default_minor_digits(data.base_currency),
            updated_at=utcnow(),
        )
    )
    await session.flush()
    return operator, outbound_secret


async def list_operators(session: AsyncSession, principal: AdminPrincipal) -> list[Operator]:
    """Every operator the principal may see."""
    stmt = select(Operator).order_by(Operator.id)
    if principal.operator_id is not None:
        stmt = stmt.where(Operator.id == principal.operator_id)
    return list((await session.execute(stmt)).scalars())


async def operators_after(
    session: AsyncSession, principal: AdminPrincipal, cursor: str | None, limit: int
) -> Page[Operator]:
    """A page of the operators the principal may see, oldest first."""
    stmt = select(Operator)
    if principal.operator_id is not None:
        stmt = stmt.where(Operator.id == principal.operator_id)
    return await page_after(session, stmt, Operator.id, cursor, limit)


async def operator_for(session: AsyncSession, principal: AdminPrincipal, slug: str) -> Operator:
    """The operator by slug; another tenant's operator answers as if it did not exist."""
    operator = (
        await session.execute(select(Operator).where(Operator.slug == slug))
    ).scalar_one_or_none()
    if operator is None or principal.operator_id not in (None, operator.id):
        raise NotFound(f"No operator with slug {slug!r}.")
    return operator


async def vet_update(principal: AdminPrincipal, data: OperatorUpdate, policy: EgressPolicy) -> None:
    """Refuse what this principal may not change and URLs the egress policy refuses, before any
    database work: only a global admin suspends an operator or changes where Coffer sends its
    calls, and a slow DNS answer never holds a transaction open."""
    if data.status is not None and principal.operator_id is not None:
        raise Forbidden("Only a global admin token can suspend or reactivate an operator.")
    if data.rate_limits is not None and principal.operator_id is not None:
        raise Forbidden("Only a global admin token can change an operator's rate limits.")
    urls = data.model_dump(include={"wallet_url", "webhook_url"}, exclude_unset=True)
    if urls and principal.operator_id is not None:
        raise Forbidden("Only a global admin token can change walletUrl or webhookUrl.")
    await check_outbound_urls(policy, {to_camel(k): v for k, v in urls.items()})


async def update_operator(session: AsyncSession, operator: Operator, data: OperatorUpdate) -> None:
    """Apply only the fields (and policy keys) that were sent, once vetted by ``vet_update``."""
    changes = data.model_dump(exclude_unset=True)
    if data.policies is not None:
        sent = data.policies.model_dump(exclude_unset=True)
        changes["policies"] = Policies.model_validate({**operator.policies, **sent}).model_dump()
    if data.theme is not None:  # replaced whole: a colour left out falls back to Coffer's
        changes["theme"] = data.theme.model_dump(exclude_none=True)
    if data.rate_limits is not None:  # replaced whole, like the theme
        changes["rate_limits"] = data.rate_limits.model_dump(exclude_none=True)
    for name, value in changes.items():
        setattr(operator, name, value)
    await session.flush()


async def create_key(
    session: AsyncSession, box: SecretBox, operator: Operator, label: str = ""
) -> tuple[ApiKey, str]:
    """A new S2S key; the secret is returned here and never again."""
    secret = new_secret("igs_")
    key = ApiKey(
        operator_id=operator.id,
        key_id=f"igk_{secrets.token_hex(12)}",
        secret_sealed=box.seal(secret),
        label=label,
        created_at=utcnow(),
    )
    session.add(key)
    await session.flush()
    return key, secret


async def keys_after(
    session: AsyncSession, operator: Operator, cursor: str | None, limit: int
) -> Page[ApiKey]:
    """A page of the operator's keys, newest first, without secrets."""
    stmt = select(ApiKey).where(ApiKey.operator_id == operator.id)
    return await page_after(session, stmt, ApiKey.id, cursor, limit, newest_first=True)


async def revoke_key(session: AsyncSession, operator: Operator, key_id: str) -> ApiKey:
    """Revoke a key of this operator; revoking twice keeps the first revocation time."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.key_id == key_id, ApiKey.operator_id == operator.id)
        .where(ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    key = (
        await session.execute(
            select(ApiKey)
            .where(ApiKey.key_id == key_id, ApiKey.operator_id == operator.id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if key is None:
        raise NotFound(f"Operator {operator.slug} has no key {key_id!r}.")
    return key


KEYS, OPERATORS = table(ApiKey), table(Operator)
SIGNING_KEY = (
    select(KEYS.c.secret_sealed, OPERATORS)
    .join(OPERATORS, OPERATORS.c.id == KEYS.c.operator_id)
    .where(KEYS.c.key_id == bindparam("b_key"), KEYS.c.revoked_at.is_(None))
)


async def signing_key(conn: AsyncConnection, key_id: str) -> tuple[str, Operator] | None:
    """The live key's sealed secret and its operator (a row bound to no session), or None when
    unknown or revoked; one read, as every signed request makes it."""
    row = (await run(conn, SIGNING_KEY, {"b_key": key_id})).one_or_none()
    if row is None:
        return None
    operator = Operator(**{c.key: v for c, v in zip(OPERATORS.c, row[1:], strict=True)})
    return str(row[0]), operator


async def currency_of(
    session: AsyncSession, operator: Operator, code: str
) -> tuple[str, int] | None:
    """The currency's rate text and digits as they stand, if the operator accepts it."""
    found = await session.execute(
        select(Currency.rate_to_base, Currency.minor_digits).where(
            Currency.operator_id == operator.id, Currency.code == code
        )
    )
    row = found.one_or_none()
    return None if row is None else (row[0], row[1])


async def put_currency(
    session: AsyncSession, operator: Operator, code: str, rate_text: str, digits: int | None
) -> Currency:
    """Create or update an accepted currency; the base currency's rate is always 1."""
    check_currency_code(code, "code")
    rate = checked_rate(rate_text)
    if code == operator.base_currency and rate != 1:
        raise ValidationFailed(fields={"rateToBase": "the base currency's rate must be 1"})
    if digits is not None and not 0 <= digits <= MAX_MINOR_DIGITS:
        raise ValidationFailed(fields={"minorDigits": f"must be 0 to {MAX_MINOR_DIGITS}"})
    values = {
        "operator_id": operator.id,
        "code": code,
        "rate_to_base": rate_text,
        "minor_digits": default_minor_digits(code) if digits is None else digits,
        "updated_at": utcnow(),
    }
    await session.execute(
        upsert(session, Currency, values, ["operator_id", "code"], ["rate_to_base", "updated_at"])
    )
    currency = (
        await session.execute(
            select(Currency)
            .where(Currency.operator_id == operator.id, Currency.code == code)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    if digits is not None and digits != currency.minor_digits:
        raise ValidationFailed(
            fields={
                "minorDigits": f"fixed at {currency.minor_digits} for {code}: stored amounts "
                "are in its minor units"
            }
        )
    return currency


def checked_rate(rate_text: str) -> Fraction:
    """A plain positive decimal string such as '1.0850' (no exponent, no sign, no spaces)."""
    if not RATE_TEXT.fullmatch(rate_text):
        raise ValidationFailed(fields={"rateToBase": "must be a decimal string such as '1.0850'"})
    try:
        return parse_rate(rate_text)
    except ValueError as exc:
        raise ValidationFailed(fields={"rateToBase": str(exc)}) from exc


async def list_currencies(session: AsyncSession, operator: Operator) -> list[Currency]:
    """The operator's currencies, base first."""
    stmt = select(Currency).where(Currency.operator_id == operator.id).order_by(Currency.code)
    rows = list((await session.execute(stmt)).scalars())
    return sorted(rows, key=lambda c: c.code != operator.base_currency)


async def load_rates(session: AsyncSession, operator: Operator) -> dict[str, Rate]:
    """Every configured currency as an exact Rate, for FX conversion."""
    return {
        c.code: Rate(c.code, parse_rate(c.rate_to_base), c.minor_digits)
        for c in await list_currencies(session, operator)
    }


CURRENCIES = table(Currency)
RATES = select(CURRENCIES.c.code, CURRENCIES.c.rate_to_base, CURRENCIES.c.minor_digits).where(
    CURRENCIES.c.operator_id == bindparam("b_operator")
)


async def rates_now(conn: AsyncConnection, operator_id: int) -> dict[str, Rate]:
    """``load_rates`` for the purchase path: one Core statement in the caller's transaction."""
    rows = await run(conn, RATES, {"b_operator": operator_id})
    return {code: Rate(code, parse_rate(rate), digits) for code, rate, digits in rows}


async def create_admin_token(
    session: AsyncSession, operator: Operator | None, label: str = ""
) -> str:
    """A new admin bearer token (global when ``operator`` is None), stored only as a hash."""
    token = new_secret("cat_")
    session.add(
        AdminToken(
            operator_id=None if operator is None else operator.id,
            token_hash=token_hash(token),
            label=label,
            created_at=utcnow(),
        )
    )
    await session.flush()
    return token


async def authenticate_admin(
    session: AsyncSession, configured_token: str | None, presented: str
) -> AdminPrincipal:
    """Match the bearer token against COFFER_ADMIN_TOKEN, then the stored tokens."""
    if configured_token and hmac.compare_digest(presented.encode(), configured_token.encode()):
        return AdminPrincipal(operator_id=None, actor="admin-token:env")
    stored = (
        await session.execute(
            select(AdminToken).where(
                AdminToken.token_hash == token_hash(presented), AdminToken.revoked_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if stored is None:
        raise AdminTokenInvalid()
    actor = f"admin-token:{stored.id}" + (f" ({stored.label})" if stored.label else "")
    return AdminPrincipal(operator_id=stored.operator_id, actor=actor[:200])


async def rate_limits_of(session: AsyncSession, operator_id: int | None) -> dict[str, Any]:
    """An operator's rate-limit overrides; none for a global admin."""
    if operator_id is None:
        return {}
    found = await session.scalar(select(Operator.rate_limits).where(Operator.id == operator_id))
    return dict(found or {})


def rate_for(rates: dict[str, Rate], currency: str) -> Rate:
    """The configured rate, or UNSUPPORTED_CURRENCY naming what is configured."""
    rate = rates.get(currency)
    if rate is None:
        configured = ", ".join(sorted(rates))
        raise UnsupportedCurrency(
            f"{currency} is not configured for this operator (configured: {configured})."
        )
    return rate


def convert_checked(amount_minor: int, source: Rate, target: Rate) -> int:
    """``convert``, refusing a result a rate made unusable (a free price, or one too large)."""
    converted = convert(amount_minor, source, target)
    if not fits(amount_minor, converted):
        raise UnsupportedCurrency(
            f"{amount_minor} minor units of {source.currency} convert to {converted} of "
            f"{target.currency}, outside 1..{MAX_MINOR}: the {target.currency} or "
            f"{source.currency} rate is wrong; correct it with PUT …/currencies/{{code}}.",
            fields={"currency": f"cannot price in {target.currency} at its current rate"},
        )
    return converted
