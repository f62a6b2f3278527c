"""Rotating the outbound secret (SPEC §13): both secrets sign in the window, then the new one."""

from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from coffer import signing
from coffer.kit.db import utcnow
from coffer.operators.models import Operator
from coffer.runtime import Runtime
from coffer.seamless.client import Accepted, WalletClient, WalletRequest
from coffer.webhooks import delivery
from tests.conftest import OperatorCtx
from tests.support.api import AdminApi, operator_staff
from tests.support.casino import CasinoServer
from tests.support.wallet_calls import post_signed, wallet_body
from tests.support.webhooks import write_events

ROTATE = "/operators/{slug}/outbound-secret/rotate"


async def wallet_headers(runtime: Runtime, operator: OperatorCtx) -> httpx.Headers:
    """The headers of one wallet call, signed as the operator's secrets stand now."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"accepted": True})

    async with runtime.sessions() as session:
        found = await session.get(Operator, operator.operator_id, populate_existing=True)
        assert found is not None
        found.wallet_url = "https://casino.example/wallet?t=1"
        target = runtime.gateway.target(found)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        result = await WalletClient(http, 0).call(
            target, WalletRequest("wallet.debit", "k1", "u_1", 100, "EUR")
        )
    assert isinstance(result.outcome, Accepted)
    return seen[0].headers


def verifies(headers: httpx.Headers, name: str, secret: str) -> bool:
    body = WalletRequest("wallet.debit", "k1", "u_1", 100, "EUR").body()
    signature = headers.get(name, "")
    return signing.verify(secret, headers["X-Timestamp"], "POST", "/wallet?t=1", body, signature)


async def test_both_secrets_sign_in_the_window_then_only_the_new_one(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    old = operator.outbound_secret
    before = await wallet_headers(runtime, operator)
    assert verifies(before, "X-Signature", old)
    assert "X-Signature-Next" not in before
    rotated = await admin.call("POST", ROTATE.format(slug=operator.slug), {"windowHours": 2})
    new = rotated["outboundSecret"]
    assert new.startswith("whsec_")
    assert new != old
    during = await wallet_headers(runtime, operator)
    assert verifies(during, "X-Signature", old)
    assert verifies(during, "X-Signature-Next", new)
    again = await admin.client.post(
        f"/api/admin{ROTATE.format(slug=operator.slug)}", json={}, headers=admin.headers
    )
    assert again.status_code == 409  # one rotation at a time
    async with runtime.sessions() as session:  # the window ends
        await session.execute(
            update(Operator)
            .where(Operator.id == operator.operator_id)
            .values(outbound_rotation_ends_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    after = await wallet_headers(runtime, operator)
    assert verifies(after, "X-Signature", new)
    assert not verifies(after, "X-Signature", old)
    assert "X-Signature-Next" not in after
    third = await admin.call("POST", ROTATE.format(slug=operator.slug), {})
    during_next = await wallet_headers(runtime, operator)
    assert verifies(during_next, "X-Signature", new)  # the finished rotation's secret is current
    assert verifies(during_next, "X-Signature-Next", third["outboundSecret"])


async def test_only_a_global_admin_rotates(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    staff = await operator_staff(admin, runtime, operator.slug)
    refused = await staff.client.post(
        f"/api/admin{ROTATE.format(slug=operator.slug)}", json={}, headers=staff.headers
    )
    assert refused.status_code == 403
    assert verifies(
        await wallet_headers(runtime, operator), "X-Signature", operator.outbound_secret
    )


async def test_webhooks_carry_both_signatures_and_the_casino_takes_either(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime, tmp_path: Path
) -> None:
    rotated = await admin.call("POST", ROTATE.format(slug=operator.slug), {"windowHours": 1})
    new = rotated["outboundSecret"]
    # A casino that deployed the new secret already: it checks X-Signature-Next.
    async with CasinoServer(tmp_path / "casino.db", outbound_secret=new) as casino:
        await admin.call("PATCH", f"/operators/{operator.slug}", {"webhookUrl": casino.webhook_url})
        await write_events(runtime, operator.operator_id, "u_1", 1)
        report = await delivery.drain(runtime.courier)
        assert report.delivered == 1
        async with httpx.AsyncClient(timeout=10) as http:
            old_only = await post_signed(
                http,
                casino.url,
                operator.outbound_secret,
                wallet_body("wallet.balance", "b1", "u_1", 0),
            )
        assert old_only.status_code == 401  # the old secret alone no longer convinces it
