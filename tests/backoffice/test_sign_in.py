"""The back office: sign-in with an admin token, the cookie, CSRF and tenancy."""

import httpx
from sqlalchemy import func, select, update

from coffer.app import create_app
from coffer.catalog.models import Item
from coffer.kit.secrets import token_hash
from coffer.operators.models import AdminToken
from coffer.runtime import Runtime
from tests.conftest import ADMIN_TOKEN, OperatorCtx, make_operator
from tests.support.api import AdminApi, scoped_token
from tests.support.backoffice import NONCE, csrf_of, sign_in

ITEM = {"name": "Cup", "type": "digital", "valueMinor": 100, "currency": "EUR"}


async def item_count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Item)) or 0)


async def test_pages_need_a_signed_in_token(client: httpx.AsyncClient) -> None:
    away = await client.get("/admin/o/acme/items")
    assert (away.status_code, away.headers["location"]) == (303, "/admin/login")
    refused = await sign_in(client, "not-a-token")
    assert refused.status_code == 401
    assert "unknown or revoked" in refused.text
    stale = await client.post("/admin/login", data={"token": ADMIN_TOKEN, "nonce": "forged"})
    assert stale.status_code == 403
    assert "coffer_staff" not in client.cookies


async def test_the_cookie_is_httponly_strict_and_gets_the_pages(
    client: httpx.AsyncClient, operator: OperatorCtx
) -> None:
    signed = await sign_in(client, ADMIN_TOKEN)
    assert (signed.status_code, signed.headers["location"]) == (303, "/admin")
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie
    assert ADMIN_TOKEN not in cookie  # sealed, never the token itself
    for tab in ("", "/items", "/boxes", "/webhooks", "/shipping", "/audit"):
        page = await client.get(f"/admin/o/{operator.slug}{tab}")
        assert page.status_code == 200, (tab, page.text)
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, operator: OperatorCtx, runtime: Runtime
) -> None:
    await sign_in(client, ADMIN_TOKEN)
    items = f"/api/admin/operators/{operator.slug}/items"
    bare = await client.post(items, json=ITEM)
    assert (bare.status_code, bare.json()["error"]["code"]) == (403, "CSRF_REFUSED")
    csrf = await csrf_of(client, f"/admin/o/{operator.slug}/items")
    elsewhere = {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    assert (await client.post(items, json=ITEM, headers=elsewhere)).status_code == 403
    assert await item_count(runtime) == 0
    made = await client.post(items, json=ITEM, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    assert await item_count(runtime) == 1


async def test_a_scoped_token_sees_only_its_operator(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    rival = await make_operator(admin, client, "rival")
    await sign_in(client, await scoped_token(runtime, rival.slug))
    home = await client.get("/admin")
    assert home.headers["location"] == f"/admin/o/{rival.slug}"
    for tab in ("", "/items", "/boxes", "/audit"):
        hidden = await client.get(f"/admin/o/{operator.slug}{tab}")
        assert hidden.status_code == 404, tab
    assert (await client.get(f"/admin/o/{rival.slug}")).status_code == 200


async def test_revoking_the_token_signs_the_browser_out(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    token = await scoped_token(runtime, operator.slug)
    await sign_in(client, token)
    assert (await client.get(f"/admin/o/{operator.slug}")).status_code == 200

    async with runtime.sessions() as session:
        await session.execute(
            update(AdminToken)
            .where(AdminToken.token_hash == token_hash(token))
            .values(revoked_at=func.now())
        )
        await session.commit()
    gone = await client.get(f"/admin/o/{operator.slug}")
    assert (gone.status_code, gone.headers["location"]) == (303, "/admin/login")


async def test_the_box_editor_shows_the_draft_and_the_live_version(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx
) -> None:
    slug = operator.slug
    item = await admin.call("POST", f"/operators/{slug}/items", ITEM, expect=201)
    box = await admin.call(
        "POST",
        f"/operators/{slug}/boxes",
        {"name": "Cups", "slug": "cups", "priceMinor": 200, "currency": "EUR",
         "prizes": [{"itemId": item["itemId"], "weight": 3}, {"cashMinor": 50, "weight": 1}]},
        expect=201,
    )  # fmt: skip
    await admin.call("POST", f"/operators/{slug}/boxes/{box['boxId']}/publish", expect=201)
    await sign_in(client, ADMIN_TOKEN)
    editor = await client.get(f"/admin/o/{slug}/boxes/{box['boxId']}")
    assert editor.status_code == 200, editor.text
    assert "Live: version 1" in editor.text
    assert '"valueMinor": 100' in editor.text  # the live prize table, for the publish diff
    missing = await client.get(f"/admin/o/{slug}/boxes/999999")
    assert missing.status_code == 404


async def test_every_admin_change_is_audited_with_before_and_after(
    client: httpx.AsyncClient, admin: AdminApi, operator: OperatorCtx, runtime: Runtime
) -> None:
    slug = operator.slug
    item = await admin.call("POST", f"/operators/{slug}/items", ITEM, expect=201)
    await admin.call("PATCH", f"/operators/{slug}/items/{item['itemId']}", {"name": "Big Cup"})
    await admin.call("POST", f"/operators/{slug}/keys", {"label": "backend"}, expect=201)
    await admin.call("GET", f"/operators/{slug}/items")  # a read is not a change
    entries = (await admin.call("GET", f"/operators/{slug}/audit"))["entries"]
    actions = [e["action"] for e in entries]
    assert actions[:3] == [
        "POST /api/admin/operators/{slug}/keys",
        "PATCH /api/admin/operators/{slug}/items/{itemId}",
        "POST /api/admin/operators/{slug}/items",
    ]
    renamed = entries[1]
    assert renamed["actor"] == "admin-token:env"
    assert renamed["before"]["rows"][0]["name"] == "Cup"
    assert renamed["after"]["rows"][0]["name"] == "Big Cup"
    assert renamed["after"]["request"] == {"name": "Big Cup"}
    key_rows = entries[0]["after"]["rows"]
    assert key_rows[0]["secret_sealed"] == "…"  # a sealed secret never reaches the log
    refused = await admin.call("PATCH", f"/operators/{slug}/items/999", {"name": "x"}, expect=404)
    assert refused["error"]["code"]
    after = (await admin.call("GET", f"/operators/{slug}/audit"))["entries"]
    assert len(after) == len(entries)  # nothing committed, nothing audited


async def test_the_cookie_is_secure_over_tls_or_when_told(
    runtime: Runtime, operator: OperatorCtx
) -> None:
    """Over https, or with COFFER_SECURE_COOKIES behind a proxy that ends TLS (here the
    browser's https leg is played by sending the form's cookie by hand)."""
    for base, told in (("https://coffer.example", False), ("http://coffer.example", True)):
        settings = runtime.settings.model_copy(update={"secure_cookies": told})
        app = create_app(runtime=Runtime.build(settings, runtime.engine, runtime.secrets))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as web:
            form = await web.get("/admin/login")
            assert "Secure" in form.headers["set-cookie"], base
            nonce = NONCE.search(form.text)
            assert nonce is not None
            signed = await web.post(
                "/admin/login",
                data={"token": ADMIN_TOKEN, "nonce": nonce.group(1)},
                headers={"Cookie": f"coffer_login={nonce.group(1)}"},
            )
        assert signed.status_code == 303, signed.text
        assert "Secure" in signed.headers["set-cookie"], base


async def test_only_a_global_admin_is_offered_a_new_operator(
    client: httpx.AsyncClient, operator: OperatorCtx, runtime: Runtime
) -> None:
    await sign_in(client, ADMIN_TOKEN)
    assert 'id="new-operator"' in (await client.get("/admin")).text
    client.cookies.clear()
    await sign_in(client, await scoped_token(runtime, operator.slug))
    page = await client.get(f"/admin/o/{operator.slug}")
    assert page.status_code == 200
    assert "Rotate outbound secret" not in page.text  # a global admin's, like the URLs
    assert 'name="walletUrl" type="url" data-type="nullable" value="" disabled' in page.text


async def test_a_new_operators_entry_is_in_its_own_audit_log(admin: AdminApi) -> None:
    body = {"slug": "fresh", "name": "Fresh", "baseCurrency": "EUR"}
    await admin.call("POST", "/operators", body, expect=201)
    entries = (await admin.call("GET", "/operators/fresh/audit"))["entries"]
    made = [e for e in entries if e["action"] == "POST /api/admin/operators"]
    assert len(made) == 1
    assert made[0]["after"]["rows"][0]["slug"] == "fresh"
    assert made[0]["after"]["rows"][0]["outbound_secret_sealed"] == "…"


async def test_a_rate_change_is_audited_with_the_rate_before_and_after(
    admin: AdminApi, operator: OperatorCtx
) -> None:
    slug = operator.slug  # the fixture accepted USD at 0.92
    await admin.call("PUT", f"/operators/{slug}/currencies/USD", {"rateToBase": "0.95"})
    await admin.call("PUT", f"/operators/{slug}/currencies/CHF", {"rateToBase": "1.05"})
    entries = (await admin.call("GET", f"/operators/{slug}/audit"))["entries"]
    chf, usd = entries[0], entries[1]
    assert (usd["action"], usd["subject"]) == ("currency.rate_set", "currency:USD")
    assert usd["before"] == {"rateToBase": "0.92", "minorDigits": 2}
    assert usd["after"] == {"rateToBase": "0.95", "minorDigits": 2}
    assert (chf["before"], chf["after"]["rateToBase"]) == (None, "1.05")
    generic = [e for e in entries[:2] if e["action"].startswith("PUT ")]
    assert generic == []  # the richer entry stands alone
