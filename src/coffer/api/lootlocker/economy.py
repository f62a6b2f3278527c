"""Currencies, wallets and balances: a game's virtual currencies and its players' ledger balances.

A player's wallet is the player: its id (and its holder id) is the player's id as text, so a
wallet always exists for a player and creating one only checks the holder. Amounts are
decimal text in the currency's units (minor units shifted by its decimals).
"""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from coffer.api.compat import in_write
from coffer.api.deps import RuntimeDep
from coffer.api.lootlocker import RESPONSES
from coffer.api.lootlocker.access import BASE, Game, player_of
from coffer.kit.db import utcnow
from coffer.kit.errors import NotFound, ValidationFailed
from coffer.kit.schemas import iso_z
from coffer.ledger import balances
from coffer.ledger.models import VirtualCurrency
from coffer.ledger.queries import currencies_of
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.runtime import Runtime

router = APIRouter(prefix=BASE, tags=["LootLocker (compatibility)"], responses=RESPONSES)
Text = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def currency(found: VirtualCurrency, game: Operator) -> dict[str, Any]:
    return {
        "id": str(found.id),
        "name": found.name,
        "code": found.code,
        "game_api_writes_enabled": bool(game.policies.get("client_currency_grants", False)),
        "created_at": iso_z(found.created_at),
        "published_at": iso_z(found.created_at),
    }


def amount_text(minor: int, decimals: int) -> str:
    return str(Decimal(minor).scaleb(-decimals)) if decimals else str(minor)


def minor_of(text: str, decimals: int) -> int:
    """Decimal text in the currency's units as minor units; refused if it does not fit."""
    try:
        value = Decimal(text).scaleb(decimals)
    except InvalidOperation as exc:
        raise ValidationFailed(f"amount {text!r} is not a decimal number.") from exc
    if value != value.to_integral_value() or value <= 0 or value > 2**62:
        raise ValidationFailed(
            f"amount {text!r}: a positive amount with at most {decimals} decimals."
        )
    return int(value)


@router.get("/currencies")
async def list_currencies(game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """The game's virtual currencies."""
    async with runtime.sessions() as session:
        found = await currencies_of(session, game.id)
    return {"currencies": [currency(c, game) for c in found]}


async def holder(runtime: Runtime, game: Operator, text: str) -> Player:
    """The player a wallet or holder id names."""
    if not text.isdecimal() or len(text) > 18:
        raise NotFound(f"No wallet {text!r}: a wallet's id is its player's id.")
    return await player_of(runtime, game, int(text))


def wallet(player: Player) -> dict[str, Any]:
    none = {"currency_id": "", "currency_name": "", "currency_code": "", "factor": "1"}
    return {
        "holder_id": str(player.id), "id": str(player.id), "type": "player",
        "modifiers": {**none, "created_at": "", "expires_at": ""},
    }  # fmt: skip


class WalletIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    holder_id: Text
    holder_type: Annotated[str, StringConstraints(max_length=16)] = "player"


@router.post("/wallet")
async def create_wallet(body: WalletIn, game: Game, runtime: RuntimeDep) -> dict[str, str]:
    """A player's wallet (every player has one); characters have none in Coffer."""
    if body.holder_type != "player":
        raise ValidationFailed("Only players hold wallets in Coffer.")
    return {"wallet_id": str((await holder(runtime, game, body.holder_id)).id)}


@router.get("/wallet/holder/{holder_id}")
async def wallet_for_holder(holder_id: Text, game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """The holder's wallet."""
    return wallet(await holder(runtime, game, holder_id))


@router.get("/wallet/{wallet_id}")
async def get_wallet(wallet_id: Text, game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """A wallet by its id."""
    return wallet(await holder(runtime, game, wallet_id))


def balance(player: Player, found: VirtualCurrency, minor: int, game: Operator) -> dict[str, Any]:
    return {
        "amount": amount_text(minor, found.decimals),
        "currency": currency(found, game),
        "wallet_id": str(player.id),
        "created_at": iso_z(found.created_at),
        "holder_type": "player",
        "holder_id": str(player.id),
    }


@router.get("/balances/wallet/{wallet_id}")
async def list_balances(wallet_id: Text, game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """The wallet's balance in every currency of the game (regeneration posted first)."""
    player = await holder(runtime, game, wallet_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        found = await balances.balances(session, game, player.external_id, utcnow())
        by_code = {c.code: c for c in await currencies_of(session, game.id)}
        return {
            "balances": [balance(player, by_code[b.currency], b.balance_minor, game) for b in found]
        }

    return await in_write(runtime, work)  # a first read opens the accounts


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    amount: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    currency_id: Text
    wallet_id: Text


async def _move(body: MoveIn, game: Operator, runtime: Runtime, sign: int) -> dict[str, Any]:
    player = await holder(runtime, game, body.wallet_id)

    async def work(session: AsyncSession) -> dict[str, Any]:
        by_id = {str(c.id): c for c in await currencies_of(session, game.id)}
        found = by_id.get(body.currency_id)
        if found is None:
            raise NotFound(f"No currency {body.currency_id!r} in this game.")
        amount = sign * minor_of(body.amount, found.decimals)
        change = balances.Change(player.external_id, found.code, amount, f"lootlocker:{ULID()}")
        done = await balances.change(session, game, change, utcnow())
        shaped = balance(player, found, done.balance_minor, game)
        flat = {k: shaped[k] for k in ("amount", "currency", "wallet_id", "created_at")}
        nested = {**shaped, "currency_id": str(found.id)}
        del nested["currency"]
        return {**flat, "balance": nested}

    return await in_write(runtime, work)


@router.post("/balances/credit")
async def credit(body: MoveIn, game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """Credit the wallet from the currency's mint; answers the balance after."""
    return await _move(body, game, runtime, 1)


@router.post("/balances/debit")
async def debit(body: MoveIn, game: Game, runtime: RuntimeDep) -> dict[str, Any]:
    """Debit the wallet to the burn, never below zero (422 otherwise, nothing moves)."""
    return await _move(body, game, runtime, -1)
