"""The admin route and ``coffer reconcile`` over the same day: tenancy, errors and exit codes."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from coffer.cli.main import app
from coffer.runtime import Runtime
from tests.conftest import SECRET_KEY, make_operator
from tests.reconcile.story import CREDITED, DEBITED, a_day, casino_csv, tampered, today
from tests.support.api import operator_staff
from tests.support.shop import Shop, shop

__all__ = ["shop"]


def route(shop: Shop) -> str:
    return f"/api/admin/operators/{shop.operator.slug}/reconciliation"


async def post_csv(shop: Shop, text: str, day: str, auth: dict[str, str]) -> httpx.Response:
    headers = {**auth, "Content-Type": "text/csv"}
    params = {"day": day, "limit": "0"}
    return await shop.admin.client.post(route(shop), params=params, content=text, headers=headers)


async def test_the_route_answers_its_operator_and_compares_the_csv(
    shop: Shop, runtime: Runtime
) -> None:
    keys = await a_day(shop, runtime)
    staff = await operator_staff(shop.admin, runtime, shop.operator.slug)
    day = today().isoformat()
    got = await staff.client.get(route(shop), params={"day": day}, headers=staff.headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["totals"] == [
        {
            "currency": "EUR",
            "debitedMinor": DEBITED,
            "creditedMinor": CREDITED,
            "rolledBackMinor": 500,
            "netMinor": CREDITED - DEBITED,
            "openCount": 0,
        }
    ]
    assert (len(body["lines"]), body["cursor"]["next"]) == (10, None)
    agreed = (await post_csv(shop, casino_csv(shop), day, staff.headers)).json()
    assert (agreed["agrees"], agreed["differenceCount"], agreed["lines"]) == (True, 0, [])
    bad = tampered(casino_csv(shop), drop=keys["payout"], alter=keys["refund"])
    found = (await post_csv(shop, bad, day, staff.headers)).json()
    assert (found["agrees"], found["differenceCount"]) == (False, 3)
    kinds = {d["idempotencyKey"]: d["kind"] for d in found["differences"]}
    assert kinds == {
        keys["payout"]: "missing_in_wallet",
        keys["refund"]: "mismatch",
        "round:r_forged": "not_accepted_in_coffer",
    }


async def test_another_operators_token_gets_404_and_bad_input_422(
    shop: Shop, runtime: Runtime
) -> None:
    await make_operator(shop.admin, shop.admin.client, "rival")
    rival = await operator_staff(shop.admin, runtime, "rival")
    day = {"day": today().isoformat()}
    other = await rival.client.get(route(shop), params=day, headers=rival.headers)
    assert (other.status_code, other.json()["error"]["code"]) == (404, "NOT_FOUND")
    own = await rival.client.get(
        route(shop).replace(shop.operator.slug, "rival"), params=day, headers=rival.headers
    )
    assert own.status_code == 200, own.text
    for wrong in ("2026-13-01", "20261201", "yesterday"):
        answer = await shop.admin.client.get(
            route(shop), params={"day": wrong}, headers=shop.admin.headers
        )
        assert answer.status_code == 422, answer.text
        assert list(answer.json()["error"]["fields"]) == ["day"]
    malformed = casino_csv(shop) + "k,wallet.debit,u_1,1.5,EUR,,\n"
    refused = await post_csv(shop, malformed, day["day"], shop.admin.headers)
    assert refused.status_code == 422
    assert list(refused.json()["error"]["fields"]) == ["line2.amount_minor"]
    assert "line 2" in refused.json()["error"]["message"]


def invoke(runtime: Runtime, *args: str) -> Any:
    env = {"COFFER_DATABASE_URL": runtime.settings.database_url, "COFFER_SECRET_KEY": SECRET_KEY}
    return CliRunner().invoke(app, ["reconcile", *args], env=env)


async def test_the_cli_prints_the_day_and_exits_1_on_differences(
    shop: Shop, runtime: Runtime, tmp_path: Path
) -> None:
    keys = await a_day(shop, runtime)
    good, bad, broken = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "broken.csv"
    good.write_text(casino_csv(shop))
    bad.write_text(tampered(casino_csv(shop), drop=keys["payout"], alter=keys["refund"]))
    broken.write_text("idempotency_key,type\n")
    base = ("-o", shop.operator.slug, "--day", today().isoformat())
    plain = await asyncio.to_thread(invoke, runtime, *base, "--wallet-csv", str(good))
    assert plain.exit_code == 0, plain.output
    assert "agree" in plain.output
    assert "1500" in plain.output
    differing = await asyncio.to_thread(invoke, runtime, *base, "--wallet-csv", str(bad), "--json")
    assert differing.exit_code == 1, differing.output
    body = json.loads(differing.stdout)
    assert sorted(d["idempotencyKey"] for d in body["differences"]) == sorted(
        [keys["payout"], keys["refund"], "round:r_forged"]
    )
    assert len(body["lines"]) == 10
    table = await asyncio.to_thread(invoke, runtime, *base, "--wallet-csv", str(bad), "--no-lines")
    assert table.exit_code == 1
    assert "3 differences with the wallet" in table.output
    refused = await asyncio.to_thread(invoke, runtime, *base, "--wallet-csv", str(broken))
    assert refused.exit_code == 2
    assert "line 1" in refused.output
    unknown = await asyncio.to_thread(invoke, runtime, "-o", "ghost", "--day", "2026-12-01")
    assert (unknown.exit_code, "NOT_FOUND" in unknown.output) == (1, True)
