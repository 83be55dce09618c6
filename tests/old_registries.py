"""Registries made by an earlier revision of the schema and holding 0.1.0's records:
what each migration's test upgrades, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

FIRST_RELEASE = Path(__file__).parent / "data" / "registry-0.1.0.db"
#: The columns of 0.1.0's tables, which every later revision still has.
OLD_COLUMNS = {
    "import_batches": "id, source, sha256, kind, encoding, rows, inserted, updated, skipped, "
    "invalid, actor, started_at, finished_at",
    "models": "id, code, name, name_folded, description, locality_scheme, province_code, "
    "province_name, province_input, commune_code, commune_name, commune_input, field, sponsor, "
    "holder, holder_name, registered_on, status, withdrawn_on, withdrawn_reason, created_at, "
    "updated_at, batch_id, first_recognized_on",
    "recognitions": "id, model_id, year, level, decision_no, decided_on, body, created_at",
}


def registry_at(url: str, revision: str) -> int:
    """An empty database brought to `revision` (Alembic), then given 0.1.0's records;
    how many models it holds."""
    from alembic import command
    from alembic.config import Config

    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", "dandan:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    with sqlite3.connect(FIRST_RELEASE) as source, engine.begin() as conn:
        for table, columns in OLD_COLUMNS.items():
            marks = ", ".join(f":c{i}" for i in range(len(columns.split(", "))))
            for row in source.execute(f"SELECT {columns} FROM {table} ORDER BY id"):
                conn.execute(
                    text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"),
                    {f"c{i}": value for i, value in enumerate(row)},
                )
        if conn.dialect.name == "postgresql":  # ids were given: their sequences follow
            for table in OLD_COLUMNS:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        models = conn.execute(text("SELECT count(*) FROM models")).scalar_one()
    engine.dispose()
    return int(models)


def tables_and_columns(url: str) -> tuple[set[str], set[str]]:
    """The registry's tables, and the columns of its `models`."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        tables = set(found.get_table_names())
        columns = {c["name"] for c in found.get_columns("models")}
    engine.dispose()
    return tables, columns
