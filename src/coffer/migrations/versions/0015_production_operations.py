"""production: kill switches, player limits and usage, rate-limit buckets, the audit log,
request ids on wallet RPCs, and the indexes retention and reconciliation read by

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 09:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from coffer.kit.db import UtcDateTime

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    false = sa.false()
    op.add_column(
        "operators",
        sa.Column("purchases_paused", sa.Boolean(), nullable=False, server_default=false),
    )
    op.add_column(
        "operators", sa.Column("rate_limits", sa.JSON(), nullable=False, server_default="{}")
    )
    op.add_column(
        "boxes", sa.Column("purchases_paused", sa.Boolean(), nullable=False, server_default=false)
    )
    op.create_table(
        "player_limits",
        sa.Column("player_id", BIG, nullable=False),
        sa.Column("operator_id", BIG, nullable=False),
        sa.Column("spend_per_day_minor", sa.BigInteger(), nullable=True),
        sa.Column("spend_per_week_minor", sa.BigInteger(), nullable=True),
        sa.Column("opens_per_day", sa.Integer(), nullable=True),
        sa.Column("self_excluded_until", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["player_id"], ["players.id"]),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("player_id"),
    )
    op.create_index("ix_player_limits_operator_id", "player_limits", ["operator_id"])
    op.create_table(
        "player_usage",
        sa.Column("player_id", BIG, nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("spent_minor", sa.BigInteger(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["player_id"], ["players.id"]),
        sa.PrimaryKeyConstraint("player_id", "period", "starts_on"),
    )
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        prefixes=unlogged,
    )
    _audit_and_indexes()


def _audit_and_indexes() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", BIG, nullable=False),
        sa.Column("operator_id", BIG, nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entries_operator", "audit_entries", ["operator_id", "id"])
    op.create_index("ix_audit_entries_created_at", "audit_entries", ["created_at"])
    op.add_column("wallet_instructions", sa.Column("request_id", sa.String(128), nullable=True))
    op.add_column("wallet_attempts", sa.Column("request_id", sa.String(128), nullable=True))
    op.create_index(
        "ix_wallet_instructions_operator_created",
        "wallet_instructions",
        ["operator_id", "created_at"],
    )
    delivered = sa.text("status = 'delivered'")
    op.create_index(
        "ix_webhook_events_delivered",
        "webhook_events",
        ["delivered_at"],
        postgresql_where=delivered,
        sqlite_where=delivered,
    )
    op.create_index("ix_play_sessions_ends_at", "play_sessions", ["ends_at"])
    op.create_index("ix_launches_expires_at", "launches", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_launches_expires_at", table_name="launches")
    op.drop_index("ix_play_sessions_ends_at", table_name="play_sessions")
    op.drop_index("ix_webhook_events_delivered", table_name="webhook_events")
    op.drop_index("ix_wallet_instructions_operator_created", table_name="wallet_instructions")
    op.drop_column("wallet_attempts", "request_id")
    op.drop_column("wallet_instructions", "request_id")
    op.drop_index("ix_audit_entries_created_at", table_name="audit_entries")
    op.drop_index("ix_audit_entries_operator", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("rate_buckets")
    op.drop_table("player_usage")
    op.drop_index("ix_player_limits_operator_id", table_name="player_limits")
    op.drop_table("player_limits")
    op.drop_column("boxes", "purchases_paused")
    op.drop_column("operators", "rate_limits")
    op.drop_column("operators", "purchases_paused")
