"""The registry's tables as bare SQLAlchemy Core, for the read paths that must start fast.

`dandan.models` defines the tables (SQLModel classes, which create them); loading
it costs pydantic and the ORM, a tenth of a second before any work. Tallies,
filters and exports only build SELECT statements, so they use these plain
descriptions of the same tables. A test keeps the two identical.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table

metadata = MetaData()

models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False),
    Column("name", String(300), nullable=False),
    Column("name_folded", String(300), nullable=False),
    Column("description", String(4000)),
    Column("locality_scheme", String(8), nullable=False),
    Column("province_code", Integer, nullable=False),
    Column("province_name", String(100), nullable=False),
    Column("province_input", String(200), nullable=False),
    Column("commune_code", Integer),
    Column("commune_name", String(100)),
    Column("commune_input", String(200)),
    Column("district_input", String(200)),
    Column("legacy_province_code", Integer),
    Column("legacy_district_code", Integer),
    Column("legacy_commune_code", Integer),
    Column("field", String(32), nullable=False),
    Column("sponsor", String(32), nullable=False),
    Column("holder", String(16), nullable=False),
    Column("holder_name", String(300)),
    Column("registered_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("withdrawn_on", Date),
    Column("withdrawn_reason", String(1000)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("batch_id", Integer),
    Column("first_recognized_on", Date),
)

recognitions = Table(
    "recognitions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("model_id", Integer, nullable=False),
    Column("year", Integer, nullable=False),
    Column("level", String(16), nullable=False),
    Column("decision_no", String(100)),
    Column("decided_on", Date),
    Column("body", String(300)),
    Column("created_at", DateTime, nullable=False),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("encoding", String(32)),
    Column("rows", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("invalid", Integer, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("command", String(16), nullable=False),
    Column("model_code", String(32)),
    Column("batch_id", Integer),
    Column("before", String),
    Column("after", String),
)
