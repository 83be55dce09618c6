"""Contests (hội thi, cuộc thi "Dân vận khéo"), counted like models by place and year.

A contest's place is stored as a model's is: as entered, the current units and the old
ones, so that a tally in either boundaries is a GROUP BY on plain columns. Its audit
events are rows of `events` like any other (without a model code; the contest's id is
in their data), so `events` is not altered.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("locality_scheme", sa.String(8), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("province_name", sa.String(100), nullable=False),
        sa.Column("province_input", sa.String(200), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("commune_name", sa.String(100), nullable=True),
        sa.Column("commune_input", sa.String(200), nullable=True),
        sa.Column("district_input", sa.String(200), nullable=True),
        sa.Column("legacy_province_code", sa.Integer(), nullable=True),
        sa.Column("legacy_district_code", sa.Integer(), nullable=True),
        sa.Column("legacy_commune_code", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("organiser", sa.String(300), nullable=True),
        sa.Column("teams", sa.Integer(), nullable=True),
        sa.Column("entrants", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contests"),
    )
    op.create_index("ix_contests_province_code", "contests", ["province_code"])
    op.create_index("ix_contests_held_on", "contests", ["held_on"])


def downgrade() -> None:
    op.drop_index("ix_contests_held_on", table_name="contests")
    op.drop_index("ix_contests_province_code", table_name="contests")
    op.drop_table("contests")
