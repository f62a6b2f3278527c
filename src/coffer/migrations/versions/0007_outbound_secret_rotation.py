"""outbound secret rotation: the next secret and the end of the window both sign in

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coffer.kit.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_outbound_secret_sealed", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "outbound_rotation_ends_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.drop_column("outbound_rotation_ends_at")
        batch_op.drop_column("next_outbound_secret_sealed")
