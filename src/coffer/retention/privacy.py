"""A player's personal data, exported as JSON or erased on request; both are audited.

Coffer keeps personal data in one place of its own: each shipping order's address (name, lines,
city, region, postal code, phone) and contact (e-mail), plus copies of both in the player's
``fulfillment_notice`` webhook bodies, whatever their status. The player's external id is the
operator's pseudonym and stays. Operator-written free-form data (custom data, storage) is the
operator's to erase through the calls that wrote it.

Erasing replaces the personal fields in place and keeps every id, amount, currency, status and
the country (shipping cost and tax records need it). It is refused while an order is pending or
shipped: the parcel still needs its address (cancel it, or mark it delivered, first).
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.audit.service import Change, record
from coffer.kit.canonical import compact_json
from coffer.kit.errors import Conflict
from coffer.operators.models import Operator
from coffer.players.models import Player
from coffer.players.service import get_player
from coffer.shipping.models import ShippingOrder
from coffer.webhooks.models import WebhookEvent

ERASED = "[erased]"
# An e-mail field must stay an e-mail wherever an order is read; ``.invalid`` never delivers.
ERASED_EMAIL = "erased@erased.invalid"
OPEN = ("pending", "shipped")
NOTICE = "fulfillment_notice"


class PersonalDataInUse(Conflict):
    code = "PERSONAL_DATA_IN_USE"
    default_message = "An open shipping order still needs the address; nothing was erased."


@dataclass(frozen=True)
class Requester:
    """Who asked, for the audit log: the admin token's name and the request's id."""

    actor: str
    request_id: str | None = None


@dataclass(frozen=True)
class PersonalData:
    player: Player
    orders: list[ShippingOrder]
    notices: list[WebhookEvent]


@dataclass(frozen=True)
class Erasure:
    orders_erased: int
    events_scrubbed: int
    orders_already_erased: int


def erased_address(address: dict[str, Any]) -> dict[str, Any]:
    """The stored address with every personal field replaced; the country stays."""
    return {
        "name": ERASED,
        "line1": ERASED,
        "line2": ERASED if address.get("line2") else None,
        "city": ERASED,
        "region": ERASED,
        "postal_code": ERASED,
        "country": address.get("country"),
        "phone": None,
    }


def erased_contact() -> dict[str, Any]:
    return {"email": ERASED_EMAIL}


async def personal_data(
    session: AsyncSession, operator: Operator, external_id: str
) -> PersonalData:
    """Every row holding the player's personal data (UNKNOWN_PLAYER if Coffer never saw them)."""
    player = await get_player(session, operator, external_id)
    orders = await session.scalars(
        select(ShippingOrder)
        .where(ShippingOrder.operator_id == operator.id, ShippingOrder.player_id == player.id)
        .order_by(ShippingOrder.id)
    )
    notices = await session.scalars(
        select(WebhookEvent)
        .where(
            WebhookEvent.operator_id == operator.id,
            WebhookEvent.player_id == player.id,
            WebhookEvent.type == NOTICE,
        )
        .order_by(WebhookEvent.id)
    )
    return PersonalData(player, list(orders), list(notices))


async def export(
    session: AsyncSession, operator: Operator, external_id: str, requester: Requester
) -> PersonalData:
    """The player's personal data, and an audit entry that counts (never copies) it."""
    found = await personal_data(session, operator, external_id)
    counts = {"shippingOrders": len(found.orders), "webhookEvents": len(found.notices)}
    change = Change(requester.actor, "player.personal_data_exported", _subject(found), None, counts)
    await record(session, operator.id, change, requester.request_id)
    return found


async def erase(
    session: AsyncSession, operator: Operator, external_id: str, requester: Requester
) -> Erasure:
    """Replace the personal fields in place; a repeat erases nothing new and is audited too."""
    found = await personal_data(session, operator, external_id)
    open_orders = [order.public_id for order in found.orders if order.status in OPEN]
    if open_orders:
        raise PersonalDataInUse(
            f"Orders {', '.join(open_orders)} are still {' or '.join(OPEN)}; cancel them or mark "
            "them delivered, then erase.",
            extra={"orderPublicIds": open_orders},
        )
    erased = 0
    for order in found.orders:
        address, contact = erased_address(order.address), erased_contact()
        if (order.address, order.contact) != (address, contact):
            order.address, order.contact = address, contact
            erased += 1
    scrubbed = 0
    for event in found.notices:
        body = scrubbed_body(event.body)
        if body != event.body:
            event.body = body
            scrubbed += 1
    await session.flush()
    result = Erasure(erased, scrubbed, len(found.orders) - erased)
    counts = {
        "shippingOrders": erased,
        "webhookEvents": scrubbed,
        "shippingOrdersAlreadyErased": result.orders_already_erased,
    }
    change = Change(requester.actor, "player.personal_data_erased", _subject(found), None, counts)
    await record(session, operator.id, change, requester.request_id)
    return result


def notice_order(body: str) -> dict[str, Any]:
    """The order a ``fulfillment_notice`` body carries (empty if it carries none)."""
    order = json.loads(body).get("data", {}).get("order")
    return order if isinstance(order, dict) else {}


def scrubbed_body(body: str) -> str:
    """A ``fulfillment_notice`` body with its order's address and contact erased, keys in place."""
    payload = json.loads(body)
    order = payload.get("data", {}).get("order")
    if not isinstance(order, dict):
        return body
    address = order.get("address") or {}
    order["address"] = {
        **address,
        **dict.fromkeys(("name", "line1", "city", "region", "postalCode"), ERASED),
        "line2": ERASED if address.get("line2") else None,
        "phone": None,
    }
    order["contact"] = {**(order.get("contact") or {}), "email": ERASED_EMAIL}
    return compact_json(payload)


def _subject(found: PersonalData) -> str:
    return f"player:{found.player.external_id}"
