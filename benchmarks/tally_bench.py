"""Tally speed at national scale: dandan against the same SQL in sqlite-utils and sqlite3.

    python benchmarks/tally_bench.py --rows 408000

Generates `--rows` models with `dandan.synthetic` into benchmarks/out/, builds a
registry from them (once; later runs reuse it), then times end to end, as a user
would run them, the best of `--repeat` runs of:

    dandan --db F tally --province --by-end-of 2023 --format csv
    sqlite-utils query F "<the same SQL>" --csv
    sqlite3 -csv F "<the same SQL>"

where the SQL is the statement dandan itself runs (compiled from
`dandan.tallies.statements`), so that all three do the same work in the
database: the difference is start-up and output. sqlite3 is the floor. A fourth
run, sqlite3 with the same figures written by hand as a join over recognitions,
checks the numbers independently and shows what the derived column saves. All
must print the same numbers.

The registry is built with `dandan import` (`--loader import`), or, where the
importer is too slow or too hungry for millions of rows, by `--loader fast`: the
same validation functions the importer uses, row by row, then plain executemany.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
TODAY = date(2026, 11, 22)  # the synthetic rows are valid as of this day

# The same figures written by hand as a join, without the derived column
# `first_recognized_on`: an independent check of the numbers, and the cost the
# derived column saves. Models registered by the end of 2023, and models with a
# recognition dated by then (the decision date, else 31 December of its year),
# both without the models withdrawn by then.
JOIN_SQL = """
SELECT province_code, sum(registered) AS registered, sum(recognized) AS recognized FROM (
  SELECT province_code, count(*) AS registered, 0 AS recognized
  FROM models
  WHERE registered_on <= '2023-12-31'
    AND (withdrawn_on IS NULL OR withdrawn_on > '2023-12-31')
  GROUP BY province_code
  UNION ALL
  SELECT m.province_code, 0, count(DISTINCT r.model_id)
  FROM recognitions AS r JOIN models AS m ON m.id = r.model_id
  WHERE (r.decided_on <= '2023-12-31' OR (r.decided_on IS NULL AND r.year <= 2023))
    AND (m.withdrawn_on IS NULL OR m.withdrawn_on > '2023-12-31')
  GROUP BY m.province_code
) GROUP BY province_code
""".strip()


#: The groupings analysts use, as `dandan tally` options: each is timed beside
#: sqlite3 (and sqlite-utils, for one statement) running the SQL dandan runs.
GROUPINGS: dict[str, list[str]] = {
    "province, by end of 2023": ["--province", "--by-end-of", "2023"],
    "commune, by end of 2023": ["--commune", "--by-end-of", "2023"],
    "field": ["--by", "field"],
    "sponsor, in 2024": ["--by", "sponsor", "--year", "2024"],
    "holder, since 2024": ["--by", "holder", "--since", "2024"],
    "year": ["--by", "year"],
    "level, by end of 2025": ["--by", "level", "--by-end-of", "2025"],
    "old communes, by end of 2024": [
        "--boundaries", "2024", "--by", "commune", "--by-end-of", "2024"
    ],
}  # fmt: skip


def statements_of(options: list[str]) -> list[str]:
    """The SQL `dandan tally OPTIONS` runs for its groups, from the library itself."""
    from sqlalchemy.dialects import sqlite

    from dandan.tallies import TallyQuery, Window, statements

    def value(flag: str) -> str | None:
        return options[options.index(flag) + 1] if flag in options else None

    by = [options[i + 1] for i, o in enumerate(options) if o == "--by"]
    by += [o[2:] for o in options if o in ("--province", "--commune")]
    window = Window.parse(
        year=value("--year"), by_end_of=value("--by-end-of"), since=value("--since")
    )
    query = TallyQuery.parse(by=by, window=window, boundaries=value("--boundaries") or "current")
    return [
        " ".join(
            str(s.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})).split()
        )
        for s in statements(query)
    ]


def tally_sql() -> str:
    """The SQL `dandan tally --province --by-end-of 2023` runs, from the library itself."""
    (sql,) = statements_of(GROUPINGS["province, by end of 2023"])
    return sql


def rows_csv(n: int, seed: int) -> Path:
    from dandan.synthetic import COLUMNS, generate_rows

    path = OUT / f"rows-{n}-{seed}.csv"
    if not path.exists():
        started = time.perf_counter()
        temp = path.with_suffix(".tmp")
        with temp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(generate_rows(n, seed=seed))
        temp.replace(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def build_fast(db: Path, rows: Iterable[dict[str, str]]) -> tuple[int, int]:
    """Validate every row with dandan.validation, as the importer does, then insert with
    executemany in large chunks: a registry of millions of rows in minutes."""
    from dandan.registry import Registry
    from dandan.text import fold
    from dandan.validation import (
        draft_model,
        draft_recognition,
        parse_date,
        text,
    )
    from dandan.writing import check_record

    with Registry(str(db)) as registry:
        registry.engine  # noqa: B018 - creates the tables and indexes
    now = datetime.now(UTC).replace(microsecond=0).isoformat(sep=" ")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    models: list[tuple[object, ...]] = []
    recognitions: list[tuple[object, ...]] = []
    model_id = recognition_id = 0

    def flush() -> None:
        conn.executemany(
            "INSERT INTO models (id, code, name, name_folded, description, locality_scheme, "
            "province_code, province_name, province_input, commune_code, commune_name, "
            "commune_input, field, sponsor, holder, holder_name, registered_on, status, "
            "withdrawn_on, withdrawn_reason, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            models,
        )
        conn.executemany(
            "INSERT INTO recognitions (id, model_id, year, level, decision_no, decided_on, "
            "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            recognitions,
        )
        conn.commit()
        models.clear()
        recognitions.clear()

    for code, group in groupby(rows, key=lambda r: r["code"]):
        first, *rest = list(group)
        d = draft_model(
            name=first["name"],
            province=first["province"],
            commune=first["commune"],
            field=first["field"],
            sponsor=first["sponsor"],
            holder=first["holder"],
            holder_name=first["holder_name"],
            registered_on=first["registered_on"],
            description=first["description"],
            code=code,
            today=TODAY,
        )
        withdrawn = (
            parse_date(first["withdrawn_on"], "withdrawn_on", today=TODAY)
            if first["withdrawn_on"]
            else None
        )
        model_id += 1
        recognised = False
        for row in (first, *rest):
            if not row["recognition_year"]:
                continue
            r = draft_recognition(
                year=row["recognition_year"],
                level=row["recognition_level"],
                decision_no=row["decision_no"],
                decided_on=row["decided_on"],
                body=row["recognized_by"],
                today=TODAY,
            )
            check_record(d.registered_on, None, None, [(r.year, r.decided_on)])
            recognition_id += 1
            recognised = True
            recognitions.append(
                (
                    recognition_id,
                    model_id,
                    r.year,
                    r.level.value,
                    r.decision_no,
                    r.decided_on.isoformat() if r.decided_on else None,
                    r.body,
                    now,
                )
            )
        loc = d.locality
        status = "withdrawn" if withdrawn else "recognized" if recognised else "registered"
        models.append(
            (
                model_id,
                d.code,
                d.name,
                fold(d.name),
                d.description,
                loc.province.scheme,
                loc.province.code,
                loc.province.name,
                loc.province_input,
                loc.commune.code if loc.commune else None,
                loc.commune.name if loc.commune else None,
                loc.commune_input,
                d.field.value,
                d.sponsor.value,
                d.holder.value,
                d.holder_name,
                d.registered_on.isoformat(),
                status,
                withdrawn.isoformat() if withdrawn else None,
                text(first["withdrawn_reason"], "reason"),
                now,
                now,
            )
        )
        if len(models) >= 50_000:
            flush()
    flush()
    conn.execute("PRAGMA analysis_limit = 1000")  # as `dandan import` does after a bulk load
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return model_id, recognition_id


def registry(n: int, seed: int, loader: str) -> Path:
    db = OUT / f"tally-{n}-{seed}-{loader}.db"
    if db.exists():
        return db
    source = rows_csv(n, seed)
    temp = db.with_suffix(".building")
    for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    if loader == "import":
        subprocess.run(
            [str(BIN / "dandan"), "--db", str(temp), "import", str(source)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with sqlite3.connect(temp) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        build_fast(temp, _read(source))
    temp.replace(db)
    for leftover in (Path(f"{temp}-wal"), Path(f"{temp}-shm")):  # empty after the checkpoint
        leftover.unlink(missing_ok=True)
    print(
        f"built {db.name} with {loader} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return db


def best_of(command: list[str], repeat: int) -> tuple[float, str]:
    best, output = float("inf"), ""
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - started)
        output = done.stdout
    return best, output


def numbers(output: str) -> dict[int, tuple[int, int]]:
    """province code → (registered, recognised), whatever the other columns."""
    return {
        int(row["province_code"]): (int(row["registered"]), int(row["recognized"]))
        for row in csv.DictReader(io.StringIO(output))
    }


def run(rows: int, seed: int, loader: str, repeat: int) -> bool:
    db = registry(rows, seed, loader)
    # A registry built by an earlier dandan is brought up to date first, untimed
    # (SQLite: after a copy beside it, which is not kept).
    before = set(db.parent.glob(f"{db.name}.schema-*.bak"))
    subprocess.run(
        [str(BIN / "dandan"), "--db", str(db), "db", "upgrade"], check=True, capture_output=True
    )
    for copy in set(db.parent.glob(f"{db.name}.schema-*.bak")) - before:
        copy.unlink()
    with sqlite3.connect(db) as conn:
        models = conn.execute("SELECT count(*) FROM models").fetchone()[0]
        recs = conn.execute("SELECT count(*) FROM recognitions").fetchone()[0]
    sql = tally_sql()
    tally = ["tally", "--province", "--by-end-of", "2023", "--format", "csv"]
    commands = {
        "dandan tally": [str(BIN / "dandan"), "--db", str(db), *tally],
        "sqlite-utils query": [str(BIN / "sqlite-utils"), "query", str(db), sql, "--csv"],
    }
    sqlite3_cli = shutil.which("sqlite3")
    if sqlite3_cli:
        commands["sqlite3 -csv"] = [sqlite3_cli, "-csv", "-header", str(db), sql]
        commands["sqlite3, join SQL"] = [sqlite3_cli, "-csv", "-header", str(db), JOIN_SQL]
    results = {name: best_of(command, repeat) for name, command in commands.items()}
    reference = numbers(results["dandan tally"][1])
    for name, (_, output) in results.items():
        if numbers(output) != reference:
            print(f"MISMATCH: {name} disagrees with dandan tally", file=sys.stderr)
            return False
    base = results["sqlite-utils query"][0]
    print(
        f"\n{models:,} models, {recs:,} recognitions ({db.stat().st_size / 1e6:,.0f} MB, "
        f"built by {loader}); best of {repeat}; {os.cpu_count()} cores; "
        f"the same numbers from every command"
    )
    print(f"{'command':<20} {'wall s':>8} {'× sqlite-utils':>15}")
    for name, (seconds, _) in results.items():
        print(f"{name:<20} {seconds:>8.3f} {seconds / base:>15.2f}")
    if sqlite3_cli:
        groupings(db, sqlite3_cli, repeat)
    return True


def groupings(db: Path, sqlite3_cli: str, repeat: int) -> None:
    """Every grouping of `GROUPINGS`: dandan end to end, beside sqlite3 (and
    sqlite-utils, where the tally is one statement) running the same SQL."""
    print(f"\n{'tally':<30} {'dandan s':>9} {'sqlite3 s':>10} {'sqlite-utils s':>15} {'× s-u':>6}")
    for name, options in GROUPINGS.items():
        sqls = statements_of(options)
        dandan, _ = best_of(
            [str(BIN / "dandan"), "--db", str(db), "tally", *options, "--format", "csv"], repeat
        )
        floor, _ = best_of([sqlite3_cli, "-csv", str(db), "; ".join(sqls)], repeat)
        utils = ""
        ratio = ""
        if len(sqls) == 1:
            seconds, _ = best_of(
                [str(BIN / "sqlite-utils"), "query", str(db), sqls[0], "--csv"], repeat
            )
            utils, ratio = f"{seconds:.3f}", f"{dandan / seconds:.2f}"
        print(f"{name:<30} {dandan:>9.3f} {floor:>10.3f} {utils:>15} {ratio:>6}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[408_000], help="models to generate (sizes)"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5, help="runs per command; best kept")
    parser.add_argument(
        "--loader",
        choices=("import", "fast"),
        default="import",
        help="build the registry with `dandan import`, or validated executemany",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ok = all(run(n, args.seed, args.loader, args.repeat) for n in args.rows)
    print(f"\nSQL (dandan's own, also run by sqlite-utils and sqlite3):\n{tally_sql()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
