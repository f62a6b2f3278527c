"""Admin API for operators, keys and currencies, with tenancy and bad input."""

import httpx

from coffer.operators.models import ApiKey, Operator
from coffer.runtime import Runtime
from tests.conftest import ADMIN_TOKEN, OperatorCtx, make_operator
from tests.support.api import AdminApi
from tests.support.db import count_rows

STATE = "/api/s2s/fairness/state"


async def test_create_operator_returns_outbound_secret_once(admin: AdminApi) -> None:
    created = await admin.create_operator("acme", walletUrl="http://127.0.0.1:9/wallet")
    assert created["slug"] == "acme"
    assert created["outboundSecret"].startswith("whsec_")
    shown = await admin.call("GET", "/operators/acme")
    assert shown["baseCurrency"] == "EUR"
    assert shown["walletUrl"] == "http://127.0.0.1:9/wallet"
    assert shown["currencies"] == [
        {
            "code": "EUR",
            "rateToBase": "1",
            "minorDigits": 2,
            "isBase": True,
            "updatedAt": shown["currencies"][0]["updatedAt"],
        }
    ]
    assert created["outboundSecret"] not in str(shown)


async def test_duplicate_slug_is_409_and_writes_nothing(admin: AdminApi, runtime: Runtime) -> None:
    await admin.create_operator("acme")
    body = {"slug": "acme", "name": "Other", "baseCurrency": "USD"}
    error = await admin.call("POST", "/operators", body, expect=409)
    assert error["error"]["code"] == "ALREADY_EXISTS"
    assert await count_rows(runtime, Operator) == 1


async def test_operator_validation_errors_have_fields(admin: AdminApi, runtime: Runtime) -> None:
    bad = {
        "slug": "Bad Slug",
        "name": "",
        "baseCurrency": "XXQ",
        "fxToleranceBps": -1,
        "walletUrl": "ftp://x",
        "unknown": 1,
    }
    error = await admin.call("POST", "/operators", bad, expect=422)
    assert error["error"]["code"] == "VALIDATION_ERROR"
    assert set(error["error"]["fields"]) >= {
        "slug",
        "name",
        "fxToleranceBps",
        "walletUrl",
        "unknown",
    }
    not_iso = {"slug": "zz", "name": "Z", "baseCurrency": "XXQ"}
    error = await admin.call("POST", "/operators", not_iso, expect=422)
    assert error["error"]["fields"] == {"baseCurrency": "'XXQ' is not an ISO-4217 currency code"}
    assert await count_rows(runtime, Operator) == 0


async def test_currencies_digits_and_rates(admin: AdminApi) -> None:
    await admin.create_operator("acme")
    jpy = await admin.put_currency("acme", "JPY", "0.0061")
    assert (jpy["minorDigits"], jpy["rateToBase"], jpy["isBase"]) == (0, "0.0061", False)
    bhd = await admin.put_currency("acme", "BHD", "2.45")
    assert bhd["minorDigits"] == 3
    moved = await admin.put_currency("acme", "JPY", "0.0062")
    assert moved["rateToBase"] == "0.0062"
    base = await admin.call("PUT", "/operators/acme/currencies/EUR", {"rateToBase": "2"}, 422)
    assert base["error"]["fields"] == {"rateToBase": "the base currency's rate must be 1"}
    for rate in ["0", "-1", "1e3", "abc", 1.5]:
        error = await admin.call(
            "PUT", "/operators/acme/currencies/USD", {"rateToBase": rate}, expect=422
        )
        assert error["error"]["code"] == "VALIDATION_ERROR", rate
    shown = await admin.call("GET", "/operators/acme")
    assert [c["code"] for c in shown["currencies"]] == ["EUR", "BHD", "JPY"]


async def test_keys_rotate_and_revoke(operator: OperatorCtx, admin: AdminApi) -> None:
    second = await admin.create_key(operator.slug)
    listed = await admin.call("GET", f"/operators/{operator.slug}/keys")
    assert {k["keyId"] for k in listed["keys"]} == {operator.s2s.key_id, second["keyId"]}
    assert "secret" not in str(listed)
    assert (await operator.s2s.get(STATE, {"playerExternalId": "p1"})).status_code == 200
    revoked = await admin.call("DELETE", f"/operators/{operator.slug}/keys/{operator.s2s.key_id}")
    assert revoked["revokedAt"] is not None
    again = await admin.call("DELETE", f"/operators/{operator.slug}/keys/{operator.s2s.key_id}")
    assert again["revokedAt"] == revoked["revokedAt"]
    response = await operator.s2s.get(STATE, {"playerExternalId": "p1"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    operator.s2s.key_id, operator.s2s.secret = second["keyId"], second["secret"]
    assert (await operator.s2s.get(STATE, {"playerExternalId": "p1"})).status_code == 200


async def test_admin_token_required(client: httpx.AsyncClient) -> None:
    for headers in [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}]:
        response = await client.get("/api/admin/operators", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "ADMIN_TOKEN_INVALID"
        assert response.headers["x-request-id"]


async def test_operator_scoped_token_sees_only_its_operator(
    admin: AdminApi, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    from coffer.operators import service

    await make_operator(admin, client, "acme")
    await make_operator(admin, client, "globex")
    async with runtime.sessions() as session:
        acme = await service.operator_for(session, service.AdminPrincipal(None), "acme")
        token = await service.create_admin_token(session, acme, "acme staff")
        await session.commit()
    staff = AdminApi(client, token)
    listed = await staff.call("GET", "/operators")
    assert [o["slug"] for o in listed["operators"]] == ["acme"]
    for method, path, body in [
        ("GET", "/operators/globex", None),
        ("POST", "/operators/globex/keys", {}),
        ("PATCH", "/operators/globex", {"name": "Mine"}),
        ("PUT", "/operators/globex/currencies/GBP", {"rateToBase": "1.1"}),
    ]:
        error = await staff.call(method, path, body, expect=404)
        assert error["error"]["code"] == "NOT_FOUND"
    create = {"slug": "initech", "name": "I", "baseCurrency": "EUR"}
    assert (await staff.call("POST", "/operators", create, 403))["error"]["code"] == "FORBIDDEN"
    globex = await AdminApi(client, ADMIN_TOKEN).call("GET", "/operators/globex")
    assert globex["name"] == "Globex"
    assert [c["code"] for c in globex["currencies"]] == ["EUR", "JPY", "USD"]
    assert await count_rows(runtime, ApiKey) == 2


async def test_patch_operator_policies(operator: OperatorCtx, admin: AdminApi) -> None:
    first = {"policies": {"cashbackEnabled": False, "claimWindowDays": 30}}
    await admin.call("PATCH", f"/operators/{operator.slug}", first)
    body = {"policies": {"refundEnabled": False}, "fxToleranceBps": 125, "status": "suspended"}
    patched = await admin.call("PATCH", f"/operators/{operator.slug}", body)
    assert patched["policies"] == {
        "cashbackEnabled": False,
        "shippingEnabled": True,
        "refundEnabled": False,
        "claimWindowDays": 30,
        "clientLogin": False,
        "clientCurrencyGrants": False,
    }
    assert patched["fxToleranceBps"] == 125
    response = await operator.s2s.get(STATE, {"playerExternalId": "p1"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "TENANT_SUSPENDED"


async def test_patch_cannot_null_required_fields(operator: OperatorCtx, admin: AdminApi) -> None:
    before = await admin.call("GET", f"/operators/{operator.slug}")
    for field in ["policies", "name", "fxToleranceBps", "status"]:
        error = await admin.call("PATCH", f"/operators/{operator.slug}", {field: None}, 422)
        assert error["error"]["fields"] == {field: "Value error, may be omitted but not null"}
    assert await admin.call("GET", f"/operators/{operator.slug}") == before


async def test_operator_fields_take_json_types_strictly(
    operator: OperatorCtx, admin: AdminApi
) -> None:
    before = await admin.call("GET", f"/operators/{operator.slug}")
    for body in [
        {"fxToleranceBps": True},
        {"fxToleranceBps": "50"},
        {"fxToleranceBps": 1.0},
        {"walletTimeoutMs": "2000"},
        {"policies": {"cashbackEnabled": "yes"}},
        {"policies": {"claimWindowDays": 1.5}},
        {"name": "a\u0000b"},
    ]:
        error = await admin.call("PATCH", f"/operators/{operator.slug}", body, expect=422)
        assert error["error"]["code"] == "VALIDATION_ERROR", body
    digits = {"rateToBase": "1.2", "minorDigits": "2"}
    await admin.call("PUT", f"/operators/{operator.slug}/currencies/GBP", digits, expect=422)
    label = {"label": "x\u0000"}
    await admin.call("POST", f"/operators/{operator.slug}/keys", label, expect=422)
    assert await admin.call("GET", f"/operators/{operator.slug}") == before


async def test_only_a_global_admin_changes_status(
    operator: OperatorCtx, admin: AdminApi, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    from coffer.operators import service

    await admin.call("PATCH", f"/operators/{operator.slug}", {"status": "suspended"})
    async with runtime.sessions() as session:
        acme = await service.operator_for(session, service.AdminPrincipal(None), operator.slug)
        token = await service.create_admin_token(session, acme, "staff")
        await session.commit()
    staff = AdminApi(client, token)
    error = await staff.call("PATCH", f"/operators/{operator.slug}", {"status": "active"}, 403)
    assert error["error"]["code"] == "FORBIDDEN"
    assert (await admin.call("GET", f"/operators/{operator.slug}"))["status"] == "suspended"
    renamed = await staff.call("PATCH", f"/operators/{operator.slug}", {"name": "Acme Ltd"})
    assert renamed["name"] == "Acme Ltd"


async def test_concurrent_currency_puts_make_one_row(
    operator: OperatorCtx, admin: AdminApi, runtime: Runtime
) -> None:
    import asyncio

    from coffer.operators.models import Currency

    before = await count_rows(runtime, Currency)
    results = await asyncio.gather(
        *[admin.put_currency(operator.slug, "CHF", f"1.0{i}") for i in range(6)]
    )
    assert {r["code"] for r in results} == {"CHF"}
    assert await count_rows(runtime, Currency) == before + 1


async def test_minor_digits_are_fixed_once_set(operator: OperatorCtx, admin: AdminApi) -> None:
    path = f"/operators/{operator.slug}/currencies/USD"
    error = await admin.call("PUT", path, {"rateToBase": "0.5", "minorDigits": 0}, expect=422)
    assert "fixed at 2" in error["error"]["fields"]["minorDigits"]
    usd = next(
        c
        for c in (await admin.call("GET", f"/operators/{operator.slug}"))["currencies"]
        if c["code"] == "USD"
    )
    assert (usd["rateToBase"], usd["minorDigits"]) == ("0.92", 2)
    same = await admin.call("PUT", path, {"rateToBase": "0.93", "minorDigits": 2})
    assert same["rateToBase"] == "0.93"
