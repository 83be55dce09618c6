"""Replication, outstanding recognitions, commendations and yearly reviews of models.

A model may copy another (nhân rộng): a nullable column with the other's code.

A recognition may be named outstanding (tiêu biểu): a column, false for every
recognition made before. Commendations of models: an award (Bằng khen, Giấy khen,
biểu dương, tuyên dương) given in a year by a named body, by its decision.

A new table beside `recognitions`: registries made before hold none, so nothing is
filled in.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The model a model copies, by code; looked up both ways, so indexed.
    op.add_column("models", sa.Column("replicates", sa.String(32), nullable=True))
    op.create_index("ix_models_replicates", "models", ["replicates"])
    op.add_column(
        "recognitions",
        sa.Column("outstanding", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "commendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("award", sa.String(32), nullable=False),
        sa.Column("body", sa.String(300), nullable=False),
        sa.Column("decision_no", sa.String(100), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name="fk_commendations_model_id_models"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_commendations"),
    )
    op.create_index("ix_commendations_model_id", "commendations", ["model_id"])
    op.create_index("ix_commendations_year", "commendations", ["year"])
    # A model's review of a year: one (a second corrects the first), found by its model.
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name="fk_reviews_model_id_models"),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("model_id", "year", name="uq_reviews_model_id"),
    )
    op.create_index("ix_reviews_year", "reviews", ["year"])


def downgrade() -> None:
    op.drop_index("ix_reviews_year", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_commendations_year", table_name="commendations")
    op.drop_index("ix_commendations_model_id", table_name="commendations")
    op.drop_table("commendations")
    with op.batch_alter_table("recognitions") as batch:
        batch.drop_column("outstanding")
    op.drop_index("ix_models_replicates", table_name="models")
    with op.batch_alter_table("models") as batch:
        batch.drop_column("replicates")
