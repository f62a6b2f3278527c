"""What LootLocker's clients expect of each server API answer, as example bodies.

The asset and the alter call are the reference page's own example (``alter_inventory.json``,
copied from ``../shared/reference/lootlocker-server-alter-inventory.txt``).
The other answers follow the structs of LootLocker's only server SDK,
lootlocker/unreal-server-sdk @ b368cdcb8b215f40fd886a55d9f8ac337cab178e
(``Public/ServerAPI/*.h``); loot boxes and reward grants have no server SDK struct, so theirs
are Coffer's documented answers (docs/compat/lootlocker.md). In an example, ``None`` stands for
a field that may be null (the SDK reads it as an optional), a key in angle brackets for keys the
game chooses.
"""

import json
from pathlib import Path
from typing import Any

ALTER = json.loads((Path(__file__).parent / "alter_inventory.json").read_text())
ASSET: dict[str, Any] = ALTER["response"]["added"][0]
RENTAL = {"is_rental": True, "time_left": None, "duration": None, "is_active": None}
INVENTORY_ITEM = {
    "instance_id": 1, "variation_id": None, "rental_option_id": None,
    "acquisition_source": "s", "asset": ASSET, "rental": RENTAL,
}  # fmt: skip
LOADOUT_ITEM = {
    "variation_id": None, "instance_id": 1, "mounted_at": "s", "asset": ASSET, "rental": RENTAL,
}  # fmt: skip
PAIR = {"id": 1, "key": "s", "value": "s"}
CURRENCY = {
    "id": "s", "name": "s", "code": "s", "game_api_writes_enabled": True,
    "created_at": "s", "published_at": "s",
}  # fmt: skip
BALANCE = {
    "amount": "s", "currency": CURRENCY, "wallet_id": "s", "created_at": "s",
    "holder_type": "s", "holder_id": "s",
}  # fmt: skip
WALLET = {
    "holder_id": "s", "id": "s", "type": "s",
    "modifiers": {"currency_id": "s", "currency_name": "s", "currency_code": "s",
                  "factor": "s", "created_at": "s", "expires_at": "s"},
}  # fmt: skip
CATALOG = {
    "catalog": {"created_at": "s", "name": "s", "key": "s", "id": "s", "deleted_at": "s"},
    "entries": [{
        "created_at": "s", "entity_kind": "s", "entity_name": "s", "entity_id": "s",
        "catalog_listing_id": "s", "purchasable": True, "non_refundable": True,
        "listings": {"apple_app_store": {"product_id": "s"},
                     "google_play_store": {"product_id": "s"},
                     "steam_store": {"description": "s", "prices": []},
                     "stripe_store": {"currency": "s", "amount": 1},
                     "epic_games_store": {"audience_item_id": "s"},
                     "playstation_store": {"entitlement_label": "s"}},
        "prices": [{"amount": 1, "display_amount": "s", "currency_code": "s",
                    "currency_name": "s", "price_id": "s", "currency_id": "s"}],
    }],
    "assets_details": [{"name": "s", "variation_id": "s", "rental_option_id": "s",
                        "legacy_id": 1, "id": "s", "thumbnail": "s",
                        "catalog_listing_id": "s"}],
    "progression_points_details": [], "progression_resets_details": [],
    "currency_details": [{"name": "s", "code": "s", "amount": "s", "id": "s",
                          "catalog_listing_id": "s"}],
    "group_details": [{"name": "s", "description": "s", "id": "s", "catalog_listing_id": "s"}],
    "pagination": {"total": 1, "next_cursor": "s"},
}  # fmt: skip

# (method, path, example answer); paths name {player}, {instance}, {pair}, {wallet}, {table}, ...
EXPECTED: dict[str, Any] = {
    "session": {"token": "s"},
    "ping": {"pong": "s"},
    "list_inventory": {"total": 1, "items": [INVENTORY_ITEM]},
    "add_asset": {"items": [LOADOUT_ITEM]},
    "alter_inventory": ALTER["response"],
    "universal": {
        "global_assets": [
            {
                "universal_id": 1,
                "variation_id": None,
                "rental_option_id": None,
                "acquisition_source": "s",
                "asset": ASSET,
                "rental": RENTAL,
            }
        ]
    },
    "assets": {"total": 1, "items": [ASSET]},
    "storage_list": {"storage": [PAIR]},
    "storage_one": {"storage": PAIR},
    "loadout": {"items": [LOADOUT_ITEM]},
    "compute": {
        "items": [
            {"id": 1, "asset_id": 1, "asset_variation_id": None, "asset_rental_option_id": None}
        ]
    },
    "pick": {
        "items": [
            {
                "instance_id": 1,
                "variation_id": None,
                "rental_option_id": None,
                "quantity": 1,
                "asset": ASSET,
            }
        ]
    },
    "inspect": {
        "success": True,
        "contents": [
            {"asset_id": 1, "asset_variation_id": None, "asset_rental_option_id": None, "weight": 1}
        ],
    },
    "open": {"success": True, "check_grant_notifications": False, "items": [INVENTORY_ITEM]},
    "currencies": {"currencies": [CURRENCY]},
    "balances": {"balances": [BALANCE]},
    "move": {
        "balance": {
            "amount": "s",
            "currency_id": "s",
            "wallet_id": "s",
            "created_at": "s",
            "holder_type": "s",
            "holder_id": "s",
        }
    },
    "create_wallet": {"wallet_id": "s"},
    "wallet": WALLET,
    "catalog": CATALOG,
    "reward": {"items": [INVENTORY_ITEM]},
    "error": {"error": "s", "message": "s", "trace_id": "s", "request_id": "s", "code": "s"},
}


def mismatches(example: Any, actual: Any, where: str = "$") -> list[str]:
    """Where ``actual`` lacks a field of ``example`` or has it with another JSON type."""
    if example is None:
        return []
    if isinstance(example, dict):
        if not isinstance(actual, dict):
            return [f"{where}: an object expected, got {actual!r:.60}"]
        if any(key.startswith("<") for key in example):
            return []  # keys the game chooses
        found = []
        for key, value in example.items():
            if key not in actual:
                found.append(f"{where}.{key}: missing")
            else:
                found += mismatches(value, actual[key], f"{where}.{key}")
        return found
    if isinstance(example, list):
        if not isinstance(actual, list):
            return [f"{where}: an array expected, got {actual!r:.60}"]
        if not example:
            return []
        return [
            problem
            for n, one in enumerate(actual)
            for problem in mismatches(example[0], one, f"{where}[{n}]")
        ]
    kinds = {bool: (bool,), int: (int,), float: (int, float), str: (str,)}[type(example)]
    if isinstance(actual, bool) and bool not in kinds:
        return [f"{where}: {type(example).__name__} expected, got a boolean"]
    return (
        []
        if isinstance(actual, kinds)
        else [f"{where}: {type(example).__name__} expected, got {actual!r:.60}"]
    )
