"""The `vi` collation, for Vietnamese alphabetical order in the database.

PostgreSQL keeps a collation in the schema: ICU's Vietnamese, numbers by value.
SQLite has nothing to store: dandan gives each connection the collation itself
(`dandan.database.add_collation`), so the file stays readable by any SQLite tool.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

POSTGRES_COLLATION = "CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi-u-kn-true')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_COLLATION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP COLLATION IF EXISTS vi")
