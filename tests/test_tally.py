"""`dandan tally`: counts checked against brute force over the generated rows."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dandan.cli import app
from dandan.errors import InvalidInput, UsageError
from dandan.registry import ModelFilter, Registry
from dandan.synthetic import COLUMNS as SYNTHETIC_COLUMNS
from dandan.synthetic import generate_rows
from dandan.tallies import Dimension, TallyQuery, Window, tally
from tests.conftest import Run
from tests.generated import (
    Mod,
    Rec,
    Span,
    expected,
    from_import_rows,
    generate,
    row_key,
    write_csv,
)

MODELS = generate(400, seed=7)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One registry with the generated models, shared by the read-only tests below."""
    folder = tmp_path_factory.mktemp("tally")
    db = folder / "registry.db"
    result = CliRunner().invoke(
        app, ["--db", str(db), "import", str(write_csv(folder / "rows.csv", MODELS))]
    )
    assert result.exit_code == 0, result.stderr
    return db


def tally_json(db: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["--db", str(db), "tally", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def as_expected(data: dict[str, Any], by: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
    measures = [k for k in data["total"]]
    return {row_key(r, by): {m: r[m] for m in measures} for r in data["rows"]}


GROUPINGS: list[tuple[list[str], list[str]]] = [
    ([], []),
    (["--province"], ["province"]),
    (["--commune"], ["commune"]),
    (["--by", "year"], ["year"]),
    (["--by", "field"], ["field"]),
    (["--by", "sponsor"], ["sponsor"]),
    (["--by", "level"], ["level"]),
    (["--by", "holder"], ["holder"]),
    (["--province", "--by", "year"], ["province", "year"]),
    (["--by", "level", "--by", "year"], ["level", "year"]),
    (["--by", "tỉnh", "--by", "lĩnh vực"], ["province", "field"]),
]
WINDOWS: list[tuple[list[str], Span]] = [
    ([], Span()),
    (["--year", "2023"], Span(date(2023, 1, 1), date(2023, 12, 31))),
    (["--by-end-of", "2023"], Span(None, date(2023, 12, 31))),
    (["--since", "2024"], Span(date(2024, 1, 1), None)),
    (["--as-of", "2025-06-30"], Span(None, date(2025, 6, 30))),
    (["--as-of", "01/07/2025"], Span(None, date(2025, 7, 1))),
    (["--as-of", "2023-12-30"], Span(None, date(2023, 12, 30))),
    (["--period", "2021-2025"], Span(date(2021, 1, 1), date(2025, 12, 31))),
    (["--since", "2024", "--by-end-of", "2025"], Span(date(2024, 1, 1), date(2025, 12, 31))),
    (["--year", "2026"], Span(date(2026, 1, 1), date(2026, 12, 31))),
]


def _id(args: list[str]) -> str:
    """A case's id: its options in plain ASCII, with no "/", so that the id typed on a
    command line (as the mutation run passes them back to pytest) finds the case."""
    text = unicodedata.normalize("NFD", " ".join(args).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).replace("/", ".")


@pytest.mark.parametrize(("window_args", "span"), WINDOWS, ids=[_id(w) for w, _ in WINDOWS])
@pytest.mark.parametrize(("group_args", "by"), GROUPINGS, ids=[_id(g) for g, _ in GROUPINGS])
def test_tally_matches_brute_force(
    seeded: Path, group_args: list[str], by: list[str], window_args: list[str], span: Span
) -> None:
    data = tally_json(seeded, *group_args, *window_args)
    want = expected(MODELS, by, span)
    assert data["total"] == want.total
    assert as_expected(data, by) == want.rows


SYNTHETIC_ROWS = list(generate_rows(1500, seed=31))
SYNTHETIC = from_import_rows(SYNTHETIC_ROWS)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry from `dandan.synthetic`: every province, real communes, every spelling."""
    folder = tmp_path_factory.mktemp("synthetic")
    path = folder / "synthetic.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SYNTHETIC_COLUMNS)
        writer.writeheader()
        writer.writerows(SYNTHETIC_ROWS)
    db = folder / "registry.db"
    # Rows dated before 2025-07-01 name the old units, as clerks then wrote them.
    result = CliRunner().invoke(app, ["--db", str(db), "import", str(path)])
    assert result.exit_code == 0, result.stderr
    return db


@pytest.mark.parametrize(("window_args", "span"), WINDOWS, ids=[_id(w) for w, _ in WINDOWS])
@pytest.mark.parametrize(("group_args", "by"), GROUPINGS, ids=[_id(g) for g, _ in GROUPINGS])
def test_tally_of_synthetic_rows_matches_brute_force(
    synthetic: Path, group_args: list[str], by: list[str], window_args: list[str], span: Span
) -> None:
    data = tally_json(synthetic, *group_args, *window_args)
    want = expected(SYNTHETIC, by, span)
    assert data["total"] == want.total
    assert as_expected(data, by) == want.rows


# The same models as a tally in the old boundaries groups them: by the old province they
# were recorded in, or lay in wholly, else under "not assignable".
SYNTHETIC_2024 = [
    dataclasses.replace(m, province=m.legacy_province or "not assignable") for m in SYNTHETIC
]
GROUPINGS_2024 = [GROUPINGS[1], GROUPINGS[8]]


@pytest.mark.parametrize(("window_args", "span"), WINDOWS, ids=[_id(w) for w, _ in WINDOWS])
@pytest.mark.parametrize(
    ("group_args", "by"), GROUPINGS_2024, ids=[_id(g) for g, _ in GROUPINGS_2024]
)
def test_tally_of_synthetic_rows_in_the_old_boundaries_matches_brute_force(
    synthetic: Path, group_args: list[str], by: list[str], window_args: list[str], span: Span
) -> None:
    data = tally_json(synthetic, *group_args, "--boundaries", "2024", *window_args)
    want = expected(SYNTHETIC_2024, by, span)
    assert data["total"] == want.total
    assert as_expected(data, by) == want.rows


def test_synthetic_rows_name_old_units_before_the_merger() -> None:
    """The comparisons above read old names only if the rows hold them."""
    before = [r for r in SYNTHETIC_ROWS if r["registered_on"] < "2025-07-01"]
    assert before and all(r["district"] for r in before if not r["locality_scheme"])
    assert not any(r["district"] for r in SYNTHETIC_ROWS if r["registered_on"] >= "2025-07-01")
    assert any(m.legacy_province is None for m in SYNTHETIC)  # some not assignable


def test_the_generated_rows_exercise_the_edges() -> None:
    """The comparisons above mean something only if the data holds the hard cases."""
    recs = [r for m in MODELS for r in m.recognitions]
    assert any(r.decided_on == date(2023, 12, 31) for r in recs)
    assert any(r.decided_on == date(2024, 1, 1) for r in recs)
    assert any(r.decided_on == date(2025, 7, 1) for r in recs)
    assert any(r.decided_on is None for r in recs)
    assert any(r.decided_on is not None and r.decided_on.year == r.year + 1 for r in recs)
    assert any(len({r.day.year for r in m.recognitions}) < len(m.recognitions) for m in MODELS)
    assert any(m.withdrawn_on == date(2025, 7, 1) for m in MODELS)
    assert any(m.withdrawn_on and m.recognitions for m in MODELS)
    assert any(m.registered_on == date(2024, 1, 1) for m in MODELS)
    assert any(m.commune is None for m in MODELS)


COUNTED: list[tuple[list[str], list[str], Span]] = [
    ([], [], Span()),
    (["--province", "--by-end-of", "2023"], ["province"], Span(None, date(2023, 12, 31))),
    (["--by", "year"], ["year"], Span()),
    (["--by", "level", "--year", "2025"], ["level"], Span(date(2025, 1, 1), date(2025, 12, 31))),
]


@pytest.mark.parametrize(("args", "by", "span"), COUNTED, ids=[_id(a) for a, _, _ in COUNTED])
def test_count_recognitions(seeded: Path, args: list[str], by: list[str], span: Span) -> None:
    data = tally_json(seeded, *args, "--count", "recognitions")
    want = expected(MODELS, by, span, recognitions=True)
    assert data["total"] == want.total
    assert as_expected(data, by) == want.rows
    models = tally_json(seeded, *args)
    assert data["total"]["recognitions"] > models["total"]["recognized"]  # some twice


FILTERS: list[tuple[list[str], dict[str, Any]]] = [
    (["--in", "quang tri"], {"provinces": ["Quảng Trị"]}),
    (["--in", "Ha Noi", "--in", "79"], {"provinces": ["Hà Nội", "Hồ Chí Minh"]}),
    (["--field", "kinh te"], {"fields": ["economy"]}),
    (
        ["--field", "VĂN HÓA XÃ HỘI", "--field", "security"],
        {"fields": ["culture_society", "defence_security"]},
    ),
    (["--sponsor", "Women's Union"], {"sponsors": ["women"]}),
    (["--holder", "ca nhan"], {"holders": ["individual"]}),
    (["--level", "tỉnh"], {"levels": ["province"]}),
    (["--level", "huyen", "--level", "xa"], {"levels": ["district", "commune"]}),
    (["--status", "withdrawn"], {"statuses": ["withdrawn"]}),
    (["--status", "đã công nhận"], {"statuses": ["recognized"]}),
    (["--status", "registered"], {"statuses": ["registered"]}),
    (["--status", "registered", "--status", "rút"], {"statuses": ["registered", "withdrawn"]}),
]


@pytest.mark.parametrize(("filter_args", "kwargs"), FILTERS, ids=[_id(f) for f, _ in FILTERS])
@pytest.mark.parametrize(
    ("window_args", "span"),
    [WINDOWS[0], WINDOWS[2], WINDOWS[5]],
    ids=["all", "by-end-of-2023", "as-of-2025-07-01"],
)
def test_filters_match_brute_force(
    seeded: Path,
    filter_args: list[str],
    kwargs: dict[str, Any],
    window_args: list[str],
    span: Span,
) -> None:
    data = tally_json(seeded, "--province", *filter_args, *window_args)
    want = expected(MODELS, ["province"], span, **kwargs)
    assert data["total"] == want.total
    assert as_expected(data, ["province"]) == want.rows


def test_filter_by_commune(seeded: Path) -> None:
    commune = next(m for m in MODELS if m.commune is not None)
    assert commune.commune is not None and commune.commune_code is not None
    data = tally_json(seeded, "--commune", "--in", str(commune.commune_code))
    want = expected(MODELS, ["commune"], communes=[commune.commune])
    assert as_expected(data, ["commune"]) == want.rows
    assert [r["commune_code"] for r in data["rows"]] == [commune.commune_code]


@pytest.mark.parametrize(
    "args",
    [
        ["--in", "Thái Nguyên"],  # a province without models
        ["--by", "level", "--by-end-of", "2018"],  # before the first registration
        ["--since", "2026", "--in", "Huế", "--status", "withdrawn", "--field", "party"],
    ],
)
def test_empty_results(seeded: Path, args: list[str]) -> None:
    data = tally_json(seeded, "--province", *args)
    assert data["rows"] == []
    assert set(data["total"].values()) == {0}


def test_library_gives_what_the_command_prints(seeded: Path) -> None:
    query = TallyQuery(
        by=(Dimension.province, Dimension.year),
        window=Window.parse(period="2021-2025"),
        where=ModelFilter.parse(fields=["kinh te"]),
    )
    result = tally(Registry(str(seeded)), query)
    data = tally_json(
        seeded, "--province", "--by", "year", "--period", "2021-2025", "--field", "kt"
    )
    assert result.rows == data["rows"]
    assert result.total == data["total"]


def test_the_seed_data_gives_the_published_figure(run: Run) -> None:
    """`make demo` ends with this tally: 555 models recognised in Quảng Trị by the end
    of 2023."""
    seed = Path(__file__).resolve().parent.parent / "data" / "seed_models.csv"
    assert run("import", str(seed)).exit_code == 0
    rows = json.loads(run("tally", "--province", "--by-end-of", "2023", "--format", "json").stdout)
    quang_tri = next(r for r in rows["rows"] if r["province_code"] == 44)
    assert (quang_tri["province"], quang_tri["recognized"]) == ("Quảng Trị", 555)
    assert rows["rows"][0] == quang_tri  # the largest


# -- small registries where the rule is plain to see -----------------------------------


def _registry(tmp_path: Path, run: Run, models: list[Mod]) -> None:
    result = run("import", str(write_csv(tmp_path / "rows.csv", models)))
    assert result.exit_code == 0, result.stderr


def _mod(code: str, registered_on: date, *recs: Rec, withdrawn_on: date | None = None) -> Mod:
    return Mod(
        code=code,
        name=f"Mô hình {code}",
        province="Quảng Trị",
        province_code=44,
        commune=None,
        commune_code=None,
        field="economy",
        sponsor="farmers",
        holder="collective",
        registered_on=registered_on,
        withdrawn_on=withdrawn_on,
        recognitions=list(recs),
    )


def test_year_ends_and_undated_recognitions(run: Run, tmp_path: Path) -> None:
    _registry(
        tmp_path,
        run,
        [
            _mod("A-1", date(2023, 12, 31), Rec(2023, "province", date(2023, 12, 31))),
            _mod("A-2", date(2023, 5, 1), Rec(2023, "province", date(2024, 1, 1))),
            _mod("A-3", date(2024, 1, 1), Rec(2024, "commune", None)),
        ],
    )

    def total(*args: str) -> dict[str, int]:
        result = run("tally", *args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        out: dict[str, int] = json.loads(result.stdout)["total"]
        return out

    assert total("--by-end-of", "2023") == {"registered": 2, "recognized": 1}
    assert total("--year", "2024") == {"registered": 1, "recognized": 2}
    # Undated: known only to have happened by 31 December of its year.
    assert total("--as-of", "2024-12-30") == {"registered": 3, "recognized": 2}
    assert total("--as-of", "2024-12-31") == {"registered": 3, "recognized": 3}
    assert total("--since", "2024") == {"registered": 1, "recognized": 2}


def test_recognised_twice_counts_once_per_group(run: Run, tmp_path: Path) -> None:
    twice = _mod(
        "B-1",
        date(2022, 3, 1),
        Rec(2022, "commune", date(2022, 6, 1)),
        Rec(2023, "province", date(2023, 6, 1)),
    )
    _registry(tmp_path, run, [twice])
    data = json.loads(run("tally", "--by", "year", "--format", "json").stdout)
    assert data["rows"] == [
        {"year": 2022, "registered": 1, "recognized": 1},
        {"year": 2023, "registered": 0, "recognized": 1},
    ]
    assert data["total"] == {"registered": 1, "recognized": 1}  # one model, not two
    counted = json.loads(run("tally", "--count", "recognitions", "--format", "json").stdout)
    assert counted["total"] == {"registered": 1, "recognitions": 2}


def test_withdrawn_models_leave_the_counts_from_their_withdrawal(run: Run, tmp_path: Path) -> None:
    _registry(
        tmp_path,
        run,
        [
            _mod("C-1", date(2024, 2, 1), Rec(2024, "commune", date(2024, 9, 1))),
            _mod(
                "C-2",
                date(2024, 2, 1),
                Rec(2024, "commune", date(2024, 9, 1)),
                withdrawn_on=date(2025, 7, 1),
            ),
        ],
    )

    def total(*args: str) -> dict[str, int]:
        out: dict[str, int] = json.loads(run("tally", *args, "--format", "json").stdout)["total"]
        return out

    assert total("--as-of", "2025-06-30") == {"registered": 2, "recognized": 2}
    assert total("--as-of", "2025-07-01") == {"registered": 1, "recognized": 1}
    assert total() == {"registered": 1, "recognized": 1}
    assert total("--status", "withdrawn") == {"registered": 1, "recognized": 1}
    assert total("--status", "withdrawn", "--as-of", "2025-06-30") == {
        "registered": 0,
        "recognized": 0,
    }


# -- output -----------------------------------------------------------------------------


def _quang_tri(count: int, recognised: int) -> list[Mod]:
    return [
        _mod(
            f"QTR-2023-{i:05d}",
            date(2023, 1, 2),
            *([Rec(2023, "province", date(2023, 11, 15))] if i < recognised else []),
        )
        for i in range(count)
    ]


def test_table_has_separators_total_row_and_chart(run: Run, tmp_path: Path) -> None:
    hue = _mod("HUE-1", date(2023, 4, 4))
    hue.province, hue.province_code = "Huế", 46
    _registry(tmp_path, run, [*_quang_tri(1204, 555), hue])
    result = run("tally", "--province", "--by-end-of", "2023", "--chart")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    quang_tri = next(line for line in lines if "Quảng Trị" in line)
    assert "1,204" in quang_tri and "555" in quang_tri and "█" * 30 in quang_tri
    total = next(line for line in lines if "Total" in line)
    assert "1,205" in total and "555" in total
    assert lines.index(quang_tri) < next(i for i, line in enumerate(lines) if "Huế" in line)


def test_json_and_csv_shapes(run: Run, tmp_path: Path) -> None:
    _registry(tmp_path, run, _quang_tri(3, 2))
    data = json.loads(run("tally", "--province", "--format", "json").stdout)
    assert data == {
        "title": "Models by province, all time",
        "rows": [
            {
                "province": "Quảng Trị",
                "province_code": 44,
                "locality_scheme": "2025",
                "registered": 3,
                "recognized": 2,
            }
        ],
        "total": {"registered": 3, "recognized": 2},
    }
    rows = list(csv.DictReader(io.StringIO(run("tally", "--province", "--format", "csv").stdout)))
    assert rows == [
        {
            "province": "Quảng Trị",
            "province_code": "44",
            "locality_scheme": "2025",
            "registered": "3",
            "recognized": "2",
        }
    ]
    national = run("tally", "--format", "csv").stdout
    assert national == "registered,recognized\n3,2\n"
    assert "Total" in run("tally").stdout


def test_sort_by_count_or_vietnamese_name(seeded: Path) -> None:
    by_count = tally_json(seeded, "--province")["rows"]
    counts = [(r["registered"], r["recognized"]) for r in by_count]
    assert counts == sorted(counts, reverse=True)
    by_name = [r["province"] for r in tally_json(seeded, "--province", "--sort", "name")["rows"]]
    assert by_name == ["Hà Nội", "Hồ Chí Minh", "Huế", "Quảng Trị"]
    years = [r["year"] for r in tally_json(seeded, "--by", "year", "--sort", "name")["rows"]]
    assert years == sorted(years)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--in", "Quang Tru"], 1, "--in: unknown province 'Quang Tru'; did you mean Quảng Trị"),
        (["--year", "20x3"], 1, "--year: bad year '20x3'"),
        (["--by-end-of", "99"], 1, "--by-end-of: bad year '99'"),
        (
            ["--year", "2023", "--by-end-of", "2023"],
            2,
            "--by-end-of: cannot be combined with --year",
        ),
        (
            ["--since", "2021", "--period", "2021-2025"],
            2,
            "--period: cannot be combined with --since",
        ),
        (
            ["--since", "2024", "--by-end-of", "2023"],
            2,
            "--by-end-of: the window starts on 2024-01-01",
        ),
        (["--period", "2025-2021"], 2, "--period: bad period '2025-2021'"),
        (["--period", "2021"], 2, "--period: bad period '2021': write two years"),
        (["--as-of", "31/02/2024"], 1, "--as-of: bad date '31/02/2024': no such day"),
        (["--by", "village"], 2, "--by: unknown dimension 'village'; use one of: province"),
        (["--by", "district"], 2, "--by: districts were abolished on 2025-07-01"),
        (["--boundaries", "1990"], 2, "--boundaries: unknown boundaries '1990'"),
        (["--count", "votes"], 2, "--count: unknown value 'votes'; use models|recognitions"),
        (["--sort", "size"], 2, "--sort: unknown value 'size'; use natural|count|name"),
        (["--field", "sport"], 1, "--field: unknown field 'sport'"),
        (["--status", "lost"], 1, "--status: unknown status 'lost'"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(
    run: Run, args: list[str], code: int, message: str
) -> None:
    result = run("tally", *args)
    assert result.exit_code == code
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


# -- what makes it fast -------------------------------------------------------------------


def test_first_recognition_date_is_kept_by_the_database(seeded: Path, tmp_path: Path) -> None:
    """`models.first_recognized_on`, which cumulative tallies read instead of joining the
    recognitions, equals the earliest recognition date, however recognitions are written."""
    import shutil
    import sqlite3

    db = tmp_path / "copy.db"
    shutil.copy(seeded, db)
    want = {m.code: min((r.day for r in m.recognitions), default=None) for m in MODELS}

    def stored() -> dict[str, date | None]:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT code, first_recognized_on FROM models").fetchall()
        return {code: date.fromisoformat(day) if day else None for code, day in rows}

    assert stored() == want  # after a bulk import
    never = next(m for m in MODELS if not m.recognitions and m.withdrawn_on is None)
    later = next(m for m in MODELS if m.recognitions and m.withdrawn_on is None)
    first = min(r.day for r in later.recognitions)
    cli = CliRunner()
    for code, year, on in ((never.code, 2026, "2026-05-05"), (later.code, first.year, None)):
        result = cli.invoke(
            app,
            ["--db", str(db), "recognize", code, "--year", str(year), "--level", "xa"]
            + (["--decided-on", on] if on else ["--decision", "99/QĐ", "--allow-duplicate"]),
        )
        assert result.exit_code == 0, result.stderr
    want[never.code] = date(2026, 5, 5)
    want[later.code] = min(first, date(first.year, 12, 31))
    assert stored() == want  # after `dandan recognize`
    with sqlite3.connect(db) as conn:  # and after any other writer
        conn.execute(
            "DELETE FROM recognitions WHERE model_id = (SELECT id FROM models WHERE code = ?)",
            (never.code,),
        )
        conn.execute(
            "UPDATE recognitions SET decided_on = NULL, year = 2026 WHERE model_id = "
            "(SELECT id FROM models WHERE code = ?)",
            (later.code,),
        )
    want[never.code] = None
    want[later.code] = date(2026, 12, 31)
    assert stored() == want


def test_core_tables_are_the_orm_tables() -> None:
    """The read paths' tables are the SQLModel classes' own: one definition of the schema."""
    from dandan import models, tables

    assert tables.models is models.Model.__table__  # type: ignore[attr-defined]
    assert tables.recognitions is models.Recognition.__table__  # type: ignore[attr-defined]
    assert tables.import_batches is models.ImportBatch.__table__  # type: ignore[attr-defined]
    assert tables.events is models.Event.__table__  # type: ignore[attr-defined]
    assert tables.contests is models.Contest.__table__  # type: ignore[attr-defined]
    assert tables.model_areas is models.ModelArea.__table__  # type: ignore[attr-defined]
    assert tables.commendations is models.Commendation.__table__  # type: ignore[attr-defined]
    assert tables.reviews is models.Review.__table__  # type: ignore[attr-defined]
    assert set(tables.metadata.tables) == {
        "models", "recognitions", "model_areas", "commendations", "reviews", "import_batches",
        "events", "contests",
    }  # fmt: skip


def test_the_statements_give_the_tally(seeded: Path) -> None:
    """What `statements()` prints (the benchmark runs it in sqlite3) is what tally counts."""
    import sqlite3

    from sqlalchemy.dialects import sqlite

    from dandan.tallies import statements

    query = TallyQuery(by=(Dimension.province,), window=Window.parse(by_end_of=2023))
    (statement,) = statements(query)
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with sqlite3.connect(seeded) as conn:
        got = {code: (a, b) for code, a, b in conn.execute(sql)}
    result = tally(Registry(str(seeded)), query)
    assert got == {r["province_code"]: (r["registered"], r["recognized"]) for r in result.rows}
    assert "first_recognized_on" in sql and "recognitions" not in sql  # one scan of models


def test_tally_of_a_new_registry(run: Run, db: Path) -> None:
    run("db", "init")  # reading never makes a registry
    result = run("tally", "--province", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "title": "Models by province, all time",
        "rows": [],
        "total": {"registered": 0, "recognized": 0},
    }
    assert Registry(str(db)).count() == 0


def test_tally_loads_neither_rich_nor_openpyxl_for_csv(seeded: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from dandan.cli import app\n"
        f"try:\n    app(['--db', {str(seeded)!r}, 'tally', '--province', '--format', 'csv'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('openpyxl', 'rich', 'vietnam_provinces', 'alembic'))\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert "province,province_code,locality_scheme,registered,recognized" in done.stdout


@pytest.mark.postgres
def test_tallies_on_postgresql_match_brute_force(tmp_path: Path, pg_url: str) -> None:
    """The same SQL and triggers on a server."""
    url = pg_url
    cli = CliRunner()
    result = cli.invoke(app, ["--db", url, "import", str(write_csv(tmp_path / "r.csv", MODELS))])
    assert result.exit_code == 0, result.stderr
    for group_args, by in GROUPINGS[:10]:
        for window_args, span in WINDOWS[:9]:
            result = cli.invoke(
                app, ["--db", url, "tally", *group_args, *window_args, "--format", "json"]
            )
            assert result.exit_code == 0, result.stderr
            data = json.loads(result.stdout)
            want = expected(MODELS, by, span)
            assert (data["total"], as_expected(data, by)) == (want.total, want.rows), (
                group_args,
                window_args,
            )


@pytest.mark.parametrize(
    ("options", "start", "end"),
    [
        ({"year": "", "since": "2024"}, date(2024, 1, 1), None),
        ({"period": "", "since": "2022", "year": None}, date(2022, 1, 1), None),
        ({"by_end_of": "", "as_of": "2025-06-30"}, None, date(2025, 6, 30)),
        ({"year": "", "by_end_of": "2023", "period": ""}, None, date(2023, 12, 31)),
        ({"since": "", "as_of": "2024-06-30"}, None, date(2024, 6, 30)),
        ({"as_of": "", "year": "2024"}, date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_an_empty_option_sets_no_end_of_the_window(
    options: dict[str, str | None], start: date | None, end: date | None
) -> None:
    """A script passing every option, the unused ones empty, gets the window of the
    others, not "cannot be combined" (the command line never sends an empty one)."""
    window = Window.parse(**options)
    assert (window.start, window.end) == (start, end)


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        (
            {"year": "2023", "since": "2021"},
            "since",
            "cannot be combined with --year: both say where the window starts; give one of them",
        ),
        (
            {"by_end_of": "2023", "as_of": "2023-06-30"},
            "as_of",
            "cannot be combined with --by-end-of: both say where the window ends; give one of them",
        ),
        (
            {"as_of": "2023-06-30", "period": "2021-2025"},
            "period",
            "cannot be combined with --as-of: both say where the window ends; give one of them",
        ),
        ({"period": "2021"}, "period", "bad period '2021': write two years, e.g. 2021-2025"),
        (
            {"period": "2025-2021"},
            "period",
            "bad period '2025-2021': the first year comes first, e.g. 2021-2025",
        ),
        (
            {"since": "2024", "by_end_of": "2023"},
            "by_end_of",
            "the window starts on 2024-01-01, after it ends on 2023-12-31; swap the years",
        ),
        (
            {"since": "2024", "as_of": "2023-06-30"},
            "as_of",
            "the window starts on 2024-01-01, after it ends on 2023-06-30; swap the years",
        ),
    ],
)
def test_a_window_that_cannot_be_is_refused_whole(
    options: dict[str, str], field: str, message: str
) -> None:
    """Each refusal says what is wrong and what to write instead, in full; two options
    for one end name the first as typed on the command line (the error's field is the
    second) and the end both set."""
    with pytest.raises(UsageError) as refused:
        Window.parse(**options)
    assert (refused.value.field, refused.value.message) == (field, message)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"year": "23"}, "year"),
        ({"since": "2O21"}, "since"),
        ({"by_end_of": "1850"}, "by_end_of"),
        ({"as_of": "31/02/2024"}, "as_of"),
        ({"period": "1850-2025"}, "period"),
        ({"period": "2021-3000"}, "period"),
    ],
)
def test_a_bad_year_or_day_names_the_option_it_came_in(options: dict[str, str], field: str) -> None:
    """The command line turns the field into the option to fix (`--by-end-of: bad year
    '1850'`), so each year is read under its own option's name."""
    with pytest.raises(InvalidInput) as refused:
        Window.parse(**options)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("options", "label"),
    [
        ({}, "all time"),
        ({"year": "2023"}, "in 2023"),
        ({"period": "2021-2025"}, "in 2021–2025"),
        ({"since": "2021"}, "since 2021"),
        ({"by_end_of": "2023"}, "by the end of 2023"),
        ({"as_of": "2023-12-31"}, "as of 2023-12-31"),
        ({"since": "2021", "by_end_of": "2023"}, "since 2021, by the end of 2023"),
        ({"since": "2021", "as_of": "2024-06-30"}, "since 2021, as of 2024-06-30"),
        # A window of one day: it starts on the day it ends.
        ({"since": "2024", "as_of": "2024-01-01"}, "since 2024, as of 2024-01-01"),
    ],
)
def test_a_window_is_told_as_it_was_asked(options: dict[str, str], label: str) -> None:
    """`--year 2023` and `--period 2023-2023` are the same days; the title says what the
    analyst asked for, which `parse` records option by option."""
    assert Window.parse(**options).label == label


def test_a_period_of_one_year_is_that_year() -> None:
    """`--period 2023-2023` is a period whose first year is its last: accepted."""
    window = Window.parse(period="2023-2023")
    assert (window.start, window.end) == (date(2023, 1, 1), date(2023, 12, 31))
