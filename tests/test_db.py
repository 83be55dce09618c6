"""`dandan db backup`, `check` and `copy`: keeping a registry, on either backend."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dandan.cli import app
from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump
from tests.generated import generate, write_csv

MODELS = generate(120, seed=5)


@pytest.fixture
def loaded(run: Run, tmp_path: Path) -> None:
    result = run("import", str(write_csv(tmp_path / "rows.csv", MODELS)))
    assert result.exit_code == 0, result.stderr


def rows_of(db: Path) -> list[str]:
    """Every row of the registry's tables, as SQL."""
    tables = ('INSERT INTO "import_batches"', 'INSERT INTO "models"', 'INSERT INTO "recognitions"')
    return [line for line in dump(db) if line.startswith(tables)]


def as_dicts(url: str) -> list[dict[str, object]]:
    return [m.as_dict() for m in Registry(url).list_models()]


@pytest.mark.sqlite_only
@pytest.mark.usefixtures("loaded")
def test_backup_is_a_consistent_owner_only_copy(run: Run, db: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    result = run("db", "backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert dump(target) == dump(db)
    assert run("db", "backup", str(db)).exit_code == 2  # not over the registry itself
    assert run("db", "backup", str(tmp_path / "no" / "such" / "dir.db")).exit_code == 1


@pytest.mark.sqlite_only
def test_backup_removes_what_killed_backups_left(run: Run, db: Path, tmp_path: Path) -> None:
    # Found by tests/test_faults.py: a backup killed before its rename leaves its partial
    # copy, .NAME.dandan-PID-XXXXXXXX.tmp, a file of personal names, for good.
    run(*REGISTER)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f".backup.db.dandan-{dead.pid}-x1y2z3w4.tmp"
    running = tmp_path / f".backup.db.dandan-{os.getppid()}-x1y2z3w4.tmp"
    other = tmp_path / f".other.db.{dead.pid}.tmp"  # not dandan's name: not dandan's file
    for path in (left, running, other):
        path.write_bytes(b"SQLite format 3\x00 half a copy")
    result = run("db", "backup", str(tmp_path / "backup.db"))
    assert result.exit_code == 0, result.stderr
    assert not left.exists()
    assert running.exists() and other.exists()
    assert dump(tmp_path / "backup.db") == dump(db)


# Found by tests/test_fuzz.py: a folder (IsADirectoryError), a name too long for the file
# system (OSError) were tracebacks; a name in Latin-1 was written, and the command died
# printing it on stdout.
@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("name", "code", "said"),
    [
        ("", 1, "error: FILE {tmp}: is a folder; name the copy's file in it"),
        (
            "x" * 300,
            1,
            "error: FILE {tmp}/{name}: cannot write it (the name is too long for the file system)",
        ),
        (os.fsdecode(b"sao-l\xf4.db"), 0, "backed up 1 models to {tmp}/sao-l\ufffd.db"),
    ],
)
def test_backup_to_any_name(
    run: Run, db: Path, tmp_path: Path, name: str, code: int, said: str
) -> None:
    run(*REGISTER)
    before = dump(db)
    result = run("db", "backup", f"{tmp_path}/{name}")
    assert result.exit_code == code
    assert result.stderr.splitlines() == [said.format(tmp=tmp_path, name=name)]
    assert dump(db) == before


@pytest.mark.usefixtures("loaded")
def test_check_passes_a_sound_registry_and_names_what_is_wrong(run: Run, db: Path) -> None:
    sound = run("db", "check", "--format", "json")
    assert sound.exit_code == 0, sound.stderr
    assert '"ok": true' in sound.stdout
    with Registry(str(db)).engine.begin() as conn:  # a script that wrote past the triggers
        conn.exec_driver_sql(
            "UPDATE models SET first_recognized_on = '2000-01-01' "
            "WHERE id = (SELECT min(model_id) FROM recognitions)"
        )
    broken = run("db", "check")
    assert broken.exit_code == 1
    assert "first recognition date" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1


@pytest.mark.sqlite_only
@pytest.mark.usefixtures("loaded")
def test_copy_moves_every_row_and_refuses_a_non_empty_target(
    run: Run, db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    result = run("db", "copy", "--to", str(target), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert len(rows_of(db)) > len(MODELS)
    assert rows_of(target) == rows_of(db)
    again = run("db", "copy", "--to", str(target))
    assert again.exit_code == 1
    assert "already holds a registry" in again.stderr


@pytest.mark.sqlite_only
@pytest.mark.postgres
@pytest.mark.usefixtures("loaded")
def test_copy_to_postgresql_and_back_gives_the_same_registry(
    run: Run, db: Path, tmp_path: Path, pg_url: str
) -> None:
    to_server = run("db", "copy", "--to", pg_url)
    assert to_server.exit_code == 0, to_server.stderr
    assert as_dicts(pg_url) == as_dicts(str(db))
    # The server takes new models after the copied ids.
    added = CliRunner().invoke(
        app,
        ["--db", pg_url, "register", "Mới", "--province", "Huế", "--field", "kt",
         "--sponsor", "phụ nữ"],
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    back = tmp_path / "back.db"
    home = CliRunner().invoke(app, ["--db", pg_url, "db", "copy", "--to", str(back)])
    assert home.exit_code == 0, home.stderr
    assert as_dicts(str(back)) == as_dicts(pg_url)
    assert len(as_dicts(str(back))) == len(MODELS) + 1
    refused = CliRunner().invoke(app, ["--db", pg_url, "db", "backup", str(tmp_path / "x.db")])
    assert refused.exit_code == 2
    assert "pg_dump" in refused.stderr


def test_passwords_never_show(tmp_path: Path) -> None:
    url = "postgresql+psycopg://clerk:s3cr3t-pw@127.0.0.1:9/dandan"
    for args in (["db", "path"], ["tally"], ["list"]):
        result = CliRunner().invoke(app, ["--db", url, *args])
        assert "s3cr3t-pw" not in result.stdout + result.stderr
    assert "***" in CliRunner().invoke(app, ["--db", url, "db", "path"]).stdout
