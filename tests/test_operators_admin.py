"""Admin API for operators, keys and currencies, with tenancy and bad input."""

import httpx

from coffer.operators.models import ApiKey, Operator
from coffer.runtime import Runtime
from tests.conftest import ADMIN_TOKEN, OperatorCtx, make_operator
from tests.helpers import AdminApi

STATE = "/api/s2s/fairness/state"


async def count_rows(runtime: Runtime, model: type[object]) -> int:
    from sqlalchemy import func, select

    async with runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


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
    body = {"policies": {"refundEnabled": False}, "fxToleranceBps": 125, "status": "suspended"}
    patched = await admin.call("PATCH", f"/operators/{operator.slug}", body)
    assert patched["policies"]["refundEnabled"] is False
    assert patched["policies"]["cashbackEnabled"] is True
    assert patched["fxToleranceBps"] == 125
    response = await operator.s2s.get(STATE, {"playerExternalId": "p1"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "TENANT_SUSPENDED"
