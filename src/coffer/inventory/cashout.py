"""Cashing a vault item back (SPEC §7): claim the item, credit the wallet, then finish the item.

Short transactions around the wallet call, never one across it. The item moves
``unresolved`` → ``cashing_out`` (a conditional update, so one request wins) before the credit
is sent; while it is ``cashing_out`` nothing else can take it. An accepted credit makes it
``cashed_back``; a refused one (final for cashouts) makes it ``unresolved`` again; an uncertain
one leaves it ``cashing_out`` for the resolver, which finishes it either way.
"""

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory import events
from coffer.inventory.answers import CashedBack, CashoutFailed, CashoutResult
from coffer.inventory.models import InventoryItem
from coffer.inventory.rules import cashback_minor
from coffer.inventory.states import CASHED_BACK, CASHING_OUT, ROUND, UNRESOLVED, move
from coffer.kit.db import rows_changed, utcnow
from coffer.kit.errors import CashbackNotAvailable, InventoryItemNotFound, WalletUnavailable
from coffer.operators.models import Operator
from coffer.operators.service import convert_checked, load_rates, rate_for
from coffer.players.service import find_player
from coffer.seamless import service as seamless
from coffer.seamless.client import Accepted, CallResult, Refused, WalletRequest
from coffer.seamless.models import WalletInstruction
from coffer.seamless.service import Finished, Gateway, Send, exchange

KNOWN_REFUSALS = ("INSUFFICIENT_FUNDS", "PLAYER_BLOCKED")
IN_PROGRESS = "A cashout of this item is in progress; retry later."
POLL_SECONDS = 0.05
REPLAY_MARGIN_S = 5.0


def cashout_key(inventory_item_id: int) -> str:
    return f"cashback:inventory:{inventory_item_id}"


@dataclass(frozen=True)
class Cashout:
    player_external_id: str
    inventory_item_id: int
    currency: str


@dataclass(frozen=True)
class InProgress:
    """Another request holds this item's cashout: wait for its answer, as a purchase retry does."""

    operator_id: int
    item_id: int
    wait_s: float


Step = Send[CashoutResult | InProgress] | CashoutResult | InProgress


async def cashout(gateway: Gateway, operator_id: int, command: Cashout) -> CashoutResult:
    """Credit the item's cashback once; repeats (concurrent ones too) answer the first result."""

    async def begin(session: AsyncSession) -> Step:
        return await start_cashout(session, gateway, operator_id, command)

    result: CashoutResult | InProgress = await exchange(gateway, begin)
    if isinstance(result, InProgress):
        return await _wait_for_first(gateway, result)
    return result


async def start_cashout(
    session: AsyncSession, gateway: Gateway, operator_id: int, command: Cashout
) -> Step:
    """Find the player's item, price its cashback, claim it and write the credit."""
    operator = await session.get(Operator, operator_id)
    assert operator is not None
    row, item = await _find_item(session, operator, command)
    if row.state == CASHED_BACK:
        return await stored_answer(session, operator.id, row.id)
    if row.origin != ROUND:
        raise CashbackNotAvailable(
            f"Item {row.id} was not won with real money (origin {row.origin}); "
            "it never cashes back (SPEC §12)."
        )
    cashback = cashback_minor(item, operator.policies)
    if cashback is None:
        raise CashbackNotAvailable(f"Item {row.id} ({item.name}) has no cashback.")
    rates = await load_rates(session, operator)
    target_rate = rate_for(rates, command.currency)
    amount = convert_checked(cashback, rate_for(rates, item.currency), target_rate)
    moved = await session.execute(
        move(UNRESOLVED, CASHING_OUT, utcnow()).where(InventoryItem.id == row.id)
    )
    if rows_changed(moved) != 1:
        return await _not_claimed(session, gateway, operator, row.id)
    target = gateway.target(operator)
    instruction = await _write_credit(
        session, row, amount, command.currency, gateway.resolver_after(target)
    )
    request = seamless.request_for(instruction, command.player_external_id)
    item_id = row.id

    async def finish(session: AsyncSession, result: CallResult, owned: bool) -> CashoutResult:
        return await apply_credit(session, item_id, request, result, owned)

    sent: Send[CashoutResult | InProgress] = Send(instruction.id, target, request, finish)
    return sent


async def _write_credit(
    session: AsyncSession, row: InventoryItem, amount: int, currency: str, resolver_after: datetime
) -> WalletInstruction:
    """The item's credit: a new one, or its refused one sent again (the key is fixed)."""
    key = cashout_key(row.id)
    instruction = await _earlier_credit(session, row.operator_id, key)
    if instruction is None:
        return await seamless.add_instruction(
            session,
            operator_id=row.operator_id,
            player_id=row.player_id,
            kind="cashback",
            rpc="wallet.credit",
            key=key,
            amount_minor=amount,
            currency=currency,
            funding="player",
            round_id=row.round_id,
            round_public_id=row.round_public_id,
            inventory_item_id=row.id,
            resolver_after=resolver_after,
        )
    await _reopen(session, instruction.id, amount, currency, resolver_after)
    await session.refresh(instruction)
    return instruction


async def _find_item(
    session: AsyncSession, operator: Operator, body: Cashout
) -> tuple[InventoryItem, Item]:
    """The player's own item (another player's or operator's is not found); nothing written."""
    player = await find_player(session, operator, body.player_external_id)
    found = None
    if player is not None:
        found = (
            await session.execute(
                select(InventoryItem, Item)
                .join(Item, Item.id == InventoryItem.item_id)
                .where(
                    InventoryItem.id == body.inventory_item_id,
                    InventoryItem.player_id == player.id,
                    InventoryItem.operator_id == operator.id,
                )
            )
        ).one_or_none()
    if found is None:
        raise InventoryItemNotFound(
            f"Player {body.player_external_id!r} has no inventory item {body.inventory_item_id}."
        )
    return found[0], found[1]


async def _not_claimed(
    session: AsyncSession, gateway: Gateway, operator: Operator, item_id: int
) -> CashedBack | InProgress:
    """Someone else moved the item first: in progress, already cashed back, or not actionable."""
    state = await session.scalar(
        select(InventoryItem.state)
        .where(InventoryItem.id == item_id)
        .execution_options(populate_existing=True)
    )
    if state == CASHING_OUT:
        wait_s = gateway.grace(gateway.target(operator)).total_seconds() + REPLAY_MARGIN_S
        return InProgress(operator.id, item_id, wait_s)
    if state == CASHED_BACK:
        return await stored_answer(session, operator.id, item_id)
    raise CashbackNotAvailable(f"Item {item_id} is {state}; only an unresolved item cashes back.")


async def _wait_for_first(gateway: Gateway, waiting: InProgress) -> CashoutResult:
    """Poll, outside any transaction, until the first cashout of the item has its answer."""
    deadline = time.monotonic() + waiting.wait_s
    while True:
        async with gateway.sessions() as session:
            answer = await _first_answer(session, waiting.operator_id, waiting.item_id)
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            return CashoutFailed("WALLET_UNAVAILABLE", IN_PROGRESS)
        await asyncio.sleep(POLL_SECONDS)


async def _first_answer(
    session: AsyncSession, operator_id: int, item_id: int
) -> CashoutResult | None:
    """What the first cashout answered, read back from the item and its credit; None while the
    wallet call is still out."""
    credit = await _credit(session, operator_id, item_id)
    state = await session.scalar(select(InventoryItem.state).where(InventoryItem.id == item_id))
    if state == CASHED_BACK:
        return await stored_answer(session, operator_id, item_id)
    if credit is not None and credit.state == "refused" and state == UNRESOLVED:
        code = credit.refusal_code if credit.refusal_code in KNOWN_REFUSALS else "WALLET_REFUSED"
        return CashoutFailed(code, f"The wallet refused the cashback: {credit.last_error}")
    if credit is not None and credit.state == "uncertain":
        return _uncertain(str(credit.last_error))
    if state != CASHING_OUT:
        raise CashbackNotAvailable(
            f"Item {item_id} is {state}; only an unresolved item cashes back."
        )
    return None


def _uncertain(reason: str) -> CashoutFailed:
    return CashoutFailed(
        "WALLET_UNAVAILABLE",
        f"The wallet did not answer definitely ({reason}); the cashback is retried in the "
        "background and the item stays reserved until then.",
    )


async def _earlier_credit(
    session: AsyncSession, operator_id: int, key: str
) -> WalletInstruction | None:
    """The item's earlier credit: only a refused one may be sent again (the key is fixed)."""
    found = await session.scalar(
        select(WalletInstruction).where(
            WalletInstruction.operator_id == operator_id,
            WalletInstruction.idempotency_key == key,
        )
    )
    if found is not None and found.state != "refused":
        # The item was unresolved yet its credit is not refused: never send a second credit.
        raise WalletUnavailable(IN_PROGRESS)
    return found


async def _reopen(
    session: AsyncSession,
    instruction_id: int,
    amount: int,
    currency: str,
    resolver_after: datetime,
) -> None:
    """Send a refused credit again, with today's amount (the item was claimed just now)."""
    changed = await session.execute(
        update(WalletInstruction)
        .where(WalletInstruction.id == instruction_id, WalletInstruction.state == "refused")
        .values(
            state="pending",
            amount_minor=amount,
            currency=currency,
            refusal_code=None,
            resolved_at=None,
            next_attempt_at=resolver_after,
            updated_at=utcnow(),
        )
    )
    if rows_changed(changed) != 1:
        raise WalletUnavailable(IN_PROGRESS)


async def apply_credit(
    session: AsyncSession, item_id: int, request: WalletRequest, result: CallResult, owned: bool
) -> CashoutResult:
    """Finish the item after the wallet's answer (unless the resolver took the credit over)."""
    outcome = result.outcome
    if owned and isinstance(outcome, Accepted):
        await finish_item(session, item_id, accepted=True)
        balance = outcome.balance_after_minor
        return CashedBack(item_id, request.amount_minor, request.currency, balance)
    if owned and isinstance(outcome, Refused):
        await finish_item(session, item_id, accepted=False)
        code = outcome.code if outcome.code in KNOWN_REFUSALS else "WALLET_REFUSED"
        return CashoutFailed(code, f"The wallet refused the cashback: {outcome.message}")
    state = await session.scalar(
        select(InventoryItem.state)
        .where(InventoryItem.id == item_id)
        .execution_options(populate_existing=True)
    )
    if state == CASHED_BACK:
        return await stored_answer(session, None, item_id)
    reason = "the resolver took the credit over"
    if owned and not isinstance(outcome, Accepted | Refused):
        reason = outcome.reason
    return _uncertain(reason)


async def cashback_finished(
    session: AsyncSession, credit: WalletInstruction, how: Finished
) -> None:
    """The resolver's re-sent cashback got a final answer: the item is cashed back or free."""
    if credit.inventory_item_id is not None and how in ("accepted", "refused"):
        await finish_item(session, credit.inventory_item_id, accepted=how == "accepted")


async def finish_item(session: AsyncSession, item_id: int, *, accepted: bool) -> None:
    """cashing_out → cashed_back (credit accepted) or back to unresolved (credit refused)."""
    to_state = CASHED_BACK if accepted else UNRESOLVED
    moved = await session.execute(
        move(CASHING_OUT, to_state, utcnow()).where(InventoryItem.id == item_id)
    )
    if accepted and rows_changed(moved) == 1:
        await events.item_cashed_back(session, item_id, cashout_key(item_id))


async def _credit(
    session: AsyncSession, operator_id: int | None, item_id: int
) -> WalletInstruction | None:
    stmt = select(WalletInstruction).where(
        WalletInstruction.idempotency_key == cashout_key(item_id),
        WalletInstruction.inventory_item_id == item_id,
    )
    if operator_id is not None:
        stmt = stmt.where(WalletInstruction.operator_id == operator_id)
    found: WalletInstruction | None = await session.scalar(
        stmt.execution_options(populate_existing=True)
    )
    return found


async def stored_answer(session: AsyncSession, operator_id: int | None, item_id: int) -> CashedBack:
    """The answer of the accepted credit, read back from its instruction."""
    found = await _credit(session, operator_id, item_id)
    if found is None:  # cashed back by staff or an import, not by a cashout we recorded
        raise CashbackNotAvailable(f"Item {item_id} is cashed_back already.")
    return CashedBack(item_id, found.amount_minor, found.currency, found.balance_after_minor)
