"""Schema versions: a registry of the first release upgrades with every record intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from dandan import schema
from dandan.cli import app
from dandan.localities import reorganisation
from dandan.registry import Registry
from dandan.text import sort_key
from tests.conftest import REGISTER, Run

FIRST_RELEASE = Path(__file__).parent / "data" / "registry-0.1.0.db"
#: The columns of 0.1.0's tables: what an upgrade must keep exactly.
OLD_COLUMNS = {
    "models": "id, code, name, name_folded, description, locality_scheme, province_code, "
    "province_name, province_input, commune_code, commune_name, commune_input, field, sponsor, "
    "holder, holder_name, registered_on, status, withdrawn_on, withdrawn_reason, created_at, "
    "updated_at, batch_id, first_recognized_on",
    "recognitions": "id, model_id, year, level, decision_no, decided_on, body, created_at",
    "import_batches": "id, source, sha256, kind, encoding, rows, inserted, updated, skipped, "
    "invalid, actor, started_at, finished_at",
}


def rows(conn: Any, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(f"SELECT {OLD_COLUMNS[table]} FROM {table} ORDER BY id")]


def test_revisions_match_the_migration_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "dandan:migrations")
    scripts = ScriptDirectory.from_config(config)
    walked = [s.revision for s in scripts.walk_revisions()]
    assert tuple(reversed(walked)) == schema.REVISIONS
    assert scripts.get_current_head() == schema.HEAD == schema.REVISIONS[-1]


def test_a_first_release_registry_upgrades_on_first_use_with_every_record_intact(
    tmp_path: Path,
) -> None:
    db = tmp_path / "registry.db"
    shutil.copy(FIRST_RELEASE, db)
    with sqlite3.connect(db) as conn:
        before = {table: rows(conn, table) for table in OLD_COLUMNS}
    assert len(before["models"]) == 197 and len(before["recognitions"]) == 80

    result = CliRunner().invoke(app, ["--db", str(db), "list", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert (
        "upgrading the registry" in result.stderr
        and f"from schema 0001 to {schema.HEAD}" in result.stderr
    )
    backups = list(tmp_path.glob("registry.db.schema-0001.*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:  # the copy is the registry as it was
        assert {table: rows(conn, table) for table in OLD_COLUMNS} == before

    with sqlite3.connect(db) as conn:
        assert {table: rows(conn, table) for table in OLD_COLUMNS} == before
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (schema.HEAD,)
        ]
        stored = conn.execute(
            "SELECT province_code, commune_code, legacy_province_code, legacy_district_code, "
            "legacy_commune_code FROM models"
        ).fetchall()
    # Old units are filled in where certain, as `register` does for current units today.
    mapping = reorganisation()
    for province, commune, *old_units in stored:
        origin = mapping.origin(province, commune)
        assert old_units == [origin.province, origin.district, origin.commune]
    assert sum(1 for row in stored if row[2] is not None) > 150
    # Every name's sort key is stored (migration 0006), so listing by name is in order.
    registry = Registry(str(db))
    by_name = [m.name for m in registry.list_models(sort="name")]
    assert by_name == sorted(by_name, key=sort_key) and len(by_name) == 197
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM models WHERE name_order IS NULL").fetchone() == (
            0,
        )
    old = registry.get("QTR-2023-00001").legacy
    assert old is not None and (old["province_code"], old["district_code"]) == (45, 461)
    check = CliRunner().invoke(app, ["--db", str(db), "db", "check"])
    assert check.exit_code == 0, check.stdout + check.stderr


def test_db_upgrade_says_when_there_is_nothing_to_do(run: Run) -> None:
    run(*REGISTER)
    result = run("db", "upgrade")
    assert result.exit_code == 0
    assert f"at schema {schema.HEAD} already" in result.stderr


def test_migrating_from_the_first_revision_gives_todays_schema(tmp_path: Path) -> None:
    """The migrations and the tables' definitions agree: nothing left to autogenerate."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    db = tmp_path / "migrated.db"
    shutil.copy(FIRST_RELEASE, db)
    engine = create_engine(f"sqlite:///{db}")
    schema.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    # Constraint names differ (0.1.0 left them unnamed); columns and indexes must not.
    assert [d for d in diff if d[0] not in ("add_constraint", "remove_constraint")] == []


def test_a_registry_from_a_newer_dandan_is_refused(run: Run, db: Path) -> None:
    run(*REGISTER)
    with Registry(str(db)).engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    result = run("list")
    assert result.exit_code == 3
    assert "schema 9999, newer than this dandan knows" in result.stderr


@pytest.mark.postgres
def test_a_first_release_registry_upgrades_on_postgresql(pg_url: str) -> None:
    """On a server the upgrade waits for `dandan db upgrade`, then keeps every record."""
    from alembic import command
    from alembic.config import Config

    engine = create_engine(pg_url)
    config = Config()
    config.set_main_option("script_location", "dandan:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(text("DROP TABLE alembic_version"))  # as 0.1.0 left it
    with sqlite3.connect(FIRST_RELEASE) as source, engine.begin() as conn:
        for table in ("import_batches", "models", "recognitions"):
            columns = OLD_COLUMNS[table]
            marks = ", ".join(f":c{i}" for i in range(len(columns.split(", "))))
            for row in rows(source, table):
                conn.execute(
                    text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"),
                    {f"c{i}": value for i, value in enumerate(row)},
                )
    runner = CliRunner()
    refused = runner.invoke(app, ["--db", pg_url, "list"])
    assert refused.exit_code == 3
    assert "back it up (pg_dump) before upgrading it; `dandan db upgrade` upgrades it" in (
        refused.stderr
    )
    upgraded = runner.invoke(app, ["--db", pg_url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM models")).scalar_one() == 197
        assert conn.execute(text("SELECT count(*) FROM recognitions")).scalar_one() == 80
        assert (
            conn.execute(
                text("SELECT legacy_province_code FROM models WHERE code = 'QTR-2023-00001'")
            ).scalar_one()
            == 45
        )
        trigger = conn.execute(
            text("SELECT prosrc FROM pg_proc WHERE proname = 'dandan_first_recognized'")
        ).scalar_one()
        assert "IF TG_OP = 'INSERT'" in trigger  # 0.1.0's recounted on every insert
        collation = "SELECT collprovider FROM pg_collation WHERE collname = 'vi'"
        assert conn.execute(text(collation)).scalar_one() == "i"  # ICU's, from migration 0004
    engine.dispose()
    shown = runner.invoke(app, ["--db", pg_url, "show", "QTR-2023-00001", "--format", "json"])
    assert shown.exit_code == 0, shown.stderr
