"""The HMAC envelope on S2S routes: every bad request gets its code and changes nothing."""

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from coffer import signing
from coffer.fairness.models import SeedPair
from coffer.players.models import Player
from coffer.runtime import Runtime
from tests.conftest import OperatorCtx
from tests.support.db import count_rows

ROTATE = "/api/s2s/fairness/rotate"


def test_public_module_matches_the_spec_formula() -> None:
    body = b'{"a":1}'
    canonical = signing.canonical_string(1700000000, "post", "/api/s2s/purchase", body)
    assert canonical == (
        "1700000000\nPOST\n/api/s2s/purchase\n"
        "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
    )
    signature = signing.sign("s3cret", 1700000000, "POST", "/api/s2s/purchase", body)
    expected = hmac.new(b"s3cret", canonical.encode(), hashlib.sha256).hexdigest()
    assert signature == expected
    assert signing.verify(
        "s3cret", "1700000000", "POST", "/api/s2s/purchase", body, signature, now=1700000100
    )
    assert not signing.verify(
        "s3cret", "1700000000", "POST", "/api/s2s/purchase", body, signature, now=1700000301
    )
    assert not signing.verify(
        "other", "1700000000", "POST", "/api/s2s/purchase", body, signature, now=1700000000
    )
    headers = signing.signed_headers("s3cret", "GET", "https://casino.example/w/x?y=1", now=5)
    signed = signing.sign("s3cret", 5, "GET", "/w/x?y=1")
    assert headers == {"X-Timestamp": "5", "X-Signature": signed}
    assert signed != signing.sign("s3cret", 5, "GET", "/w/x")  # the query is signed (SPEC §2)
    assert signing.target_of("https://h/p?b=2&a=1") == "/p?b=2&a=1"  # kept as written
    assert signing.target_of("https://h") == "/"


async def test_signed_request_is_accepted(operator: OperatorCtx, runtime: Runtime) -> None:
    response = await operator.s2s.post(ROTATE, {"playerExternalId": "p1", "clientActionId": "r1"})
    assert response.status_code == 200, response.text
    assert await count_rows(runtime, SeedPair) == 2


def _headers(operator: OperatorCtx, body: bytes, path: str = ROTATE, **over: str) -> dict[str, str]:
    headers = signing.signed_headers(
        operator.s2s.secret, "POST", path, body, key_id=operator.s2s.key_id
    )
    headers["Content-Type"] = "application/json"
    headers.update(over)
    return {k: v for k, v in headers.items() if v}


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("no key id", "MISSING_HEADERS"),
        ("no timestamp", "MISSING_HEADERS"),
        ("no signature", "MISSING_HEADERS"),
        ("unknown key", "INVALID_SIGNATURE"),
        ("wrong secret", "INVALID_SIGNATURE"),
        ("body changed", "INVALID_SIGNATURE"),
        ("path changed", "INVALID_SIGNATURE"),
        ("old timestamp", "TIMESTAMP_SKEW"),
        ("future timestamp", "TIMESTAMP_SKEW"),
        ("garbage timestamp", "TIMESTAMP_SKEW"),
        ("non-ascii signature", "INVALID_SIGNATURE"),
    ],
)
async def test_bad_signatures_are_refused_and_change_nothing(
    operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime, case: str, code: str
) -> None:
    body = json.dumps({"playerExternalId": "p1"}).encode()
    sent = body
    now = int(time.time())
    headers = _headers(operator, body)
    if case == "no key id":
        headers.pop("X-Key-Id")
    elif case == "no timestamp":
        headers.pop("X-Timestamp")
    elif case == "no signature":
        headers.pop("X-Signature")
    elif case == "unknown key":
        headers["X-Key-Id"] = "igk_000000000000000000000000"
    elif case == "wrong secret":
        headers["X-Signature"] = signing.sign("igs_wrong", now, "POST", ROTATE, body)
    elif case == "body changed":
        sent = json.dumps({"playerExternalId": "p2"}).encode()
    elif case == "path changed":
        headers = _headers(operator, body, path="/api/s2s/fairness/state")
    elif case in ("old timestamp", "future timestamp"):
        skewed = now - 360 if case == "old timestamp" else now + 360
        headers = _headers(operator, body)
        headers["X-Timestamp"] = str(skewed)
        headers["X-Signature"] = signing.sign(operator.s2s.secret, skewed, "POST", ROTATE, body)
    elif case == "garbage timestamp":
        headers["X-Timestamp"] = "yesterday"
    raw_headers = {k.encode(): v.encode() for k, v in headers.items()}
    if case == "non-ascii signature":
        raw_headers[b"X-Signature"] = b"\xe9"
    response = await client.post(ROTATE, content=sent, headers=raw_headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == code
    assert response.headers["x-request-id"]
    assert await count_rows(runtime, Player) == 0
    assert await count_rows(runtime, SeedPair) == 0


async def test_malformed_json_is_checked_after_the_signature(
    operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    body = b'{"playerExternalId": "p1",'
    unsigned = await client.post(ROTATE, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.json()["error"]["code"] == "MISSING_HEADERS"
    response = await client.post(ROTATE, content=body, headers=_headers(operator, body))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["fields"]["body"].startswith("malformed JSON")
    assert await count_rows(runtime, Player) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "playerExternalId"),
        ({"playerExternalId": 12}, "playerExternalId"),
        ({"playerExternalId": ""}, "playerExternalId"),
        ({"playerExternalId": "x" * 129}, "playerExternalId"),
        ({"playerExternalId": "p\u0000"}, "playerExternalId"),
        ({"playerExternalId": "p1", "clientActionId": "r", "clientSeed": 10**30}, "clientSeed"),
        ({"playerExternalId": "p1"}, "clientActionId"),
        ({"playerExternalId": "p1", "clientActionId": "r", "extra": True}, "extra"),
        ([1, 2], "body"),
    ],
)
async def test_wrong_types_are_validation_errors(
    operator: OperatorCtx, runtime: Runtime, body: object, field: str
) -> None:
    response = await operator.s2s.post(ROTATE, body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["fields"], error
    assert "detail" not in response.json()
    assert await count_rows(runtime, Player) == 0


async def test_oversized_body_is_413(
    operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    body = json.dumps({"playerExternalId": "p1", "clientSeed": "x" * 70_000}).encode()
    response = await client.post(ROTATE, content=body, headers=_headers(operator, body))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert response.headers["x-request-id"]

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(70):
            yield b"x" * 1024

    streamed = await client.post(ROTATE, content=chunks(), headers=_headers(operator, b""))
    assert streamed.status_code == 413
    assert await count_rows(runtime, Player) == 0


def test_verify_refuses_non_ascii_and_wrong_length_signatures() -> None:
    args = ("s", "100", "GET", "/p", b"")
    assert not signing.verify(*args, "\u00e9", now=100)
    assert not signing.verify(*args, "ab", now=100)
    assert signing.verify(*args, signing.sign("s", 100, "GET", "/p").upper(), now=100)


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe{", b"[" * 30_000 + b"]" * 30_000, b'{"playerExternalId": ' + b"9" * 5000 + b"}"],
)
async def test_unparseable_bodies_are_422_on_body(
    operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime, raw: bytes
) -> None:
    response = await client.post(ROTATE, content=raw, headers=_headers(operator, raw))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["fields"]) == ["body"]
    assert await count_rows(runtime, Player) == 0


async def test_nul_in_query_is_a_validation_error(operator: OperatorCtx, runtime: Runtime) -> None:
    response = await operator.s2s.get("/api/s2s/fairness/state", {"playerExternalId": "p\x00"})
    assert response.status_code == 422
    assert "playerExternalId" in response.json()["error"]["fields"]
    assert await count_rows(runtime, Player) == 0


async def test_the_path_may_be_signed_as_sent_or_decoded(
    operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    sent = "/api/s2s/boxes/%31"
    for signed_path, expected in [(sent, 404), ("/api/s2s/boxes/1", 404), ("/api/s2s/x", 401)]:
        headers = signing.signed_headers(
            operator.s2s.secret, "GET", signed_path, key_id=operator.s2s.key_id
        )
        response = await client.get(sent, headers=headers)
        assert response.status_code == expected, (signed_path, response.text)
        code = "UNKNOWN_BOX" if expected == 404 else "INVALID_SIGNATURE"
        assert response.json()["error"]["code"] == code


async def test_a_signed_get_cannot_be_aimed_at_another_player(
    operator: OperatorCtx, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A captured signed GET replayed with another query string is refused (SPEC §2)."""
    path = "/api/s2s/fairness/state"
    signed_for = f"{path}?playerExternalId=alice"
    headers = signing.signed_headers(
        operator.s2s.secret, "GET", signed_for, key_id=operator.s2s.key_id
    )
    own = await client.get(signed_for, headers=headers)
    assert own.status_code == 200, own.text
    players = await count_rows(runtime, Player)
    for aimed in [f"{path}?playerExternalId=bob", f"{path}?playerExternalId=alice&x=1", path]:
        response = await client.get(aimed, headers=headers)
        assert response.status_code == 401, (aimed, response.text)
        assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    path_only = signing.signed_headers(operator.s2s.secret, "GET", path, key_id=operator.s2s.key_id)
    response = await client.get(f"{path}?playerExternalId=bob", headers=path_only)
    assert response.status_code == 401, "a signature that leaves the query out must not pass"
    assert await count_rows(runtime, Player) == players  # bob was never created


async def test_a_query_is_verified_exactly_as_sent(
    operator: OperatorCtx, client: httpx.AsyncClient
) -> None:
    """Percent-encoding is part of what is signed: the bytes on the request line, not a decoding."""
    sent = "/api/s2s/fairness/state?playerExternalId=a%20b"
    for signed, expected in [(sent, 200), ("/api/s2s/fairness/state?playerExternalId=a b", 401)]:
        headers = signing.signed_headers(
            operator.s2s.secret, "GET", signed, key_id=operator.s2s.key_id
        )
        response = await client.get(sent, headers=headers)
        assert response.status_code == expected, (signed, response.text)
