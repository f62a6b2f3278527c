"""Several nodes, proven (#16 point 1): two ``coffer serve --no-worker`` processes and two
``coffer worker`` processes share one PostgreSQL database and nothing else.

An operator's backend sends every purchase, cancel and cashout to BOTH servers at once with the
same ``clientActionId`` / ``idempotencyKey``; a third of the way in one server is killed with
SIGKILL (requests in flight die with it and go to the other server), and later it is started
again. When the workers have finished what was left open, the casino's ledger holds one debit per
round and no key twice, every round's money is reconciled, both servers gave the same answer to
every action, and every webhook event is delivered and processed once by the deduping receiver.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from coffer.inventory.models import InventoryItem
from coffer.kit.settings import Settings
from coffer.rounds.models import PlayerAction, Round
from coffer.runtime import Runtime
from coffer.seamless.models import WalletInstruction
from coffer.webhooks.models import WebhookEvent
from tests import conftest
from tests.support.api import AdminApi, SignedClient
from tests.support.casino import CasinoServer
from tests.support.nodes import Cluster, Node, node_env, poll
from tests.support.shop import assert_money_consistent
from tests.support.traffic import PURCHASE, Catalog, Pair, Traffic, purchase

ACTIONS, CONCURRENCY = 200, 16
PLAYERS, BROKE = 20, 2  # the last two players have no money: their debits are refused
KILL_AT, RESTART_AT = ACTIONS // 4, ACTIONS // 2
OPEN = ("pending", "uncertain", "rolling_back")
QUIET_SECONDS = 90.0
CRASH_PLAYER, CRASH_KEY = "u_node_crash", "crash-debit"


@pytest.fixture
def postgresql(request: pytest.FixtureRequest) -> str:
    """The run's migrated PostgreSQL database, emptied; skipped (failed under CI) without it."""
    request.getfixturevalue("postgres_ready")
    if conftest.pg_problem() is not None:
        if conftest.IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is unusable: {conftest.pg_problem()}")
        pytest.skip(f"several nodes need PostgreSQL: {conftest.pg_problem()}")
    url = conftest.pg_test_url()
    asyncio.run(conftest.truncate_all(url))
    return url


@pytest.fixture
def cluster(postgresql: str, tmp_path: Path) -> Iterator[Cluster]:
    env = node_env(postgresql, conftest.SECRET_KEY, conftest.ADMIN_TOKEN, tmp_path)
    nodes = Cluster(tmp_path, env)
    yield nodes
    nodes.stop()


@pytest.fixture
async def runtime(postgresql: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    """The test's own view of the shared database, for the checks."""
    settings = Settings(
        database_url=postgresql,
        secret_key=conftest.SECRET_KEY,
        secret_key_file=str(tmp_path / "unused.key"),
        database_pool_size=2,
    )
    rt = Runtime.from_settings(settings)
    yield rt
    await rt.close()


async def box(admin: AdminApi, name: str, prize: dict[str, Any]) -> int:
    """A published single-prize box at 500 EUR; its version id."""
    body = {"name": name, "slug": name.lower(), "priceMinor": 500, "currency": "EUR"}
    created = await admin.call(
        "POST", "/operators/acme/boxes", {**body, "prizes": [{**prize, "weight": 1}]}, expect=201
    )
    published = await admin.call(
        "POST", f"/operators/acme/boxes/{created['boxId']}/publish", expect=201
    )
    return int(published["boxVersionId"])


async def open_shop(admin: AdminApi, casino: CasinoServer) -> Catalog:
    """Operator acme wired to the casino, a sword box (cash-back 25 %) and a cash box; money for
    every player but the broke ones."""
    hooks = {"walletUrl": casino.url, "webhookUrl": casino.webhook_url}
    await admin.call("PATCH", "/operators/acme", hooks)
    sword = {"name": "Golden Sword", "type": "physical", "valueMinor": 320, "currency": "EUR"}
    sword |= {"cashbackBps": 2500, "shippable": True}
    item = await admin.call("POST", "/operators/acme/items", sword, expect=201)
    sword_version = await box(admin, "Sword", {"itemId": item["itemId"]})
    cash_version = await box(admin, "Cash", {"cashMinor": 700})
    players = [f"u_node_{n:02}" for n in range(PLAYERS)]
    for player in [*players[: PLAYERS - BROKE], CRASH_PLAYER]:
        casino.deposit(player, "EUR", 100_000)
    return Catalog(sword_version, cash_version, players)


async def quiet(runtime: Runtime) -> bool:
    """No wallet instruction open, no action running, no webhook event waiting."""
    async with runtime.sessions() as session:
        open_ = await session.scalar(select(func.count()).where(WalletInstruction.state.in_(OPEN)))
        running = await session.scalar(select(func.count()).where(PlayerAction.state == "running"))
        pending = await session.scalar(select(func.count()).where(WebhookEvent.status == "pending"))
    return open_ == running == pending == 0


async def check_actions(runtime: Runtime, traffic: Traffic) -> Counter[str]:
    """Both nodes answered every step alike; every purchase is one action with one round."""
    differing = [(p.step, p.key) for p in traffic.pairs if not p.same()]
    assert differing == [], differing
    purchases = {p.key: p.body for p in traffic.pairs if p.step == "purchase"}
    async with runtime.sessions() as session:
        rows = (await session.execute(select(PlayerAction, Round).join(Round))).all()
    assert sorted(a.client_action_id for a, _ in rows) == sorted(purchases)
    assert len({r.id for _, r in rows}) == len(rows) == ACTIONS + 1  # one round per action
    for action, round_ in rows:
        assert action.state == "done"
        assert purchases[action.client_action_id]["round"]["publicId"] == round_.public_id
    return Counter(r.status for _, r in rows)


def check_ledger(casino: CasinoServer) -> Counter[str]:
    """No idempotency key applied twice; the instructions counted by kind. A rollback of a debit
    the casino never applied moves nothing (it leaves a tombstone): counted as ``tombstone``."""
    rows = casino.ledger()
    keys = Counter(row["idempotencyKey"] for row in rows)
    assert [k for k, n in keys.items() if n > 1] == []
    kinds = ("rollback:", "refund:", "cashback:", "payout:", "round:", "deposit:")
    counts: Counter[str] = Counter()
    for row in rows:
        kind = next(k for k in kinds if row["idempotencyKey"].startswith(k)).rstrip(":")
        counts["tombstone" if kind == "rollback" and row["amountMinor"] == 0 else kind] += 1
    return counts


async def check_webhooks(runtime: Runtime, casino: CasinoServer) -> tuple[Counter[str], int]:
    """Every event delivered; the casino has each once, processed once however often it came."""
    async with runtime.sessions() as session:
        events = (await session.scalars(select(WebhookEvent))).all()
    assert {e.status for e in events} == {"delivered"}
    receipts = casino.webhook_events()
    assert sorted(r["id"] for r in receipts) == sorted(e.public_id for e in events)
    assert all(r["receivedCount"] >= 1 for r in receipts)
    return Counter(e.type for e in events), sum(r["receivedCount"] - 1 for r in receipts)


async def cashed_back(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(
            await session.scalar(select(func.count()).where(InventoryItem.state == "cashed_back"))
            or 0
        )


async def crash(traffic: Traffic, casino: CasinoServer) -> None:
    """SIGKILL server B while the casino holds its answer to a debit it has applied: B dies
    not knowing. The same purchase, sent to B and then to A, waits at A until a worker's
    resolver rolls the debit back, and both answers are that rolled-back round."""
    a, b = traffic.nodes
    held = casino.inject("timeout_after", delay=5.0, when=CRASH_PLAYER)
    body = purchase(CRASH_PLAYER, CRASH_KEY, traffic.catalog.sword_version)
    at_b = asyncio.create_task(traffic.send(b, PURCHASE, body))
    await held.handled_async()
    b.kill()
    at_a = asyncio.create_task(traffic.send(a, PURCHASE, body))
    answers = await asyncio.gather(at_b, at_a)
    traffic.pairs.append(Pair("purchase", CRASH_KEY, PURCHASE, body, (answers[0], answers[1])))


def restart(node: Node) -> Callable[[], Awaitable[None]]:
    async def start() -> None:
        node.start()

    return start


def check_crash(traffic: Traffic, casino: CasinoServer) -> None:
    """The debit B sent before it died was applied, then rolled back; the round is voided."""
    [pair] = [p for p in traffic.pairs if p.key == CRASH_KEY]
    assert pair.answers[0].status_code == 503, pair.body
    assert pair.body["error"]["code"] == "WALLET_UNAVAILABLE"
    assert pair.body["round"]["status"] == "voided"
    debit = f"round:{pair.body['round']['publicId']}"
    moved = {r["idempotencyKey"]: r["amountMinor"] for r in casino.ledger(CRASH_PLAYER)}
    assert {k: v for k, v in moved.items() if not k.startswith("deposit:")} == {
        debit: -500,
        f"rollback:{debit}": 500,
    }


async def replay_at(traffic: Traffic, node: Node) -> int:
    """Every step again, at one node only: each answers exactly as it first did."""
    assert node.url is not None
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=node.url, timeout=30.0) as http:
        s2s = SignedClient(http, traffic.key_id, traffic.secret)

        async def again(pair: Pair) -> None:
            async with gate:
                answer = await s2s.post(pair.path, pair.request)
            first = pair.answers[0]
            assert (answer.status_code, answer.json()) == (first.status_code, first.json())

        await asyncio.gather(*(again(p) for p in traffic.pairs))
    return len(traffic.pairs)


async def test_two_servers_and_two_workers_share_only_postgresql(
    cluster: Cluster, runtime: Runtime, tmp_path: Path
) -> None:
    a, b = cluster.server("server-a"), cluster.server("server-b")
    cluster.worker("worker-1")
    cluster.worker("worker-2")
    try:
        await story(cluster, runtime, tmp_path, a, b)
    except Exception as exc:  # every failure comes with what the four processes said
        raise AssertionError(f"{exc}\n{cluster.logs()}") from exc


async def story(cluster: Cluster, runtime: Runtime, tmp_path: Path, a: Node, b: Node) -> None:
    await cluster.ready()
    assert a.url is not None
    assert b.url is not None
    async with httpx.AsyncClient(base_url=a.url) as http:
        admin = AdminApi(http, conftest.ADMIN_TOKEN)
        created = await admin.create_operator("acme")
        key = await admin.create_key("acme")
    secret = created["outboundSecret"]
    async with CasinoServer(tmp_path / "casino.db", outbound_secret=secret) as casino:
        async with httpx.AsyncClient(base_url=b.url) as http:  # the other node sees it all
            catalog = await open_shop(AdminApi(http, conftest.ADMIN_TOKEN), casino)
        traffic = Traffic((a, b), key["keyId"], key["secret"], catalog)
        traffic.chaos = {KILL_AT: lambda: crash(traffic, casino), RESTART_AT: restart(b)}
        try:
            await traffic.run(ACTIONS, CONCURRENCY)
            waited = await poll(lambda: quiet(runtime), QUIET_SECONDS, "the workers finished")
            await b.ready()
            replayed = await replay_at(traffic, b)
        finally:
            cluster.stop()  # no node keeps a connection to the casino as it closes
        await verify(runtime, casino, traffic, waited, replayed)


async def verify(
    runtime: Runtime, casino: CasinoServer, traffic: Traffic, waited: float, replayed: int
) -> None:
    """The counts must add up, and they are printed for the operations guide."""
    a, b = traffic.nodes
    rounds = await check_actions(runtime, traffic)
    check_crash(traffic, casino)
    await assert_money_consistent(runtime, casino)
    ledger = check_ledger(casino)
    events, repeats = await check_webhooks(runtime, casino)
    settled, voided, refunded = rounds["settled"], rounds["voided"], rounds["refunded"]
    assert settled + voided + refunded == ACTIONS + 1, rounds
    assert ledger["round"] == settled + refunded + ledger["rollback"]
    assert ledger["refund"] == refunded
    assert ledger["cashback"] == await cashed_back(runtime)
    cash_rounds = sum(
        1
        for p in traffic.pairs
        if p.step == "purchase" and p.key.endswith("-cash") and p.answers[0].status_code == 200
    )
    assert ledger["payout"] == cash_rounds
    assert (events["round_settled"], events["round_voided"]) == (settled, voided)
    assert (events["round_refunded"], events["item_cashed_back"]) == (refunded, ledger["cashback"])
    assert traffic.refused[a.name] == 0
    assert traffic.refused[b.name] > 0
    print(
        f"\nseveral nodes: {ACTIONS} actions + 1 debit cut by the kill ({len(traffic.pairs)} "
        f"steps, each sent to both servers = {2 * len(traffic.pairs)} requests); "
        f"rounds {dict(rounds)}; casino ledger: "
        f"{ledger['round']} debits, {ledger['rollback']} rolled back, {ledger['tombstone']} "
        f"rollbacks of debits never applied, {ledger['refund']} refunds, "
        f"{ledger['cashback']} cashbacks, {ledger['payout']} payouts, no key twice; "
        f"{sum(events.values())} events delivered ({dict(events)}), {repeats} repeats "
        f"received and deduped; {traffic.refused[b.name]} requests refused by the killed "
        f"server and sent to the other; served {dict(traffic.served)}; workers quiet "
        f"{waited:.1f} s after the load; {replayed} steps replayed at the restarted server, "
        f"answered alike"
    )
