"""Staff change a virtual currency's name, grant and regeneration; its code and decimals stay."""

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from coffer.kit.db import utcnow
from coffer.ledger.models import LedgerAccount, VirtualCurrency
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx, make_operator
from tests.support.api import AdminApi, operator_staff

GEMS = {"code": "GEM", "name": "Gems", "initialGrantMinor": 100}
ENERGY = {"code": "NRG", "name": "Energy", "initialGrantMinor": 2,
          "regenAmountMinor": 1, "regenPeriodSeconds": 600, "regenCapMinor": 20}  # fmt: skip


async def balance(operator: OperatorCtx, code: str, player: str = "p1") -> int:
    read = await operator.s2s.get(
        "/api/s2s/virtual-currencies/balances", {"playerExternalId": player}
    )
    return next(int(b["balanceMinor"]) for b in read.json()["balances"] if b["currency"] == code)


async def rewind(runtime: Runtime, code: str, minutes: int) -> None:
    """As if the players' balances in ``code`` were last settled ``minutes`` ago."""
    async with runtime.sessions() as session:
        currency = select(VirtualCurrency.id).where(VirtualCurrency.code == code)
        await session.execute(
            update(LedgerAccount)
            .where(LedgerAccount.currency_id.in_(currency), LedgerAccount.player_id.is_not(None))
            .values(regen_from=utcnow() - timedelta(minutes=minutes))
        )
        await session.commit()


async def audit_actions(admin: AdminApi) -> list[str]:
    listed = await admin.call("GET", "/operators/acme/audit?limit=200")
    return [entry["action"] for entry in listed["entries"]]


async def stored(runtime: Runtime, code: str) -> dict[str, Any]:
    async with runtime.sessions() as session:
        row = await session.scalar(select(VirtualCurrency).where(VirtualCurrency.code == code))
        assert row is not None
        return {c.key: getattr(row, c.key) for c in VirtualCurrency.__table__.columns}


async def test_a_rename_shows_on_the_currency_item_and_in_the_list(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    made = await admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    patched = await admin.call(
        "PATCH", "/operators/acme/virtual-currencies/GEM", {"name": "Crystals"}
    )
    assert patched == {**made, "name": "Crystals"}
    item = await admin.call("GET", f"/operators/acme/items/{made['itemId']}")
    assert (item["name"], item["kind"]) == ("Crystals", "currency")
    listed = await admin.call("GET", "/operators/acme/virtual-currencies")
    assert [c["name"] for c in listed["currencies"]] == ["Crystals"]
    entry = (await admin.call("GET", "/operators/acme/audit?limit=1"))["entries"][0]
    before = {row["row"].split(":")[0]: row for row in entry["before"]["rows"]}
    after = {row["row"].split(":")[0]: row for row in entry["after"]["rows"]}
    assert (before["virtual_currencies"]["name"], after["virtual_currencies"]["name"]) == (
        "Gems", "Crystals",
    )  # fmt: skip
    assert after["items"]["row"] == f"items:{made['itemId']}"
    assert after["items"]["name"] == "Crystals"
    assert await balance(operator, "GEM") == 100  # balances are untouched


async def test_new_regeneration_terms_pay_every_period_since_the_last_read(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await admin.call("POST", "/operators/acme/virtual-currencies", ENERGY, expect=201)
    assert await balance(operator, "NRG") == 2  # opened: the period starts now
    await rewind(runtime, "NRG", 25)  # two whole periods of 10 minutes owed, unread
    faster = {"regenAmountMinor": 2, "regenPeriodSeconds": 300}
    patched = await admin.call("PATCH", "/operators/acme/virtual-currencies/NRG", faster)
    assert (patched["regenAmountMinor"], patched["regenPeriodSeconds"]) == (2, 300)
    assert await balance(operator, "NRG") == 2 + 5 * 2  # 25 minutes at the new terms
    await rewind(runtime, "NRG", 60)
    assert await balance(operator, "NRG") == 20  # up to the cap
    await admin.call("PATCH", "/operators/acme/virtual-currencies/NRG", {"regenCapMinor": 5})
    await rewind(runtime, "NRG", 60)
    assert await balance(operator, "NRG") == 20  # a lowered cap takes nothing back


async def test_switching_regeneration_on_pays_nothing_for_the_time_it_was_off(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    assert await balance(operator, "GEM") == 100
    await rewind(runtime, "GEM", 24 * 60)  # the account is a day old
    regen = {"regenAmountMinor": 1, "regenPeriodSeconds": 600, "regenCapMinor": 500}
    await admin.call("PATCH", "/operators/acme/virtual-currencies/GEM", regen)
    assert await balance(operator, "GEM") == 100  # the first period starts at the switch
    await rewind(runtime, "GEM", 25)
    assert await balance(operator, "GEM") == 102
    half = await admin.call(
        "PATCH", "/operators/acme/virtual-currencies/GEM", {"regenAmountMinor": 0}, expect=422
    )
    assert half["error"]["fields"] == {
        "regenAmountMinor": "with regenPeriodSeconds and regenCapMinor, all > 0"
    }


async def test_code_and_decimals_are_refused_with_the_reason_and_change_nothing(
    admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    await admin.call("POST", "/operators/acme/virtual-currencies", GEMS, expect=201)
    before, actions = await stored(runtime, "GEM"), await audit_actions(admin)
    path = "/operators/acme/virtual-currencies/GEM"
    for body, field in [
        ({"decimals": 2}, "decimals"),
        ({"name": "Crystals", "code": "GEMS"}, "code"),
        ({"decimals": None}, "decimals"),
    ]:
        error = await admin.call("PATCH", path, body, expect=422)
        assert error["error"]["code"] == "VALIDATION_ERROR"
        assert error["error"]["fields"][field].startswith("cannot be changed: "), error
    error = await admin.call("PATCH", path, {"decimals": 2}, expect=422)
    assert error["error"]["fields"] == {
        "decimals": "cannot be changed: it would rescale every balance held; define a new currency"
    }
    await admin.call("PATCH", path, {"name": None}, expect=422)
    assert await stored(runtime, "GEM") == before
    assert await audit_actions(admin) == actions  # a refusal is not a change: no entry


async def test_another_operators_currency_is_not_found(
    admin: AdminApi, operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await make_operator(admin, client, "rival")
    await admin.call("POST", "/operators/rival/virtual-currencies", GEMS, expect=201)
    await admin.call("POST", "/operators/acme/virtual-currencies", ENERGY, expect=201)
    missing = await admin.call(
        "PATCH", "/operators/acme/virtual-currencies/GEM", {"name": "Mine"}, expect=404
    )
    assert missing["error"]["code"] == "NOT_FOUND"
    staff = await operator_staff(admin, runtime, "rival")
    hidden = await staff.call(
        "PATCH", "/operators/acme/virtual-currencies/NRG", {"name": "Mine"}, expect=404
    )
    assert hidden["error"]["code"] == "NOT_FOUND"
    await admin.call("PATCH", "/operators/acme/virtual-currencies/gem!", {}, expect=422)
    theirs = await admin.call("GET", "/operators/rival/virtual-currencies")
    assert [c["name"] for c in theirs["currencies"]] == ["Gems"]
    ours = await admin.call("GET", "/operators/acme/virtual-currencies")
    assert [c["name"] for c in ours["currencies"]] == ["Energy"]
