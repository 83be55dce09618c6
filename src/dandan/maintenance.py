"""Keeping a registry: upgrade its schema, back it up, check it, copy it elsewhere.

Each is one function a script can call; `dandan db …` wraps them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from dandan import database, schema, tables
from dandan.errors import InvalidInput, RegistryUnavailable, UsageError
from dandan.files import check_output
from dandan.i18n import N_, _
from dandan.registry import Registry
from dandan.text import as_text

#: Tables in the order their rows may be written (a row's references first).
TABLES = (tables.import_batches, tables.models, tables.recognitions, tables.events)
COPY_CHUNK = 5000


def upgrade(db: str | None = None) -> dict[str, Any]:
    """Bring the registry's schema to this version's (`dandan db upgrade`). On SQLite a
    copy of the file is kept first; on PostgreSQL back up with pg_dump beforehand."""
    url = database.resolve_url(db)
    engine = database.make_engine(url)
    try:
        with database.translate_errors(url):
            with engine.connect() as conn:
                before = schema.revision(conn)
            backup_path = None
            path = schema.sqlite_file(engine)
            if before not in (None, schema.HEAD) and path is not None:
                backup_path = path.with_name(f"{path.name}.schema-{before}.bak")
                schema.backup_sqlite(path, backup_path)
            if before is not None and before not in schema.REVISIONS:
                raise RegistryUnavailable(schema.newer_than_known(before))
            if before != schema.HEAD:
                schema.upgrade(engine)
    finally:
        engine.dispose()
    return {
        "registry": database.masked(url),
        "from": before,
        "to": schema.HEAD,
        "changed": before != schema.HEAD,
        "backup": str(backup_path) if backup_path else None,
    }


def backup(registry: Registry, destination: str | Path) -> dict[str, Any]:
    """A consistent copy of a live SQLite registry; PostgreSQL has pg_dump for that.

    Never over the registry or its journal: a copy over its `-wal` lost the changes
    another process had committed to it."""
    check_output(destination, registry=registry.url)
    path = schema.sqlite_file(registry.engine)
    if path is None:
        raise UsageError(
            _(
                "dandan backs up SQLite registries; for PostgreSQL use pg_dump "
                "(pg_dump -Fc -f registry.dump DBNAME), see the README"
            )
        )
    target = Path(destination).expanduser()
    try:
        if not target.parent.is_dir():
            raise InvalidInput(
                _("FILE {path}: no such folder; create it or choose another path").format(
                    path=target
                )
            )
        if target.is_dir():  # was an IsADirectoryError, on renaming the copy into place
            raise InvalidInput(
                _("FILE {path}: is a folder; name the copy's file in it").format(path=target)
            )
        with database.translate_errors(registry.url):
            schema.backup_sqlite(path, target)
    except OSError as exc:  # a name too long, a folder not writable: was a traceback
        raise InvalidInput(
            _("FILE {path}: cannot write it ({reason})").format(path=target, reason=exc.strerror)
        ) from None
    except (sqlite3.Error, UnicodeEncodeError) as exc:
        raise InvalidInput(
            _("FILE {path}: SQLite cannot write the copy there ({reason})").format(
                path=target, reason=exc
            )
        ) from None
    # The path is printed on stdout, which takes only UTF-8: a name in another encoding
    # is shown with U+FFFD (the copy was written, and the command then died printing it).
    return {"backup": as_text(str(target)), "models": _counts(registry.engine)["models"]}


@dataclass
class CheckReport:
    """What `dandan db check` found; `problems` empty means the registry is sound.

    `problems` are in English, the same for every reader (JSON carries them);
    `shown` holds the same problems in the reader's language, for messages."""

    registry: str
    schema: str | None
    counts: dict[str, int]
    problems: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    def add(self, problem: str, **values: Any) -> None:
        """A problem found: `problem` is the English text with placeholders (marked N_)."""
        self.problems.append(problem.format(**values))
        self.shown.append(_(problem).format(**values))

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "registry": self.registry,
            "schema": self.schema,
            **self.counts,
            "ok": self.ok,
            "problems": self.problems,
        }


def check(registry: Registry) -> CheckReport:
    """Integrity (SQLite's own check), foreign keys, and the rules the tables keep:
    every recognition's model exists, each model's first recognition date and status
    agree with its recognitions."""
    engine = registry.engine
    m, r = tables.models.c, tables.recognitions.c
    report = CheckReport(database.masked(registry.url), None, {})
    with database.translate_errors(registry.url), engine.connect() as conn:
        report.schema = version = schema.revision(conn)
        if engine.dialect.name == "sqlite":
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
            if result != ["ok"]:
                for line in result[:10]:
                    report.add(N_("integrity: {detail}"), detail=line)
            bad_keys = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if bad_keys:
                report.add(N_("foreign keys: {count} rows point nowhere"), count=len(bad_keys))
        orphans = conn.execute(
            select(func.count())
            .select_from(tables.recognitions)
            .where(~r.model_id.in_(select(m.id)))
        ).scalar_one()
        if orphans:
            report.add(N_("{count} recognitions belong to no model"), count=orphans)
        earliest = (
            select(func.min(func.coalesce(r.decided_on, _year_end(engine, r.year))))
            .where(r.model_id == m.id)
            .scalar_subquery()
        )
        drifted = conn.execute(
            select(func.count())
            .select_from(tables.models)
            .where(
                func.coalesce(m.first_recognized_on, "") != func.coalesce(earliest, "")
                if engine.dialect.name == "sqlite"
                else m.first_recognized_on.is_distinct_from(earliest)
            )
        ).scalar_one()
        if drifted:
            report.add(
                N_("{count} models have a first recognition date their rows disagree with"),
                count=drifted,
            )
        report.counts = _counts_on(conn)
    if version != schema.HEAD:
        report.add(
            N_("schema {schema}, expected {head}: run `dandan db upgrade`"),
            schema=version,
            head=schema.HEAD,
        )
    return report


def _year_end(engine: Engine, year: Any) -> Any:
    """31 December of a recognition's year, as each backend stores a date."""
    if engine.dialect.name == "sqlite":
        return func.printf("%04d-12-31", year)
    return func.make_date(year, 12, 31)


def copy(source: Registry, destination: str) -> dict[str, Any]:
    """Every row of a registry into an empty one (SQLite to PostgreSQL, or back), in one
    transaction on the destination, keeping ids; the counts must agree at the end."""
    target = Registry(destination, notify=source.notify)
    if database.resolve_url(destination) == source.url:
        raise UsageError(_("--to is the registry itself; give another database"))
    source_counts = _counts(source.engine)
    engine = target.engine
    with database.translate_errors(target.url):
        if any(_counts(engine).values()):
            raise InvalidInput(
                _("{url} already holds a registry; copy into an empty database").format(
                    url=database.masked(target.url)
                ),
                field="to",
            )
        with (
            source.engine.connect() as reader,
            engine.execution_options(dandan_write=True).begin() as writer,
        ):
            for table in TABLES:
                rows = reader.execute(select(table).order_by(table.c.id))
                while chunk := rows.fetchmany(COPY_CHUNK):
                    writer.execute(insert(table), [dict(row._mapping) for row in chunk])
            if engine.dialect.name == "postgresql":
                for table in TABLES:  # ids were given: move the sequences past them
                    writer.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
            copied = _counts_on(writer)
            if copied != source_counts:
                raise RegistryUnavailable(
                    _(
                        "the copy holds {copied} rows where the registry holds {expected}; "
                        "nothing was written"
                    ).format(copied=copied, expected=source_counts)
                )
    target.close()
    return {"from": database.masked(source.url), "to": database.masked(target.url), **copied}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _counts_on(conn)


def _counts_on(conn: Any) -> dict[str, int]:
    return {
        table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in TABLES
    }
