"""item codes: an operator's own name for an item (PlayFab's ItemId, LootLocker's catalog key)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("items", sa.Column("code", sa.String(length=64), nullable=True))
    op.create_index("uq_items_operator_code", "items", ["operator_id", "code"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_items_operator_code", table_name="items")
    op.drop_column("items", "code")
