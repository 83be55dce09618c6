"""Where the registry lives and how we talk to it: URLs, engines, pragmas, transactions.

SQLite is the embedded default. It runs in WAL mode with a busy timeout so two
clerks on one machine do not collide, and write transactions start with
BEGIN IMMEDIATE so a writer waits for the lock up front instead of failing
half-way with "database is locked".
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Join
from sqlalchemy.sql.functions import FunctionElement

from dandan.errors import Advice, RegistryUnavailable, UsageError
from dandan.i18n import N_, _, os_reason
from dandan.text import as_text, sort_key, undecodable

#: How long a writer waits for another's write transaction. The longest is an import's
#: swap of its staged batch (`dandan.importing`): on two cores about 1.7 s for 100,000
#: rows and 7 s for the national 408,000, twice that when the cores are busy; every
#: other write takes milliseconds.
BUSY_TIMEOUT_MS = 30_000


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("dandan", appauthor=False) / "registry.db"


def resolve_url(db: str | None = None) -> str:
    """A SQLAlchemy URL from `--db`, else `DANDAN_DB`, else the user's data directory.

    A plain path means SQLite; anything with "://" is taken as a URL as it is.
    """
    value = db or os.environ.get("DANDAN_DB") or str(default_path())
    if "://" in value:
        return accepted(value)
    # Built, not pasted: in "sqlite:///" + path, a "?" in the file name starts the URL's
    # query and "%20" is read as a space, so another file (or a folder) was opened.
    path = str(Path(value).expanduser().resolve())
    if undecodable(path):  # neither the URL nor the SQLite driver take such a name
        raise UsageError(
            _(
                "{path}: the file name holds bytes that are not UTF-8, which SQLite "
                "cannot open; rename the file"
            ).format(path=as_text(path))
        )
    return URL.create("sqlite", database=path).render_as_string(hide_password=False)


#: What `--db` takes, for the refusal of anything else.
ACCEPTED_FORMS = "a file path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"
#: Query parameters whose value is a secret (any name that holds one of these):
#: libpq's password, sslpassword, a token or key a driver or proxy takes.
SECRET_PARAMETERS = ("pass", "pwd", "secret", "token", "key", "auth", "credential")


def accepted(url: str) -> str:
    """A URL dandan can open, or a usage error naming the forms it takes.

    An unknown scheme (`foo://…`) and a SQLite URL with a user or a host
    (`sqlite://u:p@/x.db`) were internal errors, exit 70, after the SQLite one had
    made a file named after the URL's tail in the working folder."""
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except Exception:
        parsed, backend = None, ""
    if backend == "postgresql":
        return url
    remote = parsed is not None and (parsed.username or parsed.password or parsed.host)
    if parsed is not None and backend == "sqlite" and not (remote or parsed.port):
        return url
    raise UsageError(
        _("{url} is not a registry dandan can open; give {forms}").format(
            url=masked(url), forms=ACCEPTED_FORMS
        ),
        field="db",
    )


def _secret(name: str) -> bool:
    return any(word in name.lower() for word in SECRET_PARAMETERS)


def masked(url: str) -> str:
    """The URL as it may be shown: never with its password, in the user part or in a
    query parameter (`?password=…`, `sslpassword`, a token or key), which showed."""
    from urllib.parse import urlencode

    try:
        parsed = make_url(url)
        query = [
            (name, "***" if _secret(name) else value)
            for name, values in parsed.query.items()
            for value in ((values,) if isinstance(values, str) else values)
        ]
        shown = parsed.set(query={}).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"
    return f"{shown}?{urlencode(query, safe='*')}" if query else shown


def secrets(url: str) -> list[str]:
    """The URL's secrets: its password, the values of its secret query parameters."""
    try:
        parsed = make_url(url)
    except Exception:
        return []
    found = [str(parsed.password)] if parsed.password else []
    for name, values in parsed.query.items():
        if _secret(name):
            found += [values] if isinstance(values, str) else list(values)
    return [value for value in found if value]


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def missing(url: str) -> RegistryUnavailable:
    """The refusal of a command that reads a registry where there is none, advising to
    make one: a mistyped `--db` made folders and an empty registry, and `tally` then
    counted zeros, with exit code 0."""
    path = sqlite_path(url)
    return RegistryUnavailable(
        _("no registry at {where}").format(where=path if path is not None else masked(url)),
        advice=Advice.create_registry,
    )


def _prepare_sqlite_file(path: Path) -> None:
    """Create the file owner-only (0600) before SQLite does, since it holds personal names.
    (A name too long for the file system made `exists()` raise: inside the `try` now.)"""
    try:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise RegistryUnavailable(
            _("cannot create the registry at {path}: {reason}").format(
                path=path, reason=os_reason(exc)
            )
        ) from exc


def _existing_sqlite_file(url: str, path: Path) -> None:
    """Refuse, before SQLite makes it, a registry file that is not there."""
    try:
        found = path.exists()
    except OSError as exc:  # a name too long for the file system
        raise RegistryUnavailable(
            _("cannot open the registry at {path}: {reason}").format(
                path=path, reason=os_reason(exc)
            )
        ) from exc
    if not found:
        raise missing(url)


#: Tells what a SQLite file is, on connecting, before anything is written to it; raises
#: to refuse it. `dandan.schema.identify_sqlite`, which knows the registry's schema.
Identify = Callable[[sqlite3.Connection, str, bool], object]


def make_engine(url: str, *, identify: Identify | None, create: bool = False) -> Engine:
    """An engine on the registry's database. Without `create` the database must exist:
    a SQLite file is neither made (nor its folder) nor given dandan's tables; with it
    (`register`, `import`, `db init`) a missing file is made, owner-only.

    A SQLite file is identified by `identify` on every connection, before anything is
    written to it (even the WAL mode): a file of another application is refused
    unchanged. The caller passes it (`dandan.schema.open_engine` does), so that this module
    knows engines only, and the schema's knowledge stays above it; `None` only for a
    database that is not a registry."""
    from sqlalchemy.exc import NoSuchModuleError

    try:
        parsed = make_url(accepted(url))
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(
            _("not a path or database URL: {url}").format(url=masked(url)), field="db"
        ) from exc
    if parsed.get_backend_name() != "sqlite":
        # psycopg prepares a statement after its fifth run and may keep a plan made when
        # a table was nearly empty: mid-import, a lookup by code turned into a full scan.
        args = {"prepare_threshold": None} if parsed.get_driver_name() == "psycopg" else {}
        try:
            return create_engine(url, pool_pre_ping=True, connect_args=args)
        except ModuleNotFoundError as exc:
            raise UsageError(
                _(
                    "the driver for {driver} is not installed (pip install 'dandan[postgres]')"
                ).format(driver=parsed.drivername),
                field="db",
            ) from exc
        except NoSuchModuleError as exc:
            raise UsageError(
                _("{url} is not a registry dandan can open; give {forms}").format(
                    url=masked(url), forms=ACCEPTED_FORMS
                ),
                field="db",
            ) from exc
    path = sqlite_path(url)
    if path is not None:
        if create:
            _prepare_sqlite_file(path)
        else:
            _existing_sqlite_file(url, path)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    def identified(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        if identify is None:
            return
        where = str(path) if path is not None else masked(url)
        try:
            identify(dbapi_connection, where, create)
        except sqlite3.DatabaseError as exc:  # not a SQLite file, a damaged one, locked
            raise unavailable(url, str(exc) or type(exc).__name__) from exc

    event.listen(engine, "connect", identified)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
    add_collation(dbapi_connection)


# -- Vietnamese order in the database ----------------------------------------------
#: The collation's name on both backends.
COLLATION = "vi"
#: PostgreSQL's: ICU's Vietnamese, numbers by value ("Phường 2" before "Phường 10").
#: Created with the tables (`models._after_create`) and by migration 0004.
POSTGRES_COLLATION = (
    f"CREATE COLLATION IF NOT EXISTS {COLLATION} (provider = icu, locale = 'vi-u-kn-true')"
)

_collation_key = lru_cache(maxsize=1 << 17)(sort_key)


def compare_vietnamese(a: str, b: str) -> int:
    """SQLite's `vi` collation: the order of `text.sort_key`. An ORDER BY compares
    each name many times, so keys come from a cache."""
    if a == b:
        return 0
    key_a, key_b = _collation_key(a), _collation_key(b)
    return -1 if key_a < key_b else 1


def add_collation(connection: sqlite3.Connection) -> None:
    """Teach a SQLite connection the `vi` collation. Every connection dandan opens gets
    it, rather than the tables' definitions: a collation named in DDL makes the file
    unreadable to every SQLite tool that does not define it (the sqlite3 shell, DB
    Browser, a backup script)."""
    connection.create_collation(COLLATION, compare_vietnamese)


class vietnamese(FunctionElement[Any]):
    """`vietnamese(column)` orders by the column in Vietnamese order on either backend.

    SQLite: `column COLLATE vi`. PostgreSQL: the column's words, compared one by one
    with the `vi` collation: ICU compares every letter of the whole text before any
    tone, which puts "Hạ Hòa" before "Hà Trung"; word by word it agrees with
    `text.sort_key` (names are stored cleaned: single spaces between words).
    """

    inherit_cache = True
    name = "vietnamese"

    def __init__(self, column: ColumnElement[Any] | Any) -> None:
        super().__init__(column)


@compiles(vietnamese)
def _collated(element: vietnamese, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"{compiler.process(column, **kw)} COLLATE {COLLATION}"


@compiles(vietnamese, "postgresql")
def _collated_words(element: vietnamese, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"string_to_array({compiler.process(column, **kw)}, ' ') COLLATE {COLLATION}"


@compiles(Table, "sqlite")
def _hinted(element: Table, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite's INDEXED BY and NOT INDEXED, given as `Select.with_hint(table, hint,
    "sqlite")`: SQLAlchemy renders a table's hints on other databases, not SQLite's.
    Tallies name the covering index they are built for (`dandan.tallies`)."""
    text: str = compiler.visit_table(element, **kw)  # type: ignore[no-untyped-call]
    hints = kw.get("fromhints")
    if hints and element in hints and kw.get("asfrom") and not kw.get("ashint"):
        text = f"{text} {hints[element]}"
    return text


class ReadFirst(Join):
    """An inner join whose left side SQLite reads first (its CROSS JOIN), whatever the
    statistics say: a tally over recognitions reads them and each model by id, where
    statistics once made SQLite read every model and look its recognitions up (5 s
    instead of 1 s at 4 million models). Other databases get a plain JOIN."""

    inherit_cache = True


@compiles(ReadFirst)
def _join(join: ReadFirst, compiler: SQLCompiler, **kw: Any) -> str:
    text: str = compiler.visit_join(join, **kw)  # type: ignore[no-untyped-call]
    return text


@compiles(ReadFirst, "sqlite")
def _cross_join(join: ReadFirst, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("asfrom", None)
    linter = kw.get("from_linter")
    if linter is not None:  # the two sides are joined (SQLAlchemy warns of lone tables)
        linter.edges.update(itertools.product(join.left._from_objects, join.right._from_objects))
    left = join.left._compiler_dispatch(compiler, asfrom=True, **kw)
    right = join.right._compiler_dispatch(compiler, asfrom=True, **kw)
    assert join.onclause is not None  # made with one
    on = join.onclause._compiler_dispatch(compiler, **kw)
    return f"{left} CROSS JOIN {right} ON {on}"


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("dandan_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn driver failures to reach or lock the registry into exit code 3: operational
    errors, and the database's own, unclassified ones: a file that is not a SQLite
    database (`--db data.csv`, which was a traceback) or a damaged one. Errors of a
    statement (programming, data, constraints) are ours, and stay visible."""
    try:
        yield
    except DatabaseError as exc:
        if not isinstance(exc, OperationalError) and type(exc) is not DatabaseError:
            raise
        text = str(exc.orig) if exc.orig is not None else str(exc)
        raise unavailable(url, text or type(exc).__name__) from exc


def unavailable(url: str, text: str) -> RegistryUnavailable:
    """The driver's refusal to reach or lock the registry, as one line with exit code 3."""
    if "locked" in text or "busy" in text:
        return RegistryUnavailable(
            _(
                "the registry {url} stayed locked for {seconds} s; "
                "try again when the other writer is done"
            ).format(url=masked(url), seconds=BUSY_TIMEOUT_MS // 1000)
        )
    first = text.strip().splitlines()[0] if text.strip() else text
    return RegistryUnavailable(
        _("cannot use the registry {url}: {reason}").format(
            url=masked(url), reason=driver_reason(scrubbed(first, url))
        )
    )


#: The drivers' refusals a user meets, by what the driver says (SQLite's messages are
#: fixed; PostgreSQL's carry a host or a name): ours, in the reader's language.
DRIVER_REASONS: tuple[tuple[str, str], ...] = (
    (r"unable to open database file", N_("the file cannot be opened (a folder, or no access)")),
    (r"file is not a database", N_("the file is not a SQLite database")),
    (r"database disk image is malformed", N_("the database file is damaged")),
    (r"disk I/O error", N_("the disk could not be read or written")),
    (r"attempt to write a readonly database", N_("the registry is read-only")),
    (r"database or disk is full", N_("the disk is full")),
    (r"authorization denied", N_("access denied")),
    (r".*Connection refused.*", N_("the server refused the connection; is it running?")),
    (
        r".*(?:could not translate host name|Name or service not known|nodename nor servname)"
        r".*",
        N_("no such server (its name is unknown)"),
    ),
    (r".*password authentication failed.*", N_("the user name or password is wrong")),
    (r'.*database "(?P<name>[^"]*)" does not exist.*', N_("no database {name!r} on the server")),
    (r'.*role "(?P<name>[^"]*)" does not exist.*', N_("no user {name!r} on the server")),
    (r".*(?:timeout expired|timed out).*", N_("the server did not answer in time")),
)


def driver_reason(text: str) -> str:
    """A driver's reason in the reader's language, when it is one we know; else as the
    driver said it."""
    import re

    for pattern, message in DRIVER_REASONS:
        if m := re.fullmatch(pattern, text.strip(), flags=re.IGNORECASE | re.DOTALL):
            return _(message).format(**m.groupdict())
    return text


def scrubbed(message: str, url: str) -> str:
    """A driver's message without the URL's secrets, should the driver repeat them
    (the URL itself, or a password, as typed or percent-encoded)."""
    from urllib.parse import quote, quote_plus

    for secret in sorted(secrets(url), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            message = message.replace(form, "***")
    return message
