"""One purchase followed end to end: the X-Request-Id it was answered with is stored on its wallet
instruction and attempts, shown to staff, and a resolver pass stamps its own ``job_`` id."""

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from coffer.kit.db import utcnow
from coffer.kit.logs import REQUEST_ID, current_request_id, traced
from coffer.runtime import Runtime
from coffer.seamless import resolver
from coffer.seamless.models import WalletAttempt, WalletInstruction
from tests.support.shop import PLAYER, Shop, shop

__all__ = ["shop"]


async def rows(runtime: Runtime) -> tuple[list[WalletInstruction], list[WalletAttempt]]:
    async with runtime.sessions() as session:
        found = await session.scalars(select(WalletInstruction).order_by(WalletInstruction.id))
        tried = await session.scalars(select(WalletAttempt).order_by(WalletAttempt.id))
        return list(found), list(tried)


async def test_the_purchase_request_id_is_on_its_instruction_and_attempts(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    bought = await shop.buy("traced-1")
    assert bought.status_code == 200, bought.text
    request_id = bought.headers["x-request-id"]
    assert request_id.startswith("req_")
    instructions, attempts = await rows(runtime)
    assert [i.rpc for i in instructions] == ["wallet.debit"]
    assert [i.request_id for i in instructions] == [request_id]
    assert [a.request_id for a in attempts] == [request_id]
    picture = await shop.admin.call("GET", f"/operators/{shop.operator.slug}/players/{PLAYER}")
    [shown] = picture["walletInstructions"]
    assert shown["requestId"] == request_id
    assert [a["requestId"] for a in shown["attemptLog"]] == [request_id]


async def test_a_request_id_the_caller_sent_is_kept(shop: Shop, runtime: Runtime) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    client = shop.operator.s2s.client
    client.headers["X-Request-Id"] = "gateway-7f3a.1"
    try:
        bought = await shop.buy("traced-2")
    finally:
        del client.headers["X-Request-Id"]
    assert bought.headers["x-request-id"] == "gateway-7f3a.1"
    instructions, _ = await rows(runtime)
    assert instructions[-1].request_id == "gateway-7f3a.1"


async def test_a_resolver_pass_stamps_its_job_id_on_what_it_writes(
    shop: Shop, runtime: Runtime
) -> None:
    shop.casino.deposit(PLAYER, "EUR", 10_000)
    bought = await shop.buy("traced-3")
    async with runtime.sessions() as session:  # as if the request died before the answer
        await session.execute(
            update(WalletInstruction).values(state="uncertain", next_attempt_at=utcnow())
        )
        await session.commit()
    with traced("job") as job_id:
        report = await resolver.run_once(runtime.gateway, utcnow() + timedelta(seconds=1))
    assert report.rolled_back == 1
    instructions, attempts = await rows(runtime)
    debit, rollback = instructions
    assert debit.request_id == bought.headers["x-request-id"]
    assert (rollback.rpc, rollback.request_id) == ("wallet.rollback", job_id)
    assert job_id.startswith("job_")
    assert [a.request_id for a in attempts] == [bought.headers["x-request-id"], job_id]


def test_a_job_id_is_set_for_the_pass_and_removed_after() -> None:
    assert current_request_id() is None
    with traced("job") as job_id:
        assert REQUEST_ID.get() == job_id
    assert current_request_id() is None


async def test_every_answer_has_an_id_even_a_404(client: httpx.AsyncClient) -> None:
    first = await client.get("/nowhere")
    second = await client.get("/nowhere")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert current_request_id() is None  # the request's id did not leak into its caller
