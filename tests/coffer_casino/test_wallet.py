"""The reference casino's wallet RPC over real HTTP: signing, idempotency, rollbacks, refusals."""

import asyncio
import json
from typing import Any

import httpx

from coffer import signing
from coffer_casino.models import WalletRequest
from coffer_casino.wallet import PriorDebit, decide_debit, decide_rollback
from tests.support.casino import CasinoServer
from tests.support.wallet_calls import post_signed, wallet_body

PLAYER = "u_8431"


async def rpc(
    http: httpx.AsyncClient,
    casino: CasinoServer,
    kind: str,
    key: str,
    amount: int = 0,
    *,
    player: str = PLAYER,
    currency: str = "EUR",
    expect: int = 200,
    **extra: Any,
) -> dict[str, Any]:
    """One signed wallet call through the proxy; checks the status and returns the body."""
    body = wallet_body(kind, key, player, amount, currency, **extra)
    response = await post_signed(http, casino.url, casino.secret, body)
    assert response.status_code == expect, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_debit_credit_and_balance(casino: CasinoServer, http: httpx.AsyncClient) -> None:
    casino.deposit(PLAYER, "EUR", 12_000)
    debit = await rpc(http, casino, "wallet.debit", "round:r_1", 500, roundPublicId="r_1")
    assert debit["accepted"] is True
    assert debit["balanceAfterMinor"] == 11_500
    assert debit["providerTxnRef"].startswith("ctx_")
    credit = await rpc(http, casino, "wallet.credit", "payout:round:r_1", 320)
    assert credit == {
        "accepted": True,
        "balanceAfterMinor": 11_820,
        "providerTxnRef": credit["providerTxnRef"],
    }
    balance = await rpc(http, casino, "wallet.balance", "balance:1")
    assert balance == {"accepted": True, "balanceAfterMinor": 11_820}
    assert [row["amountMinor"] for row in casino.ledger(PLAYER)] == [12_000, -500, 320]
    assert casino.balance(PLAYER, "EUR") == 11_820


async def test_balances_are_per_currency_and_unknown_players_hold_zero(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    assert (await rpc(http, casino, "wallet.balance", "b1", currency="JPY"))[
        "balanceAfterMinor"
    ] == 0
    refused = await rpc(http, casino, "wallet.debit", "round:jpy", 1, currency="JPY")
    assert refused["code"] == "INSUFFICIENT_FUNDS"
    newcomer = await rpc(http, casino, "wallet.credit", "payout:x", 70, player="u_new")
    assert newcomer["balanceAfterMinor"] == 70


async def test_a_replay_returns_the_original_answer_and_applies_nothing(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    first = await rpc(http, casino, "wallet.debit", "round:r_2", 300)
    await rpc(http, casino, "wallet.credit", "payout:round:r_2", 50)
    again = await rpc(http, casino, "wallet.debit", "round:r_2", 300)
    assert again == first  # same providerTxnRef and the balance as first answered (700)
    assert casino.balance(PLAYER) == 750
    assert len(casino.ledger(PLAYER)) == 3


async def test_a_key_reused_for_another_instruction_is_409(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    await rpc(http, casino, "wallet.debit", "round:r_3", 300)
    for change in (
        {"amount": 301},
        {"currency": "USD"},
        {"player": "u_other"},
        {"kind": "wallet.credit"},
    ):
        args: dict[str, Any] = {"kind": "wallet.debit", "amount": 300} | change
        kind, amount = args.pop("kind"), args.pop("amount")
        answer = await rpc(http, casino, kind, "round:r_3", amount, expect=409, **args)
        assert answer["accepted"] is False
        assert answer["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert casino.balance(PLAYER) == 700


async def test_insufficient_funds_is_refused_and_the_refusal_sticks(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 100)
    refused = await rpc(http, casino, "wallet.debit", "round:r_4", 500)
    assert refused == {
        "accepted": False,
        "code": "INSUFFICIENT_FUNDS",
        "message": refused["message"],
        "balanceAfterMinor": 100,
    }
    casino.deposit(PLAYER, "EUR", 1_000)
    assert await rpc(http, casino, "wallet.debit", "round:r_4", 500) == refused
    assert casino.balance(PLAYER) == 1_100
    assert not casino.applied("round:r_4")


async def test_a_blocked_player_cannot_spend_but_is_credited(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    blocked = await http.post(f"{casino.base_url}/casino/players/{PLAYER}/block")
    assert blocked.json()["blocked"] is True
    refused = await rpc(http, casino, "wallet.debit", "round:r_5", 100)
    assert (refused["accepted"], refused["code"]) == (False, "PLAYER_BLOCKED")
    assert refused["balanceAfterMinor"] == 1_000
    credit = await rpc(http, casino, "wallet.credit", "payout:round:r_0", 40)
    assert credit["balanceAfterMinor"] == 1_040
    await http.post(f"{casino.base_url}/casino/players/{PLAYER}/unblock")
    accepted = await rpc(http, casino, "wallet.debit", "round:r_6", 100)
    assert accepted["balanceAfterMinor"] == 940


async def test_rollback_refunds_an_accepted_debit_once(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    await rpc(http, casino, "wallet.debit", "round:r_7", 400)
    undo = await rpc(
        http, casino, "wallet.rollback", "rollback:round:r_7", 400, rollbackOf="round:r_7"
    )
    assert (undo["accepted"], undo["balanceAfterMinor"]) == (True, 1_000)
    assert (
        await rpc(
            http, casino, "wallet.rollback", "rollback:round:r_7", 400, rollbackOf="round:r_7"
        )
        == undo
    )
    other = await rpc(
        http, casino, "wallet.rollback", "rollback:2:r_7", 400, rollbackOf="round:r_7"
    )
    assert (other["accepted"], other["balanceAfterMinor"]) == (True, 1_000)
    assert casino.balance(PLAYER) == 1_000
    replayed_debit = await rpc(http, casino, "wallet.debit", "round:r_7", 400)
    assert replayed_debit["balanceAfterMinor"] == 600  # the original answer, nothing re-applied
    assert casino.balance(PLAYER) == 1_000


async def test_a_rollback_before_its_debit_leaves_a_tombstone(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    undo = await rpc(
        http, casino, "wallet.rollback", "rollback:round:r_8", 250, rollbackOf="round:r_8"
    )
    assert (undo["accepted"], undo["balanceAfterMinor"]) == (True, 1_000)
    late = await rpc(http, casino, "wallet.debit", "round:r_8", 250)
    assert (late["accepted"], late["code"], late["balanceAfterMinor"]) == (
        False,
        "ROLLED_BACK",
        1_000,
    )
    assert await rpc(http, casino, "wallet.debit", "round:r_8", 250) == late
    assert not casino.applied("round:r_8")
    assert casino.balance(PLAYER) == 1_000


async def test_rolling_back_a_refused_debit_moves_nothing(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    await rpc(http, casino, "wallet.debit", "round:r_9", 250)
    undo = await rpc(
        http, casino, "wallet.rollback", "rollback:round:r_9", 250, rollbackOf="round:r_9"
    )
    assert (undo["accepted"], undo["balanceAfterMinor"]) == (True, 0)
    assert casino.balance(PLAYER) == 0


async def test_a_rollback_must_match_its_debit(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    await rpc(http, casino, "wallet.debit", "round:r_10", 100)
    await rpc(http, casino, "wallet.credit", "payout:round:r_10", 30)
    for key, target, player in (
        ("rollback:a", "payout:round:r_10", PLAYER),
        ("rollback:b", "round:r_10", "u_somebody_else"),
    ):
        answer = await rpc(
            http, casino, "wallet.rollback", key, 100, player=player, rollbackOf=target
        )
        assert (answer["accepted"], answer["code"]) == (False, "ROLLBACK_MISMATCH")
    assert casino.balance(PLAYER) == 930
    missing = await rpc(http, casino, "wallet.rollback", "rollback:c", 100, expect=422)
    assert missing["code"] == "VALIDATION_ERROR"


async def test_fifty_concurrent_identical_debits_apply_once(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 10_000)
    body = json.dumps(wallet_body("wallet.debit", "round:r_many", PLAYER, 700)).encode()
    headers = signing.signed_headers(casino.secret, "POST", casino.url, body)
    headers |= {"Idempotency-Key": "round:r_many", "Content-Type": "application/json"}
    responses = await asyncio.gather(
        *(http.post(casino.url, content=body, headers=headers) for _ in range(50))
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert responses[0].json()["balanceAfterMinor"] == 9_300
    assert [row["idempotencyKey"] for row in casino.ledger(PLAYER)].count("round:r_many") == 1
    assert casino.balance(PLAYER) == 9_300


async def test_unsigned_or_badly_signed_calls_change_nothing(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    payload = wallet_body("wallet.debit", "round:r_sig", PLAYER, 100)
    wrong = await post_signed(http, casino.url, "whsec_not_the_secret", payload)
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "INVALID_SIGNATURE"
    assert wrong.json()["accepted"] is False
    stale = signing.signed_headers(casino.secret, "POST", casino.url, b"{}", now=1_000)
    skewed = await http.post(casino.url, content=b"{}", headers=stale)
    assert (skewed.status_code, skewed.json()["code"]) == (401, "TIMESTAMP_SKEW")
    bare = await http.post(casino.url, json=payload)
    assert (bare.status_code, bare.json()["code"]) == (401, "MISSING_HEADERS")
    assert casino.balance(PLAYER) == 1_000
    applied = await rpc(http, casino, "wallet.debit", "round:r_sig", 100)
    assert applied["accepted"] is True  # the refused attempts never claimed the key


async def test_malformed_instructions_are_422(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    casino.deposit(PLAYER, "EUR", 1_000)
    floaty = wallet_body("wallet.debit", "round:f", PLAYER, 0) | {"amountMinor": 1.5}
    for payload in (
        floaty,
        wallet_body("wallet.debit", "round:neg", PLAYER, -5),
        wallet_body("wallet.debit", "round:cur", PLAYER, 5, "eur"),
        wallet_body("wallet.steal", "round:type", PLAYER, 5),
    ):
        response = await post_signed(http, casino.url, casino.secret, payload)
        assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR")
    mismatched = await post_signed(
        http,
        casino.url,
        casino.secret,
        wallet_body("wallet.debit", "round:h", PLAYER, 5),
        headers={"Idempotency-Key": "something-else"},
    )
    assert mismatched.status_code == 422
    assert casino.balance(PLAYER) == 1_000


async def test_back_office_deposit_balances_and_ledger(
    casino: CasinoServer, http: httpx.AsyncClient
) -> None:
    base = f"{casino.base_url}/casino"
    made = await http.post(
        f"{base}/players/{PLAYER}/deposit", json={"currency": "EUR", "amountMinor": 900}
    )
    assert made.json()["balanceAfterMinor"] == 900
    bad = await http.post(
        f"{base}/players/{PLAYER}/deposit", json={"currency": "EUR", "amountMinor": 1.5}
    )
    assert bad.status_code == 422
    await http.post(f"{base}/players/{PLAYER}/deposit", json={"currency": "USD", "amountMinor": 5})
    view = (await http.get(f"{base}/players/{PLAYER}/balances")).json()
    assert view == {
        "playerExternalId": PLAYER,
        "blocked": False,
        "balances": [
            {"currency": "EUR", "balanceMinor": 900},
            {"currency": "USD", "balanceMinor": 5},
        ],
    }
    ledger = (await http.get(f"{base}/ledger", params={"player": PLAYER, "currency": "USD"})).json()
    assert [e["amountMinor"] for e in ledger["entries"]] == [5]
    assert ledger["mismatches"] == []


def test_debit_rules() -> None:
    assert decide_debit(100, 100, blocked=False, rolled_back=False).delta == -100
    assert decide_debit(99, 100, blocked=False, rolled_back=False).code == "INSUFFICIENT_FUNDS"
    assert decide_debit(500, 100, blocked=True, rolled_back=False).code == "PLAYER_BLOCKED"
    assert decide_debit(500, 100, blocked=True, rolled_back=True).code == "ROLLED_BACK"


def test_rollback_rules() -> None:
    request = WalletRequest.model_validate(
        wallet_body("wallet.rollback", "rollback:k", "p", 100, rollbackOf="k")
    )
    debit = PriorDebit("wallet.debit", "p", "EUR", 100, accepted=True)
    unseen = decide_rollback(request, None, already_rolled_back=False)
    assert (unseen.accepted, unseen.delta, unseen.tombstone) == (True, 0, True)
    first = decide_rollback(request, debit, already_rolled_back=False)
    assert (first.delta, first.tombstone) == (100, True)
    assert decide_rollback(request, debit, already_rolled_back=True).delta == 0
    refused = PriorDebit("wallet.debit", "p", "EUR", 100, accepted=False)
    assert decide_rollback(request, refused, already_rolled_back=False).delta == 0
    credit = PriorDebit("wallet.credit", "p", "EUR", 100, accepted=True)
    assert decide_rollback(request, credit, already_rolled_back=False).code == "ROLLBACK_MISMATCH"
