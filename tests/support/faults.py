"""Helpers for the wallet fault and crash tests: rows by key, a later clock, money mismatches."""

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from coffer.inventory.models import InventoryItem
from coffer.kit.db import utcnow
from coffer.rounds.models import Round
from coffer.runtime import Runtime
from coffer.seamless.models import WalletAttempt, WalletInstruction
from tests.support.casino import CasinoServer
from tests.support.shop import PLAYER, ledger_amounts, rounds
from tests.support.wallet_calls import post_signed, wallet_body


def later(minutes: int = 5) -> datetime:
    """A resolver clock past every grace period, lease and early backoff."""
    return utcnow() + timedelta(minutes=minutes)


async def round_of(runtime: Runtime, public_id: str) -> Round:
    async with runtime.sessions() as session:
        found = await session.scalar(select(Round).where(Round.public_id == public_id))
    assert found is not None, public_id
    return found


async def instruction(runtime: Runtime, key: str) -> WalletInstruction:
    async with runtime.sessions() as session:
        found = await session.scalar(
            select(WalletInstruction).where(WalletInstruction.idempotency_key == key)
        )
    assert found is not None, key
    return found


async def attempt_outcomes(runtime: Runtime, key: str) -> list[str]:
    """The outcome of every HTTP attempt stored for one instruction, in order."""
    async with runtime.sessions() as session:
        found = await session.scalars(
            select(WalletAttempt.outcome)
            .join(WalletInstruction, WalletInstruction.id == WalletAttempt.instruction_id)
            .where(WalletInstruction.idempotency_key == key)
            .order_by(WalletAttempt.id)
        )
        return list(found)


async def vault_size(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InventoryItem)) or 0)


async def late_debit(casino: CasinoServer, public_id: str) -> Any:
    """The round's debit arriving at the casino again, as a delayed packet would."""
    payload = wallet_body("wallet.debit", f"round:{public_id}", PLAYER, 500)
    async with httpx.AsyncClient(timeout=5) as http:
        response = await post_signed(http, casino.url, casino.secret, payload)
    return response.json()


def key_counts(casino: CasinoServer) -> Counter[str]:
    """How many ledger rows the casino wrote for each idempotency key."""
    return Counter(key for key, _ in ledger_amounts(casino))


async def money_mismatches(runtime: Runtime, casino: CasinoServer) -> list[str]:
    """Every way a round's money disagrees with the casino's books (empty when consistent)."""
    applied = dict(ledger_amounts(casino))
    counts = key_counts(casino)
    problems = [f"casino: {m}" for m in casino.call(lambda c: c.mismatches())]
    problems += [f"{key} applied {n} times" for key, n in counts.items() if n > 1]
    for round_ in await rounds(runtime):
        pid, status = round_.public_id, round_.status
        kept = -applied.get(f"round:{pid}", 0) - applied.get(f"rollback:round:{pid}", 0)
        expected = 0 if status == "voided" or round_.funding == "operator" else round_.bet_minor
        if status == "voided" and await _settled_outside(runtime, pid):
            expected = -applied.get(f"round:{pid}", 0)  # staff returned the debit outside Coffer
        if kept != expected:
            problems.append(f"{pid} {status}: kept {kept}, expected {expected}")
        if status == "settled" and round_.funding == "player":
            debit = await instruction(runtime, f"round:{pid}")
            if debit.state != "accepted":
                problems.append(f"{pid} settled with a debit {debit.state}")
        if status == "pending":
            problems.append(f"{pid} still pending")
    return problems + await _credit_mismatches(runtime, applied)


async def _settled_outside(runtime: Runtime, public_id: str) -> bool:
    """Staff closed this round's debit as settled outside Coffer (counts as rolled back)."""
    async with runtime.sessions() as session:
        state = await session.scalar(
            select(WalletInstruction.state).where(
                WalletInstruction.idempotency_key == f"round:{public_id}"
            )
        )
    return state == "settled_outside"


async def _credit_mismatches(runtime: Runtime, applied: dict[str, int]) -> list[str]:
    """Every payout or refund credit must end accepted and applied for its exact amount."""
    async with runtime.sessions() as session:
        credits = await session.scalars(
            select(WalletInstruction).where(WalletInstruction.kind.in_(("payout", "refund")))
        )
        found = [(c.idempotency_key, c.state, c.amount_minor) for c in credits]
    return [
        f"{key} {state}: applied {applied.get(key)}, expected {amount}"
        for key, state, amount in found
        if state != "accepted" or applied.get(key) != amount
    ]
