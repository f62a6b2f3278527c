"""A loot's price options: the prices a purchase pays together, as price item → amount.

Prices that share an ``option`` label are paid together (10 gems and 1 key); a price without
one is an option of its own (100 gold). A purchase pays exactly one option per loot.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Option = dict[int, int]  # price item id → price of one fill


def options(prices: Iterable[Mapping[str, Any]]) -> list[Option]:
    """The loot's stored prices (``priceItemId``, ``price``, ``option``) as options, in order."""
    labelled: dict[str, Option] = {}
    found: list[Option] = []
    for price in prices:
        label = price.get("option")
        if label is None:
            found.append({price["priceItemId"]: price["price"]})
        elif label in labelled:
            labelled[label][price["priceItemId"]] = price["price"]
        else:
            labelled[label] = {price["priceItemId"]: price["price"]}
            found.append(labelled[label])
    return found


def problem(prices: Sequence[Mapping[str, Any]]) -> str | None:
    """Why these prices cannot be told apart by a purchase, or None."""
    labels = [p.get("option") for p in prices]
    for label in {label for label in labels if label is not None}:
        items = [p["priceItemId"] for p in prices if p.get("option") == label]
        if len(set(items)) != len(items):
            return f"option {label!r} names a price item twice"
    sets = [frozenset(option) for option in options(prices)]
    if len(set(sets)) != len(sets):
        return "two options pay in the same price items; one price per price item (per option)"
    return None


def unit_price(option_lists: Iterable[list[Option]], paid_in: frozenset[int]) -> Option | None:
    """What one fill of each loot costs in these price items together (the sum over the loots),
    or None when one loot has no option paid in exactly these items."""
    total: Option = dict.fromkeys(paid_in, 0)
    for loot_options in option_lists:
        match = next((o for o in loot_options if frozenset(o) == paid_in), None)
        if match is None:
            return None
        for item_id, price in match.items():
            total[item_id] += price
    return total
