"""What the inventory's money use case (cashout) answers, for every surface to render."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CashedBack:
    inventory_item_id: int
    cashback_minor: int
    currency: str
    balance_after_minor: int | None


@dataclass(frozen=True)
class CashoutFailed:
    """The wallet refused or never answered definitely; the code says which."""

    code: str
    message: str


CashoutResult = CashedBack | CashoutFailed
