"""Files the user names for output (`import --errors`, `export`, `report`, `db backup`):
never over the registry, its journal or an input; whole or absent; owner-only; none
when there is nothing to write; and no debris left by a killed or failing writer."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dandan.cli import app
from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump
from tests.generated import generate, write_csv

pytestmark = pytest.mark.sqlite_only

HEADER = "name,province,field,sponsor\n"
GOOD = HEADER + "Tổ tự quản đường làng,quang tri,kt,phu nu\n"
BAD = HEADER + "Tổ tự quản đường làng,quang tri,kt,phu nu\nSân chơi thiếu nhi,Atlantis,kt,phu nu\n"
FIRST_RELEASE = Path(__file__).parent / "data" / "registry-0.1.0.db"


def dandan(db: Path, *args: str) -> Result:
    """The command line on a registry of any name (the `run` fixture's is registry.db)."""
    return CliRunner().invoke(app, ["--db", str(db), *args])


def refused(result: Result) -> None:
    """A usage error in one line, with the way out."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ") and "choose another name" in result.stderr
    assert "Traceback" not in result.stderr


def quiet(db: Path) -> None:
    """Checkpoint the registry's WAL into the file, so that a copy of the file is whole."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.fixture
def loaded(run: Run, db: Path, tmp_path: Path) -> Path:
    """A registry holding 40 models, as a clerk's registry would."""
    result = run("import", str(write_csv(tmp_path / "seed.csv", generate(40, seed=13))))
    assert result.exit_code == 0, result.stderr
    quiet(db)
    return db


# -- finding 1: import --errors over the registry or an input ---------------------------


def test_errors_over_the_registry_is_refused_and_the_registry_kept(
    loaded: Path, tmp_path: Path
) -> None:
    # The report's reproduction: `cp demo.db r.db; dandan --db r.db import ok.csv
    # --errors r.db` left a registry of 1 model, without its audit trail, and exit 0.
    r = tmp_path / "r.db"
    shutil.copy(loaded, r)
    ok = write_csv(tmp_path / "ok.csv", generate(5, seed=14))
    before, models = dump(r), Registry(str(r)).count()
    assert models == 40

    result = dandan(r, "import", str(ok), "--errors", str(r))

    refused(result)
    said = f"error: --errors: FILE {r} is the registry itself; choose another name"
    assert result.stderr.splitlines() == [said]
    assert Registry(str(r)).count() == models
    assert dump(r) == before


TARGETS: dict[str, Callable[[Path, Path], Path]] = {
    "the registry": lambda db, source: db,
    "the registry, spelt another way": lambda db, source: db.parent / "." / "x" / ".." / db.name,
    "its -wal": lambda db, source: db.with_name(db.name + "-wal"),
    "its -shm": lambda db, source: db.with_name(db.name + "-shm"),
    "its -journal": lambda db, source: db.with_name(db.name + "-journal"),
    "a symlink to the registry": lambda db, source: _link(db, "link.db", os.symlink),
    "a hard link to the registry": lambda db, source: _link(db, "hard.db", os.link),
    "a symlink to its -wal": lambda db, source: _link(
        db.with_name(db.name + "-wal"), "wal-link", os.symlink
    ),
    "the input": lambda db, source: source,
    "a symlink to the input": lambda db, source: _link(source, "in-link.csv", os.symlink),
    "a hard link to the input": lambda db, source: _link(source, "in-hard.csv", os.link),
}


def _link(to: Path, name: str, make: Callable[[Path, Path], None]) -> Path:
    link = to.with_name(name)
    make(to, link)
    return link


@pytest.mark.parametrize("target", TARGETS)
def test_errors_never_goes_over_the_registry_its_journal_or_an_input(
    run: Run, loaded: Path, tmp_path: Path, target: str
) -> None:
    source = tmp_path / "batch.csv"
    source.write_text(BAD, encoding="utf-8")
    path = TARGETS[target](loaded, source)
    before, models = dump(loaded), Registry(str(loaded)).count()

    result = run("import", str(source), "--skip-invalid", "--errors", str(path))

    refused(result)
    assert result.stderr.startswith(f"error: --errors: FILE {path} is ")
    assert Registry(str(loaded)).count() == models
    assert dump(loaded) == before
    assert source.read_text(encoding="utf-8") == BAD
    assert [p.name for p in tmp_path.iterdir() if ".dandan-" in p.name] == []


def test_errors_with_several_inputs_protects_each(run: Run, loaded: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(GOOD, encoding="utf-8")
    second.write_text(BAD, encoding="utf-8")
    result = run("import", str(first), str(second), "--skip-invalid", "--errors", str(second))
    refused(result)
    assert "is an input of this command" in result.stderr
    assert second.read_text(encoding="utf-8") == BAD
    assert Registry(str(loaded)).count() == 40


# -- finding 1: the errors file is private, whole, and only made when a row is rejected ---


def test_no_rejected_row_makes_no_errors_file(run: Run, registry: Registry, tmp_path: Path) -> None:
    source = tmp_path / "good.csv"
    source.write_text(GOOD, encoding="utf-8")
    fresh = tmp_path / "fresh-errors.csv"
    result = run("import", str(source), "--errors", str(fresh))
    assert result.exit_code == 0, result.stderr
    assert not fresh.exists()
    assert registry.count() == 1
    assert leftovers(tmp_path) == []


def test_no_rejected_row_leaves_an_existing_file_alone(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    source = tmp_path / "good.csv"
    source.write_text(GOOD, encoding="utf-8")
    kept = tmp_path / "notes.csv"
    kept.write_bytes(b"a clerk's own notes\n")
    kept.chmod(0o640)
    result = run("import", str(source), "--errors", str(kept))
    assert result.exit_code == 0, result.stderr
    assert kept.read_bytes() == b"a clerk's own notes\n"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert registry.count() == 1


def test_errors_file_is_owner_only(run: Run, registry: Registry, tmp_path: Path) -> None:
    # It holds people's names; it was created 0644 (world-readable) under the usual umask.
    source = tmp_path / "batch.csv"
    source.write_text(BAD, encoding="utf-8")
    errors = tmp_path / "rejected.csv"
    old = os.umask(0o022)
    try:
        result = run("import", str(source), "--skip-invalid", "--errors", str(errors))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(errors.stat().st_mode) == 0o600
    lines = errors.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("file,line,column,error,")
    assert lines[1].startswith("batch.csv,3,province,")
    assert len(lines) == 2
    assert registry.count() == 1


def test_errors_file_replaces_a_symlink_rather_than_writing_through_it(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    source = tmp_path / "batch.csv"
    source.write_text(BAD, encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"someone else's file\n")
    errors = tmp_path / "rejected.csv"
    errors.symlink_to(victim)
    result = run("import", str(source), "--skip-invalid", "--errors", str(errors))
    assert result.exit_code == 0, result.stderr
    assert victim.read_bytes() == b"someone else's file\n"
    assert not errors.is_symlink()
    assert errors.read_text(encoding="utf-8-sig").splitlines()[1].startswith("batch.csv,3,")
    assert registry.count() == 1


def test_a_failed_import_leaves_no_half_errors_file(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    # The rows of the first file were written out, then the second file was missing.
    source = tmp_path / "batch.csv"
    source.write_text(BAD, encoding="utf-8")
    errors = tmp_path / "rejected.csv"
    result = run(
        "import", str(source), str(tmp_path / "missing.csv"), "--skip-invalid", "--errors",
        str(errors),
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'missing.csv'}: no such file"]
    assert not errors.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert registry.count() == 0


# -- the same guard on export, report and db backup ------------------------------------


@pytest.mark.parametrize(
    ("registry_name", "args"),
    [
        ("registry.csv", ["export", "{db}"]),
        ("registry.json", ["export", "{db}"]),
        ("registry.db", ["export", "{hard}.csv"]),
        ("registry.html", ["report", "{db}"]),
        ("registry.db", ["report", "{hard}.html"]),
        ("registry.db", ["db", "backup", "{db}-wal"]),
        ("registry.db", ["db", "backup", "{db}-shm"]),
        ("registry.db", ["db", "backup", "{db}-journal"]),
        ("registry.db", ["db", "backup", "{hard}.db"]),
    ],
)
def test_no_output_goes_over_the_registry_or_its_journal(
    tmp_path: Path, registry_name: str, args: list[str]
) -> None:
    db = tmp_path / registry_name
    assert dandan(db, *REGISTER).exit_code == 0
    quiet(db)
    hard = tmp_path / "hard"
    wanted = [a.format(db=db, hard=hard) for a in args]
    if "{hard}" in " ".join(args):
        os.link(db, wanted[-1])
    before = dump(db)

    refused(dandan(db, *wanted))

    assert dump(db) == before
    assert Registry(str(db)).count() == 1
    assert [p.name for p in tmp_path.iterdir() if ".dandan-" in p.name] == []


def test_backup_over_the_live_wal_is_refused_and_loses_nothing(db: Path, tmp_path: Path) -> None:
    # Found by trying it: `db backup r.db-wal` replaced the WAL another process was using,
    # and the registrations it had committed there were gone.
    assert dandan(db, *REGISTER).exit_code == 0
    holder = sqlite3.connect(db)  # another clerk's open registry: its WAL stays
    try:
        holder.execute("SELECT count(*) FROM models").fetchall()
        # committed, in the WAL for now
        assert dandan(db, *REGISTER, "--allow-duplicate").exit_code == 0
        wal = db.with_name(db.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0

        refused(dandan(db, "db", "backup", str(wal)))

        assert holder.execute("SELECT count(*) FROM models").fetchone() == (2,)
    finally:
        holder.close()
    assert Registry(str(db)).count() == 2
    assert dandan(db, "db", "check").exit_code == 0


# -- finding 9: what a killed or failing writer leaves -----------------------------------

#: `dandan ARGS` in a process that kills itself (SIGKILL: no clean-up of any kind) when
#: the writer reaches `module.name`, as a power cut or the OOM killer would.
KILLED_AT = """
import os, signal, sys
import importlib
module, name, *args = sys.argv[1:]
target = importlib.import_module(module)

def killed(*given, **named):
    for handle in given:
        if hasattr(handle, "write") and hasattr(handle, "flush"):
            handle.write("code,name\\nQTR-2024-00001,Nguyễn Văn An\\n")
            handle.flush()
    os.kill(os.getpid(), signal.SIGKILL)

setattr(target, name, killed)
sys.argv = ["dandan", *args]
from dandan.cli import main
main()
"""


def killed_at(module: str, name: str, db: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_AT, module, name, "--db", str(db), *args],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_killed_export_leaves_a_named_temp_that_the_next_write_removes(
    run: Run, db: Path, tmp_path: Path
) -> None:
    assert run(*REGISTER).exit_code == 0
    out = tmp_path / "out" / "models.csv"
    out.parent.mkdir()
    killed_at("dandan.exporting", "_write_csv", db, "export", str(out))
    left = leftovers(out.parent)
    assert len(left) == 1 and not out.exists()
    # Recognisably dandan's, and whose: .NAME.dandan-PID-XXXXXXXX.tmp
    assert left[0].startswith(".models.csv.dandan-") and left[0].endswith(".tmp"), left

    report = run("report", str(out.parent / "figures.html"))  # any write into that folder
    assert report.exit_code == 0, report.stderr
    assert leftovers(out.parent) == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["figures.html"]


def test_a_killed_upgrade_leaves_a_temp_that_the_next_one_removes(tmp_path: Path) -> None:
    # The copy made before an upgrade is named by the time: the clean-up, which looked
    # for the same name, never matched what a killed upgrade had left.
    db = tmp_path / "registry.db"
    shutil.copy(FIRST_RELEASE, db)
    killed_at("dandan.schema", "add_collation", db, "list")
    left = leftovers(tmp_path)
    assert len(left) == 1 and ".bak.dandan-" in left[0], left

    result = dandan(db, "list", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "upgrading the registry" in result.stderr
    assert leftovers(tmp_path) == []
    assert len(list(tmp_path.glob("registry.db.schema-0001.*.bak"))) == 1
    assert Registry(str(db)).count() == 197


def test_others_files_and_running_writers_temps_are_left_alone(
    run: Run, db: Path, tmp_path: Path
) -> None:
    assert run(*REGISTER).exit_code == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = tmp_path / "out"
    folder.mkdir()
    stale = folder / f".old.csv.dandan-{dead.pid}-abcd1234.tmp"
    alive = folder / f".old.csv.dandan-{os.getppid()}-abcd1234.tmp"
    foreign = [folder / f".old.csv.{dead.pid}.tmp", folder / ".old.csv.k2j3h4g5"]
    for path in (stale, alive, *foreign):
        path.write_text("half", encoding="utf-8")
    result = run("export", str(folder / "models.json"))
    assert result.exit_code == 0, result.stderr
    assert not stale.exists()
    assert alive.exists() and all(path.exists() for path in foreign)


XLSX_EXPORT = [sys.executable, "-m", "dandan", "--db", "{db}", "export", "{out}"]


def _export_xlsx(db: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    args = [a.format(db=db, out=out) for a in XLSX_EXPORT]
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


def _one_clear_line(proc: subprocess.CompletedProcess[str], out: Path) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(f"error: FILE {out}: cannot write it (")
    assert not out.exists()
    assert leftovers(out.parent) == []


@pytest.fixture
def bigger(run: Run, db: Path, tmp_path: Path) -> Path:
    """Enough models for a workbook larger than the small disks below."""
    result = run("import", str(write_csv(tmp_path / "seed.csv", generate(800, seed=21))))
    assert result.exit_code == 0, result.stderr
    quiet(db)
    return db


def test_a_full_temporary_folder_during_xlsx_export_is_one_error_line(
    bigger: Path, tmp_path: Path
) -> None:
    # openpyxl keeps a write-only sheet's rows in the temporary folder; when that filled
    # up, its generators, closed by the garbage collector, printed "Exception ignored …
    # Traceback". A file size limit stands for the full disk: every write past it fails.
    out = tmp_path / "out" / "models.xlsx"
    out.parent.mkdir()
    limit = 48 * 1024
    args = [a.format(db=bigger, out=out) for a in XLSX_EXPORT]

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        args, capture_output=True, text=True, timeout=120, check=False, preexec_fn=small_disk
    )
    _one_clear_line(proc, out)
    assert Registry(str(bigger)).count() > 0


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a 64 KB file system: a real full disk (needs root to mount)."""
    folder = tmp_path / "small"
    folder.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the RLIMIT_FSIZE test stands in")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_during_xlsx_export_is_one_error_line(bigger: Path, full_disk: Path) -> None:
    # The workbook's archive, left open by openpyxl when the disk filled, was closed at
    # exit over a closed file: "Exception ignored in: ZipFile.__del__ … Traceback".
    out = full_disk / "models.xlsx"
    proc = _export_xlsx(bigger, out)
    _one_clear_line(proc, out)
    assert list(full_disk.iterdir()) == []
