"""seed rotations asked for with a clientActionId

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coffer.kit.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "seed_rotations",
        sa.Column("id", BigId, nullable=False),
        sa.Column("operator_id", BigId, nullable=False),
        sa.Column("player_id", BigId, nullable=False),
        sa.Column("client_action_id", sa.String(length=80), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_seed_rotations_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["player_id"], ["players.id"], name=op.f("fk_seed_rotations_player_id_players")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seed_rotations")),
        sa.UniqueConstraint(
            "player_id",
            "client_action_id",
            name=op.f("uq_seed_rotations_player_id_client_action_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("seed_rotations")
