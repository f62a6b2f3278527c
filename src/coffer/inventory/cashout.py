"""Cashing a vault item back (SPEC §7): claim the item, credit the wallet, then finish the item.

Short transactions around the wallet call, never one across it. The item moves
``unresolved`` → ``cashing_out`` (a conditional update, so one request wins) before the credit
is sent; while it is ``cashing_out`` nothing else can take it. An accepted credit makes it
``cashed_back``; a refused one (final for cashouts) makes it ``unresolved`` again; an uncertain
one leaves it ``cashing_out`` for the resolver, which finishes it either way.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.catalog.models import Item
from coffer.inventory import events
from coffer.inventory.models import InventoryItem
from coffer.inventory.rules import cashback_minor
from coffer.inventory.schemas import CashoutRequest
from coffer.kit.db import utcnow
from coffer.kit.errors import CashbackNotAvailable, InventoryItemNotFound, WalletUnavailable
from coffer.kit.money import convert
from coffer.operators.models import Operator
from coffer.operators.service import load_rates
from coffer.players.service import find_player
from coffer.rounds import answers as views
from coffer.rounds.idempotency import StoredAnswer
from coffer.rounds.models import Round
from coffer.rounds.pricing import rate_for
from coffer.runtime import Runtime
from coffer.seamless import service as wallet
from coffer.seamless.client import Accepted, CallResult, Refused, WalletRequest, WalletTarget
from coffer.seamless.models import WalletInstruction

CASHING_OUT = "cashing_out"
KNOWN_REFUSALS = ("INSUFFICIENT_FUNDS", "PLAYER_BLOCKED")
IN_PROGRESS = "A cashout of this item is in progress; retry later."


@dataclass(frozen=True)
class Credit:
    """The item is claimed (cashing_out) and its credit written: send it."""

    item_id: int
    instruction_id: int
    target: WalletTarget
    request: WalletRequest


def cashout_key(inventory_item_id: int) -> str:
    return f"cashback:inventory:{inventory_item_id}"


async def cashout(runtime: Runtime, operator_id: int, body: CashoutRequest) -> StoredAnswer:
    """Credit the item's cashback once; repeats answer the stored result."""
    async with runtime.sessions() as session:
        step = await start_cashout(session, runtime, operator_id, body)
        await session.commit()
    if isinstance(step, StoredAnswer):
        return step
    result = await runtime.wallet.call(step.target, step.request)
    async with runtime.sessions() as session:
        answer = await apply_credit(session, step, result)
        await session.commit()
    return answer


async def start_cashout(
    session: AsyncSession, runtime: Runtime, operator_id: int, body: CashoutRequest
) -> Credit | StoredAnswer:
    """Find the player's item, price its cashback, claim it and write the credit."""
    operator = await session.get(Operator, operator_id)
    assert operator is not None
    row, item, round_public_id = await _find_item(session, operator, body)
    key = cashout_key(row.id)
    if row.state == "cashed_back":
        return await stored_answer(session, operator.id, row.id)
    cashback = cashback_minor(item, operator.policies)
    if cashback is None:
        raise CashbackNotAvailable(f"Item {row.id} ({item.name}) has no cashback.")
    rates = await load_rates(session, operator)
    target_rate = rate_for(rates, body.currency)
    amount = convert(cashback, rate_for(rates, item.currency), target_rate)
    moved = await session.execute(
        update(InventoryItem)
        .where(InventoryItem.id == row.id, InventoryItem.state == "unresolved")
        .values(state=CASHING_OUT, updated_at=utcnow())
    )
    if getattr(moved, "rowcount", 0) != 1:
        return await _not_claimed(session, operator.id, row.id)
    target = wallet.target_for(operator, runtime.secrets, runtime.settings)
    resolver_after = utcnow() + wallet.grace_period(runtime.settings, target.timeout_s)
    instruction = await _earlier_credit(session, operator.id, key)
    if instruction is None:
        instruction = await wallet.add_instruction(
            session,
            operator_id=operator.id,
            player_id=row.player_id,
            kind="cashback",
            rpc="wallet.credit",
            key=key,
            amount_minor=amount,
            currency=body.currency,
            funding="player",
            round_id=row.round_id,
            inventory_item_id=row.id,
            resolver_after=resolver_after,
        )
    else:
        await _reopen(session, instruction.id, amount, body.currency, resolver_after)
        await session.refresh(instruction)
    request = wallet.request_for(instruction, body.player_external_id, round_public_id)
    return Credit(row.id, instruction.id, target, request)


async def _find_item(
    session: AsyncSession, operator: Operator, body: CashoutRequest
) -> tuple[InventoryItem, Item, str | None]:
    """The player's own item (another player's or operator's is not found); nothing written."""
    player = await find_player(session, operator, body.player_external_id)
    found = None
    if player is not None:
        found = (
            await session.execute(
                select(InventoryItem, Item, Round.public_id)
                .join(Item, Item.id == InventoryItem.item_id)
                .outerjoin(Round, Round.id == InventoryItem.round_id)
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
    return found[0], found[1], found[2]


async def _not_claimed(session: AsyncSession, operator_id: int, item_id: int) -> StoredAnswer:
    """Someone else moved the item first: in progress, already cashed back, or not actionable."""
    state = await session.scalar(
        select(InventoryItem.state)
        .where(InventoryItem.id == item_id)
        .execution_options(populate_existing=True)
    )
    if state == CASHING_OUT:
        raise WalletUnavailable(IN_PROGRESS)
    if state == "cashed_back":
        return await stored_answer(session, operator_id, item_id)
    raise CashbackNotAvailable(f"Item {item_id} is {state}; only an unresolved item cashes back.")


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
    if getattr(changed, "rowcount", 0) != 1:
        raise WalletUnavailable(IN_PROGRESS)


async def apply_credit(session: AsyncSession, credit: Credit, result: CallResult) -> StoredAnswer:
    """Record the wallet's answer and finish the item (unless the resolver took it over)."""
    owned = await wallet.record_result(session, credit.instruction_id, result, retry_at=utcnow())
    outcome = result.outcome
    if owned and isinstance(outcome, Accepted):
        await finish_item(session, credit.item_id, accepted=True)
        request = credit.request
        return cashed_back(
            credit.item_id, request.amount_minor, request.currency, outcome.balance_after_minor
        )
    if owned and isinstance(outcome, Refused):
        await finish_item(session, credit.item_id, accepted=False)
        code = outcome.code if outcome.code in KNOWN_REFUSALS else "WALLET_REFUSED"
        return views.error(code, f"The wallet refused the cashback: {outcome.message}")
    state = await session.scalar(
        select(InventoryItem.state)
        .where(InventoryItem.id == credit.item_id)
        .execution_options(populate_existing=True)
    )
    if state == "cashed_back":
        return await stored_answer(session, None, credit.item_id)
    reason = "the resolver took the credit over"
    if owned and not isinstance(outcome, Accepted | Refused):
        reason = outcome.reason
    return views.error(
        "WALLET_UNAVAILABLE",
        f"The wallet did not answer definitely ({reason}); the cashback is retried in the "
        "background and the item stays reserved until then.",
    )


async def finish_item(session: AsyncSession, item_id: int, *, accepted: bool) -> None:
    """cashing_out → cashed_back (credit accepted) or back to unresolved (credit refused)."""
    moved = await session.execute(
        update(InventoryItem)
        .where(InventoryItem.id == item_id, InventoryItem.state == CASHING_OUT)
        .values(state="cashed_back" if accepted else "unresolved", updated_at=utcnow())
    )
    if accepted and getattr(moved, "rowcount", 0) == 1:
        await events.item_cashed_back(session, item_id, cashout_key(item_id))


def cashed_back(item_id: int, amount: int, currency: str, balance: int | None) -> StoredAnswer:
    body = {
        "item": {
            "inventoryItemId": item_id,
            "state": "cashed_back",
            "cashbackMinor": amount,
            "currency": currency,
        },
        "balanceAfterMinor": balance,
    }
    return views.answer(200, body)


async def stored_answer(
    session: AsyncSession, operator_id: int | None, item_id: int
) -> StoredAnswer:
    """The answer of the accepted credit, read back from its instruction."""
    stmt = select(WalletInstruction).where(
        WalletInstruction.idempotency_key == cashout_key(item_id),
        WalletInstruction.inventory_item_id == item_id,
    )
    if operator_id is not None:
        stmt = stmt.where(WalletInstruction.operator_id == operator_id)
    found = await session.scalar(stmt.execution_options(populate_existing=True))
    if found is None:  # cashed back by staff or an import, not by a cashout we recorded
        raise CashbackNotAvailable(f"Item {item_id} is cashed_back already.")
    return cashed_back(item_id, found.amount_minor, found.currency, found.balance_after_minor)
