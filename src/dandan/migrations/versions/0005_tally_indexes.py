"""Covering indexes for every grouping a tally offers.

A tally by commune, field, sponsor, holder, year or the old units read the whole
table (0.4–0.9 s at 408,000 models, several seconds at 4 million); each grouping
now has an index that leads with its columns and carries the time window.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WINDOW = ["registered_on", "withdrawn_on", "first_recognized_on"]
#: The indexes as this revision made them (not imported from `dandan.models`, which
#: later revisions may change).
INDEXES = {
    "ix_models_registered_on": WINDOW,
    "ix_models_tally": ["province_code", *WINDOW, "commune_code", "field", "sponsor", "holder"],
    "ix_models_commune": ["commune_code", "province_code", *WINDOW],
    "ix_models_field": ["field", *WINDOW],
    "ix_models_sponsor": ["sponsor", *WINDOW],
    "ix_models_holder": ["holder", *WINDOW],
    "ix_models_legacy": [
        "legacy_province_code", "legacy_district_code", "legacy_commune_code", *WINDOW
    ],
}  # fmt: skip
#: Those revision 0004 had, with the columns it gave them.
REPLACED = {
    "ix_models_commune_code": ["commune_code"],  # ix_models_commune leads with it
    "ix_models_registered_on": ["registered_on"],
    "ix_models_tally": [
        "province_code", "registered_on", "withdrawn_on", "first_recognized_on", "commune_code"
    ],
}  # fmt: skip


def upgrade() -> None:
    for name in REPLACED:
        op.drop_index(name, table_name="models")
    for name, columns in INDEXES.items():
        op.create_index(name, "models", columns)
    if op.get_bind().dialect.name == "sqlite":
        # Statistics for the planner where a tally is filtered (an unfiltered one names
        # its index): sampled, as after a first import.
        op.execute("PRAGMA analysis_limit = 1000")
        op.execute("ANALYZE models")


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="models")
    for name, columns in REPLACED.items():
        op.create_index(name, "models", columns)
