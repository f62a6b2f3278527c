"""The fault injector as a client sees it: each mode fails (or not) and applies (or not)."""

import httpx
import pytest

from tests.support.casino import CasinoServer, FaultMode
from tests.support.wallet_calls import post_signed, wallet_body

PLAYER = "u_faults"
CLIENT_TIMEOUT = 0.3


CASINO_OPTIONS = {"hold_seconds": 1.0, "slow_seconds": 0.05}


@pytest.fixture(autouse=True)
def funded(casino: CasinoServer) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)


async def debit(http: httpx.AsyncClient, casino: CasinoServer, key: str) -> httpx.Response:
    payload = wallet_body("wallet.debit", key, PLAYER, 100)
    return await post_signed(http, casino.url, casino.secret, payload)


@pytest.mark.parametrize(("mode", "applied"), [("timeout_before", False), ("timeout_after", True)])
async def test_timeouts(
    casino: CasinoServer, http: httpx.AsyncClient, mode: FaultMode, applied: bool
) -> None:
    fault = casino.inject(mode)
    with pytest.raises(httpx.ReadTimeout):
        await debit(http, casino, f"round:{mode}")
    await fault.handled_async()
    assert casino.applied(f"round:{mode}") is applied
    assert casino.balance(PLAYER) == (900 if applied else 1_000)


async def test_http_500_applies_nothing(casino: CasinoServer, http: httpx.AsyncClient) -> None:
    casino.inject("http_500")
    response = await debit(http, casino, "round:500")
    assert response.status_code == 500
    assert not casino.applied("round:500")


@pytest.mark.parametrize(("mode", "applied"), [("garbage", False), ("garbage_after", True)])
async def test_garbage(
    casino: CasinoServer, http: httpx.AsyncClient, mode: FaultMode, applied: bool
) -> None:
    casino.inject(mode)
    response = await debit(http, casino, f"round:{mode}")
    assert response.status_code == 200
    with pytest.raises(ValueError, match="Expecting value"):
        response.json()
    assert casino.applied(f"round:{mode}") is applied


async def test_reset_drops_the_connection_without_applying(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.inject("reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError)):
        await debit(http, casino, "round:reset")
    assert not casino.applied("round:reset")


async def test_slow_answers_within_the_timeout(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    fault = casino.inject("slow", delay=0.1)
    response = await debit(http, casino, "round:slow")
    assert response.json()["balanceAfterMinor"] == 900
    assert fault.handled == 1


async def test_a_retry_after_a_fault_gets_the_real_answer(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    fault = casino.inject("timeout_after", times=2)
    for _ in range(2):
        with pytest.raises(httpx.ReadTimeout):
            await debit(http, casino, "round:retry")
    await fault.handled_async()
    answer = (await debit(http, casino, "round:retry")).json()
    assert (answer["accepted"], answer["balanceAfterMinor"]) == (True, 900)
    assert [r["idempotencyKey"] for r in casino.ledger(PLAYER)].count("round:retry") == 1


async def test_faults_are_used_in_order_and_only_on_their_target(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.inject("http_500", on="webhooks")
    casino.inject("http_500")
    casino.inject("garbage")
    assert (await debit(http, casino, "round:o1")).status_code == 500
    assert (await debit(http, casino, "round:o2")).text.startswith("<html>")
    assert (await debit(http, casino, "round:o3")).json()["accepted"] is True
    assert [casino.applied(f"round:o{i}") for i in (1, 2, 3)] == [False, False, True]


async def test_keep_alive_connections_survive_normal_calls(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    for i in range(5):
        assert (await debit(http, casino, f"round:k{i}")).status_code == 200
    assert casino.balance(PLAYER) == 500
