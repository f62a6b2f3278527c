"""Imports every feature's tables so that metadata (and Alembic) sees the whole schema."""

from coffer.audit import models as audit_models
from coffer.catalog import models as catalog_models
from coffer.fairness import models as fairness_models
from coffer.inventory import models as vault_models
from coffer.kit.db import Base
from coffer.ledger import models as ledger_models
from coffer.limits import models as limits_models
from coffer.loot import models as loot_models
from coffer.operators import models as operators_models
from coffer.orders import models as orders_models
from coffer.play import models as play_models
from coffer.players import models as players_models
from coffer.rounds import models as rounds_models
from coffer.seamless import models as wallet_models
from coffer.shipping import models as shipping_models
from coffer.throttle import models as throttle_models
from coffer.webhooks import models as webhooks_models

__all__ = [
    "Base",
    "audit_models",
    "catalog_models",
    "fairness_models",
    "ledger_models",
    "limits_models",
    "loot_models",
    "operators_models",
    "orders_models",
    "play_models",
    "players_models",
    "rounds_models",
    "shipping_models",
    "throttle_models",
    "vault_models",
    "wallet_models",
    "webhooks_models",
]
