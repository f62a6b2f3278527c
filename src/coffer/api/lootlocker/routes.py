"""Every LootLocker server API route Coffer serves (docs/compat/lootlocker.md)."""

from fastapi import APIRouter

from coffer.api.lootlocker import access, inventory

ROUTERS: list[APIRouter] = [access.router, inventory.router]
