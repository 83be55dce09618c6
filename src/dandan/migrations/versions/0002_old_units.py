"""The units before 2025-07-01 beside the current ones: district input, old unit codes.

Every model of a 0.1.0 registry was recorded in current units; the upgrade fills
in the old province (district, commune) each certainly lay in, as `dandan
register` does for a record in current units today. On PostgreSQL it also
replaces the function keeping `first_recognized_on` with one that does not
recount on insert.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("legacy_province_code", "legacy_district_code", "legacy_commune_code")


def upgrade() -> None:
    from dandan.localities import reorganisation
    from dandan.models import POSTGRES_TRIGGERS

    if op.get_bind().dialect.name == "postgresql":
        # 0.1.0's trigger function recounted a model's recognitions on every insert,
        # which made a bulk import quadratic; this one updates incrementally.
        op.execute(POSTGRES_TRIGGERS[0])

    with op.batch_alter_table("models") as batch:
        batch.add_column(sa.Column("district_input", sa.String(200)))
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer()))
    conn = op.get_bind()
    pairs = conn.execute(sa.text("SELECT DISTINCT province_code, commune_code FROM models"))
    mapping = reorganisation()
    for province, commune in pairs.all():
        origin = mapping.origin(province, commune)
        where = "province_code = :p AND " + (
            "commune_code IS NULL" if commune is None else "commune_code = :c"
        )
        conn.execute(
            sa.text(
                "UPDATE models SET legacy_province_code = :op, legacy_district_code = :od, "
                f"legacy_commune_code = :oc WHERE {where}"
            ),
            {
                "p": province,
                "c": commune,
                "op": origin.province,
                "od": origin.district,
                "oc": origin.commune,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("models") as batch:
        for name in ("district_input", *COLUMNS):
            batch.drop_column(name)
