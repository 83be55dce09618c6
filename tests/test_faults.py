"""Crashes: `kill -9` before, during and after the write of an import, a registration
and a backup; Ctrl-C in the middle of them; a killed client of a PostgreSQL server.

Each command is first run once to the end, which gives its timeline and the state it
leaves. The command runs under a launcher that notes, as it happens, when the write
begins (a transaction with the `dandan_write` execution option, which the registry's
writers use for SQLite's BEGIN IMMEDIATE), each of its steps (every statement of the
write transaction and its COMMIT; for a backup, making the copy and renaming it into
place) and when it is committed: nothing in `src/` is there for the tests. Then the
command is started again and again on a fresh copy of the same registry and killed:

- before the write: after a delay drawn in the time before the write began (halved
  and tried again while the kill comes too late);
- on the write: the launcher stops before a step drawn among the write's steps and
  the command is killed there, or it is killed a delay drawn in the write's duration
  after the write began (in the middle of a statement or of the commit);
- after the write: a delay drawn in what remains after the commit.

Whatever the moment, the registry must pass SQLite's integrity check and `dandan db
check`, and hold either the whole change or none of it; a backup is either absent
from its path or a complete copy. Every run must have killed each command at least
once before, once during and once after its write.

`DANDAN_FAULT_RUNS` kills per command (5 here, 50 in `make fuzz`), in the pattern
before, on a step, after, timed on the write, on a step; the draws come from a fixed
seed (`DANDAN_FAULT_SEED`), so a failure is reproducible. The counts of kills before,
during and after the write are printed at the end of the run. An import that committed
in parts (a swap per chunk of 300 rows, or a COMMIT every 300 rows of the swap) fails
here at that budget, whatever the seed: the second kill on a step stops it in the later
half of its write's steps, after a part was committed.
"""

from __future__ import annotations

import csv
import os
import random
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dandan.cli import app
from dandan.maintenance import check
from dandan.registry import Registry
from tests.conftest import dump, empty_postgresql

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "data" / "seed_models.csv"
RUNS = int(os.environ.get("DANDAN_FAULT_RUNS", "5"))
SEED = int(os.environ.get("DANDAN_FAULT_SEED", "20251123"))
#: No single run may take longer than this (a hung process fails the test, not the suite).
TIMEOUT = 120
#: What each kill aims at, in turn: the moments of the write get most of the kills.
PATTERN = ("before", "step", "after", "timed", "step")
PHASES = ("before", "during", "after")

# The command exactly as `python -m dandan` runs it, with notes written to a pipe as it
# goes: "<monotonic time> begin" when a write transaction begins, "write N <what>" for
# each of its steps (a statement, the COMMIT), "read N <what>" for every other
# statement, "committed" once the write is durable. A backup's steps are making its
# copy and renaming it into place. `PAUSE` ("write:3", "read:INSERT", "none:0") stops
# the command before that step (the third of the write; the first other statement
# beginning with INSERT), until it is killed or interrupted.
LAUNCHER = """
import os, sys, time
from sqlalchemy import Engine, event
from sqlalchemy.engine.base import Connection

marks = int(sys.argv[1])
pause_kind, _, pause_at = sys.argv[2].partition(":")
counts = {"write": 0, "read": 0}
now = {"writing": False, "renamed": False}

def note(line):
    os.write(marks, f"{time.monotonic()} {line}\\n".encode())

def step(kind, what):
    if now["renamed"]:
        now["renamed"] = False
        note("committed")
    counts[kind] += 1
    note(f"{kind} {counts[kind]} {what}")
    if kind == pause_kind and (
        str(counts[kind]) == pause_at or (not pause_at.isdigit() and what.startswith(pause_at))
    ):
        note("paused")
        time.sleep(3600)

def begin(conn):
    if conn.get_execution_options().get("dandan_write"):
        now["writing"] = True
        note("begin")

def statement(conn, cursor, statement, parameters, context, executemany):
    step("write" if now["writing"] else "read", " ".join(statement.split())[:60])

def commit(conn):
    if now["writing"]:
        step("write", "COMMIT")

def rollback(conn):
    now["writing"] = False

event.listen(Engine, "begin", begin)
event.listen(Engine, "before_cursor_execute", statement)
event.listen(Engine, "commit", commit)
event.listen(Engine, "rollback", rollback)
_commit = Connection._commit_impl

def committed(self):
    _commit(self)
    if now["writing"]:
        now["writing"] = False
        note("committed")

Connection._commit_impl = committed

def audit(name, args):
    if name == "sqlite3.connect" and str(args[0]).endswith(".tmp"):
        now["writing"] = True
        note("begin")
        step("write", "copy")
    elif name == "os.rename" and str(args[0]).endswith(".tmp") and now["writing"]:
        step("write", "rename")
        now["writing"], now["renamed"] = False, True

sys.addaudithook(audit)
sys.argv = ["dandan", *sys.argv[3:]]
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


@dataclass(frozen=True)
class Kill:
    """When to signal the command: `delay` seconds after the `nth` note `anchor`
    ("start": when it was started; "paused": when it stopped at `pause`)."""

    aim: str
    anchor: str = "start"
    nth: int = 1
    delay: float = 0.0
    pause: str = "none:0"
    signal: int = signal.SIGKILL

    def __str__(self) -> str:
        if self.anchor == "paused":
            return f"{self.aim}: at {self.pause}"
        return f"{self.aim}: {self.delay:.3f} s after {self.anchor} {self.nth}"


@dataclass
class Run:
    returncode: int
    seconds: float
    killed: bool
    stderr: str
    stdout: str = ""
    #: The launcher's notes: (seconds from the start, what).
    marks: list[tuple[float, str]] = field(default_factory=list)

    def when(self, what: str) -> list[float]:
        return [t for t, mark in self.marks if mark == what]

    @property
    def began(self) -> float | None:
        """When the (first) write began."""
        return min(self.when("begin"), default=None)

    @property
    def committed(self) -> float | None:
        """When the (last) write was committed."""
        return max(self.when("committed"), default=None)

    @property
    def steps(self) -> int:
        """The steps of the write (statements, COMMIT, copy, rename), in all its
        transactions."""
        return sum(1 for _, mark in self.marks if mark.startswith("write "))

    def timeline(self) -> str:
        if self.began is None:
            return f"{self.seconds:.2f} s"
        end = f"{self.committed:.2f}" if self.committed is not None else "?"
        return f"{self.seconds:.2f} s, writing from {self.began:.2f} to {end} s"


def launch(args: Sequence[str], db: Path | str, workdir: Path, kill: Kill | None = None) -> Run:
    """`dandan ARGS` on the registry `db` (a file or a URL), signalled as `kill` says."""
    env = {**os.environ, "DANDAN_DB": str(db)}
    read_marks, write_marks = os.pipe()
    pause = kill.pause if kill is not None else "none:0"
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(write_marks), pause, *args],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(write_marks,),
    )
    os.close(write_marks)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.fileno(), proc.stderr.fileno()
    streams = {read_marks: b"", out: b"", err: b""}
    open_fds = set(streams)
    marks: list[tuple[float, str]] = []
    seen: Counter[str] = Counter()
    deadline = start + kill.delay if kill is not None and kill.anchor == "start" else None
    killed = False
    try:
        while open_fds:
            now = time.monotonic()
            if now - start > TIMEOUT:
                raise AssertionError(f"dandan {' '.join(args)} ran over {TIMEOUT} s")
            if deadline is not None and not killed and now >= deadline:
                if proc.poll() is None:
                    proc.send_signal(kill.signal if kill is not None else signal.SIGKILL)
                    killed = True
                deadline = None
            wait = 1.0 if deadline is None else max(0.0, deadline - now)
            ready, _, _ = select.select(list(open_fds), [], [], wait)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_fds.discard(fd)
                    continue
                streams[fd] += chunk
                if fd != read_marks:
                    continue
                *lines, rest = streams[fd].split(b"\n")
                streams[fd] = rest
                for line in lines:
                    at, _, what = line.decode().partition(" ")
                    marks.append((float(at) - start, what))
                    name = what.split(" ")[0]
                    seen[name] += 1
                    if (
                        kill is not None
                        and deadline is None
                        and not killed
                        and name == kill.anchor
                        and seen[name] == kill.nth
                    ):
                        deadline = float(at) + kill.delay
        proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:  # only after a failure: never leave it running
            proc.kill()
            proc.wait()
        os.close(read_marks)
        proc.stdout.close()
        proc.stderr.close()
    return Run(
        proc.returncode,
        time.monotonic() - start,
        killed,
        streams[err].decode(errors="replace"),
        streams[out].decode(errors="replace"),
        marks,
    )


def aims(command: str, runs: int) -> list[tuple[str, float]]:
    """What each kill aims at (`PATTERN` in turn), with a draw in [0, 1) for it: the
    draws of one aim are stratified (one in each of as many equal slices as it has
    kills), so that even two kills on the write's steps fall apart."""
    rng = random.Random(f"{command}-{SEED}")
    kinds = [PATTERN[i % len(PATTERN)] for i in range(runs)]
    seen: Counter[str] = Counter()
    planned = []
    for kind in kinds:
        planned.append((kind, (seen[kind] + rng.random()) / kinds.count(kind)))
        seen[kind] += 1
    return planned


def kill_for(aim: str, draw: float, clean: Run, first_step: int = 2) -> Kill:
    """The kill `aim` at `draw` means for a command whose clean run was `clean`: on a
    write step from `first_step` (the second: after BEGIN) to its last (the COMMIT)."""
    assert clean.began is not None and clean.committed is not None, clean.marks
    if aim == "before":
        return Kill("before", delay=draw * 0.9 * clean.began)
    if aim == "step":
        step = first_step + int(draw * (clean.steps - first_step + 1))
        return Kill("during", anchor="paused", pause=f"write:{step}")
    if aim == "timed":
        return Kill("during", anchor="begin", delay=draw * (clean.committed - clean.began))
    rest = max(0.0, clean.seconds - clean.committed - 0.01)
    commits = len(clean.when("committed"))
    return Kill("after", anchor="committed", nth=commits, delay=0.005 + draw * rest)


def retry(kill: Kill, run: Run, outcome: str) -> Kill | None:
    """A kill meant to land before the write that came too late is tried again twice as
    early; one meant for after the commit that came after the exit, at the commit."""
    if kill.aim == "before" and outcome in ("during", "after") and kill.delay > 0.01:
        return replace(kill, delay=kill.delay / 2)
    if kill.aim == "after" and not run.killed and kill.delay > 0.005:
        return replace(kill, delay=0.0)
    return None


@dataclass
class Tally:
    """The outcomes of one command's kills, and what went wrong."""

    command: str
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    retried: int = 0

    def summary(self, clean_runs: Sequence[Run], extra: str = "") -> str:
        clean = "; ".join(run.timeline() for run in clean_runs)
        counts = ", ".join(f"{self.outcomes[k]} {k}" for k in PHASES)
        bad = sum(n for k, n in self.outcomes.items() if k not in (*PHASES, "finished"))
        kills = sum(n for k, n in self.outcomes.items() if k != "finished")
        notes = ""
        if self.retried or self.outcomes["finished"]:
            notes = (
                f" ({self.retried} tried again earlier or later, "
                f"{self.outcomes['finished']} runs finished first)"
            )
        return (
            f"kill -9 {self.command}: {kills} kills{notes} (seed {SEED}; clean run {clean}): "
            f"{counts} the write; {bad} unsound or half-written{extra}"
        )

    def check(self, summary: str) -> None:
        assert not self.failures, summary + "\n" + "\n".join(self.failures)
        if len(PHASES) <= RUNS:  # the pattern begins with one kill of each
            missing = [phase for phase in PHASES if not self.outcomes[phase]]
            assert not missing, f"{summary}\nno kill landed {', '.join(missing)} the write"


def _judged(run: Run, now: list[str], before: list[str], after: list[str]) -> str:
    if now == after:
        return "after"
    if now == before:
        return "during" if run.began is not None else "before"
    return "half-written"


def crash_registry(
    command: str,
    args: Sequence[str],
    bases: Sequence[Path],
    tmp_path: Path,
    report: list[str],
    *,
    check_new: Callable[[Path, Path], None] | None = None,
) -> Tally:
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
        assert clean.began is not None, f"{command} never began a write: {clean.marks}"
        expected.append((state(base), state(db), clean))
        if check_new is not None:
            check_new(base, db)
    tally = Tally(command)
    attempt = 0
    for case, (aim, draw) in enumerate(aims(command, RUNS)):
        base = bases[case % len(bases)]
        before, after, clean = expected[case % len(bases)]
        kill: Kill | None = kill_for(aim, draw, clean)
        while kill is not None:
            attempt += 1
            workdir = tmp_path / f"case-{attempt}"
            workdir.mkdir()
            db = workdir / "registry.db"
            shutil.copy(base, db)
            run = launch(args, db, workdir, kill)
            where = f"{command} case {case} (seed {SEED}, {kill})"
            if not run.killed:
                assert run.returncode == 0, f"{where}: {run.stderr}"
            problems = sound(db)
            outcome = _judged(run, state(db), before, after) if not problems else "unsound"
            tally.outcomes[outcome if run.killed else "finished"] += 1
            if outcome in ("unsound", "half-written"):
                tally.failures.append(f"{where}: {outcome} {problems[:3]}")
            elif check_new is not None and outcome == "after":
                check_new(base, db)
            kill = retry(kill, run, outcome)
            tally.retried += kill is not None
    summary = tally.summary([clean for _, _, clean in expected])
    report.append(summary)
    tally.check(summary)
    return tally


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


def _count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM models").fetchone()
    conn.close()
    return int(count)


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


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An empty registry, and one holding the first thousand rows of the seed file: an
    import skips those and adds the rest (into an empty one it drops and rebuilds the
    indexes, inside its transaction)."""
    folder = tmp_path_factory.mktemp("bases")
    part = _first_rows(SEED_FILE, folder / "part.csv", 1000)
    return {
        "empty": _registry(folder / "empty.db"),
        "used": _registry(folder / "used.db", "import", str(part)),
    }


def test_kill_import_leaves_all_rows_or_none(
    tmp_path: Path, bases: dict[str, Path], report: list[str]
) -> None:
    with SEED_FILE.open(encoding="utf-8") as seed:
        codes = {row["code"] for row in csv.DictReader(seed)}

    def whole_file(_base: Path, db: Path) -> None:
        assert _count(db) == len(codes)

    crash_registry(
        "import",
        ["import", str(SEED_FILE)],
        [bases["empty"], bases["used"]],
        tmp_path,
        report,
        check_new=whole_file,
    )


REGISTER = [
    "register", "Tổ tự quản đường làng", "--province", "quang tri", "--commune", "dong ha",
    "--field", "kinh te", "--sponsor", "Hội Nông dân", "--holder-name", "Lê Văn Tám",
    "--description", "Mô tả " * 100, "--registered-on", "2025-08-01",
]  # fmt: skip


def test_kill_register_leaves_one_model_or_none(tmp_path: Path, report: list[str]) -> None:
    base = _registry(
        tmp_path / "base.db", "import", str(_first_rows(SEED_FILE, tmp_path / "a.csv", 50))
    )

    def one_more(base: Path, db: Path) -> None:
        assert _count(db) == _count(base) + 1

    crash_registry("register", REGISTER, [base], tmp_path, report, check_new=one_more)


def test_kill_backup_leaves_a_whole_copy_or_none(
    tmp_path: Path, seeded: Path, report: list[str]
) -> None:
    registry_state = state(seeded)
    args = ["db", "backup", "backup.db"]
    workdir = tmp_path / "clean"
    workdir.mkdir()
    db = workdir / "registry.db"
    shutil.copy(seeded, db)
    clean = launch(args, db, workdir)
    assert clean.returncode == 0, clean.stderr
    assert sound(workdir / "backup.db") == []
    assert state(workdir / "backup.db") == registry_state
    assert clean.steps == 2, clean.marks  # the copy, then its rename into place

    tally = Tally("db backup")
    left_behind = attempt = 0
    for case, (aim, draw) in enumerate(aims("backup", RUNS)):
        kill: Kill | None = kill_for(aim, draw, clean, first_step=1)
        while kill is not None:
            attempt += 1
            workdir = tmp_path / f"case-{attempt}"
            workdir.mkdir()
            db = workdir / "registry.db"
            shutil.copy(seeded, db)
            run = launch(args, db, workdir, kill)
            where = f"backup case {case} (seed {SEED}, {kill})"
            if not run.killed:
                assert run.returncode == 0, f"{where}: {run.stderr}"
            if not unchanged(db, seeded, registry_state):
                tally.failures.append(f"{where}: the registry changed or is unsound")
            temps = list(workdir.glob(".backup.db.*.tmp"))
            left_behind += len(temps)
            copy = workdir / "backup.db"
            if copy.exists():
                outcome = "after"
                if sound(copy) or state(copy) != registry_state:
                    tally.failures.append(f"{where}: the copy at backup.db is incomplete")
            else:
                outcome = "during" if temps else "before"
            tally.outcomes[outcome if run.killed else "finished"] += 1
            if temps:  # the next backup to that name removes what the killed one left
                again = CliRunner().invoke(app, ["--db", str(db), *args[:-1], str(copy)])
                if again.exit_code != 0 or list(workdir.glob(".backup.db.*.tmp")):
                    tally.failures.append(f"{where}: the next backup left {temps[0].name}")
                elif state(copy) != registry_state:
                    tally.failures.append(f"{where}: the next backup is incomplete")
            kill = retry(kill, run, outcome)
            tally.retried += kill is not None
    summary = tally.summary(
        [clean], f"; {left_behind} partial copies left beside the target, removed by the next"
    )
    report.append(summary)
    tally.check(summary)


def unchanged(db: Path, original: Path, original_state: list[str]) -> bool:
    """The registry `db`, a copy of `original`, still holds what it held: its file is
    the same bytes and its journal holds nothing, or else its dump is the same."""
    wal = db.with_name(db.name + "-wal")
    same_file = db.read_bytes() == original.read_bytes()
    if not (same_file and (not wal.exists() or wal.stat().st_size == 0)):
        return sound(db) == [] and state(db) == original_state
    return True


# -- Ctrl-C -------------------------------------------------------------------------


def _interrupted(args: Sequence[str], base: Path, workdir: Path, pause: str) -> None:
    """SIGINT to `dandan ARGS` stopped before the step `pause`: exit 130, one line on
    stderr and no traceback, the registry as it was and sound."""
    workdir.mkdir()
    db = workdir / "registry.db"
    shutil.copy(base, db)
    run = launch(args, db, workdir, Kill("interrupt", "paused", pause=pause, signal=signal.SIGINT))
    assert run.killed, f"never reached {pause}: {run.marks}"
    assert run.returncode == 130, run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("interrupted: "), run.stderr
    assert run.stdout == ""
    # Nothing beside the registry and its journal (no copy, no rejected rows).
    assert not [p.name for p in workdir.iterdir() if not p.name.startswith("registry.db")]
    assert sound(db) == []
    assert state(db) == state(base)


@pytest.mark.parametrize(
    "pause",
    [
        pytest.param("read:INSERT", id="while-staging"),  # the first row staged
        pytest.param("write:COMMIT", id="before-commit"),  # every row written, none committed
    ],
)
def test_ctrl_c_stops_an_import_and_writes_nothing(
    tmp_path: Path, bases: dict[str, Path], pause: str
) -> None:
    _interrupted(["import", str(SEED_FILE)], bases["used"], tmp_path / "run", pause)


def test_ctrl_c_stops_register_and_writes_nothing(tmp_path: Path, bases: dict[str, Path]) -> None:
    _interrupted(REGISTER, bases["used"], tmp_path / "run", "write:INSERT")


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.mark.postgres
def test_kill_import_client_leaves_the_postgresql_registry_unchanged(
    tmp_path: Path, report: list[str]
) -> None:
    """kill -9 of the client mid-import: the server rolls the transaction back when the
    connection drops, releases its locks, and the next import goes through."""
    part = _first_rows(SEED_FILE, tmp_path / "part.csv", 1000)
    args = ["import", str(SEED_FILE)]
    with SEED_FILE.open(encoding="utf-8") as seed:
        codes = {row["code"] for row in csv.DictReader(seed)}

    def registry(kind: str) -> str:
        url = empty_postgresql()
        setup = ["import", str(part)] if kind == "used" else ["db", "init"]
        result = CliRunner().invoke(app, ["--db", url, *setup])
        assert result.exit_code == 0, result.stderr
        return url

    tally = Tally("import (PostgreSQL client)")
    cleans = {}
    for kind in ("empty", "used"):
        cleans[kind] = launch(args, registry(kind), tmp_path)
        assert cleans[kind].returncode == 0, cleans[kind].stderr
    for kind, clean in cleans.items():
        url = registry(kind)
        before = dump(url)
        kills = [kill_for("before", 0.5, clean), *(kill_for("step", d, clean) for d in (0.3, 0.8))]
        for kill in kills:
            run = launch(args, url, tmp_path, kill)
            assert run.killed, f"{kind}, {kill}: {run.marks}"
            if dump(url) != before:
                tally.failures.append(f"{kind} registry, {kill}: the registry changed")
            tally.outcomes["during" if run.began is not None else "before"] += 1
        with Registry(url) as reg:
            assert check(reg).problems == []
    finished = launch(args, url, tmp_path)  # no lock of a killed client is left
    assert finished.returncode == 0, finished.stderr
    with Registry(url) as reg:
        assert reg.count() == len(codes)
    summary = tally.summary(list(cleans.values()))
    report.append(summary)
    assert not tally.failures, summary + "\n" + "\n".join(tally.failures)
    assert tally.outcomes["during"] == 4, summary
