"""game server sessions, loadouts and drop-table locks (LootLocker's server API); the shipping
board's index

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 05:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from coffer.kit.db import UtcDateTime

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_sessions",
        sa.Column("id", BIG, nullable=False),
        sa.Column("operator_id", BIG, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_server_sessions_operator_id", "server_sessions", ["operator_id"])
    op.create_index("ix_server_sessions_expires_at", "server_sessions", ["expires_at"])
    op.create_table(
        "loadout_slots",
        sa.Column("instance_id", BIG, nullable=False),
        sa.Column("player_id", BIG, nullable=False),
        sa.Column("equipped_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["inventory_items.id"]),
        sa.ForeignKeyConstraint(["player_id"], ["players.id"]),
        sa.PrimaryKeyConstraint("instance_id"),
    )
    op.create_index("ix_loadout_slots_player_id", "loadout_slots", ["player_id"])
    op.add_column("container_opens", sa.Column("settled_at", UtcDateTime(), nullable=True))
    op.create_index(
        "ix_shipping_orders_operator_status", "shipping_orders", ["operator_id", "status", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_shipping_orders_operator_status", table_name="shipping_orders")
    op.drop_column("container_opens", "settled_at")
    op.drop_index("ix_loadout_slots_player_id", table_name="loadout_slots")
    op.drop_table("loadout_slots")
    op.drop_index("ix_server_sessions_expires_at", table_name="server_sessions")
    op.drop_index("ix_server_sessions_operator_id", table_name="server_sessions")
    op.drop_table("server_sessions")
