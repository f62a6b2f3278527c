"""A hypothesis state machine over orders: random grants, purchases, fills, consumes and
replays through the orders engine, with the ledger's and the inventory's invariants checked
after every step against the database and a model built from the orders' own change records."""

import asyncio
import itertools
from collections import Counter
from collections.abc import Awaitable
from typing import Any, ClassVar, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.pool import NullPool

from coffer.catalog import items, loots
from coffer.catalog.currencies import define_virtual_currency
from coffer.catalog.loot_schemas import LootIn
from coffer.catalog.schemas import ItemCreate
from coffer.inventory.models import InventoryItem
from coffer.kit.db import make_engine, utcnow
from coffer.kit.secrets import SecretBox
from coffer.ledger.accounts import CurrencySpec
from coffer.ledger.models import PLAYER, LedgerAccount, LedgerPosting, LedgerTransaction
from coffer.loot.containers import OpenAsk, open_container
from coffer.operators.models import Operator
from coffer.orders import service
from coffer.orders.asks import EntryAsk, OrderAsk, PriceAsk
from coffer.players.service import ensure_player
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx

T = TypeVar("T")
PLAYERS = 2
CODES = (f"O{n:03d}" for n in itertools.count())  # a fresh currency per example
STEPS: list[str] = []  # every rule and check run, for the counts printed with -s
KINDS = ("buy", "fill", "potions", "use_potion", "sword", "use_sword", "bad_price")


class Orders(RuleBasedStateMachine):
    """Bound to a database and an operator by ``machine_for``."""

    url: ClassVar[str] = ""
    operator_id: ClassVar[int] = 0
    secrets: ClassVar[SecretBox]

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.engine = make_engine(self.url, poolclass=NullPool)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.refs = (f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count())
        self.bodies: dict[str, tuple[int, dict[str, Any]]] = {}  # ref -> (player, first body)
        self.model: Counter[tuple[int, int]] = Counter()  # (player id, item id) -> count
        self.held: dict[tuple[int, int], list[int]] = {}  # (player id, item id) -> instances
        self.run(self._build())
        for player in self.players:  # gems to spend from the first step
            self._place(
                player, [EntryAsk("create_new_persistent_inventory", 60, item_id=self.gem)], True
            )
        STEPS.append("example")

    def run(self, work: Awaitable[T]) -> T:
        return self.loop.run_until_complete(work)

    async def _build(self) -> None:
        async with self.sessions() as session:
            operator = await session.get(Operator, self.operator_id)
            assert operator is not None
            code = next(CODES)
            _, gem = await define_virtual_currency(session, operator, CurrencySpec(code, code))
            self.gem, self.currency_id = gem.id, gem.virtual_currency_id
            base = {"type": "digital", "valueMinor": 0, "currency": "EUR", "clientWritable": True}
            potion = await items.create_item(
                session,
                operator,
                ItemCreate.model_validate({**base, "name": "P", "stackable": True, "maxStack": 20}),
            )
            sword = await items.create_item(
                session, operator, ItemCreate.model_validate({**base, "name": "S", "uses": 2})
            )
            self.potion, self.sword = potion.id, sword.id
            contents = [{"itemId": potion.id, "quantity": 2}, {"itemId": gem.id, "quantity": 5}]
            prices = [{"priceItemId": gem.id, "price": 25}]
            pack = {"name": "Pack", "contents": contents, "prices": prices}
            self.pack = (await loots.create_loot(session, operator, LootIn.model_validate(pack))).id
            daily = {
                "name": "Daily",
                "contents": [{"itemId": potion.id, "quantity": 1}],
                "clientFillable": True,
            }
            self.daily = (
                await loots.create_loot(session, operator, LootIn.model_validate(daily))
            ).id
            drops = {
                "name": "Drops",
                "kind": "drop_table",
                "contents": [
                    {"itemId": potion.id, "quantity": 1, "weight": 2},
                    {"itemId": gem.id, "quantity": 7, "weight": 1},
                ],
            }
            table = await loots.create_loot(session, operator, LootIn.model_validate(drops))
            chest = {**base, "name": "C", "kind": "container", "lootId": table.id}
            self.chest = (
                await items.create_item(session, operator, ItemCreate.model_validate(chest))
            ).id
            self.players = [
                (await ensure_player(session, operator, f"{code}-{n}")).id for n in range(PLAYERS)
            ]
            await session.commit()

    def _entry(self, player: int, kind: str, quantity: int) -> EntryAsk:
        price = [PriceAsk(self.gem, 25)]
        if kind == "buy":
            return EntryAsk("purchase_loot", quantity, loot_id=self.pack, currencies=price)
        if kind == "bad_price":
            return EntryAsk(
                "purchase_loot", 1, loot_id=self.pack, currencies=[PriceAsk(self.gem, 1)]
            )
        if kind == "fill":
            return EntryAsk("fill_loot", quantity, loot_id=self.daily)
        if kind in ("potions", "sword"):
            item = self.potion if kind == "potions" else self.sword
            return EntryAsk("create_new_persistent_inventory", quantity, item_id=item)
        item = self.potion if kind == "use_potion" else self.sword
        instances = self.held.get((player, item)) or [-1]
        return EntryAsk("update_inventory", -quantity, inventory_id=instances[-1])

    def _place(
        self,
        player: int,
        entries: list[EntryAsk],
        transaction: bool,
        ref: str | None = None,
        trusted: bool = True,
    ) -> dict[str, Any]:
        echoes: list[dict[str, object]] = [
            {"type": e.type, "quantity": e.quantity} for e in entries
        ]
        ask = OrderAsk(entries, transaction, ref, {}, echoes, trusted=trusted)
        body = self.run(self._order(player, ask))
        self._learn(player, body)
        return body

    async def _order(self, player: int, ask: OrderAsk) -> dict[str, Any]:
        async with self.sessions() as session:
            body = await service.place_order(
                session, service.Who(self.operator_id, player, str(player)), ask, utcnow()
            )
            await session.commit()
            return body

    def _learn(self, player: int, body: dict[str, Any]) -> None:
        """Move the model by exactly what the order's records say changed."""
        for entry in body["entries"]:
            assert entry["result"] == "success" or entry["details"] == []
            for detail in entry["details"]:
                change = detail["inv_change"]
                if change is None:
                    continue
                before, after = change["before"], change["after"]
                key = (player, change["after_item_id"])
                self.model[key] += after["count"] - (before["count"] if before else 0)
                if after["legacy_inventory_id"] is not None:
                    known = self.held.setdefault(key, [])
                    if after["legacy_inventory_id"] not in known:
                        known.append(after["legacy_inventory_id"])

    @rule(
        player=st.integers(0, PLAYERS - 1),
        kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=3),
        quantity=st.integers(1, 3),
        transaction=st.booleans(),
        with_ref=st.booleans(),
    )
    def order(
        self, player: int, kinds: list[str], quantity: int, transaction: bool, with_ref: bool
    ) -> None:
        STEPS.append("order")
        who = self.players[player]
        ref = next(self.refs) if with_ref else None
        body = self._place(
            who, [self._entry(who, k, quantity) for k in kinds], transaction, ref, trusted=False
        )
        results = [entry["result"] for entry in body["entries"]]
        if transaction and any(r != "success" for r in results):
            assert results.count("rollback") == len(results) - 1  # one failed, kept its code
        if "bad_price" in kinds:
            assert "success" not in [
                r for r, k in zip(results, kinds, strict=True) if k == "bad_price"
            ]
        if ref is not None:
            self.bodies[ref] = (who, body)

    @rule(player=st.integers(0, PLAYERS - 1), replay=st.booleans())
    def open_chest(self, player: int, replay: bool) -> None:
        """Grant a chest and open it (or open it twice with one key: the same answer)."""
        STEPS.append("open")
        who = self.players[player]
        grant = EntryAsk("create_new_persistent_inventory", 1, item_id=self.chest)
        body = self._place(who, [grant], True)
        chest = body["entries"][0]["details"][0]["inv_change"]["after"]["legacy_inventory_id"]
        key = f"open-{chest}"
        first = self.run(self._open(who, chest, key))
        for change in first["changes"]:
            self.model[(who, change["itemId"])] += change["countAfter"] - change["countBefore"]
        if replay:
            STEPS.append("replay")
            assert self.run(self._open(who, chest, key)) == first  # nothing moved twice

    async def _open(self, player: int, chest: int, key: str) -> dict[str, Any]:
        ask = OpenAsk(self.operator_id, player, str(player), chest, key)
        async with self.sessions() as session:
            answer = await open_container(session, self.secrets, ask, utcnow())
            await session.commit()
            return answer

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        if not self.bodies:
            return
        STEPS.append("replay")
        ref = data.draw(st.sampled_from(sorted(self.bodies)))
        who, first = self.bodies[ref]
        other = [EntryAsk("create_new_persistent_inventory", 1, item_id=self.potion)]
        ask = OrderAsk(other, False, ref, {}, [{"type": "x", "quantity": 1}])
        assert self.run(self._order(who, ask)) == first  # the first answer; nothing moved

    @invariant()
    def books_and_shelves_balance(self) -> None:
        STEPS.append("check")
        self.run(self._check())

    async def _check(self) -> None:
        async with self.sessions() as session:
            unbalanced = await session.scalar(
                select(func.count()).select_from(
                    select(LedgerPosting.transaction_id).join(LedgerTransaction)
                    .where(LedgerTransaction.currency_id == self.currency_id)
                    .group_by(LedgerPosting.transaction_id)
                    .having(func.sum(LedgerPosting.amount_minor) != 0).subquery()
                )
            )  # fmt: skip
            assert unbalanced == 0
            account = LedgerAccount
            accounts = (
                await session.execute(
                    select(
                        account.id, account.kind, account.player_id, account.balance_minor
                    ).where(account.currency_id == self.currency_id)
                )
            ).all()
            for account_id, kind, player_id, balance in accounts:
                total = await session.scalar(
                    select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0)).where(
                        LedgerPosting.account_id == account_id
                    )
                )
                if kind == PLAYER:  # a system account's balance is only its postings' sum
                    assert balance == total
                    assert player_id is not None
                    assert balance >= 0
                    assert balance == self.model[(player_id, self.gem)]
            negative = await session.scalar(
                select(func.count())
                .select_from(InventoryItem)
                .where(or_(InventoryItem.count < 0, InventoryItem.remaining_uses < 0))
            )
            assert negative == 0
            for player in self.players:
                for item in (self.potion, self.sword, self.chest):
                    held = await session.scalar(
                        select(func.coalesce(func.sum(InventoryItem.count), 0)).where(
                            InventoryItem.player_id == player, InventoryItem.item_id == item,
                            InventoryItem.state == "unresolved",
                        )
                    )  # fmt: skip
                    assert held == self.model[(player, item)]

    def teardown(self) -> None:
        self.run(self.engine.dispose())
        self.loop.close()


def machine_for(url: str, operator_id: int, secrets: SecretBox) -> type[RuleBasedStateMachine]:
    bound = {"url": url, "operator_id": operator_id, "secrets": secrets}
    return type("BoundOrders", (Orders,), bound)


async def test_random_orders_consumes_and_replays_keep_every_invariant(
    runtime: Runtime, operator: OperatorCtx, database_url: str
) -> None:
    machine = machine_for(database_url, operator.operator_id, runtime.secrets)
    budget = settings(max_examples=12, stateful_step_count=10, deadline=None)
    before = len(STEPS)
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=budget)
    ran = STEPS[before:]
    counts = {kind: ran.count(kind) for kind in ("example", "order", "open", "replay", "check")}
    print(f"orders machine: {counts}, invariant violations: 0")
    assert ran.count("replay") > 0
