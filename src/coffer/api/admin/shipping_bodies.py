"""Admin shipping bodies: what staff send when an order ships."""

from coffer.kit.schemas import ApiModel
from coffer.shipping.address import Carrier, Tracking
from coffer.shipping.orders import Shipment


class ShipBody(ApiModel):
    carrier: Carrier
    tracking_number: Tracking

    def command(self) -> Shipment:
        return Shipment(self.carrier, self.tracking_number)
