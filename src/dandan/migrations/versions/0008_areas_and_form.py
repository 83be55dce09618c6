"""The areas of mass-mobilisation work a model serves, and the registration form's items.

Areas (ethnic affairs, land clearance, …) are several per model: a child table
`model_areas`, one row per model and area, keyed by both. The form's items
(objectives, method, target group, expected results, sustainability) are optional
text columns of `models`, with `form_folded`, their folded text, for `--search`.
Registries made before hold no areas and empty form items: nothing to fill.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FORM = ("objectives", "method", "target_group", "expected_results", "sustainability")


def upgrade() -> None:
    for name in FORM:
        op.add_column("models", sa.Column(name, sa.String(4000), nullable=True))
    op.add_column("models", sa.Column("form_folded", sa.Text(), nullable=True))
    op.create_table(
        "model_areas",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name="fk_model_areas_model_id_models"),
        sa.PrimaryKeyConstraint("model_id", "area", name="pk_model_areas"),
    )
    op.create_index("ix_model_areas_area", "model_areas", ["area", "model_id"])


def downgrade() -> None:
    op.drop_index("ix_model_areas_area", table_name="model_areas")
    op.drop_table("model_areas")
    with op.batch_alter_table("models") as batch:
        for name in (*FORM, "form_folded"):
            batch.drop_column(name)
