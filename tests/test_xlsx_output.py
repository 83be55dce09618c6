"""Excel-ready output: `--format xlsx --output FILE` for tally, list and stats, and CSV
with `--bom` or `--excel`; the output file guarded as an export's is."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump

FORMULA = '=HYPERLINK("http://x")'


def register(run: Run, *args: str) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def filled(run: Run) -> None:
    """Two models in Quảng Trị (one recognised), one in Hà Nội named like a formula."""
    register(run, *REGISTER)
    second = ["Tổ tự quản đường làng xanh" if a == REGISTER[1] else a for a in REGISTER]
    register(run, *second)
    register(
        run, "recognize", "QTR-2023-00001", "--year", "2023", "--level", "xã",
        "--decided-on", "2023-06-01",
    )  # fmt: skip
    register(
        run, "register", FORMULA, "--province", "ha noi", "--commune", "ba dinh",
        "--field", "van hoa xa hoi", "--sponsor", "Đoàn Thanh niên",
        "--registered-on", "2022-05-02",
    )  # fmt: skip


def files(folder: Path) -> list[str]:
    """What a command wrote there: SQLite's journals come and go with its connections."""
    return sorted(n for n in os.listdir(folder) if not n.endswith(("-wal", "-shm")))


def rows(path: Path) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    return [tuple(v for v in row) for row in sheet.iter_rows(values_only=True)]


def sheet(path: Path) -> Any:
    from openpyxl import load_workbook

    return load_workbook(path).active


@pytest.mark.parametrize("short", [True, False])
def test_tally_workbook_holds_numbers_under_a_frozen_header(
    run: Run, filled: None, tmp_path: Path, short: bool
) -> None:
    target = tmp_path / "t.xlsx"
    flag = "-o" if short else "--output"
    result = run("tally", "--province", "--format", "xlsx", flag, str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    ws = sheet(target)
    assert ws.freeze_panes == "A4"
    got = rows(target)
    assert got[0][0] == "Models by province, all time"
    assert str(got[1][0]).startswith("Figures as of ")
    assert got[2] == ("Province", "Registered", "Recognised")
    assert got[3:] == [
        ("Quảng Trị", 2, 1),
        ("Hà Nội", 1, 0),
        ("Total", 3, 1),
    ]
    assert ws["B4"].data_type == "n" and type(ws["B4"].value) is int
    assert ws.column_dimensions["A"].width >= len("Quảng Trị")


def test_tally_workbook_speaks_vietnamese(run: Run, filled: None, tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    result = run("--lang", "vi", "tally", "--province", "--by-end-of", "2023", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    got = rows(target)
    assert got[0][0] == "Mô hình theo tỉnh, đến hết năm 2023"
    assert got[1][0] == "Số liệu tính đến 31/12/2023"
    assert got[2] == ("Tỉnh", "Đăng ký", "Công nhận")
    assert got[-1] == ("Tổng", 3, 1)


def test_list_workbook_neutralises_a_formula_like_name(
    run: Run, filled: None, tmp_path: Path
) -> None:
    target = tmp_path / "l.xlsx"
    result = run("list", "--sort", "code", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    got = rows(target)
    assert got[2][:3] == ("Code", "Name", "Province")
    names = {row[0]: row[1] for row in got[3:]}
    assert names["HNO-2022-00001"] == "'" + FORMULA
    ws = sheet(target)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    registered = {row[0]: row[5] for row in got[3:]}
    assert registered["QTR-2023-00001"].date() == date(2023, 3, 1)  # a date, not text
    assert {row[0]: row[-1] for row in got[3:]}["QTR-2023-00001"] == 1


def test_stats_workbook(run: Run, filled: None, tmp_path: Path) -> None:
    target = tmp_path / "s.xlsx"
    result = run("--lang", "vi", "stats", "-o", str(target))  # the name says xlsx
    assert result.exit_code == 0, result.stderr
    got = rows(target)
    assert got[0][0] == "Tổng quan sổ đăng ký"
    assert got[2][:2] == ("Chỉ tiêu", "Giá trị")
    figures = {row[0]: row[1] for row in got[3:] if row and row[0]}
    assert figures["Đăng ký"] == 3
    assert figures["Công nhận"] == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["tally", "--province", "--format", "xlsx"], "--format: xlsx is a workbook"),
        (["list", "-f", "xlsx"], "--format: xlsx is a workbook"),
        (["stats", "-f", "xlsx", "-o", "-"], "--format: xlsx is a workbook"),
        (["tally", "-o", "{dir}/t.txt"], "a table is drawn for the terminal"),
        (["tally", "-f", "json", "--bom"], "--bom: applies to CSV only"),
        (["list", "--excel", "-o", "{dir}/l.xlsx"], "--excel: applies to CSV only"),
        (["show", "QTR-2023-00001", "-f", "xlsx"], "xlsx is written by tally, list and stats"),
    ],
)
def test_refusals_say_one_line_and_write_nothing(
    run: Run, filled: None, tmp_path: Path, db: Path, args: list[str], words: str
) -> None:
    before = files(tmp_path)
    result = run(*(a.format(dir=tmp_path) for a in args))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert files(tmp_path) == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize("end", ["", "-wal"])
@pytest.mark.parametrize("command", [["tally", "--province"], ["list"], ["stats"]])
def test_output_never_over_the_registry(
    run: Run, filled: None, db: Path, command: list[str], end: str
) -> None:
    before = dump(db)
    before_files = files(db.parent)
    result = run(*command, "-f", "xlsx", "-o", f"{db}{end}")
    assert result.exit_code == 2
    assert "--output: FILE" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(db) == before
    assert files(db.parent) == before_files
    assert Registry(str(db)).get("QTR-2023-00001").name == REGISTER[1]


def test_bom_csv_starts_with_the_byte_order_mark(run: Run, filled: None, tmp_path: Path) -> None:
    result = run("tally", "--province", "--format", "csv", "--bom")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("\ufeffprovince,")
    target = tmp_path / "t.csv"
    result = run("tally", "--province", "--bom", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"\xef\xbb\xbfprovince,province_code,")


@pytest.mark.parametrize(("lang", "sep"), [("vi", ";"), ("en", ",")])
def test_excel_csv_uses_the_readers_separator(run: Run, filled: None, lang: str, sep: str) -> None:
    result = run("--lang", lang, "list", "--sort", "code", "-f", "csv", "--excel")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("\ufeff" + sep.join(["code", "name", "description"]))
    formula = next(line for line in lines if line.startswith("HNO-2022-00001"))
    assert formula.startswith(f'HNO-2022-00001{sep}"\'=HYPERLINK(""http://x"")"{sep}')


def test_plain_csv_stays_exact_for_scripts(run: Run, filled: None) -> None:
    result = run("list", "--sort", "code", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert not result.stdout.startswith("\ufeff")
    assert '\nHNO-2022-00001,"=HYPERLINK(""http://x"")",' in result.stdout


def test_json_to_a_file(run: Run, filled: None, tmp_path: Path) -> None:
    import json

    target = tmp_path / "t.json"
    result = run("tally", "--province", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["total"]["registered"] == 3
