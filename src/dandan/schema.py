"""The registry's schema version, and bringing an older registry up to date.

A registry records its schema revision in Alembic's `alembic_version` table; the
migration scripts ship in `dandan/migrations/`. Opening a registry compares the
revision with `HEAD` in one plain query: Alembic costs 0.4 s to import, so it loads
only when there is something to migrate, and a tally stays fast.

- An empty database gets today's tables and is stamped `HEAD`.
- A registry of dandan 0.1.0 has no `alembic_version`: it is revision `FIRST`.
- An older SQLite registry is upgraded on first use, announced, after a copy of
  the file is made beside it; a PostgreSQL one waits for `dandan db upgrade`, run
  after the administrator's own backup (`pg_dump`), since a server is shared.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from dandan.database import add_collation
from dandan.errors import RegistryUnavailable
from dandan.files import copied_into_place
from dandan.i18n import _

FIRST = "0001"
HEAD = "0004"
#: Every revision, oldest first (a test checks it against the scripts).
REVISIONS = ("0001", "0002", "0003", "0004")

Notify = Callable[[str], None]


def revision(conn: Connection) -> str | None:
    """The schema revision of the database (None when it holds no registry yet)."""
    names = _tables(conn)
    if "models" not in names:
        return None
    if "alembic_version" not in names:
        return FIRST
    found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return str(found[0]) if found else FIRST


def _tables(conn: Connection) -> set[str]:
    """Which of the tables that tell the revision exist."""
    if conn.dialect.name == "sqlite":
        query = (
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('models', 'alembic_version')"
        )
    else:
        query = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_name IN ('models', 'alembic_version')"
        )
    return {str(row[0]) for row in conn.exec_driver_sql(query)}


def ensure(engine: Engine, notify: Notify) -> None:
    """Make the database a registry at `HEAD`: create it, upgrade it, or refuse."""
    with engine.connect() as conn:
        found = revision(conn)
    if found == HEAD:
        return
    if found is None:
        _create(engine)
        return
    if found not in REVISIONS:
        raise RegistryUnavailable(newer_than_known(found))
    path = sqlite_file(engine)
    if path is None:
        raise RegistryUnavailable(
            _(
                "the registry has schema {schema} and this dandan needs {head}: back it up "
                "(pg_dump) and run `dandan db upgrade`"
            ).format(schema=found, head=HEAD)
        )
    copy = path.with_name(f"{path.name}.schema-{found}.{_stamp()}.bak")
    backup_sqlite(path, copy)
    notify(
        _(
            "upgrading the registry {path} from schema {schema} to {head}; "
            "the registry as it was is saved in {copy}"
        ).format(path=path, schema=found, head=HEAD, copy=copy)
    )
    upgrade(engine)


def newer_than_known(found: str) -> str:
    """The refusal of a registry written by a later dandan (opening it, or `db upgrade`)."""
    return _(
        "the registry has schema {schema}, newer than this dandan knows ({head}); upgrade dandan"
    ).format(schema=found, head=HEAD)


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Run the migrations up to `HEAD` in one transaction; returns (from, to)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "dandan:migrations")
    with engine.execution_options(dandan_write=True).begin() as conn:
        found = revision(conn)
        if found is None:
            _create_tables(conn)
            return None, HEAD
        if "alembic_version" not in _tables(conn):
            config.attributes["connection"] = conn
            command.stamp(config, FIRST)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return found, HEAD


def _create(engine: Engine) -> None:
    """Today's tables, stamped `HEAD`, created once even when processes race to it."""
    with engine.execution_options(dandan_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242025)")
        if revision(conn) is None:
            _create_tables(conn)


def _create_tables(conn: Connection) -> None:
    from sqlmodel import SQLModel

    import dandan.models  # noqa: F401 - registers the tables

    SQLModel.metadata.create_all(conn)
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
    conn.exec_driver_sql("DELETE FROM alembic_version")
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": HEAD})


def sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    if engine.url.database == ":memory:":
        return None
    return Path(engine.url.database)


def backup_sqlite(path: Path, destination: Path) -> None:
    """A consistent copy of a live SQLite registry (the online backup API: readers and
    writers may go on), written beside its final name and renamed into place, owner-only."""
    destination = destination.expanduser().resolve()
    with copied_into_place(destination) as temp:
        source = sqlite3.connect(path)
        target = sqlite3.connect(temp)
        try:
            for conn in (source, target):  # as every connection dandan opens
                add_collation(conn)
            with target:
                source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            source.close()


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
