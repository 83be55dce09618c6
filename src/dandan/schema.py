"""The registry's schema version, and bringing an older registry up to date.

A registry records its schema revision in Alembic's `alembic_version` table; the
migration scripts ship in `dandan/migrations/`. Opening a registry compares the
revision with `HEAD` in one plain query: Alembic costs 0.4 s to import, so it loads
only when there is something to migrate, and a tally stays fast.

- An empty database gets today's tables and is stamped `HEAD` (only when a command
  that writes asks: `register`, `import`, `db init`; reading never makes a registry).
- A registry of dandan 0.1.0 has no `alembic_version`: it is revision `FIRST`.
- A SQLite registry says it is one: SQLite's `application_id` in its header is
  `APPLICATION_ID`, set when it is made, upgraded, or next written by a command
  (older ones are told by their tables and revision). Any other SQLite file is
  refused unchanged, before anything is written to it.
- An older SQLite registry is upgraded on first use, announced, after a copy of
  the file is made beside it; a PostgreSQL one waits for `dandan db upgrade`, run
  after the administrator's own backup (`pg_dump`), since a server is shared.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection, Engine, text

from dandan import database
from dandan.database import add_collation, missing
from dandan.errors import Advice, RegistryUnavailable
from dandan.files import copied_into_place
from dandan.i18n import _

FIRST = "0001"
HEAD = "0010"
#: Every revision, oldest first (a test checks it against the scripts).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")

Notify = Callable[[str], None]

#: SQLite's `PRAGMA application_id` of a dandan registry: the bytes "DNDN".
APPLICATION_ID = int.from_bytes(b"DNDN", "big")
#: The tables every dandan registry has had, since 0.1.0.
CORE_TABLES = frozenset({"models", "recognitions", "import_batches"})
#: How a registry of 0.1.0 (no `alembic_version`, no application id) is told: its
#: tables, the triggers keeping `first_recognized_on`, and columns of its own.
FIRST_RELEASE_TRIGGERS = frozenset(
    {"recognitions_first_on_insert", "recognitions_first_on_update", "recognitions_first_on_delete"}
)
FIRST_RELEASE_COLUMNS = frozenset({"code", "name_folded", "province_input", "first_recognized_on"})

Kind = Literal["empty", "stamped", "unstamped"]


def identify_sqlite(conn: sqlite3.Connection, where: str, create: bool = False) -> Kind:
    """What a SQLite database is, told from its header and schema alone, before dandan
    writes anything to it: "empty", a dandan registry ("stamped" with dandan's
    application id, or "unstamped": made before the id, told by its tables and schema
    revision). Anything else is refused, unchanged: a file with unrelated tables got
    dandan's, and one with a `models` table of its own was "upgraded", with a new
    copy beside it at every command. An empty one is refused unless `create`."""
    kind = _sqlite_kind(conn)
    if kind is None:
        raise RegistryUnavailable(
            _(
                "{where} is not a dandan registry (a database of another application); "
                "it was left as it was: give the registry's path, or a new file's"
            ).format(where=where)
        )
    if kind == "empty" and not create:
        raise missing(_sqlite_url(where))
    return kind


def _sqlite_url(path: str) -> str:
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=path).render_as_string(hide_password=False)


def _sqlite_kind(conn: sqlite3.Connection) -> Kind | None:
    """None: another application's database."""
    (app,) = conn.execute("PRAGMA application_id").fetchone()
    if app == APPLICATION_ID:
        return "stamped"
    if app != 0:
        return None
    objects = conn.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).fetchall()
    if not objects:
        return "empty"
    tables = {name for kind, name in objects if kind == "table"}
    if not tables >= CORE_TABLES:
        return None
    if "alembic_version" in tables:
        try:
            versions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        except sqlite3.OperationalError:  # another application's table of that name
            return None
        return "unstamped" if len(versions) == 1 and versions[0] in REVISIONS else None
    triggers = {name for kind, name in objects if kind == "trigger"}
    columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(models)")}
    first = triggers >= FIRST_RELEASE_TRIGGERS and columns >= FIRST_RELEASE_COLUMNS
    return "unstamped" if first and tables == CORE_TABLES else None


def stamp(conn: Connection) -> None:
    """Mark a SQLite registry as dandan's (in the caller's write transaction)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def stamped(conn: Connection) -> bool:
    """Whether the registry carries dandan's mark (PostgreSQL has none to carry)."""
    if conn.dialect.name != "sqlite":
        return True
    return conn.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID


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


def ensure(engine: Engine, notify: Notify, *, create: bool = False, write: bool = False) -> None:
    """Make the database a registry at `HEAD`: upgrade it, or refuse; create it only
    when asked (`create`: the command writes, and may make the registry). A command
    that writes (`write`) marks an older SQLite registry as dandan's on the way."""
    with engine.connect() as conn:
        found = revision(conn)
        marked = found is None or stamped(conn)
    if found == HEAD:
        if (write or create) and not marked:
            with engine.execution_options(dandan_write=True).begin() as conn:
                stamp(conn)
        return
    if found is None:
        if not create:
            raise missing(str(engine.url))
        _create(engine)
        return
    if found not in REVISIONS:
        raise RegistryUnavailable(newer_than_known(found))
    path = sqlite_file(engine)
    if path is None:
        raise RegistryUnavailable(
            _(
                "the registry has schema {schema} and this dandan needs {head}; back it up "
                "(pg_dump) before upgrading it"
            ).format(schema=found, head=HEAD),
            advice=Advice.upgrade_schema,
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


def open_engine(url: str, *, create: bool = False) -> Engine:
    """An engine on a registry (`database.make_engine`), whose SQLite file is identified
    on every connection before anything is written to it (`identify_sqlite`)."""
    return database.make_engine(url, identify=identify_sqlite, create=create)


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


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
        stamp(conn)
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
    stamp(conn)


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
