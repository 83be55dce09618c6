"""`dandan tally --across DIM` (a cross-table with row and column totals) and `--top N`
(the largest groups, the rest folded into "other"), in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from dandan.registry import Registry
from dandan.tallies import Dimension, TallyQuery, Window, cross_tally
from tests.conftest import Run

HEADER = (
    "code,name,province,commune,locality_scheme,field,sponsor,holder,registered_on,"
    "recognition_year,recognition_level,decided_on,recognized_by"
)
# Ten models, nine registered in 2021-2025 (HNO-2019-00001 before). One row per
# recognition: QTR-2021-00001 is recognised twice (district 2022, province 2023).
ROWS = f"""\
{HEADER}
QTR-2021-00001,Mô hình một,Quảng Trị,Phường Đông Hà,current,economy,women,collective,2021-03-01,2022,district,2022-06-01,UBND huyện
QTR-2021-00001,Mô hình một,Quảng Trị,Phường Đông Hà,current,economy,women,collective,2021-03-01,2023,province,2023-06-01,UBND tỉnh
QTR-2021-00002,Mô hình hai,Quảng Trị,Phường Đông Hà,current,economy,women,collective,2021-05-01,2021,commune,2021-11-01,UBND phường
QTR-2022-00001,Mô hình ba,Quảng Trị,Phường Đông Hà,current,culture,youth,collective,2022-02-01,,,,
QTR-2024-00001,Mô hình bốn,Quảng Trị,Phường Đông Hà,current,economy,youth,collective,2024-02-01,2024,commune,2024-09-01,UBND phường
HNO-2022-00001,Mô hình năm,Hà Nội,,current,economy,women,collective,2022-03-01,2023,commune,2023-06-01,UBND phường
HNO-2023-00001,Mô hình sáu,Hà Nội,,current,culture,women,collective,2023-03-01,,,,
HNO-2023-00002,Mô hình bảy,Hà Nội,,current,economy,farmers,collective,2023-04-01,,,,
HUE-2021-00001,Mô hình tám,Huế,,current,economy,women,collective,2021-07-01,2025,province,2025-03-01,UBND thành phố
DNG-2025-00001,Mô hình chín,Đà Nẵng,,current,economy,women,collective,2025-01-10,,,,
HNO-2019-00001,Mô hình mười,Hà Nội,,current,economy,women,collective,2019-05-01,,,,
"""  # noqa: E501

# Counted by hand from ROWS: models registered in 2021-2025, by province and year.
REGISTERED = {
    "Quảng Trị": {"2021": 2, "2022": 1, "2024": 1},
    "Hà Nội": {"2022": 1, "2023": 2},
    "Huế": {"2021": 1},
    "Đà Nẵng": {"2025": 1},
}
YEARS = ["2021", "2022", "2023", "2024", "2025"]
# Models recognised in 2021-2025, by province and level: a model recognised at two
# levels is in both columns, once in its row's total and in the grand total.
RECOGNISED = {
    "Quảng Trị": ({"commune": 2, "district": 1, "province": 1}, 3),
    "Hà Nội": ({"commune": 1}, 1),
    "Huế": ({"province": 1}, 1),
}
WINDOW = ("--period", "2021-2025")


@pytest.fixture
def seeded(run: Run, tmp_path: Path) -> Run:
    source = tmp_path / "models.csv"
    source.write_text(ROWS, encoding="utf-8")
    result = run("import", str(source))
    assert result.exit_code == 0, result.stderr
    return run


def as_json(run: Run, *args: str) -> dict[str, Any]:
    result = run("tally", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_province_across_year_acceptance(seeded: Run) -> None:
    data = as_json(seeded, "--province", "--across", "year", *WINDOW)
    assert data["title"] == "Models by province and year, in 2021–2025: models registered"
    assert [c["key"] for c in data["columns"]] == YEARS
    assert [c["year"] for c in data["columns"]] == [2021, 2022, 2023, 2024, 2025]
    cells = {r["province"]: {y: r[y] for y in YEARS} for r in data["rows"]}
    assert cells == {p: {y: counts.get(y, 0) for y in YEARS} for p, counts in REGISTERED.items()}
    assert {r["province"]: r["total"] for r in data["rows"]} == {
        "Quảng Trị": 4,
        "Hà Nội": 3,
        "Huế": 1,
        "Đà Nẵng": 1,
    }
    assert data["totals"] == {"2021": 3, "2022": 2, "2023": 2, "2024": 1, "2025": 1, "total": 9}
    # The rows, the most first (the tie in name order).
    assert [r["province"] for r in data["rows"]] == ["Quảng Trị", "Hà Nội", "Đà Nẵng", "Huế"]

    # The plain tallies over the same window say the same.
    by_province = as_json(seeded, "--province", *WINDOW)
    assert {r["province"]: r["total"] for r in data["rows"]} == {
        r["province"]: r["registered"] for r in by_province["rows"]
    }
    by_year = as_json(seeded, "--by", "year", *WINDOW)
    assert {k: v for k, v in data["totals"].items() if k != "total"} == {
        str(r["year"]): r["registered"] for r in by_year["rows"] if r["registered"]
    }
    assert data["totals"]["total"] == sum(r["total"] for r in data["rows"])
    assert data["totals"]["total"] == by_province["total"]["registered"]


def test_across_level_counts_recognised_models_once_in_the_totals(seeded: Run) -> None:
    data = as_json(seeded, "--province", "--across", "level", *WINDOW)
    # Levels are also place names: prefixed, so as not to be taken for the row's province.
    keys = ["level:commune", "level:district", "level:province"]
    assert [c["key"] for c in data["columns"]] == keys
    assert [c["level"] for c in data["columns"]] == ["commune", "district", "province"]
    found = {r["province"]: ({k: r[k] for k in keys}, r["total"]) for r in data["rows"]}
    assert found == {
        p: ({f"level:{lv}": cells.get(lv, 0) for lv in ("commune", "district", "province")}, t)
        for p, (cells, t) in RECOGNISED.items()
    }
    assert data["totals"] == {
        "level:commune": 3,
        "level:district": 1,
        "level:province": 2,
        "total": 5,  # five models, not six recognitions
    }
    by_province = as_json(seeded, "--province", *WINDOW)
    assert {r["province"]: r["total"] for r in data["rows"]} == {
        r["province"]: r["recognized"] for r in by_province["rows"] if r["recognized"]
    }
    by_level = as_json(seeded, "--by", "level", *WINDOW)
    assert {r["level"]: r["recognized"] for r in by_level["rows"]} == {
        c["level"]: data["totals"][c["key"]] for c in data["columns"]
    }
    assert data["totals"]["total"] == by_level["total"]["recognized"]


def test_across_counts_recognitions_when_asked(seeded: Run) -> None:
    data = as_json(seeded, "--province", "--across", "year", "--count", "recognitions", *WINDOW)
    # Recognitions dated 2021: 1, 2022: 1, 2023: 2, 2024: 1, 2025: 1.
    assert data["totals"] == {"2021": 1, "2022": 1, "2023": 2, "2024": 1, "2025": 1, "total": 6}
    quang_tri = next(r for r in data["rows"] if r["province"] == "Quảng Trị")
    assert [quang_tri[y] for y in YEARS] == [1, 1, 1, 1, 0] and quang_tri["total"] == 4


def test_across_year_counts_the_models_recognised_each_year_when_asked(seeded: Run) -> None:
    """Recognised in 2021-2025, by province and year of recognition (counted by hand
    from ROWS): QTR-2021-00001, recognised in 2022 and 2023, is in both columns and
    once in its row's total and the grand total."""
    data = as_json(seeded, "--province", "--across", "year", "--measure", "recognized", *WINDOW)
    assert data["title"] == "Models by province and year, in 2021–2025: models recognised"
    assert {
        r["province"]: {y: r[y] for y in YEARS} | {"total": r["total"]} for r in data["rows"]
    } == {
        "Quảng Trị": {"2021": 1, "2022": 1, "2023": 1, "2024": 1, "2025": 0, "total": 3},
        "Hà Nội": {"2021": 0, "2022": 0, "2023": 1, "2024": 0, "2025": 0, "total": 1},
        "Huế": {"2021": 0, "2022": 0, "2023": 0, "2024": 0, "2025": 1, "total": 1},
    }
    assert data["totals"] == {"2021": 1, "2022": 1, "2023": 2, "2024": 1, "2025": 1, "total": 5}
    by_province = as_json(seeded, "--province", *WINDOW)
    assert {r["province"]: r["total"] for r in data["rows"]} == {
        r["province"]: r["recognized"] for r in by_province["rows"] if r["recognized"]
    }
    # --top ranks by the same count: Hà Nội (3 registered, 1 recognised) is not first.
    top = as_json(seeded, "--province", "--top", "1", "--measure", "recognized", *WINDOW)
    assert [r["province"] for r in top["rows"]] == ["Quảng Trị", "other"]


@pytest.mark.parametrize(
    "args",
    [
        ("--province", "--across", "level", "--measure", "registered"),
        ("--by", "level", "--top", "2", "--measure", "registered"),
        ("--province", "--level", "tỉnh", "--top", "2", "--measure", "registered"),
        ("--province", "--top", "2", "--measure", "registred"),
    ],
)
def test_a_measure_a_tally_does_not_have_is_refused(seeded: Run, args: tuple[str, ...]) -> None:
    result = seeded("tally", *args, *WINDOW)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --measure: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_cells_come_from_one_group_by(seeded: Run, db: Path) -> None:
    from sqlalchemy import event

    registry = Registry(str(db))
    statements: list[str] = []
    event.listen(
        registry.engine,
        "before_cursor_execute",
        lambda conn, cursor, sql, *args: statements.append(sql),
    )
    query = TallyQuery(by=(Dimension.province,), window=Window.parse(period="2021-2025"))
    table = cross_tally(registry, query, Dimension.year)
    assert table.totals["total"] == 9
    grouped = [s for s in statements if "GROUP BY" in s.upper()]
    assert len(grouped) == 1, statements


def test_top_folds_the_rest_into_other(seeded: Run) -> None:
    data = as_json(seeded, "--province", "--across", "year", "--top", "2", *WINDOW)
    assert [r["province"] for r in data["rows"]] == ["Quảng Trị", "Hà Nội", "other"]
    other = data["rows"][-1]
    assert {y: other[y] for y in YEARS} == {"2021": 1, "2022": 0, "2023": 0, "2024": 0, "2025": 1}
    assert other["total"] == 2 and other["province_code"] is None
    assert data["totals"]["total"] == 9  # unchanged

    plain = as_json(seeded, "--province", "--top", "1", *WINDOW)
    assert plain["rows"] == [
        {
            "province": "Quảng Trị",
            "province_code": 44,
            "locality_scheme": "2025",
            "registered": 4,
            "recognized": 3,
        },
        {
            "province": "other",
            "province_code": None,
            "locality_scheme": None,
            "registered": 5,
            "recognized": 2,
        },
    ]
    assert plain["total"] == {"registered": 9, "recognized": 5}


def test_top_larger_than_the_groups_changes_nothing(seeded: Run) -> None:
    assert as_json(seeded, "--province", "--top", "4", *WINDOW) == as_json(
        seeded, "--province", *WINDOW
    )


def test_table_in_vietnamese(seeded: Run) -> None:
    result = seeded(
        "--lang", "vi", "tally", "--province", "--across", "level", "--top", "1", *WINDOW
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Mô hình theo tỉnh và cấp, giai đoạn 2021–2025" in " ".join(out.split())
    for header in ("Tỉnh", "Cấp xã", "Cấp huyện", "Cấp tỉnh", "Tổng"):
        assert header in out
    other = next(line for line in out.splitlines() if "khác" in line)
    assert [c.strip() for c in other.split("│")[1:-1]] == ["khác", "1", "0", "1", "2"]
    total = next(line for line in out.splitlines() if "Tổng " in line and "│" in line)
    assert [c.strip() for c in total.split("│")[1:-1]] == ["Tổng", "3", "1", "2", "5"]


def test_csv_has_identifiers_and_no_title(seeded: Run) -> None:
    result = seeded("tally", "--province", "--across", "year", "--top", "2", *WINDOW, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["province", "province_code", "locality_scheme", *YEARS, "total"]
    assert [(r["province"], r["total"]) for r in rows] == [
        ("Quảng Trị", "4"),
        ("Hà Nội", "3"),
        ("other", "2"),
    ]


def test_excel_csv_starts_with_the_title(seeded: Run) -> None:
    result = seeded(
        "--lang", "vi", "tally", "--province", "--across", "year", *WINDOW, "-f", "csv", "--excel"
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "\ufeffMô hình theo tỉnh và năm, giai đoạn 2021–2025: mô hình đăng ký"
    assert lines[1].startswith("province;province_code;")


def test_json_is_the_same_in_every_language(seeded: Run) -> None:
    args = ("tally", "--province", "--across", "level", "--top", "1", *WINDOW, "-f", "json")
    english, vietnamese = seeded(*args), seeded("--lang", "vi", *args)
    assert english.exit_code == vietnamese.exit_code == 0
    assert english.stdout == vietnamese.stdout
    assert json.loads(english.stdout)["rows"][-1]["province"] == "other"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_xlsx_holds_numbers(seeded: Run, tmp_path: Path, lang: str) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "cross.xlsx"
    result = seeded(
        "--lang", lang, "tally", "--province", "--across", "year", *WINDOW, "-o", str(target)
    )
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    title = {
        "en": "Models by province and year, in 2021–2025: models registered",
        "vi": "Mô hình theo tỉnh và năm, giai đoạn 2021–2025: mô hình đăng ký",
    }
    assert values[0][0] == title[lang]
    assert sheet.freeze_panes == "A4"
    words = {"en": ("Province", "Total"), "vi": ("Tỉnh", "Tổng")}[lang]
    assert values[2] == [words[0], *YEARS, words[1]]
    body = {row[0]: row[1:] for row in values[3:-1]}
    assert body == {
        p: [*(counts.get(y, 0) for y in YEARS), sum(counts.values())]
        for p, counts in REGISTERED.items()
    }
    assert values[-1] == [words[1], 3, 2, 2, 1, 1, 9]
    assert all(isinstance(v, int) for row in values[3:] for v in row[1:])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--province", "--top", "0"], "--top: 0 groups cannot be kept; give 1 or more"),
        (["--province", "--top", "-3"], "--top: -3 groups cannot be kept; give 1 or more"),
        (["--across", "year"], "--across: a cross-table needs rows; add --by GROUP"),
        (["--by", "year", "--across", "year"], "--across: year is already a row group"),
        (["--province", "--across", "commune"], "--across: the rows are already places"),
        (["--province", "--across", "province"], "--across: province is already a row group"),
        (["--by", "field", "--across", "district"], "--across: districts were abolished"),
        (["--province", "--across", "colour"], "--across: unknown dimension 'colour'"),
    ],
)
def test_refusals_are_one_line(seeded: Run, db: Path, args: list[str], expected: str) -> None:
    result = seeded("tally", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {expected}")
    assert Registry(str(db)).count() == 10


def test_the_sponsor_other_is_folded_into_other(seeded: Run, tmp_path: Path) -> None:
    """Two rows "other", the sponsor and the folded rest, could not be told apart."""
    more = tmp_path / "more.csv"
    row = "Mô hình {n},Hà Nội,,current,economy,other,collective,2023-0{n}-01,,,,"
    more.write_text(
        "\n".join([HEADER.removeprefix("code,"), *(row.format(n=n) for n in (1, 2, 3))]) + "\n",
        encoding="utf-8",
    )
    result = seeded("import", str(more))
    assert result.exit_code == 0, result.stderr
    # Sponsors in 2021-2025: women 6, other 3, youth 2, farmers 1.
    data = as_json(seeded, "--by", "sponsor", "--top", "2", *WINDOW)
    assert [(r["sponsor"], r["registered"]) for r in data["rows"]] == [
        ("women", 6),
        ("youth", 2),
        ("other", 4),
    ]
    assert data["total"]["registered"] == 12
