"""launches and play sessions: the player app's single-use tokens, its sessions, and the
operator settings that frame it (existing operators get the defaults)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:12:38.488879
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coffer.kit.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "launches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "operator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("game_key", sa.String(length=32), nullable=False),
        sa.Column(
            "target_box_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("auto_open", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("return_url", sa.String(length=2000), nullable=True),
        sa.Column("parent_origin", sa.String(length=300), nullable=False),
        sa.Column("balance_minor", sa.Integer(), nullable=True),
        sa.Column("funding", sa.String(length=16), nullable=False),
        sa.Column("funding_rounds", sa.Integer(), nullable=False),
        sa.Column("created_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_launches_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["player_id"], ["players.id"], name=op.f("fk_launches_player_id_players")
        ),
        sa.ForeignKeyConstraint(
            ["target_box_id"], ["boxes.id"], name=op.f("fk_launches_target_box_id_boxes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_launches")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_launches_token_hash")),
    )
    with op.batch_alter_table("launches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_launches_player_id"), ["player_id"], unique=False)

    op.create_table(
        "play_sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "operator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "launch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_to_base", sa.String(length=100), nullable=False),
        sa.Column("minor_digits", sa.Integer(), nullable=False),
        sa.Column("free_opens_left", sa.Integer(), nullable=False),
        sa.Column("created_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("idle_seconds", sa.Integer(), nullable=False),
        sa.Column("ends_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", coffer.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["launch_id"], ["launches.id"], name=op.f("fk_play_sessions_launch_id_launches")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_play_sessions_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["player_id"], ["players.id"], name=op.f("fk_play_sessions_player_id_players")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_sessions")),
        sa.UniqueConstraint("launch_id", name=op.f("uq_play_sessions_launch_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_play_sessions_token_hash")),
    )
    with op.batch_alter_table("play_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_play_sessions_player_id"), ["player_id"], unique=False)

    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allowed_origins", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("theme", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("max_reels", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.add_column(
            sa.Column("session_idle_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(
            sa.Column("session_max_minutes", sa.Integer(), nullable=False, server_default="720")
        )


def downgrade() -> None:
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.drop_column("session_max_minutes")
        batch_op.drop_column("session_idle_minutes")
        batch_op.drop_column("max_reels")
        batch_op.drop_column("theme")
        batch_op.drop_column("allowed_origins")

    with op.batch_alter_table("play_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_play_sessions_player_id"))

    op.drop_table("play_sessions")
    with op.batch_alter_table("launches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_launches_player_id"))

    op.drop_table("launches")
