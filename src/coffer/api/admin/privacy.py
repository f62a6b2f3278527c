"""Admin: export and erase one player's personal data (shipping addresses and contacts), audited."""

from typing import Annotated, Any

from fastapi import APIRouter, Path

from coffer.api.deps import Admin, AdminOperator, DbSession
from coffer.api.middleware import REQUEST_ID
from coffer.api.openapi import errors_for
from coffer.kit.schemas import PlayerExternalId, iso_z
from coffer.retention import privacy
from coffer.shipping.models import ShippingOrder
from coffer.webhooks.models import WebhookEvent

router = APIRouter(prefix="/api/admin/operators/{slug}/players", tags=["admin: privacy"])
ExternalId = Annotated[PlayerExternalId, Path(alias="externalId")]


def _address(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored address in the API's camelCase."""
    return {
        "name": stored.get("name"),
        "line1": stored.get("line1"),
        "line2": stored.get("line2"),
        "city": stored.get("city"),
        "region": stored.get("region"),
        "postalCode": stored.get("postal_code"),
        "country": stored.get("country"),
        "phone": stored.get("phone"),
    }


def _order(order: ShippingOrder) -> dict[str, Any]:
    return {
        "publicId": order.public_id,
        "status": order.status,
        "address": _address(order.address),
        "contact": {"email": order.contact.get("email")},
        "createdAt": iso_z(order.created_at),
        "updatedAt": iso_z(order.updated_at),
    }


def _notice(event: WebhookEvent) -> dict[str, Any]:
    """Where a webhook body holds a copy of an order's address and contact."""
    order = privacy.notice_order(event.body)
    return {
        "id": event.public_id,
        "type": event.type,
        "status": event.status,
        "createdAt": iso_z(event.created_at),
        "orderPublicId": order.get("publicId"),
        "address": order.get("address"),
        "contact": order.get("contact"),
    }


def _requester(principal: Admin) -> privacy.Requester:
    return privacy.Requester(principal.actor, REQUEST_ID.get())


@router.get("/{externalId}/personal-data", responses=errors_for(401, 403, 404))
async def export_personal_data(
    external_id: ExternalId, principal: Admin, operator: AdminOperator, session: DbSession
) -> dict[str, Any]:
    """Every personal field Coffer holds for the player, as JSON; the export is audited."""
    found = await privacy.export(session, operator, external_id, _requester(principal))
    await session.commit()
    return {
        "player": {
            "externalId": found.player.external_id,
            "createdAt": iso_z(found.player.created_at),
        },
        "shippingOrders": [_order(order) for order in found.orders],
        "webhookEvents": [_notice(event) for event in found.notices],
    }


@router.post("/{externalId}/erase", responses=errors_for(401, 403, 404, 409))
async def erase_personal_data(
    external_id: ExternalId, principal: Admin, operator: AdminOperator, session: DbSession
) -> dict[str, Any]:
    """Replace the player's names, addresses, phones and e-mails in place (ids, amounts and
    statuses stay); a repeat erases nothing new. Refused while an order is pending or shipped."""
    done = await privacy.erase(session, operator, external_id, _requester(principal))
    await session.commit()
    return {
        "playerExternalId": external_id,
        "shippingOrdersErased": done.orders_erased,
        "webhookEventsScrubbed": done.events_scrubbed,
        "shippingOrdersAlreadyErased": done.orders_already_erased,
    }
