"""`dandan export`: the import schema, safe in spreadsheets, and back to the same registry."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dandan import i18n
from dandan.cli import app
from dandan.exporting import COLUMNS
from dandan.registry import Registry
from dandan.sources import HEADERS, VIETNAMESE_HEADERS, SourceInfo, map_headers
from dandan.text import fold
from tests.conftest import Run, dump
from tests.generated import HEADER, Mod, Rec, expected, generate, status_at, write_csv

MODELS = generate(250, seed=11)


def cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args])


@pytest.fixture
def source(tmp_path: Path) -> Path:
    db = tmp_path / "source.db"
    result = cli(db, "import", str(write_csv(tmp_path / "rows.csv", MODELS)))
    assert result.exit_code == 0, result.stderr
    return db


def registry_as_dicts(db: Path) -> list[dict[str, Any]]:
    return [m.as_dict() for m in Registry(str(db)).list_models()]


TALLIES = [
    ["--province", "--by-end-of", "2023"],
    ["--commune", "--as-of", "2025-07-01"],
    ["--by", "year", "--by", "level"],
    ["--by", "field", "--by", "sponsor", "--by", "holder", "--period", "2021-2025"],
    ["--province", "--status", "withdrawn"],
    ["--count", "recognitions", "--since", "2024"],
]


def tallies(db: Path) -> list[str]:
    outputs = []
    for args in TALLIES:
        result = cli(db, "tally", *args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    return outputs


def test_csv_export_reimports_to_the_same_registry(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = cli(source, "export", str(out))
    assert result.exit_code == 0, result.stderr
    recognitions = sum(len(m.recognitions) for m in MODELS)
    assert f"exported {len(MODELS)} models and {recognitions} recognitions" in result.stderr

    copy = tmp_path / "copy.db"
    imported = cli(copy, "import", str(out), "--format", "json")
    assert imported.exit_code == 0, imported.stderr
    rows = sum(max(1, len(m.recognitions)) for m in MODELS)
    assert json.loads(imported.stdout)["inserted"] == rows  # the importer counts rows
    assert tallies(copy) == tallies(source)
    assert registry_as_dicts(copy) == registry_as_dicts(source)


def test_xlsx_export_reimports_to_the_same_registry(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    assert cli(source, "export", str(out)).exit_code == 0
    copy = tmp_path / "copy.db"
    imported = cli(copy, "import", str(out))
    assert imported.exit_code == 0, imported.stderr
    assert tallies(copy) == tallies(source)
    assert registry_as_dicts(copy) == registry_as_dicts(source)


def test_one_row_per_recognition_in_the_import_schema(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    cli(source, "export", str(out))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert set(HEADER) <= set(COLUMNS)
    assert len(rows) == sum(max(1, len(m.recognitions)) for m in MODELS)
    by_code = {m.code: m for m in MODELS}
    for row in rows:
        m = by_code[row["code"]]
        assert row["province_code"] == str(m.province_code)
        assert row["commune_code"] == (str(m.commune_code) if m.commune_code else "")
        assert row["registered_on"] == m.registered_on.isoformat()
        assert row["field"] == m.field
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # so Excel reads UTF-8


def test_export_is_owner_only(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    cli(source, "export", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []


@pytest.mark.parametrize(
    ("args", "status", "end"),
    [
        (
            ["--in", "Quảng Trị", "--status", "recognized", "--by-end-of", "2023"],
            "recognized",
            2023,
        ),
        (["--in", "hue", "--status", "withdrawn"], "withdrawn", None),
        (["--in", "ha noi", "--year", "2024"], None, None),
    ],
)
def test_export_selects_like_tally(
    source: Path, args: list[str], status: str | None, end: int | None
) -> None:
    """The models behind a tally figure: `export --in X --status recognized --by-end-of Y`
    lists exactly the models `tally` counts as recognised."""
    result = cli(source, "export", "-", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    codes = sorted({r["code"] for r in json.loads(result.stdout)})
    place = {"Quảng Trị": "Quảng Trị", "hue": "Huế", "ha noi": "Hà Nội"}[args[1]]
    day = date(end, 12, 31) if end else None
    want = [
        m.code
        for m in MODELS
        if m.province == place
        and (status is None or status_at(m, day) == status)
        and ("--year" not in args or m.registered_on.year == 2024)
        and (day is None or m.registered_on <= day)
    ]
    assert codes == sorted(want)
    if status == "recognized":
        assert end is not None
        figure = expected(MODELS, ["province"], provinces=[place], span=_by_end_of(end))
        assert len(codes) == figure.rows[(place,)]["recognized"]


def _by_end_of(year: int) -> Any:
    from tests.generated import Span

    return Span(None, date(year, 12, 31))


FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "'=already quoted", "''=quoted twice"]


def _formula_registry(tmp_path: Path, run: Run) -> None:
    models = [
        Mod(
            code=f"F-{i}",
            name=name,
            province="Huế",
            province_code=46,
            commune=None,
            commune_code=None,
            field="economy",
            sponsor="youth",
            holder="individual",
            registered_on=date(2024, 5, 1),
            recognitions=[Rec(2024, "commune", date(2024, 6, 1))],
        )
        for i, name in enumerate(FORMULAS)
    ]
    result = run("import", str(write_csv(tmp_path / "formulas.csv", models)))
    assert result.exit_code == 0, result.stderr


def test_csv_and_xlsx_neutralise_formulas_json_stays_raw(
    run: Run, tmp_path: Path, db: Path
) -> None:
    from openpyxl import load_workbook

    _formula_registry(tmp_path, run)
    names = sorted(m.name for m in Registry(str(db)).list_models())
    assert "=already quoted" in names  # the importer read the quoted cell back as text
    rows = list(csv.DictReader(io.StringIO(run("export", "-").stdout)))
    assert sorted(r["name"] for r in rows) == sorted("'" + n for n in names)

    raw = json.loads(run("export", "-", "--format", "json").stdout)
    assert sorted(r["name"] for r in raw) == names

    book = tmp_path / "out.xlsx"
    assert run("export", str(book)).exit_code == 0
    sheet = load_workbook(book).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert tuple(header) == COLUMNS
    cells = [row[header.index("name")] for row in sheet.iter_rows(min_row=2)]
    assert sorted(str(c.value) for c in cells) == sorted("'" + n for n in names)
    assert {c.data_type for c in cells} == {"s"}  # text, never a formula
    assert {row[header.index("province_code")].value for row in sheet.iter_rows(min_row=2)} == {46}


def test_quoted_formulas_come_back_unquoted(run: Run, tmp_path: Path, db: Path) -> None:
    _formula_registry(tmp_path, run)
    out = tmp_path / "export.csv"
    run("export", str(out))
    copy = tmp_path / "copy.db"
    assert cli(copy, "import", str(out)).exit_code == 0
    assert registry_as_dicts(copy) == registry_as_dicts(db)


def test_json_export_has_raw_values(source: Path) -> None:
    result = cli(source, "export", "-", "--format", "json", "--in", "79")
    rows = json.loads(result.stdout)
    assert rows and all(r["province_code"] == 79 for r in rows)
    assert all(isinstance(r["recognition_year"], int | None) for r in rows)
    assert set(rows[0]) == set(COLUMNS)


def test_empty_export_has_the_header(run: Run) -> None:
    run("db", "init")  # reading never makes a registry
    result = run("export", "-")
    assert result.exit_code == 0
    assert result.stdout == ",".join(COLUMNS) + "\n"
    assert "exported 0 models" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["out.txt"], 2, "FILE out.txt: '.txt' is not an export format; name it .csv, .xlsx"),
        (["out"], 2, "FILE out: no extension is not an export format"),
        (["/nonexistent/dir/out.csv"], 1, "FILE /nonexistent/dir/out.csv: cannot write there"),
        (["-", "--format", "xlsx"], 2, "--format: an .xlsx workbook cannot go to standard output"),
        (
            ["out.csv", "--format", "json"],
            2,
            "--format: out.csv is named .csv but the format asked is json",
        ),
        (["-", "--format", "pdf"], 2, "--format: unknown format 'pdf'"),
        (["-", "--in", "Atlantis"], 1, "--in: unknown province 'Atlantis'"),
        (["-", "--year", "2023", "--as-of", "2023-06-30"], 2, "--as-of: cannot be combined"),
        (["-", "--headers", "fr"], 2, "--headers: unknown headers 'fr'; use en"),
    ],
)
def test_bad_export_requests_are_one_line(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: int,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("export", *args)
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.txt").exists()


def test_a_directory_is_not_a_file(run: Run, tmp_path: Path) -> None:
    run("db", "init")  # reading never makes a registry
    (tmp_path / "taken.csv").mkdir()
    result = run("export", str(tmp_path / "taken.csv"))
    assert result.exit_code == 1
    assert "cannot write it" in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".taken")] == []


# -- --headers vi: the columns named for a person, read back by the importer --------------


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_vietnamese_headers_name_the_same_data(source: Path, tmp_path: Path) -> None:
    english, vietnamese = tmp_path / "en.csv", tmp_path / "vi.csv"
    assert cli(source, "export", str(english)).exit_code == 0
    result = cli(source, "export", str(vietnamese), "--headers", "vi")
    assert result.exit_code == 0, result.stderr
    en_rows, vi_rows = _csv_rows(english), _csv_rows(vietnamese)
    assert en_rows[0] == list(COLUMNS)  # the default stays the identifiers
    assert vi_rows[0] == [VIETNAMESE_HEADERS[c] for c in COLUMNS]
    assert vi_rows[0][:4] == ["Mã", "Tên mô hình", "Mô tả", "Tỉnh"]
    assert {"Xã", "Lĩnh vực", "Khối chủ trì", "Năm công nhận"} <= set(vi_rows[0])
    # The same rows, their terms as a person reads them in Vietnamese.
    terms = [COLUMNS.index(c) for c in ("field", "sponsor", "holder", "kind", "recognition_level")]
    assert len(vi_rows) == len(en_rows)
    for en_row, vi_row in zip(en_rows[1:], vi_rows[1:], strict=True):
        assert [v for i, v in enumerate(vi_row) if i not in terms] == [
            v for i, v in enumerate(en_row) if i not in terms
        ]
        assert [vi_row[i] for i in terms] == [VIETNAMESE_TERMS.get(en_row[i], "") for i in terms]


#: The terms as a Vietnamese reader writes them (the official names).
VIETNAMESE_TERMS = {
    "economy": "Kinh tế", "culture_society": "Văn hóa – xã hội",
    "defence_security": "Quốc phòng – an ninh",
    "party_building": "Xây dựng Đảng và hệ thống chính trị",
    "party": "Cấp ủy Đảng", "government": "Chính quyền", "fatherland_front": "Mặt trận Tổ quốc",
    "women": "Hội Liên hiệp Phụ nữ", "youth": "Đoàn Thanh niên", "farmers": "Hội Nông dân",
    "veterans": "Hội Cựu chiến binh", "trade_union": "Công đoàn", "army": "Quân đội",
    "police": "Công an", "other": "Khác", "collective": "Tập thể", "individual": "Cá nhân",
    "model": "Mô hình", "exemplar": "Điển hình",
    "commune": "Cấp xã", "district": "Cấp huyện", "province": "Cấp tỉnh", "central": "Trung ương",
}  # fmt: skip


def test_vietnamese_headers_reimport_to_the_same_registry(source: Path, tmp_path: Path) -> None:
    copies = {}
    for headers in ("en", "vi"):
        out = tmp_path / f"{headers}.csv"
        assert cli(source, "export", str(out), "--headers", headers).exit_code == 0
        copies[headers] = tmp_path / f"{headers}.db"
        imported = cli(copies[headers], "import", str(out))
        assert imported.exit_code == 0, imported.stderr
    assert registry_as_dicts(copies["vi"]) == registry_as_dicts(source)
    assert tallies(copies["vi"]) == tallies(source)
    # Row for row the registry an identifier-headed export gives (only the logs differ:
    # the file's name and time; and the time each row was written, when the two imports
    # fall on either side of a second).
    logs = ("import_batches", "events")
    assert _timeless(dump(copies["vi"], skip=logs)) == _timeless(dump(copies["en"], skip=logs))


def _timeless(lines: list[str]) -> list[str]:
    """A dump with every time of day blanked: dates of registration and decision stay."""
    return [re.sub(r"'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[^']*'", "'…'", line) for line in lines]


def test_xlsx_with_vietnamese_headers_reimports(source: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "vi.xlsx"
    assert cli(source, "export", str(out), "--headers", "vi").exit_code == 0
    book = load_workbook(out, read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert list(header) == [VIETNAMESE_HEADERS[c] for c in COLUMNS]
    copy = tmp_path / "copy.db"
    imported = cli(copy, "import", str(out))
    assert imported.exit_code == 0, imported.stderr
    assert registry_as_dicts(copy) == registry_as_dicts(source)


def test_vietnamese_headers_are_read_whatever_their_case_and_diacritics() -> None:
    """Clerks retype headers: "TEN MO HINH" is "Tên mô hình", as for every spelling."""
    for spelled in (
        list(VIETNAMESE_HEADERS.values()),
        [fold(h).upper() for h in VIETNAMESE_HEADERS.values()],
        [h.lower() for h in VIETNAMESE_HEADERS.values()],
    ):
        info = SourceInfo("export.csv")
        assert map_headers(spelled, info) == list(COLUMNS), spelled
        assert info.unknown_columns == []


def test_vietnamese_headers_are_the_import_spellings() -> None:
    """One table: each column's Vietnamese header is its first accepted spelling."""
    assert list(VIETNAMESE_HEADERS) == list(COLUMNS)
    assert all(VIETNAMESE_HEADERS[c] == HEADERS[c][0] for c in COLUMNS)
    assert len(set(VIETNAMESE_HEADERS.values())) == len(COLUMNS)


def test_stdout_csv_with_vietnamese_headers(source: Path) -> None:
    english = cli(source, "export", "-", "--in", "79")
    vietnamese = cli(source, "export", "-", "--in", "79", "--headers", "VI")
    assert vietnamese.exit_code == 0, vietnamese.stderr
    en_lines, vi_lines = english.stdout.splitlines(), vietnamese.stdout.splitlines()
    assert vi_lines[0] == ",".join(VIETNAMESE_HEADERS[c] for c in COLUMNS)
    assert len(vi_lines) == len(en_lines) > 1
    assert vi_lines[1:] != en_lines[1:] and "Kinh tế" in vietnamese.stdout  # terms in Vietnamese


def test_json_export_is_the_same_whatever_the_headers_and_language(source: Path) -> None:
    """JSON keys are identifiers: neither --headers nor --lang changes a byte."""
    try:
        outputs = {
            (lang, headers): cli(
                source, "--lang", lang, "export", "-", "--format", "json", "--headers", headers
            )
            for lang in ("en", "vi")
            for headers in ("en", "vi")
        }
    finally:
        i18n.use("en")
    for result in outputs.values():
        assert result.exit_code == 0, result.stderr
    assert len({r.stdout for r in outputs.values()}) == 1
    assert set(json.loads(outputs["vi", "vi"].stdout)[0]) == set(COLUMNS)
    # The note for the person is in their language.
    assert "exported" in outputs["en", "vi"].stderr
    assert "đã xuất" in outputs["vi", "vi"].stderr


def test_empty_export_with_vietnamese_headers_has_the_header(run: Run) -> None:
    run("db", "init")  # reading never makes a registry
    result = run("export", "-", "--headers", "vi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ",".join(VIETNAMESE_HEADERS[c] for c in COLUMNS) + "\n"


@pytest.mark.parametrize("character", ["\uffff", "\ufffe", "\x01", "\x1b"])
def test_xlsx_of_a_registry_holding_what_xml_cannot_opens(
    source: Path, tmp_path: Path, character: str
) -> None:
    """Input refuses these characters, but an older registry or another writer may hold
    them; one such cell made the whole workbook invalid XML."""
    import sqlite3

    from openpyxl import load_workbook

    with sqlite3.connect(source) as conn:
        code = conn.execute("SELECT code FROM models ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE models SET name = ? WHERE code = ?", (f"Tổ{character}hòa giải", code))
    out = tmp_path / "out.xlsx"
    result = cli(source, "export", str(out))
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(out).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[code][1] == "Tổ\ufffdhòa giải"
