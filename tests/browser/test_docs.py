"""The API docs in Chromium with the internet cut off: Swagger UI renders, and its signer signs
an S2S call exactly as the signing module verifies it."""

import json

from playwright.sync_api import Page, Route, expect

from coffer import signing
from tests.browser.conftest import Demo

NOW = 1_800_000_000


def test_the_docs_work_offline_and_sign_s2s_calls(page: Page, demo: Demo) -> None:
    outside: list[str] = []

    def only_coffer(route: Route) -> None:
        if route.request.url.startswith(demo.coffer):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_coffer)
    page.goto(f"{demo.coffer}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Coffer", timeout=15_000)
    page.fill("#key-id", demo.key_id)
    page.fill("#key-secret", demo.secret)
    body = json.dumps({"playerExternalId": "u_8431", "clientActionId": "docs-1"})
    for method, target, sent in [
        ("GET", "/api/s2s/history?playerExternalId=u_8431", None),
        ("POST", "/api/s2s/fairness/rotate", body),
    ]:
        request: dict[str, object] = {
            "url": f"{demo.coffer}{target}", "method": method, "headers": {}, "body": sent
        }  # fmt: skip
        signed = page.evaluate("([r, now]) => window.cofferSign(r, now)", [request, NOW])
        headers = signed["headers"]
        assert headers["X-Key-Id"] == demo.key_id
        assert signing.verify(
            demo.secret, headers["X-Timestamp"], method, target, (sent or "").encode(),
            headers["X-Signature"], now=NOW,
        )  # fmt: skip
    admin = {"url": f"{demo.coffer}/api/admin/operators", "method": "GET", "headers": {}}
    untouched = page.evaluate("([r, now]) => window.cofferSign(r, now)", [admin, NOW])
    assert "X-Signature" not in untouched["headers"]
    assert outside == []
