"""Delivering the outbox (SPEC §9): signed POSTs, backoff, ``failed``, order per player, workers.

The receiver is the reference casino over real HTTP, behind the fault proxy; the worker reads a
``Clock`` the tests move forward instead of sleeping through backoffs.
"""

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from coffer.kit.backoff import backoff
from coffer.kit.db import utcnow
from coffer.operators.models import Operator
from coffer.runtime import Runtime
from coffer.webhooks import delivery
from coffer.webhooks.models import WebhookEvent
from coffer.webhooks.sender import BODY_KEPT, NO_URL, Outgoing, post_event
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi
from tests.support.casino import CasinoServer
from tests.support.webhooks import Clock, attempts, outbox, write_events

EVENTS = "/operators/{slug}/webhooks/events"


@pytest.fixture
async def receiver(
    operator: OperatorCtx, admin: AdminApi, tmp_path: Path
) -> AsyncIterator[CasinoServer]:
    """The reference casino, receiving the operator's webhooks through the fault proxy."""
    async with CasinoServer(
        tmp_path / "casino.db", outbound_secret=operator.outbound_secret
    ) as casino:
        await admin.call("PATCH", f"/operators/{operator.slug}", {"webhookUrl": casino.webhook_url})
        yield casino


def received(casino: CasinoServer) -> list[tuple[str, int]]:
    """(event id, times delivered) in the order the casino first processed each event."""
    return [(e["id"], e["receivedCount"]) for e in casino.webhook_events()]


def test_backoff_doubles_from_a_second_to_an_hour() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 16)]
    assert waits[:5] == [1, 2, 4, 8, 16]
    assert waits[10:] == [1024, 2048, 3600, 3600, 3600]
    assert backoff(3, jitter=0.99).total_seconds() == pytest.approx(4 * 0.802)


def outgoing(url: str | None) -> Outgoing:
    return Outgoing(1, "evt_1", "item_expired", b"{}", url, "secret", 0, "token")


async def test_an_attempt_keeps_the_first_kilobyte_of_the_answer() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, text="x" * 50_000)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        attempt = await post_event(http, outgoing("https://casino.test/hooks?a=1"), 5)
    assert (attempt.http_status, attempt.error, attempt.delivered) == (502, "HTTP 502", False)
    assert attempt.response_body == "x" * BODY_KEPT
    [request] = seen
    assert request.headers["Webhook-Id"] == "evt_1"
    assert "X-Key-Id" not in request.headers
    assert request.headers["X-Signature"]
    assert request.headers["Content-Type"] == "application/json"


async def test_an_unreachable_receiver_or_no_url_is_a_failed_attempt() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        attempt = await post_event(http, outgoing("https://casino.test/hooks"), 5)
        missing = await post_event(http, outgoing(None), 5)
    assert attempt.http_status is None
    assert attempt.error == "ConnectError: connection refused"
    assert (missing.http_status, missing.error) == (None, NO_URL)


async def test_an_event_is_delivered_signed_once(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer
) -> None:
    [event_id] = await write_events(runtime, operator.operator_id, "u_1", 1)
    report = await delivery.drain(runtime.courier)
    assert (report.claimed, report.delivered) == (1, 1)
    assert received(receiver) == [(event_id, 1)]
    [event] = await outbox(runtime)
    assert (event.status, event.attempts, event.lease_token) == ("delivered", 1, None)
    assert receiver.webhook_events()[0]["data"] == {"playerExternalId": "u_1", "n": 0}
    [attempt] = await attempts(runtime, event.id)
    assert (attempt.http_status, attempt.error) == (200, None)
    assert attempt.response_body == '{"received":true,"duplicate":false}'
    assert (await delivery.drain(runtime.courier)).claimed == 0
    assert received(receiver) == [(event_id, 1)]


async def test_a_failing_receiver_is_retried_with_backoff_then_failed(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer, admin: AdminApi
) -> None:
    receiver.inject("http_500", times=1_000, on="webhooks")
    [event_id] = await write_events(runtime, operator.operator_id, "u_1", 1)
    clock = Clock()
    started = clock.now
    assert (await delivery.run_once(runtime.courier, clock)).retrying == 1
    assert (await delivery.run_once(runtime.courier, clock)).claimed == 0  # not due for ~1 s
    [event] = await outbox(runtime)
    assert timedelta(seconds=0.8) <= event.next_attempt_at - clock.now <= timedelta(seconds=1)
    while (await outbox(runtime))[0].status == "pending":
        clock.now = (await outbox(runtime))[0].next_attempt_at
        await delivery.run_once(runtime.courier, clock)
    [event] = await outbox(runtime)
    assert event.status == "failed"
    assert clock.now - started >= timedelta(hours=24)
    log = await attempts(runtime, event.id)
    assert len(log) == event.attempts
    assert 30 <= len(log) <= 40  # 12 doublings up to an hour, then hourly to 24 h
    gaps = [(b.attempted_at - a.attempted_at).total_seconds() for a, b in itertools.pairwise(log)]
    assert max(gaps) <= 3600
    assert {(a.http_status, a.response_body) for a in log} == {(500, "Internal Server Error")}
    assert received(receiver) == []
    receiver.clear_faults()
    path = EVENTS.format(slug=operator.slug)
    again = await admin.call("POST", f"{path}/{event_id}/redeliver")
    assert (again["status"], len(again["attemptLog"])) == ("pending", len(log))
    assert (await delivery.drain(runtime.courier, clock)).delivered == 1
    assert received(receiver) == [(event_id, 1)]


async def test_one_players_events_wait_for_its_earlier_ones(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer
) -> None:
    receiver.inject("http_500", times=1, on="webhooks")
    first, second = await write_events(runtime, operator.operator_id, "u_a", 2)
    [other] = await write_events(runtime, operator.operator_id, "u_b", 1)
    clock = Clock()
    assert (await delivery.run_once(runtime.courier, clock, limit=1)).retrying == 1  # first fails
    assert (await delivery.drain(runtime.courier, clock)).delivered == 1
    assert received(receiver) == [(other, 1)]
    waiting = {e.public_id: e for e in await outbox(runtime)}[second]
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    clock.advance(seconds=10)
    assert (await delivery.drain(runtime.courier, clock)).delivered == 2
    assert received(receiver) == [(other, 1), (first, 1), (second, 1)]


async def test_concurrent_workers_deliver_each_event_once_in_player_order(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer
) -> None:
    players = [f"u_{n}" for n in range(8)]
    written = {p: await write_events(runtime, operator.operator_id, p, 6) for p in players}
    workers = await asyncio.gather(*(delivery.drain(runtime.courier) for _ in range(4)))
    assert sum(w.delivered for w in workers) == 48
    assert sum(w.claimed for w in workers) == 48
    counts = dict(received(receiver))
    assert sorted(counts) == sorted(i for ids in written.values() for i in ids)
    assert set(counts.values()) == {1}
    arrival = [event_id for event_id, _ in received(receiver)]
    for ids in written.values():
        assert [i for i in arrival if i in ids] == ids
    assert {e.status for e in await outbox(runtime)} == {"delivered"}


async def test_staff_list_read_and_redeliver_events(
    runtime: Runtime,
    operator: OperatorCtx,
    receiver: CasinoServer,
    admin: AdminApi,
    client: httpx.AsyncClient,
) -> None:
    ids = await write_events(runtime, operator.operator_id, "u_1", 3)
    [other] = await write_events(runtime, operator.operator_id, "u_2", 1, kind="round_voided")
    path = EVENTS.format(slug=operator.slug)
    page = await admin.call("GET", f"{path}?limit=2")
    assert [e["id"] for e in page["events"]] == [other, ids[2]]
    rest = await admin.call("GET", f"{path}?limit=2&cursor={page['cursor']['next']}")
    assert ([e["id"] for e in rest["events"]], rest["cursor"]["next"]) == ([ids[1], ids[0]], None)
    voided = await admin.call("GET", f"{path}?type=round_voided")
    assert [e["id"] for e in voided["events"]] == [other]
    mine = await admin.call("GET", f"{path}?playerExternalId=u_2&status=pending")
    assert [e["playerExternalId"] for e in mine["events"]] == ["u_2"]
    bad = await client.get(f"/api/admin{path}?status=lost", headers=admin.headers)
    assert bad.status_code == 422
    await delivery.drain(runtime.courier)
    detail = await admin.call("GET", f"{path}/{ids[0]}")
    assert (detail["status"], detail["nextAttemptAt"], detail["payload"]["id"]) == (
        "delivered",
        None,
        ids[0],
    )
    assert [a["httpStatus"] for a in detail["attemptLog"]] == [200]
    assert detail["deliveredAt"] is not None
    again = await admin.call("POST", f"{path}/{ids[0]}/redeliver")
    assert (again["status"], again["deliveredAt"]) == ("pending", None)
    assert (await delivery.drain(runtime.courier)).delivered == 1
    assert dict(received(receiver))[ids[0]] == 2  # the receiver saw it twice, processed it once
    await admin.call("GET", f"{path}/evt_nope", expect=404)


async def test_redelivery_waits_for_an_attempt_in_flight(
    runtime: Runtime, operator: OperatorCtx, admin: AdminApi
) -> None:
    [event_id] = await write_events(runtime, operator.operator_id, "u_1", 1)
    [leased] = await delivery.lease(runtime.courier, Clock()(), 10)
    assert leased.public_id == event_id
    path = EVENTS.format(slug=operator.slug)
    busy: Any = await admin.call("POST", f"{path}/{event_id}/redeliver", expect=409)
    assert busy["error"]["code"] == "CONFLICT"


async def test_another_operators_event_is_not_found(
    runtime: Runtime, operator: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    from tests.conftest import make_operator

    [event_id] = await write_events(runtime, operator.operator_id, "u_1", 1)
    beta = await make_operator(admin, client, "beta")
    path = EVENTS.format(slug=beta.slug)
    await admin.call("GET", f"{path}/{event_id}", expect=404)
    await admin.call("POST", f"{path}/{event_id}/redeliver", expect=404)
    assert (await admin.call("GET", path))["events"] == []


async def test_without_a_webhook_url_attempts_say_how_to_fix_it(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    await write_events(runtime, operator.operator_id, "u_1", 1)
    assert (await delivery.drain(runtime.courier)).retrying == 1
    [event] = await outbox(runtime)
    assert (event.status, event.last_error) == ("pending", NO_URL)


async def test_the_servers_own_worker_delivers_without_being_asked(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer
) -> None:
    from coffer.app import create_app

    inside = runtime.with_settings(background_jobs=True, webhook_interval_s=0.01)
    app = create_app(settings=inside.settings, runtime=inside)
    passed = receiver.inject("slow", times=1, delay=0.0, on="webhooks")  # a handle to wait on
    async with app.router.lifespan_context(app):
        [event_id] = await write_events(runtime, operator.operator_id, "u_1", 1)
        await passed.handled_async()
    assert received(receiver) == [(event_id, 1)]


async def test_an_event_a_dead_worker_leased_goes_out_after_the_lease(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer
) -> None:
    [event_id] = await write_events(runtime, operator.operator_id, "u_1", 1)
    # the worker's clock runs a minute behind the machine's: its lease counts on its own clock
    clock = Clock(now=utcnow() - timedelta(minutes=1))
    async with runtime.sessions() as session:
        await session.execute(update(WebhookEvent).values(next_attempt_at=clock()))
        await session.commit()
    [taken] = await delivery.lease(
        runtime.courier, clock(), 10
    )  # then the worker dies: no POST, no record
    assert taken.public_id == event_id
    assert (await delivery.drain(runtime.courier, clock)).claimed == 0
    clock.advance(seconds=delivery.LEASE.total_seconds() + 1)
    assert (await delivery.drain(runtime.courier, clock)).delivered == 1
    assert received(receiver) == [(event_id, 1)]


async def fail_until_given_up(runtime: Runtime, clock: Clock, public_id: str) -> None:
    """Run the worker at each retry time until the event is ``failed``."""
    while True:
        event = {e.public_id: e for e in await outbox(runtime)}[public_id]
        if event.status == "failed":
            return
        clock.now = max(clock.now, event.next_attempt_at)
        await delivery.run_once(runtime.courier, clock)


async def test_events_waiting_in_line_keep_their_whole_retry_window(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer
) -> None:
    receiver.inject("http_500", times=10_000, on="webhooks")
    first, second = await write_events(runtime, operator.operator_id, "u_1", 2)
    clock = Clock()
    await fail_until_given_up(runtime, clock, first)
    waited = {e.public_id: e for e in await outbox(runtime)}[second]
    assert (waited.attempts, waited.window_started_at) == (0, None)
    assert (await delivery.run_once(runtime.courier, clock)).retrying == 1  # not failed at once
    started = clock.now
    await fail_until_given_up(runtime, clock, second)
    assert clock.now - started >= timedelta(hours=24)


async def test_staff_can_redeliver_an_event_whose_worker_died(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer, admin: AdminApi
) -> None:
    from sqlalchemy import update

    from coffer.webhooks.models import WebhookEvent

    [event_id] = await write_events(runtime, operator.operator_id, "u_1", 1)
    await delivery.lease(runtime.courier, Clock()(), 10)
    async with runtime.sessions() as session:  # the dead worker's lease runs out
        await session.execute(
            update(WebhookEvent).values(next_attempt_at=Clock().now - timedelta(seconds=1))
        )
        await session.commit()
    again = await admin.call("POST", f"{EVENTS.format(slug=operator.slug)}/{event_id}/redeliver")
    assert again["status"] == "pending"
    assert (await delivery.drain(runtime.courier)).delivered == 1
    assert received(receiver) == [(event_id, 1)]


async def test_a_player_never_has_two_events_in_flight(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer, admin: AdminApi
) -> None:
    [first] = await write_events(runtime, operator.operator_id, "u_1", 1)
    await delivery.drain(runtime.courier)
    await admin.call("POST", f"{EVENTS.format(slug=operator.slug)}/{first}/redeliver")
    [in_flight] = await delivery.lease(runtime.courier, utcnow(), 10)
    assert in_flight.public_id == first
    await write_events(runtime, operator.operator_id, "u_1", 1)
    assert await delivery.lease(runtime.courier, utcnow(), 10) == []  # due, but u_1 has a POST open
    [other] = await write_events(runtime, operator.operator_id, "u_2", 1)
    assert [e.public_id for e in await delivery.lease(runtime.courier, utcnow(), 10)] == [other]
    after_lease = utcnow() + delivery.LEASE + timedelta(seconds=1)  # the first lease runs out
    retaken = {e.public_id for e in await delivery.lease(runtime.courier, after_lease, 10)}
    assert retaken == {first, other}  # u_1's second event waits until first is recorded


async def test_an_unreadable_secret_fails_the_attempt_not_the_worker(
    runtime: Runtime, operator: OperatorCtx, receiver: CasinoServer
) -> None:
    from sqlalchemy import update

    from coffer.webhooks.sender import CANNOT_SIGN

    await write_events(runtime, operator.operator_id, "u_1", 1)
    async with runtime.sessions() as session:
        await session.execute(
            update(Operator)
            .where(Operator.id == operator.operator_id)
            .values(outbound_secret_sealed="sealed-under-another-key")
        )
        await session.commit()
    assert (await delivery.drain(runtime.courier)).retrying == 1
    [event] = await outbox(runtime)
    assert (event.status, event.last_error) == ("pending", CANNOT_SIGN)
    assert received(receiver) == []


async def test_the_event_list_pages_forward_only(
    runtime: Runtime, operator: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient
) -> None:
    from coffer.kit.cursors import encode_keyset

    path = f"/api/admin{EVENTS.format(slug=operator.slug)}"
    backwards = await client.get(
        path, params={"cursor": encode_keyset("prev", 5)}, headers=admin.headers
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["fields"] == {
        "cursor": "this list pages forward only: use next"
    }
    nul = await client.get(f"{path}/evt_%00", headers=admin.headers)
    assert nul.status_code == 422
