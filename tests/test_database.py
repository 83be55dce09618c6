"""Where the registry lives and how SQLite is set up."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from dandan import database
from dandan.registry import Registry
from tests.conftest import REGISTER, Run


@pytest.mark.sqlite_only
def test_sqlite_file_is_owner_only_and_in_wal_mode(run: Run, db: Path) -> None:
    run(*REGISTER)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.sqlite_only
def test_connections_wait_for_the_lock_and_check_foreign_keys(registry: Registry) -> None:
    with registry.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == database.BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_env_var_and_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANDAN_DB", str(tmp_path / "env.db"))
    assert database.resolve_url() == f"sqlite:///{tmp_path / 'env.db'}"
    assert database.resolve_url(str(tmp_path / "opt.db")) == f"sqlite:///{tmp_path / 'opt.db'}"
    url = "postgresql+psycopg://clerk:secret@db.example/dandan"
    assert database.resolve_url(url) == url
    assert "secret" not in database.masked(url)


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "name", ["a?b.db", "a%20b.db", "a#b.db", "a:b@c.db", "'; DROP TABLE models; --"]
)
def test_any_file_name_is_the_registry_file(run: Run, tmp_path: Path, name: str) -> None:
    # Found by tests/test_fuzz.py: "--db 'x?'" opened the folder (exit code 3), and
    # "a%20b.db" the file "a b.db".
    path = tmp_path / name
    registry = Registry(str(path))
    registry.open(create=True)
    assert registry.count() == 0
    registry.close()
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".db-wal"] == [name]
    shown = run("--db", str(path), "db", "path")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.strip() == str(path)


# Found by tests/test_fuzz.py: a file that is not a SQLite database was a DatabaseError
# (a traceback), a name in Latin-1 a UnicodeEncodeError, a name too long an OSError.
@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("name", "body", "code", "said"),
    [
        ("rows.csv", b"name,province\n", 3, "cannot use the registry sqlite:///"),
        ("x.db", b"SQLite format 3\x00" + b"\xff" * 200, 3, "cannot use the registry sqlite:///"),
        (os.fsdecode(b"l\xf4.db"), None, 2, "the file name holds bytes that are not UTF-8"),
        ("x" * 300, None, 3, "cannot open the registry at"),
    ],
)
def test_registry_that_cannot_be_opened(
    run: Run, tmp_path: Path, name: str, body: bytes | None, code: int, said: str
) -> None:
    path = tmp_path / name
    if body is not None:
        path.write_bytes(body)
    for command in (("list",), ("tally",), ("db", "check")):
        result = run("--db", str(path), *command)
        assert result.exit_code == code, result.stderr
        assert said in result.stderr
        assert result.stderr.startswith("error: ")
        assert len(result.stderr.splitlines()) == 1
    if body is not None:
        assert path.read_bytes() == body


def test_default_location_is_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DANDAN_DB", raising=False)
    assert database.resolve_url().endswith("/dandan/registry.db")


def test_db_path_command(run: Run, db: Path) -> None:
    result = run("db", "path")
    assert result.exit_code == 0
    assert result.stdout.strip() == str(db)


@pytest.mark.sqlite_only
def test_a_locked_registry_is_exit_code_3(
    run: Run, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(*REGISTER)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        result = run(*REGISTER)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert result.exit_code == 3
    assert "stayed locked" in result.stderr
