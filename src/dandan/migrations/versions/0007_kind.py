"""The kind of what is registered: a model (mô hình) or an exemplar (điển hình).

The movement's reports count them side by side ("147 mô hình và 54 điển hình"). Every
registry made before held models only, so each row gets "model" (the column's server
default). A tally by kind reads its own covering index, and `ix_models_tally` carries
the kind, as it carries the other terms, so that a place grouped by kind is covered.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WINDOW = ["registered_on", "withdrawn_on", "first_recognized_on"]
#: The indexes as this revision makes them (not imported from `dandan.models`, which
#: later revisions may change).
TALLY = ["province_code", *WINDOW, "commune_code", "field", "sponsor", "holder", "kind"]
KIND = ["kind", *WINDOW]
#: `ix_models_tally` as revision 0005 made it.
TALLY_BEFORE = ["province_code", *WINDOW, "commune_code", "field", "sponsor", "holder"]


def upgrade() -> None:
    # Added with its default: SQLite and PostgreSQL (11 and later) fill the existing
    # rows without rewriting the table.
    op.add_column(
        "models", sa.Column("kind", sa.String(16), nullable=False, server_default="model")
    )
    op.drop_index("ix_models_tally", table_name="models")
    op.create_index("ix_models_tally", "models", TALLY)
    op.create_index("ix_models_kind", "models", KIND)
    if op.get_bind().dialect.name == "sqlite":
        # Statistics for the new indexes, sampled, as revision 0005 left them.
        op.execute("PRAGMA analysis_limit = 1000")
        op.execute("ANALYZE models")


def downgrade() -> None:
    op.drop_index("ix_models_kind", table_name="models")
    op.drop_index("ix_models_tally", table_name="models")
    op.create_index("ix_models_tally", "models", TALLY_BEFORE)
    with op.batch_alter_table("models") as batch:
        batch.drop_column("kind")
