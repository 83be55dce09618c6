"""Crashes: `kill -9` at random moments of an import, a registration and a backup.

Each command is first run once to the end, which gives its duration T and the state
it leaves. Then it is started again and again on a fresh copy of the same registry
and killed after a delay drawn uniformly in [0, 1.2 T] (one in each of as many equal
slices as there are kills): before it writes, while it writes, or after it has
committed. Whatever the moment, the registry must pass
SQLite's integrity check and `dandan db check`, and hold either the whole change or
none of it; a backup is either absent from its path or a complete copy.

`DANDAN_FAULT_RUNS` kills per command (5 here, 50 in `make fuzz`); the delays come
from a fixed seed (`DANDAN_FAULT_SEED`), so a failure is reproducible. The counts of
kills before, during and after the write are printed at the end of the run.
"""

from __future__ import annotations

import csv
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dandan.cli import app
from dandan.maintenance import check
from dandan.registry import Registry
from tests.conftest import dump

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "data" / "seed_models.csv"
RUNS = int(os.environ.get("DANDAN_FAULT_RUNS", "5"))
SEED = int(os.environ.get("DANDAN_FAULT_SEED", "20251123"))
#: No single run may take longer than this (a hung process fails the test, not the suite).
TIMEOUT = 120

# The command exactly as `python -m dandan` runs it, plus a note in a side file each
# time a write transaction begins: then a kill that left the registry as it was can
# be told apart as "before the write" or "during the write".
LAUNCHER = """
import os, sys, time
from sqlalchemy import Engine, event

marks = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

def mark(what):
    def note(conn):
        if conn.get_execution_options().get("dandan_write"):
            os.write(marks, f"{what} {time.monotonic()}\\n".encode())
    return note

event.listen(Engine, "begin", mark("write"))
event.listen(Engine, "commit", mark("commit"))
sys.argv = ["dandan", *sys.argv[2:]]
from dandan.cli import main
main()
"""

_TIMESTAMP = re.compile(r"'\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?'")


def state(db: Path) -> list[str]:
    """`dump(db)` with the clock left out (created_at, started_at …): two complete runs
    of one command on one registry leave the same state."""
    return [_TIMESTAMP.sub("'<time>'", line) for line in dump(db)]


def sound(db: Path) -> list[str]:
    """What is wrong with the registry file: SQLite's own checks, then `dandan db check`
    (foreign keys, the derived first-recognition dates, the schema version)."""
    with sqlite3.connect(db) as conn:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        problems += [repr(row) for row in conn.execute("PRAGMA foreign_key_check")]
    conn.close()
    if not problems:
        with Registry(str(db)) as registry:
            problems = [p["problem"] for p in check(registry).problems]
    return problems


@dataclass
class Run:
    returncode: int
    seconds: float
    killed: bool
    stderr: str
    #: When the write transaction began and was committed, in seconds from the start.
    began: float | None = None
    committed: float | None = None

    @property
    def wrote(self) -> bool:
        return self.began is not None

    def timeline(self) -> str:
        if self.began is None:
            return f"{self.seconds:.2f} s"
        end = f"{self.committed:.2f}" if self.committed is not None else "?"
        return f"{self.seconds:.2f} s, writing from {self.began:.2f} to {end} s"


def launch(args: Sequence[str], db: Path, workdir: Path, *, kill_after: float | None = None) -> Run:
    """`dandan ARGS` on the registry `db`, killed with SIGKILL after `kill_after` s."""
    marks = workdir / "marks"
    marks.unlink(missing_ok=True)
    errors = workdir / "stderr"
    env = {**os.environ, "DANDAN_DB": str(db)}
    with errors.open("wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(marks), *args],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        killed = False
        try:
            if kill_after is not None:
                try:
                    proc.wait(timeout=kill_after)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    killed = True
            proc.wait(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:  # only after a timeout: never leave it running
                proc.kill()
                proc.wait()
        seconds = time.monotonic() - start
    run = Run(proc.returncode, seconds, killed, errors.read_text(errors="replace"))
    if marks.exists():  # "write <monotonic time>", "commit <monotonic time>" (same clock)
        times = [line.split() for line in marks.read_text().splitlines()]
        began = [float(t) - start for what, t in times if what == "write"]
        committed = [float(t) - start for what, t in times if what == "commit"]
        run.began = min(began) if began else None
        run.committed = max(committed) if committed else None
    return run


def delays(command: str, clean_run: float, runs: int) -> list[float]:
    """Kill delays drawn uniformly over the command's run and a little past it, [0, 1.2 T]:
    one in each of `runs` equal slices of it (stratified), so that even five kills
    spread over the start, the write and the end."""
    rng = random.Random(f"{command}-{SEED}")
    width = 1.2 * clean_run / runs
    return [(i + rng.random()) * width for i in range(runs)]


def _outcome(run: Run, now: list[str], before: list[str], after: list[str]) -> str:
    if now == after:
        return "after"
    if now == before:
        return "during" if run.wrote else "before"
    return "half-written"


def crash_registry(
    command: str,
    args: Sequence[str],
    bases: Sequence[Path],
    tmp_path: Path,
    report: list[str],
    *,
    check_new: Callable[[Path, Path], None] | None = None,
) -> None:
    """Kill `dandan ARGS` RUNS times, on the registries `bases` in turn, and check that
    each kill left the whole change or none of it."""
    expected: list[tuple[list[str], list[str], Run]] = []
    for i, base in enumerate(bases):
        workdir = tmp_path / f"clean-{i}"
        workdir.mkdir()
        db = workdir / "registry.db"
        shutil.copy(base, db)
        clean = launch(args, db, workdir)
        assert clean.returncode == 0, clean.stderr
        expected.append((state(base), state(db), clean))
        if check_new is not None:
            check_new(base, db)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    for case in range(RUNS):
        before, after, clean = expected[case % len(bases)]
        delay = delays(command, clean.seconds, RUNS)[case]
        workdir = tmp_path / f"case-{case}"
        workdir.mkdir()
        db = workdir / "registry.db"
        shutil.copy(bases[case % len(bases)], db)
        run = launch(args, db, workdir, kill_after=delay)
        where = f"{command} case {case} (seed {SEED}, killed at {delay:.3f} s)"
        if not run.killed:
            assert run.returncode == 0, f"{where}: {run.stderr}"
        problems = sound(db)
        now = state(db)
        outcome = _outcome(run, now, before, after) if not problems else "unsound"
        outcomes[outcome] += 1
        if outcome in ("unsound", "half-written"):
            failures.append(f"{where}: {outcome} {problems[:3]}")
        elif check_new is not None and outcome == "after":
            check_new(bases[case % len(bases)], db)
    summary = _summary(command, [clean for _, _, clean in expected], outcomes)
    report.append(summary)
    assert not failures, summary + "\n" + "\n".join(failures)


def _summary(command: str, clean_runs: Sequence[Run], outcomes: Counter[str]) -> str:
    clean = "; ".join(run.timeline() for run in clean_runs)
    counts = ", ".join(f"{outcomes[k]} {k}" for k in ("before", "during", "after"))
    bad = sum(n for k, n in outcomes.items() if k not in ("before", "during", "after"))
    return (
        f"kill -9 {command}: {sum(outcomes.values())} kills (seed {SEED}; clean run {clean}): "
        f"{counts} the write; {bad} unsound or half-written"
    )


def _registry(path: Path, *args: str) -> Path:
    """A registry file made in this process (`dandan ARGS` on it), whole in its one file,
    so that copying the file copies the registry."""
    if args:
        result = CliRunner().invoke(app, ["--db", str(path), *args])
        assert result.exit_code == 0, result.stderr
    else:
        with Registry(str(path)) as registry:
            registry.open(create=True)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def _first_rows(source: Path, target: Path, count: int) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[: count + 1]), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo registry (data/seed_models.csv: 2,754 models), each with a description of
    4,000 characters: 17 MB, whose copy takes long enough for some kills to land in it."""
    folder = tmp_path_factory.mktemp("seeded")
    with SEED_FILE.open(encoding="utf-8") as seed:
        rows = list(csv.DictReader(seed))
    text = "Tổ tự quản đường làng, ngõ xóm xanh – sạch – đẹp; người dân góp công, góp của. "
    for row in rows:
        row["description"] = (f"{row['code']}: " + text * 60)[:4000]
    with (folder / "described.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return _registry(folder / "registry.db", "import", str(folder / "described.csv"))


def test_kill_import_leaves_all_rows_or_none(tmp_path: Path, report: list[str]) -> None:
    bases = tmp_path / "bases"
    bases.mkdir()
    empty = _registry(bases / "empty.db")
    # A registry holding the first thousand rows: the import skips them and adds the rest
    # (into an empty one it drops and rebuilds the indexes, inside its transaction).
    part = _first_rows(SEED_FILE, bases / "part.csv", 1000)
    used = _registry(bases / "used.db", "import", str(part))

    with SEED_FILE.open(encoding="utf-8") as seed:
        codes = {row["code"] for row in csv.DictReader(seed)}

    def whole_file(_base: Path, db: Path) -> None:
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM models").fetchone() == (len(codes),)
        conn.close()

    crash_registry(
        "import", ["import", str(SEED_FILE)], [empty, used], tmp_path, report, check_new=whole_file
    )


def test_kill_register_leaves_one_model_or_none(tmp_path: Path, report: list[str]) -> None:
    base = _registry(
        tmp_path / "base.db", "import", str(_first_rows(SEED_FILE, tmp_path / "a.csv", 50))
    )
    args = [
        "register", "Tổ tự quản đường làng", "--province", "quang tri", "--commune", "dong ha",
        "--field", "kinh te", "--sponsor", "Hội Nông dân", "--holder-name", "Lê Văn Tám",
        "--description", "Mô tả " * 100, "--registered-on", "2025-08-01",
    ]  # fmt: skip

    def one_more(base: Path, db: Path) -> None:
        counts = []
        for path in (base, db):
            with sqlite3.connect(path) as conn:
                counts.append(conn.execute("SELECT count(*) FROM models").fetchone()[0])
            conn.close()
        assert counts[1] == counts[0] + 1

    crash_registry("register", args, [base], tmp_path, report, check_new=one_more)


def test_kill_backup_leaves_a_whole_copy_or_none(
    tmp_path: Path, seeded: Path, report: list[str]
) -> None:
    registry_state = state(seeded)
    workdir = tmp_path / "clean"
    workdir.mkdir()
    db = workdir / "registry.db"
    shutil.copy(seeded, db)
    clean = launch(["db", "backup", "backup.db"], db, workdir)
    assert clean.returncode == 0, clean.stderr
    assert sound(workdir / "backup.db") == []
    assert state(workdir / "backup.db") == registry_state

    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    left_behind = 0
    for case, delay in enumerate(delays("backup", clean.seconds, RUNS)):
        workdir = tmp_path / f"case-{case}"
        workdir.mkdir()
        db = workdir / "registry.db"
        shutil.copy(seeded, db)
        run = launch(["db", "backup", "backup.db"], db, workdir, kill_after=delay)
        where = f"backup case {case} (seed {SEED}, killed at {delay:.3f} s)"
        if not run.killed:
            assert run.returncode == 0, f"{where}: {run.stderr}"
        if sound(db) or state(db) != registry_state:
            failures.append(f"{where}: the registry changed or is unsound")
        temps = list(workdir.glob(".backup.db.*.tmp"))
        left_behind += len(temps)
        copy = workdir / "backup.db"
        if copy.exists():
            outcomes["after"] += 1
            if sound(copy) or state(copy) != registry_state:
                failures.append(f"{where}: the copy at backup.db is incomplete")
        else:
            outcomes["during" if temps else "before"] += 1
        if temps:  # the next backup to that name removes what the killed one left
            again = launch(["db", "backup", "backup.db"], db, workdir)
            if again.returncode != 0 or list(workdir.glob(".backup.db.*.tmp")):
                failures.append(f"{where}: the next backup left {temps[0].name} in place")
            elif state(copy) != registry_state:
                failures.append(f"{where}: the next backup is incomplete")
    summary = _summary("db backup", [clean], outcomes)
    summary += f"; {left_behind} partial copies left beside the target, removed by the next backup"
    report.append(summary)
    assert not failures, summary + "\n" + "\n".join(failures)
