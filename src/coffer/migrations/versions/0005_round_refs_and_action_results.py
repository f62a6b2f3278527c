"""round public ids beside round ids, and idempotent actions that store results

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:30:00.000000

Wallet instructions and inventory items carry their round's public id, so the seamless wallet and
the inventory never read the rounds table. A player action stores the use case's result (JSON);
actions finished before this revision keep their stored status and bytes and replay them as is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = (
    "UPDATE {table} SET round_public_id = "
    "(SELECT rounds.public_id FROM rounds WHERE rounds.id = {table}.round_id) "
    "WHERE round_id IS NOT NULL"
)


def upgrade() -> None:
    for table in ("wallet_instructions", "inventory_items"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("round_public_id", sa.String(length=32), nullable=True))
        op.execute(BACKFILL.format(table=table))
    with op.batch_alter_table("player_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("player_actions", schema=None) as batch_op:
        batch_op.drop_column("result")
    for table in ("inventory_items", "wallet_instructions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("round_public_id")
