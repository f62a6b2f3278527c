"""A hostile-input corpus thrown at every surface: never a 500, always the envelope.

Each case is one request: malformed, truncated, huge, deeply nested or chunked bodies; wrong
types, out-of-range integers, NUL, control and non-ASCII characters in every text field; unknown
fields; bad and oversized cursors; date-times without zones; unknown currencies; NUL in path
segments; trailing slashes; every authentication header missing or empty. S2S requests are signed
on the way in (``tests.support.live_app``) unless a case tests the signature itself.
"""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.live_app import ADMIN, RAW, SignEverything, seeded_app

PLAYER = "u_hostile"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: bytes | None = None
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


PURCHASE = {
    "playerExternalId": PLAYER,
    "clientActionId": "c1",
    "reels": [{"reelIndex": 0, "boxVersionId": 1}],
}
BAD_TEXT = {
    "empty": "",
    "nul": "a\x00b",
    "bell": "a\x07b",
    "newline": "a\nb",
    "del": "a\x7fb",
    "c1": "a\x85b",
    "surrogate": "a\ud800b",
    "long": "x" * 5000,
    "rtl": "\u202e" * 3,
}
BAD_INTS: dict[str, Any] = {
    "negative": -1,
    "zero": 0,
    "2^63": 2**63,
    "2^64": 2**64,
    "float": 1.5,
    "string": "1",
    "bool": True,
    "null": None,
    "list": [1],
}
MALFORMED = {
    "truncated": b'{"playerExternalId": "u',
    "trailing comma": b'{"a": 1,}',
    "open brace": b"{",
    "bare string": b'"purchase"',
    "number": b"123",
    "null": b"null",
    "list": b"[]",
    "nan": b'{"x": NaN}',
    "bom": b"\xef\xbb\xbf{}",
    "latin-1": b'{"playerExternalId": "\xe9"}',
    "deep": b"[" * 20_000 + b"]" * 20_000,
    "duplicate keys": b'{"clientActionId": "a", "clientActionId": "b"}',
    "empty": b"",
}
POST_ROUTES = [
    "/api/s2s/purchase",
    "/api/s2s/cancel",
    "/api/s2s/cashout",
    "/api/s2s/inventory/forward",
    "/api/s2s/shipping/orders",
    "/api/s2s/fairness/rotate",
    "/api/admin/operators",
    "/api/admin/operators/acme/items",
    "/api/admin/operators/acme/boxes",
]


def body_cases() -> Iterator[Case]:
    for route in POST_ROUTES:
        for name, raw in MALFORMED.items():
            yield Case(f"{route} {name}", "POST", route, raw)
        yield Case(f"{route} unknown field", "POST", route, _json({**PURCHASE, "extra": 1}))


def text_cases() -> Iterator[Case]:
    for name, value in BAD_TEXT.items():
        yield Case(
            f"purchase player {name}",
            "POST",
            POST_ROUTES[0],
            _json({**PURCHASE, "playerExternalId": value}),
        )
        yield Case(
            f"purchase action {name}",
            "POST",
            POST_ROUTES[0],
            _json({**PURCHASE, "clientActionId": value}),
        )
        yield Case(
            f"item name {name}",
            "POST",
            POST_ROUTES[7],
            _json({"name": value, "type": "physical", "valueMinor": 1, "currency": "EUR"}),
        )
        yield Case(f"order email {name}", "POST", POST_ROUTES[4], _json(_order(email=value)))
        yield Case(f"order address {name}", "POST", POST_ROUTES[4], _json(_order(line1=value)))
        yield Case(
            f"operator name {name}",
            "POST",
            POST_ROUTES[6],
            _json({"slug": "x1", "name": value, "baseCurrency": "EUR"}),
        )


def number_cases() -> Iterator[Case]:
    for name, value in BAD_INTS.items():
        reels = [{"reelIndex": 0, "boxVersionId": value}]
        yield Case(
            f"purchase version {name}", "POST", POST_ROUTES[0], _json({**PURCHASE, "reels": reels})
        )
        yield Case(
            f"purchase price {name}",
            "POST",
            POST_ROUTES[0],
            _json({**PURCHASE, "expectedPriceMinor": value}),
        )
        yield Case(
            f"cashout item {name}",
            "POST",
            POST_ROUTES[2],
            _json({"playerExternalId": PLAYER, "inventoryItemId": value, "currency": "EUR"}),
        )
        yield Case(
            f"item value {name}",
            "POST",
            POST_ROUTES[7],
            _json({"name": "n", "type": "physical", "valueMinor": value, "currency": "EUR"}),
        )
    for currency in ["XXX", "eur", "EURO", "", "\x00\x00\x00", "€"]:
        yield Case(
            f"purchase currency {currency!r}",
            "POST",
            POST_ROUTES[0],
            _json({**PURCHASE, "currency": currency}),
        )
        yield Case(
            f"cashout currency {currency!r}",
            "POST",
            POST_ROUTES[2],
            _json({"playerExternalId": PLAYER, "inventoryItemId": 1, "currency": currency}),
        )


def _order(email: str = "a@b.co", line1: str = "1 Main St") -> dict[str, Any]:
    address = {
        "name": "A",
        "line1": line1,
        "city": "V",
        "region": "W",
        "postalCode": "1",
        "country": "AT",
    }
    return {
        "playerExternalId": PLAYER,
        "inventoryItemIds": [1],
        "address": address,
        "contact": {"email": email},
    }


def cursor_cases() -> Iterator[Case]:
    cursors = {
        "garbage": "%%%",
        "not json": base64.urlsafe_b64encode(b"not json").decode(),
        "a list": _cursor([1]),
        "past 2^63": _cursor({"dir": "next", "id": 2**63}),
        "negative": _cursor({"dir": "next", "id": -1}),
        "bogus dir": _cursor({"dir": "up", "id": 1}),
        "float id": _cursor({"dir": "next", "id": 1.5}),
        "extra key": _cursor({"dir": "next", "id": 1, "x": 1}),
        "before past 2^63": _cursor({"before": 2**63}),
        "oversized": "A" * 5000,
    }
    for name, cursor in cursors.items():
        for route in ["/api/s2s/inventory", "/api/s2s/history"]:
            yield Case(
                f"{route} cursor {name}",
                "GET",
                route,
                params={"playerExternalId": PLAYER, "cursor": cursor},
            )


def query_cases() -> Iterator[Case]:
    for name, value in {
        "no zone": "2026-01-01T00:00:00",
        "date": "2026-01-01",
        "garbage": "soon",
        "year 0": "0000-01-01T00:00:00Z",
        "huge": "99999-01-01T00:00:00Z",
    }.items():
        for bound in ["from", "to"]:
            yield Case(
                f"history {bound} {name}",
                "GET",
                "/api/s2s/history",
                params={"playerExternalId": PLAYER, bound: value},
            )
    for limit in ["0", "-1", "201", str(2**63), "abc", "1.5", ""]:
        yield Case(
            f"inventory limit {limit!r}",
            "GET",
            "/api/s2s/inventory",
            params={"playerExternalId": PLAYER, "limit": limit},
        )
    for name, value in BAD_TEXT.items():
        if name == "surrogate":  # no client can send one; the raw bytes are tried in path_cases
            continue
        for route in ["/api/s2s/inventory", "/api/s2s/history", "/api/s2s/fairness/state"]:
            yield Case(f"{route} player {name}", "GET", route, params={"playerExternalId": value})
    for params in [
        {"ids": "1,a"},
        {"ids": ",".join(["1"] * 500)},
        {"page": "0"},
        {"perPage": str(10**10)},
        {"currency": "eur"},
        {"locale": "x" * 40},
        {"locale": "\x00"},
    ]:
        yield Case(f"boxes {params}", "GET", "/api/s2s/boxes", params=params)


def path_cases() -> Iterator[Case]:
    for path in [
        "/api/s2s/boxes/%00",
        "/api/s2s/boxes/99999999999999999999999",
        "/api/s2s/boxes/-1",
        "/api/s2s/shipping/orders/%00",
        "/api/s2s/shipping/orders/" + "x" * 300,
        "/fairness/box-version/%00/snapshot",
        "/fairness/box-version/99999999999999999999/snapshot",
        "/api/admin/operators/%00",
        "/api/admin/operators/acme/items/%00",
        "/api/admin/operators/acme/webhooks/events/%00",
        "/api/admin/operators/acme/currencies/EU%00",
        "/api/s2s/purchase/",
        "/api/s2s/boxes/",
        "/api/admin/operators/",
        "/healthz/",
        "/fairness/box-version/1/snapshot/",
        "/api/s2s/inventory?playerExternalId=%ED%A0%80",  # a lone surrogate, as UTF-8 bytes
        "/api/s2s/history?playerExternalId=%FF%FE",  # not UTF-8 at all
        "/api/s2s/fairness/state?playerExternalId=%00",
    ]:
        yield Case(f"path {path[:60]}", "GET", path)


def header_cases() -> Iterator[Case]:
    body = _json(PURCHASE)
    signed = {"X-Key-Id": "igk_x", "X-Timestamp": "1", "X-Signature": "0" * 64}
    for name in signed:
        for value in ["", " "]:
            yield Case(
                f"s2s {name} {value!r}",
                "POST",
                POST_ROUTES[0],
                body,
                headers={**signed, name: value, RAW.decode(): "1"},
            )
        missing = {k: v for k, v in signed.items() if k != name}
        yield Case(
            f"s2s no {name}", "POST", POST_ROUTES[0], body, headers={**missing, RAW.decode(): "1"}
        )
    for value in ["", "Bearer", "Bearer ", "Basic abc", "Bearer \x00", "bearer " + "x" * 5000]:
        yield Case(
            f"admin authorization {value[:20]!r}",
            "GET",
            "/api/admin/operators",
            headers={"Authorization": value},
        )
    for content_type in ["text/plain", "application/xml", "", "application/json; charset=latin-1"]:
        yield Case(
            f"content-type {content_type!r}",
            "POST",
            POST_ROUTES[0],
            body,
            headers={"Content-Type": content_type},
        )


CASES = [
    *body_cases(),
    *text_cases(),
    *number_cases(),
    *cursor_cases(),
    *query_cases(),
    *path_cases(),
    *header_cases(),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    target: SignEverything = seeded_app(request, tmp_path_factory)
    with TestClient(target, raise_server_exceptions=False) as http:
        yield http


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_input_gets_a_500(app: TestClient, case: Case) -> None:
    headers = (
        {**ADMIN_HEADERS, **case.headers} if case.path.startswith("/api/admin") else case.headers
    )
    if case.body is not None and "Content-Type" not in headers:
        headers = {**headers, "Content-Type": "application/json"}
    response = app.request(
        case.method, case.path, content=case.body, params=case.params, headers=headers
    )
    expected_503 = response.status_code == 503 and "WALLET_UNAVAILABLE" in response.text
    assert response.status_code < 500 or expected_503, response.text  # no crash, no 500
    assert response.headers.get("x-request-id")
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str)
        assert isinstance(error["message"], str)


def test_a_ten_megabyte_body_and_a_chunked_one_are_refused_with_413(app: TestClient) -> None:
    huge = b"{" + b" " * (10 * 1024 * 1024) + b"}"
    assert app.post(POST_ROUTES[0], content=huge).status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(200):
            yield b" " * 4096

    response = app.post(
        POST_ROUTES[0], content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
