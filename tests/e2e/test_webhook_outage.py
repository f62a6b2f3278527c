"""The outage story (#4 point 6): the casino's webhook receiver is down, then answers are lost.

Purchases, a refused purchase, a refund, cashouts and shipping go on meanwhile; the worker keeps
trying on a clock the test moves forward. At the end every event has arrived, signed (the casino
refuses a bad signature with 401, and no attempt saw one), each event id was processed once, and
each player's events were first processed in the order they were written.
"""

from collections import Counter
from dataclasses import dataclass, field

from coffer.runtime import Runtime
from coffer.webhooks import delivery
from tests.support.inventory import cash_out
from tests.support.shipping import placed, staff
from tests.support.shop import CANCEL, PLAYER, Shop, body_of, shop
from tests.support.webhooks import Clock, attempts, data, outbox

__all__ = ["shop"]
SECOND = "u_second"
BROKE = "u_broke"


@dataclass
class Story:
    """The business done during the outage, and the events it should have written."""

    shop: Shop
    runtime: Runtime
    clock: Clock = field(default_factory=Clock)
    expected: Counter[str] = field(default_factory=Counter)

    async def tick(self, minutes: float = 7) -> None:
        """The worker tries what is due; then time passes."""
        await delivery.drain(self.runtime.courier, self.clock)
        self.clock.advance(minutes=minutes)

    async def sword(self, key: str, player: str) -> int:
        bought = await self.shop.buy(key, playerExternalId=player)
        assert bought.status_code == 200, bought.text
        self.expected["round_settled"] += 1
        return int(body_of(bought)["round"]["wonItems"][0]["inventoryItemId"])

    async def other_box(self, key: str, version: int, player: str) -> None:
        reels = [{"reelIndex": 0, "boxVersionId": version}]
        bought = await self.shop.buy(key, playerExternalId=player, reels=reels)
        assert bought.status_code == 200, bought.text
        self.expected["round_settled"] += 1
        if version == self.shop.bonus_version:
            self.expected["bonus_entitlement"] += 1


async def business(story: Story) -> None:
    """Everything that writes events, with worker passes in between."""
    shop = story.shop
    for player in (PLAYER, SECOND):
        shop.casino.deposit(player, "EUR", 100_000)
    swords: dict[str, list[int]] = {PLAYER: [], SECOND: []}
    for n in range(4):
        for player in (PLAYER, SECOND):
            swords[player].append(await story.sword(f"{player}-sword-{n}", player))
            await story.other_box(f"{player}-cash-{n}", shop.cash_version, player)
            await story.other_box(f"{player}-bonus-{n}", shop.bonus_version, player)
        await story.tick()
    refused = await shop.buy("broke-1", playerExternalId=BROKE)
    assert body_of(refused)["error"]["code"] == "INSUFFICIENT_FUNDS"
    story.expected["round_voided"] += 1
    held = body_of(await shop.buy("held-1", mode="prepay"))["round"]["publicId"]
    cancelled = await shop.operator.s2s.post(
        CANCEL, {"playerExternalId": PLAYER, "roundPublicId": held}
    )
    assert cancelled.status_code == 200, cancelled.text
    story.expected["round_refunded"] += 1
    await story.tick()
    for player in (PLAYER, SECOND):
        for item_id in swords[player][:2]:
            assert (await cash_out(shop, item_id, player=player)).status_code == 200
            story.expected["item_cashed_back"] += 1
        await story.tick()
    order = await placed(shop, swords[PLAYER][2:])
    await staff(shop, order["publicId"], "ship", {"carrier": "DHL", "trackingNumber": "JD7"})
    await story.tick()
    await staff(shop, order["publicId"], "deliver")
    story.expected["fulfillment_notice"] += 3


async def deliver_everything(story: Story) -> int:
    """Worker passes, jumping the clock to the next due retry, until nothing is pending."""
    for passes in range(1, 500):
        pending = [e for e in await outbox(story.runtime) if e.status == "pending"]
        if not pending:
            return passes
        if (await delivery.drain(story.runtime.courier, story.clock)).claimed == 0:
            story.clock.now = min(e.next_attempt_at for e in pending if e.attempts > 0)
    raise AssertionError("events still pending after 500 passes")


async def test_every_event_arrives_once_through_an_outage(shop: Shop, runtime: Runtime) -> None:
    worker = runtime.with_settings(webhook_timeout_s=0.5)
    story = Story(shop, worker)
    down = shop.casino.inject("reset", times=100_000, on="webhooks")
    await business(story)
    assert down.used > 0
    assert shop.casino.webhook_events() == []  # nothing got through while it was down
    shop.casino.clear_faults()
    # Back up, but the first answers are lost after the casino processed the event.
    lost = shop.casino.inject("timeout_after", times=6, delay=1.0, on="webhooks")
    passes = await deliver_everything(story)
    assert lost.used == 6

    events = await outbox(runtime)
    produced = Counter(e.type for e in events)
    assert produced == story.expected
    assert {e.status for e in events} == {"delivered"}
    receipts = shop.casino.webhook_events()
    by_id = {r["id"]: r for r in receipts}
    assert len(by_id) == len(receipts)  # the receiver processed each event id once
    assert sorted(by_id) == sorted(e.public_id for e in events)
    for event in events:
        receipt = by_id[event.public_id]
        assert (receipt["type"], receipt["data"]) == (event.type, data(event))
    seen_twice = sum(r["receivedCount"] - 1 for r in receipts)
    assert seen_twice >= 6  # every lost answer made Coffer send that event again
    log = [a for e in events for a in await attempts(runtime, e.id)]
    assert 401 not in {a.http_status for a in log}
    arrival = [r["id"] for r in receipts]
    for player_id in {e.player_id for e in events}:
        written = [e.public_id for e in events if e.player_id == player_id]
        assert [i for i in arrival if i in written] == written
    print(
        f"\noutage: {len(events)} events produced ({dict(produced)}); {len(events)} delivered "
        f"after {len(log)} attempts in {passes} passes; the receiver got "
        f"{sum(r['receivedCount'] for r in receipts)} deliveries, {seen_twice} of them repeats, "
        f"and processed {len(by_id)} distinct events, exactly the {len(events)} produced"
    )
