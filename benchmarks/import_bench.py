"""Import benchmark: `dandan import` against the floor and against sqlite-utils.

For each size N (default 408,000 models, the published national figure) it
generates deterministic rows with `dandan.synthetic`, then times, each in a
fresh process and a fresh database:

  (a) `dandan import FILE` into a new registry (full validation), with the time
      of each phase (reading and parsing, validating, staging, swapping in);
  (b) the floor: the least a registry must do with the same rows, Python's csv
      module and `sqlite3.executemany` (5,000 rows at a time) into a `models`
      table with a UNIQUE code and a `recognitions` table whose `model_id`
      references it, in one transaction (WAL, like the registry);
  (b2) the floor, plus what the registry stores and indexes besides the rows: the
      units as integer codes, the folded name and the Vietnamese sort key of each
      name (`dandan.text`), the first recognition's date, and the secondary indexes
      the registry has (its tally indexes among them, taken from dandan's tables and
      built after the load, as an import into an empty registry builds them). b2/b
      is the part of a/b that no import into this registry can avoid;
  (c) `sqlite-utils insert DB models FILE --csv` (unless --skip-sqlite-utils);
  and, when DANDAN_BENCH_PG_URL names a database to spare, `dandan import` into
  PostgreSQL (rows streamed with COPY into staging tables, merged in one transaction).

It prints wall and CPU time, peak memory (the child's maximum resident set) and
the ratios a/b and a/c; with two sizes, also how the time scales. Run it with
`make bench` (or `python benchmarks/import_bench.py --rows 408000 4080000`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dandan.synthetic import COLUMNS, generate_rows

OUT = Path(__file__).resolve().parent / "out"
#: An empty PostgreSQL database to time the server import on (its contents are dropped).
PG_URL = os.environ.get("DANDAN_BENCH_PG_URL")
BIN = Path(sys.executable).parent

FLOOR = r"""
import csv, itertools, json, os, sqlite3, sys
path, db = sys.argv[1], sys.argv[2]
# (b2) The registry's secondary indexes (DDL), when given: the keys they need are stored too.
indexes = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = NORMAL")
with open(path, newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle)
    header = next(reader)
    own = ("recognition_year", "recognition_level", "decision_no", "decided_on", "recognized_by")
    model = [i for i, c in enumerate(header) if c not in own]
    recognition = [header.index(c) for c in own]
    code = header.index("code")
    def columns(positions):
        return ", ".join(f'"{header[i]}"' for i in positions)
    def marks(positions):
        return ", ".join("?" for _ in positions)
    keys = ()
    if indexes is not None:
        from dandan.text import fold, sort_prefix
        keys = ("province_code", "commune_code", "legacy_province_code", "legacy_district_code",
                "legacy_commune_code", "name_folded", "name_order", "first_recognized_on")
        at = {c: header.index(c) for c in
              ("name", "province", "district", "commune", "locality_scheme", "decided_on")}
        units = {}
        def unit(*names):  # a unit's integer code, as the registry stores it
            return units.setdefault(names, len(units))
        def keyed(row):
            scheme, province = row[at["locality_scheme"]], row[at["province"]]
            district, commune, name = row[at["district"]], row[at["commune"]], row[at["name"]]
            old = scheme == "2024"
            return (
                unit(scheme, province), unit(scheme, province, district, commune),
                unit(province) if old else None, unit(province, district) if old else None,
                unit(province, district, commune) if old else None,
                fold(name), sort_prefix(name), row[at["decided_on"]] or None,
            )
    stored = ", ".join((columns(model), *keys))
    conn.execute(f"CREATE TABLE models (id INTEGER PRIMARY KEY, {stored})")
    conn.execute("CREATE UNIQUE INDEX models_code ON models (code)")
    conn.execute(
        "CREATE TABLE recognitions (id INTEGER PRIMARY KEY, "
        f"model_id INTEGER NOT NULL REFERENCES models (id), {columns(recognition)})"
    )
    # A file holds one row per recognition: the model once, each recognition keyed to it.
    add_model = (
        f"INSERT OR IGNORE INTO models ({stored}) "
        f"VALUES ({', '.join('?' for _ in range(len(model) + len(keys)))})"
    )
    add_recognition = (
        f"INSERT INTO recognitions (model_id, {columns(recognition)}) "
        f"SELECT id, {marks(recognition)} FROM models WHERE code = ?"
    )
    conn.execute("BEGIN")
    while chunk := list(itertools.islice(reader, 5000)):
        if keys:
            conn.executemany(add_model, ([*(row[i] for i in model), *keyed(row)] for row in chunk))
        else:
            conn.executemany(add_model, ([row[i] for i in model] for row in chunk))
        conn.executemany(
            add_recognition,
            ((*[row[i] for i in recognition], row[code]) for row in chunk if row[recognition[0]]),
        )
    if indexes:  # built after the load, as an import into an empty registry builds them
        conn.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")  # sorter threads
    for ddl in indexes or ():
        conn.execute(ddl)
    conn.execute("COMMIT")
"""
#: The floor's names for the registry's indexed columns (others have the same name).
KEYED_COLUMNS = {("recognitions", "year"): "recognition_year"}


def keyed_indexes() -> list[str]:
    """The registry's secondary indexes, as DDL on the keyed floor's tables: taken from
    dandan's own tables, so that an index added there is built here too."""
    from sqlmodel import SQLModel

    import dandan.models  # noqa: F401  (the tables)

    ddl = []
    for table in ("models", "recognitions"):
        for index in sorted(SQLModel.metadata.tables[table].indexes, key=lambda ix: str(ix.name)):
            if index.unique:
                continue  # the floor has the unique code index already
            names = [KEYED_COLUMNS.get((table, c.name), c.name) for c in index.columns]
            ddl.append(f"CREATE INDEX {index.name} ON {table} ({', '.join(names)})")
    return ddl


#: `dandan import`, with the time of each phase (`ImportSummary.timings`) on stderr.
DANDAN = r"""
import json, sys
import dandan.importing
from dandan.cli import main

real = dandan.importing.import_files

def timed(*args, **kwargs):
    summary = real(*args, **kwargs)
    # (getattr: an older dandan on PYTHONPATH, timed for comparison, has no phases)
    print("PHASES " + json.dumps(getattr(summary, "timings", None)), file=sys.stderr)
    return summary

dandan.importing.import_files = timed
sys.argv = ["dandan", *sys.argv[1:]]
main()
"""


@dataclass
class Run:
    label: str
    seconds: float
    cpu: float
    peak_mb: float
    phases: dict[str, float] | None = None


def generate(n: int) -> Path:
    """The benchmark file for n models, written once and reused."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"rows-{n}.csv"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(generate_rows(n))
        partial.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def timed(label: str, command: list[str]) -> Run:
    """Wall time and peak memory of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if status != 0:
        raise SystemExit(f"{label} failed ({status}): {stderr.strip()[:500]}")
    phases = next(
        (json.loads(line[7:]) for line in stderr.splitlines() if line.startswith("PHASES ")), None
    )
    cpu = usage.ru_utime + usage.ru_stime
    return Run(label, seconds, cpu, usage.ru_maxrss / 1024, phases)


def rows_in(db: Path, table: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def bench(n: int, skip_sqlite_utils: bool = False) -> dict[str, Run]:
    path = generate(n)
    with path.open(encoding="utf-8") as handle:
        lines = sum(1 for _ in handle) - 1
    runs: dict[str, Run] = {}
    a_db = fresh(OUT / f"dandan-{n}.db")
    runs["a"] = timed(
        "dandan import", [sys.executable, "-c", DANDAN, "--db", str(a_db), "import", str(path)]
    )
    b_db = fresh(OUT / f"floor-{n}.db")
    runs["b"] = timed(
        "floor (csv + executemany)", [sys.executable, "-c", FLOOR, str(path), str(b_db)]
    )
    b2_db = fresh(OUT / f"floor-keyed-{n}.db")
    runs["b2"] = timed(
        "floor + keys and indexes",
        [sys.executable, "-c", FLOOR, str(path), str(b2_db), json.dumps(keyed_indexes())],
    )
    sqlite_utils = shutil.which("sqlite-utils", path=str(BIN)) or shutil.which("sqlite-utils")
    if sqlite_utils and not skip_sqlite_utils:
        c_db = fresh(OUT / f"sqlite-utils-{n}.db")
        runs["c"] = timed(
            "sqlite-utils insert --csv",
            [sqlite_utils, "insert", str(c_db), "models", str(path), "--csv"],
        )
        assert rows_in(c_db, "models") == lines
    if PG_URL:
        empty_postgresql(PG_URL)
        runs["pg"] = timed(
            "dandan import, PostgreSQL", [str(BIN / "dandan"), "--db", PG_URL, "import", str(path)]
        )
    models, recognitions = rows_in(a_db, "models"), rows_in(a_db, "recognitions")
    # The floors store the same models and recognitions.
    for db in (b_db, b2_db):
        assert (rows_in(db, "models"), rows_in(db, "recognitions")) == (models, recognitions)
    print(f"\n{n:,} models: {lines:,} rows ({recognitions:,} recognitions, {models:,} models)")
    print(f"{'':28} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for run in runs.values():
        print(f"{run.label:28} {run.seconds:8.2f} {run.cpu:8.2f} {run.peak_mb:8.0f}")
    a, b = runs["a"], runs["b"]
    print(
        f"ratio a/b (dandan / floor):        {a.seconds / b.seconds:.2f}  (target ≤ 2.0; "
        f"CPU time {a.cpu / b.cpu:.2f})"
    )
    b2 = runs["b2"]
    print(
        f"ratio b2/b (keys and indexes alone): {b2.seconds / b.seconds:.2f}  (CPU time "
        f"{b2.cpu / b.cpu:.2f}); a/b2: {a.seconds / b2.seconds:.2f}"
    )
    if a.phases:
        shown = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in a.phases.items())
        print(f"dandan import by phase (wall): {shown}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores shared)")
    if "c" in runs:
        print(f"ratio a/c (dandan / sqlite-utils): {a.seconds / runs['c'].seconds:.2f}")
    print(f"peak memory of dandan import: {a.peak_mb:.0f} MB (target < 200 MB)")
    if "pg" in runs:
        print(f"PostgreSQL (COPY) / SQLite import:  {runs['pg'].seconds / a.seconds:.2f}")
    else:
        print("PostgreSQL import not timed: set DANDAN_BENCH_PG_URL to an empty database")
    return runs


def empty_postgresql(url: str) -> None:
    """Drop everything in the benchmark database's public schema."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[408_000], help="sizes to run")
    parser.add_argument(
        "--skip-sqlite-utils", action="store_true", help="time only dandan and the floor"
    )
    args = parser.parse_args()
    results = {n: bench(n, args.skip_sqlite_utils) for n in args.rows}
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        factor = results[large]["a"].seconds / results[small]["a"].seconds
        print(
            f"\n{large:,} rows took {factor:.1f}× the time of {small:,} "
            f"({large / small:.0f}× the rows; target ≤ 10×)"
        )


if __name__ == "__main__":
    main()
