"""A bought round's debit and, once the wallet accepted it, its draw and settlement, on Core.

The happy path of an atomic purchase runs here in one statement per row that must change: the
round claimed for the draw, the nonce taken, the reels' prizes, the vault rows, the stored
answer and the ``round_settled`` event. Every other outcome (a refusal, an uncertain answer, a
prepaid round, a round the resolver took meanwhile) goes through ``steps`` as before.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from coffer.catalog.models import Item
from coffer.catalog.snapshot import cash_name
from coffer.fairness import algorithm
from coffer.fairness.service import Drawing, next_nonce
from coffer.inventory.models import Entitlement, InventoryItem
from coffer.inventory.rules import VAULT_TYPES, cashback_minor
from coffer.inventory.states import ROUND, UNRESOLVED, VIRTUAL_ROUND
from coffer.kit.db import connection, table, utcnow
from coffer.kit.direct import run
from coffer.operators.service import convert_checked
from coffer.rounds import answers, steps, virtual
from coffer.rounds import idempotency as actions
from coffer.rounds.answers import Fairness, ReelView, Result, Settled, WonItemView
from coffer.rounds.buying import Bought
from coffer.rounds.events import bonus_item
from coffer.rounds.models import Round, RoundReel
from coffer.seamless.client import Accepted, CallResult, WalletRequest
from coffer.seamless.instructions import LEDGER, insert_instruction, instruction_row
from coffer.seamless.service import Gateway, Send
from coffer.webhooks.outbox import emit_row

ROUNDS, REELS, ITEMS = table(Round), table(RoundReel), table(Item)
VAULT, BONUSES = table(InventoryItem), table(Entitlement)
CLAIM = (
    update(ROUNDS)
    .where(ROUNDS.c.id == bindparam("b_id"), ROUNDS.c.status == "pending")
    .values(status="settled")
)
DRAWN = update(ROUNDS).where(ROUNDS.c.id == bindparam("b_id"))
PRIZES = (
    update(REELS)
    .where(REELS.c.round_id == bindparam("r"), REELS.c.reel_index == bindparam("i"))
    .values(ticket=bindparam("t"), prize_id=bindparam("p"))
)
WON_ITEMS = select(ITEMS).where(ITEMS.c.id.in_(bindparam("b_ids", expanding=True)))
ADD_VAULT = insert(VAULT).returning(VAULT.c.id, sort_by_parameter_order=True)
ADD_BONUSES = insert(BONUSES).returning(BONUSES.c.id, sort_by_parameter_order=True)


async def debit(session: AsyncSession, gateway: Gateway, bought: Bought) -> steps.Step:
    """Write the debit; an operator-funded round records it unsent and moves on at once, a
    round in a virtual currency posts it to the ledger and moves on at once."""
    if bought.virtual:
        return await _accepted(
            session, gateway, bought, Accepted(await _spend(session, bought), None)
        )
    conn = await connection(session)
    target = gateway.target(bought.operator)
    operator_funded = bought.funding == "operator"
    key = f"round:{bought.public_id}"
    rpc = "none" if operator_funded else "wallet.debit"
    after = gateway.resolver_after(target)
    row = _instruction(bought, "purchase", rpc, key, bought.bet_minor, after)
    instruction_id = await insert_instruction(conn, row)
    if operator_funded:
        return await _accepted(session, gateway, bought, Accepted(None, None))

    async def finish(session: AsyncSession, result: CallResult, owned: bool) -> steps.Step:
        if owned and isinstance(result.outcome, Accepted):
            return await _accepted(session, gateway, bought, result.outcome)
        return await steps.apply_debit(
            session, gateway, bought.action_id, bought.round_id, result, owned
        )

    async def abandon(session: AsyncSession, reason: str) -> steps.Outcome:
        return await steps.abandoned(session, bought.action_id, bought.round_id, reason)

    request = WalletRequest(
        "wallet.debit",
        key,
        bought.player_external_id,
        bought.bet_minor,
        bought.currency,
        round_public_id=bought.public_id,
        funding=bought.funding,
    )
    return Send(instruction_id, target, request, finish, abandon=abandon)


async def _spend(session: AsyncSession, bought: Bought) -> int | None:
    """A virtual-currency round's debit, posted to the ledger and recorded as an instruction
    no wallet hears of (so history shows it); the balance after it."""
    key = f"round:{bought.public_id}"
    paid = bought.funding == "player" and bought.bet_minor > 0
    balance = None
    if paid:
        amount = -bought.bet_minor
        balance = await virtual.post(
            session, _who(bought), bought.currency, amount, key, virtual.BOUGHT
        )
    rpc = LEDGER if paid else "none"
    row = _instruction(bought, "purchase", rpc, key, bought.bet_minor, None)
    await insert_instruction(await connection(session), row)
    return balance


def _instruction(
    bought: Bought, kind: str, rpc: str, key: str, amount_minor: int, after: datetime | None
) -> dict[str, Any]:
    """A money instruction of this round (the resolver leaves it to the request at first)."""
    return instruction_row(
        operator_id=bought.operator.id,
        player_id=bought.player_id,
        kind=kind,
        rpc=rpc,
        key=key,
        amount_minor=amount_minor,
        currency=bought.currency,
        funding=bought.funding,
        round_id=bought.round_id,
        round_public_id=bought.public_id,
        resolver_after=after,
    )


async def _accepted(
    session: AsyncSession, gateway: Gateway, bought: Bought, outcome: Accepted
) -> steps.Step:
    if bought.mode != "atomic":
        round_ = await steps.load_round(session, bought.round_id)
        return await steps.after_accepted(session, gateway, bought.action_id, round_, outcome)
    return await settle(session, gateway, bought, outcome.balance_after_minor)


@dataclass(frozen=True)
class Drawn:
    """What the draw produced: the answer's reels and won items, and the cash to credit."""

    reels: tuple[ReelView, ...]
    won: tuple[WonItemView, ...]
    cash_minor: int
    bonuses: list[tuple[int, int, Any]]  # (entitlement id, reel index, item)


async def settle(
    session: AsyncSession, gateway: Gateway, bought: Bought, balance: int | None
) -> steps.Step:
    """Claim the round for the draw, draw it with the player's next nonce, store the answer."""
    conn = await connection(session)
    settled_at = utcnow()
    claimed = await run(conn, CLAIM, {"b_id": bought.round_id, "settled_at": settled_at})
    if claimed.rowcount != 1:  # the resolver took it meanwhile: answer as it stands
        round_ = await steps.load_round(session, bought.round_id)
        return await steps.settle(session, gateway, bought.action_id, round_, "pending", balance)
    drawing = await next_nonce(session, gateway.secrets, bought.player_id)
    drawn = await draw(conn, bought, drawing)
    payout = sum(r.value_minor for r in drawn.reels)
    drawn_row = {
        "b_id": bought.round_id,
        "payout_minor": payout,
        "seed_pair_id": drawing.pair_id,
        "nonce": drawing.nonce,
        "client_seed": drawing.client_seed,
        "server_seed_hash": drawing.server_seed_hash,
        "algorithm_key": algorithm.ALGORITHM_KEY,
    }
    await run(conn, DRAWN, drawn_row)
    fairness = Fairness(
        drawing.server_seed_hash, drawing.client_seed, drawing.nonce, algorithm.ALGORITHM_KEY
    )
    result = Settled(
        bought.public_id,
        bought.bet_minor,
        payout,
        bought.currency,
        bought.funding,
        settled_at,
        drawn.reels,
        drawn.won,
        fairness,
        balance,
    )
    stored = await actions.finish_now(session, bought.action_id, bought.round_id, result)
    await _events(conn, bought, result, drawn.bonuses)
    if drawn.cash_minor == 0:
        return stored
    return await _payout(session, gateway, bought, drawn.cash_minor, stored)


async def draw(conn: AsyncConnection, bought: Bought, drawing: Drawing) -> Drawn:
    """Pick every reel's prize (SPEC §10) and write the prizes, vault rows and bonuses."""
    count = len(bought.cards)
    words = algorithm.words(drawing.server_seed, drawing.client_seed, drawing.nonce, count)
    picks = []
    for index, card, word in zip(bought.reel_indexes, bought.cards, words, strict=True):
        ticket, prize = card.pick(word)
        picks.append((index, card, ticket, prize))
    await run(
        conn,
        PRIZES,
        [{"r": bought.round_id, "i": i, "t": t, "p": prize.id} for i, _c, t, prize in picks],
    )
    items = await _items(conn, {prize.item_id for *_, prize in picks if prize.item_id})
    target = bought.rates[bought.currency]
    views, vault, bonuses, cash = [], [], [], 0
    for index, card, _ticket, prize in picks:
        value = convert_checked(prize.value_minor, bought.rates[card.currency], target)
        item = items.get(prize.item_id) if prize.item_id else None
        name = item.name if item else cash_name(value, target.currency, target.minor_digits)
        views.append(ReelView(index, card.id, prize.item_id, name, value))
        if item is None:
            cash += value
        elif item.type in VAULT_TYPES or bought.virtual:  # no casino bonus for virtual money
            vault.append((index, item))
        else:
            bonuses.append((index, item))
    won = await _to_vault(conn, bought, vault)
    return Drawn(tuple(views), won, cash, await _entitle(conn, bought, bonuses))


async def _items(conn: AsyncConnection, ids: set[int]) -> dict[int, Any]:
    """The won items as they are now (live names and cashback rules), one query."""
    if not ids:
        return {}
    rows = await run(conn, WON_ITEMS, {"b_ids": sorted(ids)})
    return {row.id: row for row in rows}


def _won_row(bought: Bought, index: int, item: Any) -> dict[str, Any]:
    """What a vault row and an entitlement both record of a won item."""
    return {
        "operator_id": bought.operator.id,
        "player_id": bought.player_id,
        "item_id": item.id,
        "round_id": bought.round_id,
        "reel_index": index,
        "created_at": utcnow(),
    }


async def _to_vault(
    conn: AsyncConnection, bought: Bought, won: list[tuple[int, Any]]
) -> tuple[WonItemView, ...]:
    if not won:
        return ()
    origin = VIRTUAL_ROUND if bought.virtual else ROUND  # a virtual prize never cashes back
    extra = {"round_public_id": bought.public_id, "state": UNRESOLVED, "origin": origin}
    rows = [{**_won_row(bought, index, item), **extra} for index, item in won]
    for row in rows:
        row["updated_at"] = row["created_at"]
    ids = await run(conn, ADD_VAULT, rows)
    policies = {"cashback_enabled": False} if bought.virtual else bought.operator.policies
    return tuple(
        WonItemView(row_id, item.id, item.name, cashback_minor(item, policies), item.currency,
                    UNRESOLVED)
        for row_id, (_index, item) in zip(ids.scalars(), won, strict=True)
    )  # fmt: skip


async def _entitle(
    conn: AsyncConnection, bought: Bought, bonuses: list[tuple[int, Any]]
) -> list[tuple[int, int, Any]]:
    """Bonus prizes become entitlements: (entitlement id, reel index, item) each."""
    if not bonuses:
        return []
    rows = [_won_row(bought, index, item) for index, item in bonuses]
    ids = await run(conn, ADD_BONUSES, rows)
    return [
        (entitlement_id, index, item)
        for entitlement_id, (index, item) in zip(ids.scalars(), bonuses, strict=True)
    ]


async def _events(
    conn: AsyncConnection, bought: Bought, result: Settled, bonuses: list[tuple[int, int, Any]]
) -> None:
    """``round_settled`` with the round as answered, then one ``bonus_entitlement`` per bonus."""
    ids = (bought.operator.id, bought.player_id, bought.player_external_id)
    await emit_row(conn, *ids, "round_settled", {"round": answers.settled_round(result)})
    for entitlement_id, index, item in bonuses:
        data = {
            "entitlementId": entitlement_id,
            "roundPublicId": bought.public_id,
            "reelIndex": index,
            "item": bonus_item(item),
        }
        event_id = await emit_row(conn, *ids, "bonus_entitlement", data)
        await conn.execute(
            update(BONUSES).where(BONUSES.c.id == entitlement_id).values(event_id=event_id)
        )


def _who(bought: Bought) -> tuple[int, int, str]:
    return bought.operator.id, bought.player_id, bought.player_external_id


async def _payout(
    session: AsyncSession, gateway: Gateway, bought: Bought, cash_minor: int, answer: Result
) -> steps.Step:
    """Write the cash payout credit (key payout:round:<id>); the resolver re-sends it if need be.
    A round in a virtual currency is credited in it, on the ledger, at once."""
    key = f"payout:round:{bought.public_id}"
    conn = await connection(session)
    if bought.virtual:
        await virtual.post(session, _who(bought), bought.currency, cash_minor, key, virtual.PAID)
        await insert_instruction(
            conn, _instruction(bought, "payout", LEDGER, key, cash_minor, None)
        )
        return answer
    target = gateway.target(bought.operator)
    after = gateway.resolver_after(target)
    row = _instruction(bought, "payout", "wallet.credit", key, cash_minor, after)
    credit_id = await insert_instruction(conn, row)

    async def finish(_session: AsyncSession, _result: CallResult, _owned: bool) -> steps.Outcome:
        return answer

    request = WalletRequest(
        "wallet.credit",
        key,
        bought.player_external_id,
        cash_minor,
        bought.currency,
        round_public_id=bought.public_id,
        funding=bought.funding,
    )
    return Send(credit_id, target, request, finish, retry_refused=True)
