"""A purchase's first transaction, on Core: the player, the round, the claim, the reels, the debit.

Seven statements for a known player (about one per row that must exist). The action is claimed
after the round is written, with the round's id in the same insert; a claim that finds the
action already there (a retry, or a concurrent first attempt) raises ``AlreadyClaimed``, which
rolls this transaction back and replays the first answer. A request that fails a check replays
too when its action exists, so a retry gets its first answer even after the box changed.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from ulid import ULID

from coffer.catalog.cards import Card, playable
from coffer.kit.db import connection, insert_or_skip, table, utcnow
from coffer.kit.direct import run
from coffer.kit.errors import CofferError, PurchasesPaused, WalletUnavailable
from coffer.kit.money import Rate, convert, is_virtual
from coffer.ledger.queries import virtual_rates
from coffer.limits import guard
from coffer.operators.models import Operator
from coffer.operators.service import rate_for, rates_now
from coffer.players.service import player_id
from coffer.rounds import counting, virtual
from coffer.rounds import idempotency as actions
from coffer.rounds.commands import Purchase, Reel
from coffer.rounds.models import PlayerAction, Round, RoundReel
from coffer.rounds.pricing import check_expected, price_reels, snapshot_rates
from coffer.rounds.steps import Replay, replay_wait
from coffer.seamless.service import Gateway

ROUNDS, REELS, ACTIONS = table(Round), table(RoundReel), table(PlayerAction)
ADD_ROUND = insert(ROUNDS).returning(ROUNDS.c.id)
ADD_REELS = insert(REELS)
CLAIM_KEYS = ("operator_id", "player_id", "client_action_id")
NO_WALLET = "No wallet URL is configured for this operator; set walletUrl."


class AlreadyClaimed(Exception):
    """This action exists already: roll back and replay its first answer."""

    def __init__(self, replay: Replay) -> None:
        super().__init__("the action exists already")
        self.replay = replay


@dataclass(frozen=True)
class Bought:
    """What the first transaction wrote, for the steps after the debit."""

    operator: Operator
    player_id: int
    player_external_id: str
    action_id: int
    round_id: int
    public_id: str
    mode: str
    funding: str
    currency: str
    bet_minor: int
    reel_indexes: tuple[int, ...]
    cards: tuple[Card, ...]
    rates: dict[str, Rate]
    virtual: bool = False  # priced in a virtual currency: paid through the ledger (SPEC §12)


async def write_round(
    session: AsyncSession, gateway: Gateway, operator: Operator, command: Purchase
) -> Bought:
    """Check and price the reels, then write the pending round, its claim and its reels."""
    assert command.reels is not None
    conn = await connection(session)
    player = await player_id(conn, operator.id, command.player_external_id)
    digest = actions.request_hash(command.fingerprint())
    reels = sorted(command.reels, key=lambda r: r.reel_index)
    now = utcnow()
    try:
        cards, rates, prices, currency = await _priced(conn, operator, reels, command)
        paid_in_vc = is_virtual(rates[currency])
        boxes = frozenset(c.box_id for c in cards)
        funding = await _funding(conn, command, operator, boxes, paid_in_vc)
        usage = counting.base_usage(operator, sum(prices), rates[currency], funding, len(reels))
        await guard.admit(conn, player, usage, now, operator.base_currency)
    except CofferError:  # a retry of an action that exists gets its first answer instead
        await _replay_if_known(session, gateway, operator, player, command, digest)
        raise
    bought = Bought(
        operator,
        player,
        command.player_external_id,
        0,
        0,
        f"r_{ULID()}",
        "atomic" if command.mode == "open" else "prepay",
        funding,
        currency,
        sum(prices),
        tuple(r.reel_index for r in reels),
        cards,
        {code: rates[code] for code in {currency, *(c.currency for c in cards)}},
        paid_in_vc,
    )
    round_id = int((await run(conn, ADD_ROUND, _round_row(bought, now))).scalar())
    action_id = await _claim(conn, operator.id, player, command.client_action_id, digest, round_id)
    if action_id is None:
        await _replay_if_known(session, gateway, operator, player, command, digest)
        raise AssertionError("the claim conflicted but no action was found")
    await run(conn, ADD_REELS, _reel_rows(round_id, bought, prices))
    return replace(bought, action_id=action_id, round_id=round_id)


def _reel_rows(round_id: int, bought: Bought, prices: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "round_id": round_id,
            "reel_index": index,
            "box_version_id": card.id,
            "price_minor": price,
            "snapshot_hash": card.snapshot_hash,
        }
        for index, card, price in zip(bought.reel_indexes, bought.cards, prices, strict=True)
    ]


async def _funding(
    conn: AsyncConnection,
    command: Purchase,
    operator: Operator,
    boxes: frozenset[int],
    paid_in_vc: bool,
) -> str:
    """Who pays: as asked, or for the player app as its launch's free opens allow. A retry
    rolls the taken free open back with everything else before it replays. Only the ledger
    pays without a wallet."""
    if command.funding == "player" and operator.wallet_url is None and not paid_in_vc:
        raise WalletUnavailable(NO_WALLET)
    if command.funding != "session":
        return command.funding
    if command.grant is not None and await command.grant(conn, boxes):
        return "operator"
    if operator.wallet_url is None:
        raise WalletUnavailable(NO_WALLET)
    return "player"


async def _priced(
    conn: AsyncConnection,
    operator: Operator,
    reels: list[Reel],
    command: Purchase,
) -> tuple[tuple[Card, ...], dict[str, Rate], list[int], str]:
    """The reels' cards, the rates, each reel's price and the currency paid in, or why they
    cannot be bought. Boxes priced in one virtual currency are paid in it unless asked
    otherwise (and then refused)."""
    if operator.purchases_paused:
        raise PurchasesPaused(
            f"Purchases are paused for operator {operator.slug!r}; vault actions, cashouts and "
            "held rounds still work. Staff resume them with the kill switch."
        )
    cards = await playable(conn, operator.id, [r.box_version_id for r in reels])
    rates = await rates_now(conn, operator.id)
    currency = command.currency or operator.base_currency
    codes = {card.currency for card in cards}
    if not codes | {currency} <= rates.keys():
        rates |= await virtual_rates(conn, operator.id)
        only = next(iter(codes))
        if command.currency is None and len(codes) == 1 and only in rates:
            currency = only if is_virtual(rates[only]) else currency
    rate_for(rates, currency)
    virtual.check_alone(cards, currency, rates, command)
    prices = price_reels([(c.price_minor, c.currency) for c in cards], currency, rates)
    shown = command.expected_price_minor
    if shown is None and command.pinned is not None:  # the price at the session's pinned rate
        shown = sum(convert(c.price_minor, rates[c.currency], command.pinned) for c in cards)
    check_expected(sum(prices), shown, operator.fx_tolerance_bps)
    return tuple(cards), rates, prices, currency


def _round_row(bought: Bought, now: datetime) -> dict[str, Any]:
    return {
        "public_id": bought.public_id,
        "operator_id": bought.operator.id,
        "player_id": bought.player_id,
        "status": "pending",
        "mode": bought.mode,
        "funding": bought.funding,
        "currency": bought.currency,
        "bet_minor": bought.bet_minor,
        "created_at": now,
        "fx_rates": snapshot_rates(bought.rates, set(bought.rates)),
    }


async def _claim(
    conn: AsyncConnection,
    operator_id: int,
    player: int,
    client_action_id: str,
    digest: str,
    round_id: int,
) -> int | None:
    """Insert the action with its round; None when it existed already."""
    values = {
        "operator_id": operator_id,
        "player_id": player,
        "client_action_id": client_action_id,
        "request_hash": digest,
        "round_id": round_id,
        "state": "running",
        "created_at": utcnow(),
    }
    claim = insert_or_skip(conn.dialect.name, ACTIONS, CLAIM_KEYS, ("id",))
    found = (await run(conn, claim, values)).scalar()
    return None if found is None else int(found)


async def _replay_if_known(
    session: AsyncSession,
    gateway: Gateway,
    operator: Operator,
    player: int,
    command: Purchase,
    digest: str,
) -> None:
    """Raise ``AlreadyClaimed`` when this action exists (IDEMPOTENCY_KEY_REUSED if its body
    differs); return when it does not."""
    if await actions.known(session, operator.id, player, command.client_action_id, digest):
        wait = replay_wait(gateway, operator)
        raise AlreadyClaimed(Replay(operator.id, player, command.client_action_id, wait))
