"""An inventory item's states and the only moves between them; every writer goes through here.

Each move is a conditional update (``WHERE state = <from>``): the caller adds which rows and
checks how many changed, so two requests racing for one item have exactly one winner.
"""

from datetime import datetime

from sqlalchemy import Update, update

from coffer.inventory.models import InventoryItem

UNRESOLVED = "unresolved"  # the only actionable state
CASHING_OUT = "cashing_out"  # its cashback credit is out; nothing else may take it
CASHED_BACK = "cashed_back"
SHIP_REQUESTED = "ship_requested"
SHIPPED = "shipped"
DELIVERED = "delivered"
EXPIRED = "expired"
FORWARDED = "forwarded_to_casino"
CONSUMED = "consumed"  # a generic instance whose count (or uses) reached zero

# What a vault listing may filter by, in listing order (``cashing_out`` is never shown).
LISTED = (UNRESOLVED, CASHED_BACK, SHIP_REQUESTED, SHIPPED, DELIVERED, EXPIRED, FORWARDED)

MOVES = frozenset(
    {
        (UNRESOLVED, CASHING_OUT),
        (CASHING_OUT, CASHED_BACK),
        (CASHING_OUT, UNRESOLVED),  # the cashback was refused
        (UNRESOLVED, SHIP_REQUESTED),
        (SHIP_REQUESTED, SHIPPED),
        (SHIP_REQUESTED, UNRESOLVED),  # the order was cancelled
        (SHIPPED, DELIVERED),
        (UNRESOLVED, EXPIRED),
        (UNRESOLVED, FORWARDED),
        (UNRESOLVED, CONSUMED),  # generic instances: ``instances.take``
        (CONSUMED, UNRESOLVED),  # a grant refills an empty stack
    }
)


# Where an instance came from: only prizes take the vault's actions, and only prizes of a
# real-money round turn into money (SPEC §12: virtual currency never becomes real money).
ROUND = "round"
VIRTUAL_ROUND = "vc_round"
PRIZES = (ROUND, VIRTUAL_ROUND)
ORIGINS_FOR = {
    CASHING_OUT: (ROUND,),
    FORWARDED: (ROUND,),
    SHIP_REQUESTED: PRIZES,
    EXPIRED: PRIZES,
}


def move(from_state: str, to_state: str, now: datetime) -> Update:
    """``UPDATE inventory_items SET state = to WHERE state = from``; add the rows' condition.
    A vault action out of ``unresolved`` also names the origins it may take."""
    if (from_state, to_state) not in MOVES:
        raise ValueError(f"an item never moves from {from_state} to {to_state}")
    stmt = update(InventoryItem).where(InventoryItem.state == from_state)
    if from_state == UNRESOLVED and to_state in ORIGINS_FOR:
        stmt = stmt.where(InventoryItem.origin.in_(ORIGINS_FOR[to_state]))
    return stmt.values(state=to_state, updated_at=now)
