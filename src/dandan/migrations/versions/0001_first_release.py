"""The schema of dandan 0.1.0, the first release: models, recognitions, import batches.

Registries made by that release have no `alembic_version` table; `dandan.schema`
takes them for this revision. Creating it from scratch is for tests of upgrades.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The triggers as 0.1.0 created them, frozen here: later revisions may change
# dandan.models, never what this revision made.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER recognitions_first_on_insert AFTER INSERT ON recognitions BEGIN
UPDATE models SET first_recognized_on = coalesce(NEW.decided_on, printf('%04d-12-31', NEW.year))
WHERE id = NEW.model_id AND (first_recognized_on IS NULL
OR first_recognized_on > coalesce(NEW.decided_on, printf('%04d-12-31', NEW.year))); END""",
    """CREATE TRIGGER recognitions_first_on_update
AFTER UPDATE OF model_id, year, decided_on ON recognitions BEGIN
UPDATE models SET first_recognized_on = (SELECT min(coalesce(r.decided_on,
printf('%04d-12-31', r.year))) FROM recognitions AS r WHERE r.model_id = models.id)
WHERE id IN (OLD.model_id, NEW.model_id); END""",
    """CREATE TRIGGER recognitions_first_on_delete AFTER DELETE ON recognitions BEGIN
UPDATE models SET first_recognized_on = (SELECT min(coalesce(r.decided_on,
printf('%04d-12-31', r.year))) FROM recognitions AS r WHERE r.model_id = OLD.model_id)
WHERE id = OLD.model_id; END""",
)
POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION dandan_first_recognized() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
BEGIN
    FOREACH changed IN ARRAY (CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.model_id]
        WHEN 'DELETE' THEN ARRAY[OLD.model_id]
        ELSE ARRAY[OLD.model_id, NEW.model_id] END)
    LOOP
        UPDATE models SET first_recognized_on = (
            SELECT min(coalesce(r.decided_on, make_date(r.year, 12, 31)))
            FROM recognitions AS r WHERE r.model_id = changed)
        WHERE id = changed;
    END LOOP;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER recognitions_first_recognized
AFTER INSERT OR DELETE OR UPDATE OF model_id, year, decided_on ON recognitions
FOR EACH ROW EXECUTE FUNCTION dandan_first_recognized()""",
)


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("encoding", sa.String(32)),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_import_batches_sha256", "import_batches", ["sha256"])
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_folded", sa.String(300), nullable=False),
        sa.Column("description", sa.String(4000)),
        sa.Column("locality_scheme", sa.String(8), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("province_name", sa.String(100), nullable=False),
        sa.Column("province_input", sa.String(200), nullable=False),
        sa.Column("commune_code", sa.Integer()),
        sa.Column("commune_name", sa.String(100)),
        sa.Column("commune_input", sa.String(200)),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("sponsor", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(16), nullable=False),
        sa.Column("holder_name", sa.String(300)),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("withdrawn_on", sa.Date()),
        sa.Column("withdrawn_reason", sa.String(1000)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batches.id")),
        sa.Column("first_recognized_on", sa.Date()),
    )
    op.create_index("ix_models_commune_code", "models", ["commune_code"])
    op.create_index("ix_models_registered_on", "models", ["registered_on"])
    op.create_index(
        "ix_models_tally",
        "models",
        ["province_code", "registered_on", "withdrawn_on", "first_recognized_on", "commune_code"],
    )
    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model_id", sa.Integer(), sa.ForeignKey("models.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("decision_no", sa.String(100)),
        sa.Column("decided_on", sa.Date()),
        sa.Column("body", sa.String(300)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_recognitions_model_id", "recognitions", ["model_id"])
    op.create_index("ix_recognitions_year", "recognitions", ["year"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("recognitions")
    op.drop_table("models")
    op.drop_table("import_batches")
