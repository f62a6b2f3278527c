"""Outbound URLs: refused when internal (at set time and at connect time), set by global admins."""

import socket
from ipaddress import ip_address

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from sqlalchemy import update

from coffer.kit import egress
from coffer.kit.egress import (
    Address,
    EgressPolicy,
    EgressRefused,
    GuardedResolver,
    guarded_client,
)
from coffer.operators.models import Operator
from coffer.runtime import Runtime
from coffer.seamless.client import Uncertain, WalletClient, WalletRequest, WalletTarget
from coffer.webhooks import delivery
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi, operator_staff
from tests.support.webhooks import attempts, outbox, write_events


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/wallet",
        "http://169.254.169.254/latest/meta-data",
        "http://[fd00::1]/wallet",
        "http://[::ffff:192.168.1.1]/wallet",
        "http://0.0.0.0:9/wallet",
    ],
)
async def test_an_internal_url_is_refused_when_set(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime, url: str
) -> None:
    for field in ("walletUrl", "webhookUrl"):
        response = await admin.client.patch(
            f"/api/admin/operators/{operator.slug}", json={field: url}, headers=admin.headers
        )
        assert response.status_code == 422, response.text
        assert "egress" in response.json()["error"]["fields"][field].lower()
    shown = await admin.call("GET", f"/operators/{operator.slug}")
    assert (shown["walletUrl"], shown["webhookUrl"]) == (None, None)


async def test_only_a_global_admin_changes_outbound_urls(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    staff = await operator_staff(admin, runtime, operator.slug)
    path = f"/api/admin/operators/{operator.slug}"
    refused = await staff.client.patch(
        path, json={"webhookUrl": "https://casino.example/hooks"}, headers=staff.headers
    )
    assert refused.status_code == 403, refused.text
    assert (await admin.call("GET", f"/operators/{operator.slug}"))["webhookUrl"] is None
    assert (await staff.call("PATCH", f"/operators/{operator.slug}", {"fxToleranceBps": 50}))[
        "fxToleranceBps"
    ] == 50


async def test_a_webhook_to_a_refused_address_fails_with_a_clear_attempt(
    operator: OperatorCtx, runtime: Runtime
) -> None:
    """A URL stored past the set-time check (or a name that now resolves inside) is refused on
    the address actually connected to; the attempt says why."""
    async with runtime.sessions() as session:
        await session.execute(
            update(Operator)
            .where(Operator.id == operator.operator_id)
            .values(webhook_url="http://localhost:9/hooks")
        )
        await session.commit()
    await write_events(runtime, operator.operator_id, "u_1", 1)
    strict = guarded_client(EgressPolicy(), 5)
    try:
        courier = runtime.courier
        report = await delivery.run_once(
            delivery.Courier(courier.sessions, strict, courier.secrets, 5, 2.0, 24.0)
        )
    finally:
        await strict.aclose()
    assert (report.claimed, report.delivered, report.retrying) == (1, 0, 1)
    [event] = await outbox(runtime)
    [attempt] = await attempts(runtime, event.id)
    assert attempt.http_status is None
    assert attempt.error is not None
    assert "egress policy" in attempt.error
    assert "loopback" in attempt.error


async def test_a_wallet_call_to_a_refused_address_is_uncertain_and_sends_nothing() -> None:
    strict = guarded_client(EgressPolicy(), 5)
    try:
        result = await WalletClient(strict, 0).call(
            WalletTarget("http://127.0.0.1:9/wallet", "s", 1.0),
            WalletRequest("wallet.debit", "k", "u_1", 100, "EUR"),
        )
    finally:
        await strict.aclose()
    assert isinstance(result.outcome, Uncertain)
    assert "egress policy" in result.outcome.reason
    assert [a.http_status for a in result.attempts] == [None]


async def test_the_set_time_lookup_holds_no_database_connection(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow DNS answer must not keep a transaction (and its pooled connection) open."""
    held: list[int] = []

    async def public_answer(host: str, port: int) -> list[Address]:
        held.append(runtime.engine.pool.checkedout())  # type: ignore[attr-defined]
        return [ip_address("93.184.215.14")]

    monkeypatch.setattr(egress, "resolve", public_answer)
    url = "https://wallet.casino.example/rpc"
    patched = await admin.call("PATCH", f"/operators/{operator.slug}", {"walletUrl": url})
    assert patched["walletUrl"] == url
    assert held == [0]


class FixedResolver(AbstractResolver):
    """DNS as an attacker controls it: the name answers what the test says."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {"hostname": host, "host": a, "port": port, "family": family, "proto": 0, "flags": 0}
            for a in self.addresses
        ]

    async def close(self) -> None:
        return None


async def test_a_name_that_resolves_inside_is_refused_at_connect_time() -> None:
    resolver = GuardedResolver(EgressPolicy(), FixedResolver("10.0.0.5", "127.0.0.1"))
    with pytest.raises(EgressRefused, match="private"):
        await resolver.resolve("wallet.example", 443)


async def test_only_the_allowed_addresses_of_a_name_are_connected_to() -> None:
    resolver = GuardedResolver(EgressPolicy(), FixedResolver("10.0.0.5", "93.184.215.14"))
    found = await resolver.resolve("wallet.example", 443)
    assert [r["host"] for r in found] == ["93.184.215.14"]
    allowed = GuardedResolver(EgressPolicy.allowing(["wallet.example"]), FixedResolver("10.0.0.5"))
    assert [r["host"] for r in await allowed.resolve("wallet.example", 443)] == ["10.0.0.5"]


@pytest.mark.parametrize(
    "address",
    ["100.64.0.1", "100.100.100.200", "198.18.0.1", "192.0.2.1", "2002:7f00:1::1", "2002:a00:1::"],
)
def test_shared_and_special_purpose_addresses_are_refused(address: str) -> None:
    assert EgressPolicy().refusal("wallet.example", ip_address(address)) is not None


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0x7f.1", "017700000001"])
async def test_numeric_host_names_never_reach_the_wire(host: str) -> None:
    strict = guarded_client(EgressPolicy.allowing(["127.0.0.0/8"]), 5)
    try:
        result = await WalletClient(strict, 0).call(
            WalletTarget(f"http://{host}:9/wallet", "s", 1.0),
            WalletRequest("wallet.debit", "k", "u_1", 100, "EUR"),
        )
    finally:
        await strict.aclose()
    assert isinstance(result.outcome, Uncertain)
    assert "egress policy" in result.outcome.reason
