"""boxes priced in a virtual currency: currency codes of up to 8 characters

SQLite never enforces a string's length, so only PostgreSQL's columns change (rebuilding
SQLite's rounds table would trip the foreign keys that point at it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("box_versions", "rounds", "wallet_instructions")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for name in TABLES:
        op.alter_column(
            name, "currency", existing_type=sa.String(length=3), type_=sa.String(length=8)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for name in TABLES:
        op.alter_column(
            name, "currency", existing_type=sa.String(length=8), type_=sa.String(length=3)
        )
