"""Currencies, the accounts that hold their balances, and regeneration.

A player's account is made the first time it is needed, with the currency's initial grant
posted from the mint. Regeneration needs no job: when a balance is read or changed, the whole
periods since the account's ``regen_from`` are posted from the mint, up to the cap, under a key
that names the period, so two readers at once post it once.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pycountry
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.kit import reads
from coffer.kit.db import connection, insert_ignoring_conflict, rows_changed
from coffer.kit.direct import run
from coffer.kit.errors import AlreadyExists, ValidationFailed
from coffer.ledger.errors import UnknownVirtualCurrency
from coffer.ledger.models import (
    BURN,
    MINT,
    PLAYER,
    SYSTEM_KINDS,
    LedgerAccount,
    VirtualCurrency,
)
from coffer.ledger.service import Leg, post

CODE = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass(frozen=True)
class CurrencySpec:
    """What an operator defines; amounts in the currency's minor units."""

    code: str
    name: str
    decimals: int = 0
    initial_grant_minor: int = 0
    regen_amount_minor: int = 0
    regen_period_seconds: int = 0
    regen_cap_minor: int = 0


def check_code(code: str) -> None:
    """2-8 upper-case letters or digits, and never a real (ISO 4217) currency's code."""
    if not CODE.match(code):
        raise ValidationFailed(fields={"code": "2-8 upper-case letters or digits, e.g. GEM"})
    if pycountry.currencies.get(alpha_3=code) is not None:
        raise ValidationFailed(
            fields={"code": f"{code} is a real currency (ISO 4217); pick another code"}
        )


def _check_regen(spec: CurrencySpec) -> None:
    regen = (spec.regen_amount_minor, spec.regen_period_seconds, spec.regen_cap_minor)
    if any(regen) and not all(value > 0 for value in regen):
        raise ValidationFailed(
            "Regeneration needs an amount, a period and a cap, all above zero.",
            fields={"regenAmountMinor": "with regenPeriodSeconds and regenCapMinor, all > 0"},
        )


async def define_currency(
    session: AsyncSession, operator_id: int, spec: CurrencySpec
) -> VirtualCurrency:
    """A new currency with its mint and burn accounts; ALREADY_EXISTS for a code in use."""
    check_code(spec.code)
    _check_regen(spec)
    currency = VirtualCurrency(operator_id=operator_id, **spec.__dict__)
    try:
        async with session.begin_nested():  # the unique constraint decides, races included
            session.add(currency)
            await session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(f"Virtual currency {spec.code} already exists.") from exc
    for kind in SYSTEM_KINDS:
        session.add(LedgerAccount(currency_id=currency.id, kind=kind, balance_minor=0))
    await session.flush()
    return currency


async def change_currency(
    session: AsyncSession, currency: VirtualCurrency, changes: dict[str, Any], now: datetime
) -> None:
    """New terms (never code or decimals), which each balance settles at from its next read."""
    # Regeneration is lazy: the terms in force at a read pay every whole period since that
    # account was last settled. Switching it on is the exception: it restarts every player's
    # period now, as nothing was owed while it was off and that time must not be paid.
    merged = CurrencySpec(**{**_spec_of(currency), **changes})
    _check_regen(merged)
    switched_on = merged.regen_period_seconds > 0 and currency.regen_period_seconds == 0
    for name, value in changes.items():
        setattr(currency, name, value)
    await session.flush()
    if switched_on:
        await session.execute(
            update(LedgerAccount)
            .where(LedgerAccount.currency_id == currency.id, LedgerAccount.kind == PLAYER)
            .values(regen_from=now)
        )


def _spec_of(currency: VirtualCurrency) -> dict[str, Any]:
    return {name: getattr(currency, name) for name in CurrencySpec.__dataclass_fields__}


async def currency_by_code(
    session: AsyncSession, operator_id: int, code: str, for_update: bool = False
) -> VirtualCurrency:
    """The operator's currency; ``for_update`` holds its row until commit, so two changes at
    once are checked one after the other (NO KEY: postings naming the currency never wait)."""
    query = select(VirtualCurrency).where(
        VirtualCurrency.operator_id == operator_id, VirtualCurrency.code == code
    )
    found = await session.scalar(query.with_for_update(key_share=True) if for_update else query)
    if found is None:
        raise UnknownVirtualCurrency(f"This operator has no virtual currency {code!r}.")
    return found


SYSTEM = select(LedgerAccount.id).where(
    LedgerAccount.currency_id == bindparam("b_currency"),
    LedgerAccount.kind == bindparam("b_kind"),
    LedgerAccount.player_id.is_(None),
)


async def system_account(session: AsyncSession, currency_id: int, kind: str) -> int:
    conn = await connection(session)
    found = (await run(conn, SYSTEM, {"b_currency": currency_id, "b_kind": kind})).scalar()
    assert found is not None, f"currency {currency_id} has no {kind} account"
    return int(found)


async def player_account(
    session: AsyncSession, currency: VirtualCurrency, player_id: int, now: datetime
) -> LedgerAccount:
    """The player's account, opened with the initial grant, then regenerated up to ``now``."""
    found = await _load(session, currency.id, player_id)
    if found is None:
        found = await _open(session, currency, player_id, now)
    if await regenerate(session, currency, found, now):
        found = await _load(session, currency.id, player_id)
    assert found is not None
    return found


async def _open(
    session: AsyncSession, currency: VirtualCurrency, player_id: int, now: datetime
) -> LedgerAccount:
    """Open the account (whoever races, once) with the initial grant."""
    values = {
        "currency_id": currency.id,
        "kind": PLAYER,
        "player_id": player_id,
        "balance_minor": 0,
        "regen_from": now,
        "created_at": now,
    }
    keys = ["currency_id", "kind", "player_id"]
    opened = await session.execute(insert_ignoring_conflict(session, LedgerAccount, values, keys))
    account = await _load(session, currency.id, player_id)
    assert account is not None
    if rows_changed(opened) and currency.initial_grant_minor:  # once, by whoever opened it
        mint = await system_account(session, currency.id, MINT)
        legs = [
            Leg(mint, -currency.initial_grant_minor, system=True),
            Leg(account.id, currency.initial_grant_minor),
        ]
        await post(session, currency.id, f"initial:{account.id}", "initial_grant", legs)
        account = await _load(session, currency.id, player_id)
    assert account is not None
    return account


PLAYER_ACCOUNT = reads.columns(LedgerAccount).where(
    LedgerAccount.currency_id == bindparam("b_currency"),
    LedgerAccount.kind == PLAYER,
    LedgerAccount.player_id == bindparam("b_player"),
)


async def _load(session: AsyncSession, currency_id: int, player_id: int) -> LedgerAccount | None:
    """The account as it is now in the database (never an older copy this session holds)."""
    conn = await reads.flushed(session)
    params = {"b_currency": currency_id, "b_player": player_id}
    row = (await run(conn, PLAYER_ACCOUNT, params)).one_or_none()
    return None if row is None else reads.detached(LedgerAccount, row)


def periods_owed(currency: VirtualCurrency, account: LedgerAccount, now: datetime) -> int:
    """The whole regeneration periods since the account's ``regen_from`` (0 without regen)."""
    period = currency.regen_period_seconds
    if not currency.regen_amount_minor or not period or account.regen_from is None:
        return 0
    return max(0, int((now - account.regen_from).total_seconds() // period))


async def regenerate(
    session: AsyncSession, currency: VirtualCurrency, account: LedgerAccount, now: datetime
) -> bool:
    """Post the whole periods since ``regen_from`` (up to the cap) as one mint, once; whether
    the account changed."""
    periods = periods_owed(currency, account, now)
    if periods <= 0 or account.regen_from is None:
        return False
    period = currency.regen_period_seconds
    settled = account.regen_from + timedelta(seconds=periods * period)
    moved = await session.execute(
        update(LedgerAccount)
        .where(LedgerAccount.id == account.id, LedgerAccount.regen_from == account.regen_from)
        .values(regen_from=settled)
    )
    if rows_changed(moved) != 1:
        return True  # another reader settled these periods first: read it again
    # The row is ours until commit now (the UPDATE above locked it): read the balance afresh,
    # so a credit that landed since the account was loaded counts against the cap.
    balance = await session.scalar(
        select(LedgerAccount.balance_minor).where(LedgerAccount.id == account.id)
    )
    room = currency.regen_cap_minor - (balance or 0)
    amount = min(periods * currency.regen_amount_minor, room)
    if amount > 0:
        mint = await system_account(session, currency.id, MINT)
        legs = [Leg(mint, -amount, system=True), Leg(account.id, amount)]
        await post(session, currency.id, f"regen:{account.id}:{settled.isoformat()}", "regen", legs)
    return True


@dataclass(frozen=True)
class Granted:
    balance_minor: int
    replayed: bool  # the key was seen before: nothing moved this time


async def grant(
    session: AsyncSession,
    currency: VirtualCurrency,
    account_id: int,
    amount: int,
    key: str,
    reason: str | None = None,
    fresh: bool = False,
    system_id: int | None = None,
) -> Granted:
    """Credit a player from the mint (amount > 0) or take back to the burn (amount < 0);
    ``system_id`` is that mint or burn account when the caller has read it already."""
    system = system_id or await system_account(session, currency.id, MINT if amount > 0 else BURN)
    posted = await post(
        session,
        currency.id,
        key,
        reason or ("grant" if amount > 0 else "revoke"),
        [Leg(system, -amount, system=True), Leg(account_id, amount)],
        fresh=fresh,
    )
    return Granted(posted.balances[account_id], posted.replayed)
