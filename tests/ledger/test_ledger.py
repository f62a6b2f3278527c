"""The ledger's promises on both databases: postings sum to zero, balances never go below zero
(refused in the write), a key is applied once, postings cannot be changed, regeneration is
posted once per period up to the cap."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from typer.testing import CliRunner

from coffer.cli.main import app
from coffer.kit.errors import AlreadyExists, IdempotencyKeyReused, ValidationFailed
from coffer.ledger import accounts
from coffer.ledger.accounts import CurrencySpec
from coffer.ledger.errors import InsufficientVirtualFunds
from coffer.ledger.models import LedgerAccount, LedgerPosting, LedgerTransaction, VirtualCurrency
from coffer.ledger.queries import system_totals
from coffer.ledger.service import Leg, post
from coffer.players.models import Player
from coffer.runtime import Runtime
from tests.conftest import SECRET_KEY, OperatorCtx

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# Starts at 2, one more every 10 minutes, never past 5 by regeneration.
ENERGY = CurrencySpec(
    "NRG",
    "Energy",
    initial_grant_minor=2,
    regen_amount_minor=1,
    regen_period_seconds=600,
    regen_cap_minor=5,
)


async def setup(
    runtime: Runtime, operator: OperatorCtx, spec: CurrencySpec, players: int = 1
) -> tuple[VirtualCurrency, list[int]]:
    """A currency and players' accounts (opened at T0), committed."""
    async with runtime.sessions() as session:
        currency = await accounts.define_currency(session, operator.operator_id, spec)
        ids = []
        for n in range(players):
            player = Player(operator_id=operator.operator_id, external_id=f"p{n}")
            session.add(player)
            await session.flush()
            ids.append((await accounts.player_account(session, currency, player.id, T0)).id)
        await session.commit()
    return currency, ids


async def balance_of(runtime: Runtime, account_id: int) -> int:
    async with runtime.sessions() as session:
        found = await session.scalar(
            select(LedgerAccount.balance_minor).where(LedgerAccount.id == account_id)
        )
        assert found is not None
        return found


async def test_codes_are_checked_and_never_a_real_currency(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async with runtime.sessions() as session:
        for code in ("EUR", "gem", "G", "TOOLONGCODE"):
            with pytest.raises(ValidationFailed):
                await accounts.define_currency(
                    session, operator.operator_id, CurrencySpec(code, "x")
                )
        await accounts.define_currency(session, operator.operator_id, CurrencySpec("GEM", "Gems"))
        with pytest.raises(AlreadyExists):
            await accounts.define_currency(session, operator.operator_id, CurrencySpec("GEM", "x"))


async def test_a_grant_and_a_spend_move_money_through_the_system_accounts(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    currency, (account,) = await setup(
        runtime, operator, CurrencySpec("GEM", "Gems", initial_grant_minor=100)
    )
    async with runtime.sessions() as session:
        assert (await accounts.grant(session, currency, account, 50, "g1")).balance_minor == 150
        assert (
            await accounts.grant(session, currency, account, -30, "spend-1")
        ).balance_minor == 120
        await session.commit()
    async with runtime.sessions() as session:
        sums = (
            await session.execute(
                select(LedgerPosting.transaction_id, func.sum(LedgerPosting.amount_minor)).group_by(
                    LedgerPosting.transaction_id
                )
            )
        ).all()
        assert len(sums) == 3  # initial grant, grant, spend
        assert all(total == 0 for _, total in sums)
        assert await system_totals(session, currency.id) == {"mint": -150, "burn": 30}


async def test_an_overdraft_is_refused_and_moves_nothing(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    currency, (account,) = await setup(
        runtime, operator, CurrencySpec("GEM", "Gems", initial_grant_minor=10)
    )
    async with runtime.sessions() as session:
        with pytest.raises(InsufficientVirtualFunds):
            await accounts.grant(session, currency, account, -11, "too-much")
        await session.commit()
    assert await balance_of(runtime, account) == 10
    async with runtime.sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).where(LedgerTransaction.idempotency_key == "too-much")
            )
            == 0
        )


async def test_a_key_is_applied_once_and_cannot_be_reused_for_another_change(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    currency, (account,) = await setup(runtime, operator, CurrencySpec("GEM", "Gems"))
    async with runtime.sessions() as session:
        first = (await accounts.grant(session, currency, account, 40, "k")).balance_minor
        again = (await accounts.grant(session, currency, account, 40, "k")).balance_minor
        assert first == again == 40
        with pytest.raises(IdempotencyKeyReused):
            await accounts.grant(session, currency, account, 41, "k")
        await session.commit()
    assert await balance_of(runtime, account) == 40


async def test_unbalanced_legs_are_a_programming_error(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    currency, (account,) = await setup(runtime, operator, CurrencySpec("GEM", "Gems"))
    async with runtime.sessions() as session:
        with pytest.raises(ValueError, match="sum to zero"):
            await post(session, currency.id, "bad", "grant", [Leg(account, 5)])


async def test_postings_cannot_be_updated_or_deleted(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    await setup(runtime, operator, CurrencySpec("GEM", "Gems", initial_grant_minor=5))
    for change in (
        update(LedgerPosting).values(amount_minor=1_000_000),
        delete(LedgerPosting),
    ):
        async with runtime.sessions() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(change)
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerPosting)) == 2


async def test_the_database_refuses_a_negative_player_balance_whoever_writes(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    _, (account,) = await setup(runtime, operator, CurrencySpec("GEM", "Gems"))
    async with runtime.sessions() as session:
        with pytest.raises(IntegrityError):
            await session.execute(
                update(LedgerAccount).where(LedgerAccount.id == account).values(balance_minor=-1)
            )


async def test_regeneration_posts_whole_periods_once_up_to_the_cap(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    currency, (account,) = await setup(runtime, operator, ENERGY)
    async with runtime.sessions() as session:
        player = await session.scalar(
            select(LedgerAccount.player_id).where(LedgerAccount.id == account)
        )
        assert player is not None
        found = await accounts.player_account(session, currency, player, T0 + timedelta(minutes=25))
        assert found.balance_minor == 4  # two whole periods
        again = await accounts.player_account(session, currency, player, T0 + timedelta(minutes=25))
        assert again.balance_minor == 4  # the same periods are not posted twice
        later = await accounts.player_account(session, currency, player, T0 + timedelta(hours=5))
        assert later.balance_minor == 5  # the cap
        await session.commit()


async def test_fifty_concurrent_debits_against_thirty_succeed_thirty_times(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    currency, (account,) = await setup(
        runtime, operator, CurrencySpec("GEM", "Gems", initial_grant_minor=30)
    )

    async def spend(n: int) -> bool:
        try:
            async with runtime.sessions() as session:
                await accounts.grant(session, currency, account, -1, f"spend-{n}")
                await session.commit()
                return True
        except InsufficientVirtualFunds:
            return False

    results = await asyncio.gather(*(spend(n) for n in range(50)))
    assert results.count(True) == 30
    assert await balance_of(runtime, account) == 0
    async with runtime.sessions() as session:
        total = await session.scalar(
            select(func.sum(LedgerPosting.amount_minor)).where(LedgerPosting.account_id == account)
        )
        assert total == 0


def verify_cli(database_url: str) -> tuple[int, str]:
    env = {"COFFER_DATABASE_URL": database_url, "COFFER_SECRET_KEY": SECRET_KEY}
    result = CliRunner().invoke(app, ["ledger", "verify"], env=env)
    return result.exit_code, result.output


async def test_coffer_ledger_verify_finds_a_balance_written_around_the_ledger(
    runtime: Runtime, operator: OperatorCtx, database_url: str
) -> None:
    _, (account,) = await setup(
        runtime, operator, CurrencySpec("GEM", "Gems", initial_grant_minor=7)
    )
    code, output = await asyncio.to_thread(verify_cli, database_url)
    assert code == 0, output
    assert "every balance equals the sum of its postings" in output
    async with runtime.sessions() as session:  # a write that bypasses the ledger
        await session.execute(
            update(LedgerAccount).where(LedgerAccount.id == account).values(balance_minor=9)
        )
        await session.commit()
    code, output = await asyncio.to_thread(verify_cli, database_url)
    assert code == 1
    assert f"account {account} (player): balance 9, postings sum to 7" in output


def cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {"COFFER_DATABASE_URL": database_url, "COFFER_SECRET_KEY": SECRET_KEY}
    result = CliRunner().invoke(app, ["ledger", *args], env=env)
    return result.exit_code, result.output


async def test_the_cli_defines_posts_once_and_reads(
    runtime: Runtime, operator: OperatorCtx, database_url: str
) -> None:
    code, output = await asyncio.to_thread(
        cli,
        database_url,
        "define",
        "-o",
        "acme",
        "--code",
        "GOLD",
        "--name",
        "Gold",
        "--initial-grant",
        "10",
    )
    assert code == 0, output
    grant = ("post", "-o", "acme", "--player", "p9", "--currency", "GOLD", "--amount", "5")
    for _ in range(2):  # the same key twice moves once
        code, output = await asyncio.to_thread(cli, database_url, *grant, "--key", "k1")
        assert code == 0, output
        assert "p9: 15 GOLD" in output
    code, output = await asyncio.to_thread(
        cli,
        database_url,
        "post",
        "-o",
        "acme",
        "--player",
        "p9",
        "--currency",
        "GOLD",
        "--amount",
        "-16",
        "--key",
        "k2",
    )
    assert code == 1
    assert "does not cover" in output
    code, output = await asyncio.to_thread(
        cli, database_url, "balances", "-o", "acme", "--player", "p9"
    )
    assert "GOLD: 15" in output


async def test_a_credit_since_the_account_was_read_counts_against_the_regeneration_cap(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    currency, (account_id,) = await setup(runtime, operator, ENERGY)
    async with runtime.sessions() as session:
        read = await session.get(LedgerAccount, account_id)
        assert read is not None
        # The account as a reader saw it (balance 2), kept apart from the session's later writes.
        stale = LedgerAccount(id=read.id, regen_from=read.regen_from, balance_minor=2)
        await accounts.grant(session, currency, account_id, 3, "top-up")  # now 5: the cap
        await accounts.regenerate(session, currency, stale, T0 + timedelta(minutes=25))
        await session.commit()
    assert await balance_of(runtime, account_id) == 5


async def test_two_admins_defining_one_code_at_once_make_one_currency(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    async def define() -> str:
        try:
            async with runtime.sessions() as session:
                spec = CurrencySpec("GEM", "Gems")
                await accounts.define_currency(session, operator.operator_id, spec)
                await session.commit()
                return "made"
        except AlreadyExists:
            return "exists"

    assert sorted(await asyncio.gather(define(), define())) == ["exists", "made"]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(VirtualCurrency)) == 1
