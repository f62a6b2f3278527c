"""Every LootLocker server API route Coffer serves (docs/compat/lootlocker.md)."""

from fastapi import APIRouter

from coffer.api.lootlocker import (
    access,
    catalogs,
    droptables,
    economy,
    inventory,
    loadouts,
    lootboxes,
    storage,
)

ROUTERS: list[APIRouter] = [
    access.router,
    inventory.router,
    storage.router,
    loadouts.router,
    economy.router,
    catalogs.router,
    lootboxes.router,
    droptables.router,
]
