"""Keeping a registry: upgrade its schema, back it up, check it, copy it elsewhere.

Each is one function a script can call; `dandan db …` wraps them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, case, exists, func, insert, select, text, update
from sqlalchemy.exc import DatabaseError

from dandan import database, schema, tables
from dandan.errors import Advice, InvalidInput, RegistryUnavailable, UsageError
from dandan.files import check_output
from dandan.i18n import N_, _, os_reason
from dandan.registry import Registry
from dandan.text import as_text
from dandan.writing import event_row

#: Tables in the order their rows may be written (a row's references first).
TABLES = (
    tables.import_batches,
    tables.models,
    tables.recognitions,
    tables.model_areas,
    tables.commendations,
    tables.reviews,
    tables.events,
    tables.contests,
)
COPY_CHUNK = 5000


def upgrade(db: str | None = None) -> dict[str, Any]:
    """Bring the registry's schema to this version's (`dandan db upgrade`). On SQLite a
    copy of the file is kept first; on PostgreSQL back up with pg_dump beforehand."""
    url = database.resolve_url(db)
    engine = schema.open_engine(url)
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
            _("FILE {path}: cannot write it ({reason})").format(path=target, reason=os_reason(exc))
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


#: What repairs each kind of problem, as `check` tells it.
REPAIR = N_("`dandan db repair`")
RESTORE = N_("cannot be repaired in place: restore the newest `dandan db backup` copy")
AUDIT_LOST = N_(
    "deleted events cannot be restored: compare with a `dandan db backup` copy; "
    "`dandan db repair` records the finding"
)
UPGRADE = N_("`dandan db upgrade`")
#: The triggers the registry relies on, by table (`dandan.models` creates them).
SQLITE_TRIGGERS = {
    "events_append_only_update": "events",
    "events_append_only_delete": "events",
    "recognitions_first_on_insert": "recognitions",
    "recognitions_first_on_update": "recognitions",
    "recognitions_first_on_delete": "recognitions",
}
POSTGRES_TRIGGERS = {
    "events_append_only": "events",
    "recognitions_first_recognized": "recognitions",
}
#: The most lines of SQLite's integrity check shown (a damaged page gives hundreds).
SHOWN_LINES = 10


@dataclass
class CheckReport:
    """What `dandan db check` found; `problems` empty means the registry is sound.

    Each problem says what repairs it. `problems` are in English, the same for every
    reader (JSON carries them); `shown` holds the same in the reader's language."""

    registry: str
    schema: str | None
    counts: dict[str, int]
    problems: list[dict[str, str]] = field(default_factory=list)
    shown: list[dict[str, str]] = field(default_factory=list)
    #: What could not be checked, and why (PostgreSQL without amcheck).
    notes: list[str] = field(default_factory=list)

    def add(self, problem: str, repair: str, *, words: tuple[str, ...] = (), **values: Any) -> None:
        """A problem found: `problem` is the English text with placeholders (marked N_),
        `repair` what mends it (marked N_); `words` name the values that are English
        words themselves (marked N_), shown translated."""
        self.problems.append({"problem": problem.format(**values), "repair": repair})
        said = {k: _(v) if k in words else v for k, v in values.items()}
        self.shown.append({"problem": _(problem).format(**said), "repair": _(repair)})

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self, *, shown: bool = False) -> dict[str, Any]:
        """The report; `shown`: its problems in the reader's language (for a table)."""
        return {
            "registry": self.registry,
            "schema": self.schema,
            **self.counts,
            "ok": self.ok,
            "problems": self.shown if shown else self.problems,
            **(
                {"notes": [_(n) for n in self.notes] if shown else self.notes} if self.notes else {}
            ),
        }


def check(registry: Registry) -> CheckReport:
    """Everything that can be wrong with a registry, each with what repairs it: the
    database's own checks (SQLite's integrity and foreign-key checks; on PostgreSQL,
    amcheck's index check where the extension is installed), and the rules dandan
    relies on: statuses and first recognition dates agree with the recognitions and
    withdrawals, the triggers that keep them and the append-only audit trail exist,
    and the audit trail has an event for each model, batch and change it should.

    A damaged page does not stop the check: each part reports what it could not read."""
    engine = registry.engine
    report = CheckReport(database.masked(registry.url), None, {})
    sqlite = engine.dialect.name == "sqlite"
    with database.translate_errors(registry.url), engine.connect() as conn:
        report.schema = version = schema.revision(conn)
        conn.commit()
        parts: list[tuple[str, Part]] = [
            (N_("integrity"), _integrity_sqlite if sqlite else _integrity_postgres),
            (N_("foreign keys"), _foreign_keys_sqlite if sqlite else _orphans),
            (N_("statuses"), _statuses),
            (N_("first recognition dates"), _first_recognized),
            (N_("triggers"), _triggers),
            (N_("audit trail"), _audit_trail),
        ]
        for name, part in parts:
            _guarded(conn, report, name, part)
        try:
            report.counts = _counts_on(conn)
        except DatabaseError:
            conn.rollback()
    if version != schema.HEAD:
        report.add(
            N_("schema {schema}, expected {head}"), UPGRADE, schema=version, head=schema.HEAD
        )
    return report


Part = Callable[[Connection, CheckReport], None]


def _guarded(conn: Connection, report: CheckReport, name: str, part: Part) -> None:
    """One part of the check; what it cannot read is itself a finding."""
    try:
        with conn.begin_nested() if conn.dialect.name == "postgresql" else nullcontext():
            part(conn, report)
    except DatabaseError as exc:
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        first = (reason.strip().splitlines() or [type(exc).__name__])[0]
        report.add(
            N_("{part}: could not be checked: {reason}"),
            N_("`dandan db repair` rebuilds damaged indexes; if it cannot, restore the newest "
               "`dandan db backup` copy"),
            part=name,
            reason=first,
            words=("part",),
        )  # fmt: skip
    finally:
        if conn.in_transaction() and conn.dialect.name == "sqlite":
            conn.rollback()


def _lines(conn: Connection, pragma: str) -> list[str]:
    return [
        line
        for row in conn.exec_driver_sql(pragma)
        for line in str(row[0]).splitlines()
        if line and line != "ok" and not line.startswith("*** in database")
    ]


def _integrity_sqlite(conn: Connection, report: CheckReport) -> None:
    try:
        lines = _lines(conn, "PRAGMA integrity_check")
        stopped = None
    except DatabaseError as exc:
        # SQLite stops where it cannot read a damaged page; its check of the pages
        # themselves still says where the damage is (it was "malformed", and no more).
        conn.rollback()
        stopped = str(exc.orig) if exc.orig is not None else str(exc)
        try:
            lines = _lines(conn, f"PRAGMA integrity_check({SHOWN_LINES})")
        except DatabaseError:
            conn.rollback()
            lines = []
    repair = N_(
        "`dandan db repair` rebuilds damaged indexes; if it cannot, restore the newest "
        "`dandan db backup` copy"
    )
    for line in lines[:SHOWN_LINES]:
        report.add(N_("integrity: {detail}"), repair, detail=line)
    if len(lines) > SHOWN_LINES:
        report.add(N_("integrity: {count} more findings"), repair, count=len(lines) - SHOWN_LINES)
    if stopped is not None:
        report.add(N_("integrity: the check stopped: {reason}"), repair, reason=stopped)


def _foreign_keys_sqlite(conn: Connection, report: CheckReport) -> None:
    found: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, *_rest in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        found[(str(table), str(parent))] = found.get((str(table), str(parent)), 0) + 1
    for (table, parent), count in sorted(found.items()):
        report.add(
            N_("foreign keys: {count} rows of {table} point to no row of {parent}"),
            RESTORE,
            count=count,
            table=table,
            parent=parent,
        )


def _integrity_postgres(conn: Connection, report: CheckReport) -> None:
    """amcheck's `bt_index_check` on every index of the registry's tables, where the
    extension is installed (`CREATE EXTENSION amcheck`, by the administrator)."""
    installed = conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").first()
    if installed is None:
        report.notes.append(
            N_(
                "indexes not checked: the amcheck extension is not installed "
                "(CREATE EXTENSION amcheck)"
            )
        )
        return
    names = ", ".join(f"'{table.name}'::regclass" for table in TABLES)
    indexes = conn.exec_driver_sql(
        "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = c.relam "
        f"WHERE a.amname = 'btree' AND i.indrelid IN ({names}) ORDER BY c.relname"
    ).all()
    for oid, name in indexes:
        try:
            with conn.begin_nested():
                conn.execute(text("SELECT bt_index_check(:oid)"), {"oid": oid})
        except DatabaseError as exc:
            reason = str(exc.orig) if exc.orig is not None else str(exc)
            report.add(
                N_("index {index}: {reason}"),
                REPAIR,
                index=name,
                reason=(reason.strip().splitlines() or [""])[0],
            )


def _orphans(conn: Connection, report: CheckReport) -> None:
    """Rows that point nowhere: PostgreSQL enforces the keys, unless they were switched
    off (`session_replication_role`, a restore without them)."""
    for table in TABLES:
        for key in sorted(table.foreign_keys, key=lambda k: k.parent.name):
            parent = key.column.table
            count = conn.execute(
                select(func.count())
                .select_from(table)
                .where(
                    key.parent.is_not(None),
                    ~exists().where(key.column == key.parent),
                )
            ).scalar_one()
            if count:
                report.add(
                    N_("foreign keys: {count} rows of {table} point to no row of {parent}"),
                    RESTORE,
                    count=count,
                    table=table.name,
                    parent=parent.name,
                )


def expected_status() -> Any:
    """A model's status, as its rows say: withdrawn wins, then any recognition."""
    m, r = tables.models.c, tables.recognitions.c
    return case(
        (m.withdrawn_on.is_not(None), "withdrawn"),
        (exists().where(r.model_id == m.id), "recognized"),
        else_="registered",
    )


def _statuses(conn: Connection, report: CheckReport) -> None:
    m = tables.models.c
    count = conn.execute(
        select(func.count()).select_from(tables.models).where(m.status != expected_status())
    ).scalar_one()
    if count:
        report.add(
            N_("{count} models have a status their recognitions and withdrawal disagree with"),
            N_("`dandan db repair` recounts them"),
            count=count,
        )


def earliest_recognition(engine_or_conn: Any) -> Any:
    """The date of a model's first recognition, as the triggers keep it."""
    m, r = tables.models.c, tables.recognitions.c
    return (
        select(func.min(func.coalesce(r.decided_on, _year_end(engine_or_conn, r.year))))
        .where(r.model_id == m.id)
        .scalar_subquery()
    )


def _year_end(conn: Any, year: Any) -> Any:
    """31 December of a recognition's year, as each backend stores a date."""
    if conn.dialect.name == "sqlite":
        return func.printf("%04d-12-31", year)
    return func.make_date(year, 12, 31)


def _drifted(conn: Connection) -> Any:
    m = tables.models.c
    earliest = earliest_recognition(conn)
    if conn.dialect.name == "sqlite":
        return func.coalesce(m.first_recognized_on, "") != func.coalesce(earliest, "")
    return m.first_recognized_on.is_distinct_from(earliest)


def _first_recognized(conn: Connection, report: CheckReport) -> None:
    count = conn.execute(
        select(func.count()).select_from(tables.models).where(_drifted(conn))
    ).scalar_one()
    if count:
        report.add(
            N_("{count} models have a first recognition date their rows disagree with"),
            N_("`dandan db repair` recounts them"),
            count=count,
        )


def missing_triggers(conn: Connection) -> list[str]:
    """The registry's triggers that are gone (or, on PostgreSQL, switched off)."""
    if conn.dialect.name == "sqlite":
        found = {
            str(row[0])
            for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        return [name for name in SQLITE_TRIGGERS if name not in found]
    rows = conn.exec_driver_sql(
        "SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND c.relname IN ('events', 'recognitions') "
        "AND c.relnamespace = current_schema()::regnamespace"
    ).all()
    enabled = {str(name) for name, state in rows if state != "D"}
    return [name for name in POSTGRES_TRIGGERS if name not in enabled]


def _triggers(conn: Connection, report: CheckReport) -> None:
    for name in missing_triggers(conn):
        table = (SQLITE_TRIGGERS | POSTGRES_TRIGGERS)[name]
        if table == "events":
            problem = N_("trigger {name} is missing: the audit trail is not append-only")
        else:
            problem = N_("trigger {name} is missing: first recognition dates are not kept")
        report.add(problem, N_("`dandan db repair` recreates it"), name=name)


def _audit_trail(conn: Connection, report: CheckReport) -> None:
    """The audit trail has what every change leaves (since the trail began: a registry
    of 0.1.0 has none for what was done before it was upgraded)."""
    m, b, e = tables.models.c, tables.import_batches.c, tables.events.c
    began = conn.execute(select(func.min(e.at))).scalar_one()
    if began is None:
        return
    unlogged = conn.execute(
        select(func.count())
        .select_from(tables.models)
        .where(
            m.batch_id.is_(None),
            m.created_at >= began,
            ~exists().where(e.model_code == m.code, e.command == "register"),
        )
    ).scalar_one()
    if unlogged:
        report.add(
            N_("{count} models registered by hand have no registration event"),
            AUDIT_LOST,
            count=unlogged,
        )
    batches = conn.execute(
        select(b.id, b.inserted, b.updated, b.skipped, b.invalid, b.finished_at)
    ).all()
    told = {
        row.batch_id: row.after
        for row in conn.execute(
            select(e.batch_id, e.after).where(e.batch_id.is_not(None), e.model_code.is_(None))
        )
    }
    created: dict[int, int] = {
        int(batch): int(count)
        for batch, count in conn.execute(
            select(m.batch_id, func.count()).where(m.batch_id.is_not(None)).group_by(m.batch_id)
        )
    }
    untold, disagree = 0, 0
    for batch in batches:
        after = told.get(batch.id)
        if after is None:
            untold += batch.finished_at >= began
            continue
        counts = json.loads(after) if isinstance(after, str) else after
        stored = {"inserted": batch.inserted, "updated": batch.updated,
                  "skipped": batch.skipped, "invalid": batch.invalid}  # fmt: skip
        if (
            any(counts.get(k) != v for k, v in stored.items())
            or created.get(batch.id, 0) > batch.inserted
        ):
            disagree += 1
    if untold:
        report.add(N_("{count} import batches have no event"), AUDIT_LOST, count=untold)
    if disagree:
        report.add(
            N_("{count} import batches have counts their event or models disagree with"),
            AUDIT_LOST,
            count=disagree,
        )


def init(db: str | None = None) -> dict[str, Any]:
    """An empty registry at `HEAD` (`dandan db init`), where there is none yet; the
    commands that only read never make one, so that a mistyped `--db` is an error."""
    url = database.resolve_url(db)
    engine = schema.open_engine(url, create=True)
    try:
        with database.translate_errors(url):
            with engine.connect() as conn:
                found = schema.revision(conn)
            if found is not None:
                raise InvalidInput(
                    _("{where} already holds a registry (schema {schema}); it was left as it was")
                    .format(where=_where(url), schema=found)
                )  # fmt: skip
            schema.ensure(engine, lambda _message: None, create=True)
    finally:
        engine.dispose()
    path = database.sqlite_path(url)
    return {
        "registry": _where(url),
        "path": as_text(str(path)) if path is not None else None,
        "schema": schema.HEAD,
    }


def _where(url: str) -> str:
    path = database.sqlite_path(url)
    return as_text(str(path)) if path is not None else database.masked(url)


def repair(registry: Registry) -> tuple[dict[str, Any], CheckReport]:
    """The repairs that are safe, in one transaction with an event in the audit trail:
    rebuild the indexes (a damaged index gave wrong tallies), recount statuses and
    first recognition dates from the rows, recreate (or switch on) missing triggers.
    Deleted events cannot be made again: the event says they were found missing, and
    the newest `dandan db backup` copy holds them. Returns what was done, and what
    `check` finds afterwards."""
    engine = registry.open(write=True)
    m = tables.models.c
    before = check(registry)
    done: dict[str, Any] = {}
    sqlite = engine.dialect.name == "sqlite"
    with database.translate_errors(registry.url):
        try:
            with engine.execution_options(dandan_write=True).begin() as conn:
                if sqlite:
                    conn.exec_driver_sql("REINDEX")
                else:
                    for table in TABLES:
                        conn.exec_driver_sql(f"REINDEX TABLE {table.name}")
                done["reindexed"] = True
                expected = expected_status()
                statuses = conn.execute(
                    select(m.code, m.status, expected).where(m.status != expected)
                ).all()
                if statuses:
                    conn.execute(update(tables.models).where(m.status != expected)
                                 .values(status=expected))  # fmt: skip
                done["statuses"] = {code: [old, new] for code, old, new in statuses}
                drifted = [row[0] for row in conn.execute(select(m.code).where(_drifted(conn)))]
                if drifted:
                    recount = {"first_recognized_on": earliest_recognition(conn)}
                    conn.execute(update(tables.models).where(_drifted(conn)).values(recount))
                done["first_recognized_on"] = drifted
                done["triggers"] = _recreate_triggers(conn)
                lost = [p["problem"] for p in before.problems if p["repair"] == AUDIT_LOST]
                done["audit_trail"] = lost
                told = {key: value for key, value in done.items() if value}
                conn.execute(
                    insert(tables.events),
                    event_row(actor=registry.actor, command="repair", code=None, after=told),
                )
        except DatabaseError as exc:
            reason = str(exc.orig) if exc.orig is not None else str(exc)
            raise RegistryUnavailable(
                _(
                    "the registry is damaged beyond what a repair in place mends ({reason}); "
                    "nothing was changed"
                ).format(reason=(reason.strip().splitlines() or [""])[0]),
                advice=Advice.restore_backup,
            ) from exc
    after = check(registry)
    result = {
        "registry": database.masked(registry.url),
        "reindexed": True,
        "statuses": len(done["statuses"]),
        "first_recognized_on": len(done["first_recognized_on"]),
        "triggers": done["triggers"],
        "ok": after.ok,
    }
    return result, after


def _recreate_triggers(conn: Connection) -> list[str]:
    """The missing triggers made again, as a new registry gets them (`dandan.models`)."""
    from dandan import models

    missing = missing_triggers(conn)
    if conn.dialect.name == "sqlite":
        statements = {
            statement.split()[2]: statement
            for statement in (*models.SQLITE_APPEND_ONLY, *models.SQLITE_TRIGGERS)
        }
        for name in missing:
            conn.exec_driver_sql(statements[name].replace("%%", "%"))
        return missing
    for name in missing:
        table = POSTGRES_TRIGGERS[name]
        function, trigger = (
            models.POSTGRES_APPEND_ONLY if table == "events" else models.POSTGRES_TRIGGERS
        )
        conn.exec_driver_sql(function)
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        conn.exec_driver_sql(trigger)
    return missing


def copy(source: Registry, destination: str) -> dict[str, Any]:
    """Every row of a registry into an empty one (SQLite to PostgreSQL, or back), in one
    transaction on the destination, keeping ids; the counts must agree at the end."""
    target = Registry(destination, notify=source.notify)
    if database.resolve_url(destination) == source.url:
        raise UsageError(
            _("the destination is the registry itself; give another database"), field="to"
        )
    source_counts = _counts(source.engine)
    engine = target.open(create=True)
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
                rows = reader.execute(select(table).order_by(*table.primary_key.columns))
                while chunk := rows.fetchmany(COPY_CHUNK):
                    writer.execute(insert(table), [dict(row._mapping) for row in chunk])
            if engine.dialect.name == "postgresql":
                for table in TABLES:  # ids were given: move the sequences past them
                    if "id" not in table.c:
                        continue  # model_areas: keyed by model and area, no sequence
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
