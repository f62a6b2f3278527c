"""The casino's books: pure decisions about each wallet instruction, and the database work.

Every instruction runs read-decide-write under one ``asyncio.Lock`` inside a ``BEGIN IMMEDIATE``
SQLite transaction, so concurrent retries of one key apply once (and the CLI's deposits, from
another process, cannot interleave); the UNIQUE key columns are the last line of defence.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ulid import ULID

from coffer_casino.models import (
    BALANCE,
    CREDIT,
    DEBIT,
    DEPOSIT,
    CasinoBalance,
    CasinoBase,
    CasinoPlayer,
    LedgerEntry,
    Tombstone,
    WalletReceipt,
    WalletRequest,
    WebhookEvent,
)
from coffer_casino.store import iso_z, make_casino_engine

ROLLED_BACK = "ROLLED_BACK"


@dataclass(frozen=True, slots=True)
class Decision:
    """What an instruction does: accepted with a signed balance change, or refused with a code."""

    accepted: bool
    delta: int = 0
    code: str | None = None
    message: str = ""
    tombstone: bool = False


@dataclass(frozen=True, slots=True)
class PriorDebit:
    """What a rollback needs to know about the instruction it names."""

    type: str
    player_external_id: str
    currency: str
    amount_minor: int
    accepted: bool


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP status and JSON body, stored so that a retry gets exactly the same one."""

    status: int
    body: dict[str, Any]


def refuse(code: str, message: str) -> Decision:
    """A definite refusal: nothing moves and the key remembers it."""
    return Decision(accepted=False, code=code, message=message)


def decide_debit(balance: int, amount: int, *, blocked: bool, rolled_back: bool) -> Decision:
    """A debit is refused if already rolled back, if the player is blocked, or if it overdraws."""
    if rolled_back:
        return refuse(ROLLED_BACK, "this debit was rolled back before it arrived")
    if blocked:
        return refuse("PLAYER_BLOCKED", "the player may not spend")
    if amount > balance:
        return refuse("INSUFFICIENT_FUNDS", f"balance {balance} is less than {amount}")
    return Decision(accepted=True, delta=-amount)


def decide_rollback(
    request: WalletRequest, prior: PriorDebit | None, *, already_rolled_back: bool
) -> Decision:
    """Refund an accepted debit once; for an unseen debit, leave a tombstone that refuses it."""
    if prior is None:
        return Decision(accepted=True, tombstone=not already_rolled_back)
    same_account = (prior.player_external_id, prior.currency) == (
        request.player_external_id,
        request.currency,
    )
    if prior.type != DEBIT or not same_account:
        return refuse("ROLLBACK_MISMATCH", "rollbackOf names another player's or a non-debit key")
    if already_rolled_back or not prior.accepted:
        return Decision(accepted=True, tombstone=not already_rolled_back)
    return Decision(accepted=True, delta=prior.amount_minor, tombstone=True)


def accepted_answer(balance: int, txn_ref: str | None) -> Answer:
    """The accepted shape of SPEC §8."""
    body: dict[str, Any] = {"accepted": True, "balanceAfterMinor": balance}
    if txn_ref is not None:
        body["providerTxnRef"] = txn_ref
    return Answer(200, body)


def refused_answer(decision: Decision, balance: int) -> Answer:
    """The refused shape of SPEC §8, with the current balance so Coffer can show it."""
    body = {
        "accepted": False,
        "code": decision.code,
        "message": decision.message,
        "balanceAfterMinor": balance,
    }
    return Answer(200, body)


def key_reused_answer(key: str) -> Answer:
    """A key already used for a different instruction: a bug in the caller, never applied."""
    message = f"idempotency key {key!r} was already used for a different instruction"
    return Answer(409, {"accepted": False, "code": "IDEMPOTENCY_KEY_REUSED", "message": message})


def new_txn_ref() -> str:
    """The casino's own reference for a transaction, echoed back as ``providerTxnRef``."""
    return f"ctx_{ULID()}"


class Casino:
    """The casino's wallet, back office and webhook inbox over its own SQLite database."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_casino_engine(database_url)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        self.lock = asyncio.Lock()

    async def create_schema(self) -> None:
        """Create the casino's tables if they are missing (it has no migrations)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(CasinoBase.metadata.create_all)

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()

    async def handle(self, request: WalletRequest) -> Answer:
        """Answer one wallet instruction: replay, conflict, or decide and apply exactly once."""
        async with self.lock, self.sessions.begin() as session:
            if request.type == BALANCE:  # a read: never recorded against its key, no ledger row
                balance = await _balance(session, request.player_external_id, request.currency)
                return accepted_answer(balance, None)
            prior = await _receipt(session, request.idempotency_key)
            if prior is not None:
                return _replay(prior, request)
            answer = await _decide_and_apply(session, request)
            session.add(_receipt_for(request, answer))
            return answer

    async def deposit(self, player: str, currency: str, amount_minor: int) -> tuple[int, str]:
        """Credit a deposit made at the casino's cashier; returns (balance, txn ref)."""
        async with self.lock, self.sessions.begin() as session:
            await _player(session, player)
            key = f"deposit:{ULID()}"
            return await _post(session, key, DEPOSIT, player, currency, amount_minor)

    async def set_blocked(self, player: str, blocked: bool) -> None:
        """Block (or unblock) a player: a blocked player's debits are refused, credits are not."""
        async with self.lock, self.sessions.begin() as session:
            (await _player(session, player)).blocked = blocked

    async def player_view(self, player: str) -> dict[str, Any]:
        """A player's block flag and balances, for the back office."""
        async with self.sessions.begin() as session:
            found = await session.get(CasinoPlayer, player)
            rows = await session.scalars(
                select(CasinoBalance)
                .where(CasinoBalance.player_external_id == player)
                .order_by(CasinoBalance.currency)
            )
            balances = [{"currency": r.currency, "balanceMinor": r.balance_minor} for r in rows]
        blocked = found is not None and found.blocked
        return {"playerExternalId": player, "blocked": blocked, "balances": balances}

    async def balance(self, player: str, currency: str) -> int:
        """One balance; an unknown player or currency has zero."""
        async with self.sessions.begin() as session:
            return await _balance(session, player, currency)

    async def ledger(self, player: str | None = None, currency: str | None = None) -> list[Any]:
        """Ledger rows in the order they were written, optionally for one player and currency."""
        query = select(LedgerEntry).order_by(LedgerEntry.id)
        if player is not None:
            query = query.where(LedgerEntry.player_external_id == player)
        if currency is not None:
            query = query.where(LedgerEntry.currency == currency)
        async with self.sessions.begin() as session:
            return [ledger_json(row) for row in await session.scalars(query)]

    async def mismatches(self) -> list[dict[str, Any]]:
        """Every (player, currency) whose balance is not the sum of its ledger rows."""
        async with self.sessions.begin() as session:
            sums = await session.execute(
                select(LedgerEntry.player_external_id, LedgerEntry.currency)
                .add_columns(func.sum(LedgerEntry.amount_minor))
                .group_by(LedgerEntry.player_external_id, LedgerEntry.currency)
            )
            balances = await session.scalars(select(CasinoBalance))
            by_account = {(r.player_external_id, r.currency): r.balance_minor for r in balances}
        from_ledger = {(p, c): int(total) for p, c, total in sums}
        wrong = []
        for account in sorted(set(by_account) | set(from_ledger)):
            held, summed = by_account.get(account, 0), from_ledger.get(account, 0)
            if held != summed:
                wrong.append(
                    {
                        "player": account[0],
                        "currency": account[1],
                        "balance": held,
                        "ledgerSum": summed,
                    }
                )
        return wrong

    async def receive_webhook(self, event_id: str, payload: dict[str, Any]) -> bool:
        """Store an event the first time its id is seen; True when it is a redelivery."""
        values = {"event_id": event_id, "type": str(payload.get("type", "")), "payload": payload}
        async with self.sessions.begin() as session:
            stmt = (
                sqlite_insert(WebhookEvent)
                .values(values)
                .on_conflict_do_nothing(index_elements=["event_id"])
            )
            inserted = (await session.execute(stmt)).rowcount  # type: ignore[attr-defined]
            if inserted:
                return False
            await session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.event_id == event_id)
                .values(received_count=WebhookEvent.received_count + 1)
            )
            return True

    async def webhook_events(self) -> list[dict[str, Any]]:
        """Processed events in the order they first arrived."""
        async with self.sessions.begin() as session:
            rows = await session.scalars(select(WebhookEvent).order_by(WebhookEvent.id))
            return [
                {
                    "id": r.event_id,
                    "type": r.type,
                    "receivedCount": r.received_count,
                    "data": r.payload.get("data"),
                    "payload": r.payload,
                }
                for r in rows
            ]


def ledger_json(row: LedgerEntry) -> dict[str, Any]:
    """A ledger row as the back office shows it."""
    return {
        "idempotencyKey": row.idempotency_key,
        "type": row.type,
        "playerExternalId": row.player_external_id,
        "currency": row.currency,
        "amountMinor": row.amount_minor,
        "providerTxnRef": row.provider_txn_ref,
        "createdAt": iso_z(row.created_at),
    }


async def _receipt(session: AsyncSession, key: str) -> WalletReceipt | None:
    return await session.scalar(select(WalletReceipt).where(WalletReceipt.idempotency_key == key))


def _replay(prior: WalletReceipt, request: WalletRequest) -> Answer:
    """The original answer for a true retry; 409 when the key now means something else."""
    same = (
        prior.type,
        prior.player_external_id,
        prior.amount_minor,
        prior.currency,
        prior.rollback_of,
    ) == request.fingerprint()
    if not same:
        return key_reused_answer(request.idempotency_key)
    return Answer(200, prior.answer)


def _receipt_for(request: WalletRequest, answer: Answer) -> WalletReceipt:
    return WalletReceipt(
        idempotency_key=request.idempotency_key,
        type=request.type,
        player_external_id=request.player_external_id,
        currency=request.currency,
        amount_minor=request.amount_minor,
        rollback_of=request.rollback_of,
        accepted=bool(answer.body["accepted"]),
        answer=answer.body,
    )


async def _decide_and_apply(session: AsyncSession, request: WalletRequest) -> Answer:
    """Decide on a new instruction from the current state, then write what it changes."""
    player = await _player(session, request.player_external_id)
    balance = await _balance(session, request.player_external_id, request.currency)
    if request.type == DEBIT:
        tombstoned = await session.get(Tombstone, request.idempotency_key) is not None
        decision = decide_debit(
            balance, request.amount_minor, blocked=player.blocked, rolled_back=tombstoned
        )
    elif request.type == CREDIT:
        decision = Decision(accepted=True, delta=request.amount_minor)
    else:
        decision = await _decide_rollback(session, request)
    if not decision.accepted:
        return refused_answer(decision, balance)
    if decision.tombstone:
        session.add(
            Tombstone(
                debit_key=request.rollback_of,
                rollback_key=request.idempotency_key,
                refunded_minor=decision.delta,
            )
        )
    balance, ref = await _post(
        session,
        request.idempotency_key,
        request.type,
        request.player_external_id,
        request.currency,
        decision.delta,
    )
    return accepted_answer(balance, ref)


async def _decide_rollback(session: AsyncSession, request: WalletRequest) -> Decision:
    assert request.rollback_of is not None
    found = await _receipt(session, request.rollback_of)
    prior = None
    if found is not None:
        prior = PriorDebit(
            found.type, found.player_external_id, found.currency, found.amount_minor, found.accepted
        )
    tombstoned = await session.get(Tombstone, request.rollback_of) is not None
    return decide_rollback(request, prior, already_rolled_back=tombstoned)


async def _player(session: AsyncSession, player: str) -> CasinoPlayer:
    """The player, created on first use."""
    found = await session.get(CasinoPlayer, player)
    if found is None:
        found = CasinoPlayer(external_id=player, blocked=False)
        session.add(found)
        await session.flush()
    return found


async def _balance(session: AsyncSession, player: str, currency: str) -> int:
    row = await session.get(CasinoBalance, (player, currency))
    return 0 if row is None else row.balance_minor


async def _post(
    session: AsyncSession, key: str, kind: str, player: str, currency: str, delta: int
) -> tuple[int, str]:
    """Move ``delta`` on one balance and write its ledger row; returns (balance, txn ref)."""
    row = await session.get(CasinoBalance, (player, currency))
    if row is None:
        row = CasinoBalance(player_external_id=player, currency=currency, balance_minor=0)
        session.add(row)
    if row.balance_minor + delta < 0:
        raise ValueError("a balance may never go below zero")
    row.balance_minor += delta
    ref = new_txn_ref()
    session.add(
        LedgerEntry(
            idempotency_key=key,
            type=kind,
            player_external_id=player,
            currency=currency,
            amount_minor=delta,
            provider_txn_ref=ref,
        )
    )
    return row.balance_minor, ref
