"""A hypothesis state machine over the ledger: random grants, debits and replays, with every
invariant checked after every step against the database and a model of the balances."""

import asyncio
import itertools
from collections.abc import Awaitable
from typing import Any, ClassVar, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from coffer.kit.db import make_engine, utcnow
from coffer.ledger import accounts
from coffer.ledger.accounts import CurrencySpec
from coffer.ledger.errors import InsufficientVirtualFunds
from coffer.ledger.models import LedgerAccount, LedgerPosting, LedgerTransaction
from coffer.players.models import Player
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx

T = TypeVar("T")
PLAYERS = 3
CODES = (f"S{n:03d}" for n in itertools.count())  # a fresh currency per example
STEPS: list[str] = []  # every rule run, for the count printed with -s


class Ledger(RuleBasedStateMachine):
    """Bound to a database and an operator by ``machine_for``."""

    url: ClassVar[str] = ""
    operator_id: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.engine = make_engine(self.url, poolclass=NullPool)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.keys = (f"k{n}" for n in itertools.count())
        self.done: dict[str, tuple[int, int, int]] = {}  # key -> (player, amount, after)
        self.currency, self.accounts = self.run(self._open())
        self.model = [0] * PLAYERS
        for player in range(PLAYERS):  # something to spend and to replay from the first step
            self._move(player, 10)
        STEPS.append("example")

    def run(self, work: Awaitable[T]) -> T:
        return self.loop.run_until_complete(work)

    async def _open(self) -> tuple[Any, list[int]]:
        async with self.sessions() as session:
            currency = await accounts.define_currency(
                session, self.operator_id, CurrencySpec(next(CODES), "S")
            )
            ids = []
            for n in range(PLAYERS):
                player = Player(operator_id=self.operator_id, external_id=f"{currency.code}-{n}")
                session.add(player)
                await session.flush()
                ids.append(
                    (await accounts.player_account(session, currency, player.id, utcnow())).id
                )
            await session.commit()
            return currency, ids

    async def _grant(self, session: AsyncSession, player: int, amount: int, key: str) -> int:
        done = await accounts.grant(session, self.currency, self.accounts[player], amount, key)
        await session.commit()
        return done.balance_minor

    def _move(self, player: int, amount: int) -> None:
        key = next(self.keys)
        try:
            after = self.run(self._in_session(self._grant, player, amount, key))
        except InsufficientVirtualFunds:
            assert self.model[player] + amount < 0  # refused only when it would overdraw
            return
        self.model[player] += amount
        assert after == self.model[player]
        self.done[key] = (player, amount, after)

    async def _in_session(self, work: Any, *args: Any) -> Any:
        async with self.sessions() as session:
            return await work(session, *args)

    @rule(player=st.integers(0, PLAYERS - 1), amount=st.integers(1, 50))
    def grant(self, player: int, amount: int) -> None:
        STEPS.append("grant")
        self._move(player, amount)

    @rule(player=st.integers(0, PLAYERS - 1), amount=st.integers(1, 60))
    def debit(self, player: int, amount: int) -> None:
        STEPS.append("debit")
        self._move(player, -amount)

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        if not self.done:
            return
        STEPS.append("replay")
        key = data.draw(st.sampled_from(sorted(self.done)))
        player, amount, after = self.done[key]
        again = self.run(self._in_session(self._grant, player, amount, key))
        assert again == after  # the first answer, and nothing moved

    @invariant()
    def books_balance(self) -> None:
        self.run(self._check())

    async def _check(self) -> None:
        async with self.sessions() as session:
            unbalanced = await session.scalar(
                select(func.count()).select_from(
                    select(LedgerPosting.transaction_id)
                    .join(LedgerTransaction)
                    .where(LedgerTransaction.currency_id == self.currency.id)
                    .group_by(LedgerPosting.transaction_id)
                    .having(func.sum(LedgerPosting.amount_minor) != 0)
                    .subquery()
                )
            )
            assert unbalanced == 0
            rows = (
                await session.execute(
                    select(LedgerAccount.id, LedgerAccount.balance_minor).where(
                        LedgerAccount.currency_id == self.currency.id,
                        LedgerAccount.kind == "player",  # a system balance is its postings' sum
                    )
                )
            ).all()
            for account_id, balance in rows:
                total = await session.scalar(
                    select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0)).where(
                        LedgerPosting.account_id == account_id
                    )
                )
                assert balance == total
                if account_id in self.accounts:
                    assert balance >= 0
                    assert balance == self.model[self.accounts.index(account_id)]

    def teardown(self) -> None:
        self.run(self.engine.dispose())
        self.loop.close()


def machine_for(url: str, operator_id: int) -> type[RuleBasedStateMachine]:
    """The machine, bound to one database and operator."""
    return type("BoundLedger", (Ledger,), {"url": url, "operator_id": operator_id})


async def test_random_grants_debits_and_replays_keep_every_invariant(
    runtime: Runtime, operator: OperatorCtx, database_url: str
) -> None:
    machine = machine_for(database_url, operator.operator_id)
    budget = settings(max_examples=15, stateful_step_count=12, deadline=None)
    before = len(STEPS)
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=budget)
    ran = STEPS[before:]
    counts = {kind: ran.count(kind) for kind in ("example", "grant", "debit", "replay")}
    print(f"ledger machine: {counts}")
    assert ran.count("replay") > 0
