"""Which databases dandan takes for a registry, which it refuses unchanged, and what it
shows of a URL; `db check` finding real damage and `db repair` mending what it can."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dandan import database, schema
from dandan.cli import app
from dandan.maintenance import check
from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump

FIRST_RELEASE = Path(__file__).parent / "data" / "registry-0.1.0.db"
#: "DNDN", as SQLite keeps it in the file's header.
DANDAN_ID = 0x444E444E
READS = [
    ("tally",),
    ("stats",),
    ("list",),
    ("show", "QTR-2023-00001"),
    ("list", "--search", "x"),
    ("history", "QTR-2023-00001"),
    ("log",),
    ("imports",),
    ("export", "-"),
    ("db", "check"),
    ("db", "upgrade"),
]


def dandan(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args])


def application_id(path: Path) -> int:
    """The file's mark, as SQLite reads it (the header's page may still be in the WAL)."""
    with sqlite3.connect(path) as conn:
        (found,) = conn.execute("PRAGMA application_id").fetchone()
    conn.close()
    return int(found)


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- finding 5: other applications' SQLite files ---------------------------------------


def other_application(path: Path, kind: str) -> None:
    with sqlite3.connect(path) as conn:
        if kind == "unrelated":
            conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
            conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
        elif kind == "models":  # a table of dandan's name, of its own
            conn.execute("CREATE TABLE models (id INTEGER PRIMARY KEY, name TEXT)")
            conn.execute("INSERT INTO models VALUES (1, 'resnet')")
        elif kind == "alembic":  # another application with Alembic and the same names
            for table in ("models", "recognitions", "import_batches"):
                conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
            conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
            conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        elif kind == "wal":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE notes (body TEXT)")
        elif kind == "application_id":  # an empty database that says whose it is
            conn.execute("PRAGMA application_id = 1234")
    conn.close()


@pytest.mark.parametrize("kind", ["unrelated", "models", "alembic", "wal", "application_id"])
@pytest.mark.parametrize(
    "command",
    [
        ("tally",),
        ("list",),
        ("db", "check"),
        ("db", "init"),
        ("db", "upgrade"),
        REGISTER,
    ],
)
def test_another_applications_file_is_refused_unchanged(
    tmp_path: Path, kind: str, command: tuple[str, ...]
) -> None:
    path = tmp_path / "other.db"
    other_application(path, kind)
    before, names = path.read_bytes(), files(tmp_path)
    result = dandan(path, *command)
    assert result.exit_code == 3, result.stdout + result.stderr
    assert result.stderr == (
        f"error: {path} is not a dandan registry (a database of another application); "
        "it was left as it was: give the registry's path, or a new file's\n"
    )
    assert result.stdout == ""
    assert path.read_bytes() == before
    assert files(tmp_path) == names  # no backup copy, no journal left behind


@pytest.mark.sqlite_only
def test_a_new_registry_says_it_is_dandans(run: Run, db: Path) -> None:
    assert run(*REGISTER).exit_code == 0
    assert application_id(db) == DANDAN_ID


@pytest.mark.sqlite_only
def test_an_older_registry_is_recognised_and_marked_when_next_written(
    run: Run, db: Path, tmp_path: Path
) -> None:
    assert run(*REGISTER).exit_code == 0
    with sqlite3.connect(db) as conn:  # as dandan made them before the mark
        conn.execute("PRAGMA application_id = 0")
    conn.close()
    before = dump(db)
    assert run("list").exit_code == 0
    assert application_id(db) == 0 and dump(db) == before  # reading leaves it as it was
    assert run(*REGISTER, "--allow-duplicate").exit_code == 0
    assert application_id(db) == DANDAN_ID
    assert [p for p in tmp_path.iterdir() if ".bak" in p.name] == []


def test_the_first_release_still_upgrades_and_is_marked(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    shutil.copy(FIRST_RELEASE, db)
    result = dandan(db, "tally")
    assert result.exit_code == 0, result.stderr
    assert "upgrading the registry" in result.stderr
    assert application_id(db) == DANDAN_ID
    assert len(list(tmp_path.glob("registry.db.schema-0001.*.bak"))) == 1
    assert dandan(db, "tally").exit_code == 0
    assert len(list(tmp_path.glob("*.bak"))) == 1  # one copy, not one per command


# -- finding 6: reading never makes a registry -------------------------------------------


@pytest.mark.parametrize("command", READS)
def test_a_mistyped_registry_is_an_error_and_nothing_is_made(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = tmp_path / "typo" / "deeper" / "registry.db"
    result = dandan(path, *command)
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: no registry at {path}; `dandan db init` makes an empty one there "
        "(or the first `dandan register` or `dandan import`)\n"
    )
    assert files(tmp_path) == []


def test_an_empty_file_is_no_registry_either(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    for command in (("tally",), ("db", "check"), ("db", "backup", str(tmp_path / "b.db"))):
        result = dandan(path, *command)
        assert result.exit_code == 3
        assert "no registry at" in result.stderr
    assert path.read_bytes() == b""
    assert files(tmp_path) == ["empty.db"]


def test_the_default_registry_is_not_made_by_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANDAN_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(database, "default_path", lambda: tmp_path / "data" / "registry.db")
    result = CliRunner().invoke(app, ["tally"])
    assert result.exit_code == 3
    assert "`dandan db init`" in result.stderr
    assert files(tmp_path) == []


def test_db_init_makes_an_empty_registry_once(tmp_path: Path) -> None:
    path = tmp_path / "new" / "registry.db"
    made = dandan(path, "db", "init")
    assert made.exit_code == 0, made.stderr
    assert made.stdout == f"{path}\n"
    assert application_id(path) == DANDAN_ID
    with Registry(str(path)) as registry:
        assert registry.count() == 0
        with registry.engine.connect() as conn:
            assert schema.revision(conn) == schema.HEAD
    tally = dandan(path, "tally", "--format", "json")
    assert tally.exit_code == 0 and '"registered": 0' in tally.stdout
    assert dandan(path, *REGISTER).exit_code == 0
    before = dump(path)
    again = dandan(path, "db", "init")
    assert again.exit_code == 1
    assert "already holds a registry (schema" in again.stderr
    assert dump(path) == before


def test_register_and_import_still_make_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "first" / "registry.db"
    assert dandan(path, *REGISTER).exit_code == 0
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "code,name,province,field,sponsor,registered_on\n"
        "T-1,Tổ tự quản,Huế,kinh tế,phụ nữ,2024-01-02\n",
        encoding="utf-8",
    )
    other = tmp_path / "second.db"
    assert dandan(other, "import", str(rows)).exit_code == 0
    assert Registry(str(path)).count() == 1 and Registry(str(other)).count() == 1


def test_recognize_on_a_missing_registry_makes_none(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    result = dandan(path, "recognize", "QTR-2023-00001", "--year", "2024", "--level", "xã")
    assert result.exit_code == 3
    assert files(tmp_path) == []


# -- finding 3 and 9: URLs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("postgresql+psycopg://u@127.0.0.1:9/d?password=pw-in-query", ["pw-in-query"]),
        ("postgresql+psycopg://u:user-pw@127.0.0.1:9/d", ["user-pw"]),
        (
            "postgresql+psycopg://u@127.0.0.1:9/d?sslpassword=ssl-pw&sslmode=require"
            "&api_token=tok-123&secret_key=k-456",
            ["ssl-pw", "tok-123", "k-456"],
        ),
        ("postgresql+psycopg://u@127.0.0.1:9/d?PassWord=caps%20pw", ["caps pw", "caps%20pw"]),
    ],
)
def test_no_secret_of_a_url_is_shown(url: str, secrets: list[str]) -> None:
    shown = database.masked(url)
    assert "***" in shown
    for command in (("db", "path"), ("tally",), ("db", "check")):
        result = CliRunner().invoke(app, ["--db", url, *command])
        for secret in secrets:
            assert secret not in result.stdout + result.stderr
            assert secret not in shown
    assert "sslmode=require" in database.masked(url) or "sslmode" not in url
    message = f"connection to {url} failed for {secrets[0]}"
    assert all(secret not in database.scrubbed(message, url) for secret in secrets)


@pytest.mark.parametrize(
    "url",
    ["foo://user:hunter2@host/x", "sqlite://u:hunter2@/x.db", "sqlite://host/x.db", "mysql://a/b"],
)
def test_a_url_dandan_cannot_open_is_one_line_naming_the_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (("tally",), ("db", "path"), REGISTER):
        result = CliRunner().invoke(app, ["--db", url, *command])
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith("error: --db: ")
        assert "sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE" in result.stderr
        assert "hunter2" not in result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert files(tmp_path) == []  # the SQLite one made x.db in the working folder


# -- finding 7: db check and db repair -------------------------------------------------


def register(run: Run, count: int) -> None:
    for i in range(count):
        done = run(*REGISTER[:1], f"Mô hình {i}", *REGISTER[2:], "--allow-duplicate")
        assert done.exit_code == 0, done.stderr


def closed(db: Path) -> None:
    """Every page in the file itself, as after the last command ended: the CLI's
    in-process runs leave their connections to the garbage collector."""
    gc.collect()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def page_of(db: Path, index: str) -> tuple[int, int]:
    closed(db)
    with sqlite3.connect(db) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    return (root - 1) * size, size


@pytest.mark.sqlite_only
def test_a_damaged_index_is_found_and_rebuilt(run: Run, db: Path) -> None:
    """A page of the tallies' index written back as it was earlier (a lost write):
    `tally` counted 3 models of 8, `db check` said "sound"."""
    register(run, 3)
    offset, size = page_of(db, "ix_models_tally")
    with db.open("rb") as f:
        f.seek(offset)
        stale = f.read(size)
    register(run, 5)
    closed(db)
    with db.open("r+b") as f:
        f.seek(offset)
        f.write(stale)
    found = run("db", "check", "--format", "json")
    assert found.exit_code == 1
    assert "missing from index ix_models_tally" in found.stdout
    assert "`dandan db repair`" in found.stdout
    assert found.stderr.startswith("error: the registry has ")
    assert len(found.stderr.splitlines()) == 1
    repaired = run("db", "repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert run("db", "check").exit_code == 0
    assert '"registered": 8' in run("tally", "--format", "json").stdout
    with Registry(str(db)) as registry:
        assert check(registry).ok
        with registry.engine.connect() as conn:
            events = conn.exec_driver_sql("SELECT command FROM events ORDER BY id").all()
    assert events[-1] == ("repair",)


@pytest.mark.sqlite_only
def test_an_unreadable_index_page_is_reported_with_details(run: Run, db: Path) -> None:
    """A page of garbage: the check said "database disk image is malformed", exit 3."""
    register(run, 3)
    offset, size = page_of(db, "ix_models_tally")
    with db.open("r+b") as f:
        f.seek(offset)
        f.write(b"\xa5" * size)
    found = run("db", "check", "--format", "json")
    assert found.exit_code == 1, found.stderr
    assert "integrity: " in found.stdout
    before = db.read_bytes()
    refused = run("db", "repair")
    assert refused.exit_code == 3
    assert "restore the newest `dandan db backup` copy" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert db.read_bytes() == before


def test_statuses_and_dates_that_disagree_with_the_rows_are_recounted(run: Run, db: Path) -> None:
    register(run, 2)
    codes = [m.code for m in Registry(str(db)).list_models(sort="code")]
    assert run("recognize", codes[0], "--year", "2024", "--level", "xã").exit_code == 0
    with Registry(str(db)).engine.begin() as conn:  # a script that wrote past dandan
        conn.exec_driver_sql(f"UPDATE models SET status = 'registered' WHERE code = '{codes[0]}'")
        conn.exec_driver_sql(f"UPDATE models SET status = 'withdrawn' WHERE code = '{codes[1]}'")
    found = run("db", "check")
    assert found.exit_code == 1
    assert "2 models have a status their recognitions and withdrawal disagree with" in (
        found.stderr
    )
    assert "`dandan db repair` recounts them" in found.stderr
    assert run("db", "repair").exit_code == 0
    statuses = {m.code: m.status for m in Registry(str(db)).list_models()}
    assert statuses == {codes[0]: "recognized", codes[1]: "registered"}
    assert run("db", "check").exit_code == 0


@pytest.mark.sqlite_only
def test_dropped_triggers_and_deleted_events_are_found(run: Run, db: Path) -> None:
    register(run, 3)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER events_append_only_delete")
        conn.execute("DROP TRIGGER recognitions_first_on_insert")
        conn.execute("DELETE FROM events WHERE id = 2")
    conn.close()
    found = run("db", "check", "--format", "json")
    assert found.exit_code == 1
    for said in (
        "trigger events_append_only_delete is missing: the audit trail is not append-only",
        "trigger recognitions_first_on_insert is missing",
        "1 models registered by hand have no registration event",
        "deleted events cannot be restored",
    ):
        assert said in found.stdout
    repaired = run("db", "repair")
    assert repaired.exit_code == 1  # the events stay lost, and it says so
    assert "no registration event" in repaired.stderr
    with sqlite3.connect(db) as conn:
        triggers = {row[0] for row in conn.execute("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'trigger'")}  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")
    conn.close()
    assert {"events_append_only_delete", "recognitions_first_on_insert"} <= triggers


def test_an_import_batch_whose_counts_were_changed_is_found(
    run: Run, db: Path, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "code,name,province,field,sponsor,registered_on\n"
        "T-1,Tổ tự quản,Huế,kinh tế,phụ nữ,2024-01-02\n",
        encoding="utf-8",
    )
    assert run("import", str(rows)).exit_code == 0
    assert run("db", "check").exit_code == 0
    with Registry(str(db)).engine.begin() as conn:
        conn.exec_driver_sql("UPDATE import_batches SET inserted = 0")
    found = run("db", "check")
    assert found.exit_code == 1
    assert "1 import batches have counts their event or models disagree with" in found.stderr


@pytest.mark.postgres
def test_switched_off_triggers_on_postgresql_are_found_and_recreated(pg_url: str) -> None:
    assert dandan(pg_url, *REGISTER).exit_code == 0
    with Registry(pg_url).engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER events_append_only")
        conn.exec_driver_sql("DROP TRIGGER recognitions_first_recognized ON recognitions")
    found = dandan(pg_url, "db", "check", "--format", "json")
    assert found.exit_code == 1
    assert "trigger events_append_only is missing" in found.stdout
    assert "trigger recognitions_first_recognized is missing" in found.stdout
    assert dandan(pg_url, "db", "repair").exit_code == 0
    assert dandan(pg_url, "db", "check").exit_code == 0
