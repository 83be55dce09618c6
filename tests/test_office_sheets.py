"""Sheets as provincial and commune offices keep them: title rows above a header on one
row or two (merged parents over their children), an STT column, section headings and
total rows between the records, the province only in the title; and the clerk's
`--header-row` and `--set` where detection needs help."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dandan.errors import InvalidInput
from dandan.registry import Registry
from dandan.sources import Layout, SourceInfo, not_a_record, read_source, sheet_values
from tests.conftest import Run, dump
from tests.test_import import cp1258

TITLE = "DANH SÁCH MÔ HÌNH DÂN VẬN KHÉO TỈNH QUẢNG TRỊ NĂM 2023"
#: The layout of the issue: an issuing body and a title, then "Địa bàn thực hiện" over
#: "Huyện | Xã" and "Công nhận" over "Năm | Cấp | Số QĐ", merged; sections and a total.
OFFICE: list[list[Any]] = [
    ["BAN DÂN VẬN TỈNH ỦY QUẢNG TRỊ", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    [],
    [TITLE],
    ["STT", "Tên mô hình", "Địa bàn thực hiện", None, "Lĩnh vực", "Khối chủ trì",
     "Ngày đăng ký", "Công nhận", None, None, "Ghi chú"],
    [None, None, "Huyện", "Xã", None, None, None, "Năm", "Cấp", "Số QĐ", None],
    ["I", "HUYỆN CAM LỘ"],
    [1, "Tổ tự quản đường làng", "Cam Lộ", "Cam Thành", "Kinh tế", "Hội Nông dân",
     "2023-03-01", 2023, "Cấp huyện", "12/QĐ-UBND", ""],
    [2, "Camera an ninh thôn", "Cam Lộ", "Cam Hiếu", "An ninh", "Công an", "2023-02-01",
     None, None, None, "đang xét"],
    ["II. KHỐI CƠ QUAN"],
    [3, "Dân vận khéo trong cải cách hành chính", "Cam Lộ", "Cam Thành", "Xây dựng Đảng",
     "Chính quyền", "2023-04-01", None, None, None, None],
    ["Tổng cộng", None, None, None, None, None, None, 1],
]  # fmt: skip
MERGED = ("A4:A5", "B4:B5", "C4:D4", "E4:E5", "F4:F5", "G4:G5", "H4:J4", "K4:K5")
#: What the office sheet holds, written out by hand: name → (old district, old commune,
#: field, sponsor, registered, recognitions as (year, level, decision)).
STORED = {
    "Tổ tự quản đường làng": (
        "Huyện Cam Lộ", "Xã Cam Thành", "economy", "farmers", "2023-03-01",
        [(2023, "district", "12/QĐ-UBND")],
    ),
    "Camera an ninh thôn": (
        "Huyện Cam Lộ", "Xã Cam Hiếu", "defence_security", "police", "2023-02-01", [],
    ),
    "Dân vận khéo trong cải cách hành chính": (
        "Huyện Cam Lộ", "Xã Cam Thành", "party_building", "government", "2023-04-01", [],
    ),
}  # fmt: skip


def workbook(path: Path, rows: list[list[Any]], merged: tuple[str, ...] = MERGED) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def stored(db: Path) -> dict[str, tuple[Any, ...]]:
    found = {}
    for m in Registry(str(db)).list_models():
        assert m.province == "Quảng Trị" and m.legacy is not None
        found[m.name] = (
            m.legacy["district"], m.legacy["commune"], m.field, m.sponsor,
            m.registered_on.isoformat(),
            [(r.year, r.level, r.decision) for r in m.recognitions],
        )  # fmt: skip
    return found


def summary(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_office_workbook_imports_as_the_clerk_reads_it(run: Run, db: Path, tmp_path: Path) -> None:
    path = workbook(tmp_path / "cam-lo.xlsx", OFFICE)
    result = run("import", str(path), "--format", "json")
    assert summary(result) == {
        "inserted": 3, "updated": 0, "skipped": 0, "invalid": 0, "not_records": 3,
        "written": True,
    }  # fmt: skip
    assert stored(db) == STORED
    assert "header read from rows 4 and 5" in result.stderr
    assert "province 'Quảng Trị' for every row, from the title (row 1)" in result.stderr
    assert "ignored unknown column(s): STT, Ghi chú" in result.stderr
    assert "3 row(s) passed over as totals, headings or empty rows" in result.stderr


def test_the_same_sheet_as_a_cp1258_csv(run: Run, db: Path, tmp_path: Path) -> None:
    """A CSV cannot merge: a parent stands in the first of its columns, as Excel saves it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        ["" if v is None else v for v in row] for row in OFFICE
    )
    path = tmp_path / "cam-lo.csv"
    path.write_bytes(cp1258(out.getvalue()))
    result = run("import", str(path), "--encoding", "cp1258", "--format", "json")
    assert summary(result)["not_records"] == 3
    assert stored(db) == STORED


@pytest.mark.parametrize(
    ("change", "where"),
    [
        # A record in the middle with no field: refused by row and column, not passed over.
        ({6: [1, "Tổ tự quản đường làng", "Cam Lộ", "Cam Thành", "", "Hội Nông dân",
              "2023-03-01", 2023, "Cấp huyện", "12/QĐ-UBND", ""]},
         "cam-lo.xlsx:7: column Lĩnh vực: "),
        # Its recognition's decision without a year or level: refused, not dropped.
        ({6: [1, "Tổ tự quản đường làng", "Cam Lộ", "Cam Thành", "Kinh tế", "Hội Nông dân",
              "2023-03-01", None, None, "12/QĐ-UBND", ""]},
         "cam-lo.xlsx:7: column Công nhận / Năm: the recognition (12/QĐ-UBND) has no year "
         "or level"),
        # A numbered row with only a name is a record missing its details, not a heading.
        ({7: [2, "Camera an ninh thôn"]}, "cam-lo.xlsx:8: column "),
        # An unknown commune of the old district.
        ({7: [2, "Camera an ninh thôn", "Cam Lộ", "Cam Nowhere", "An ninh", "Công an",
              "2023-02-01", None, None, None, ""]},
         "cam-lo.xlsx:8: column Địa bàn thực hiện / Xã: "),
    ],
)  # fmt: skip
def test_hostile_office_rows_are_refused_by_row_and_column(
    run: Run,
    db: Path,
    registry: Registry,
    tmp_path: Path,
    change: dict[int, list[Any]],
    where: str,
) -> None:
    rows = [change.get(i, row) for i, row in enumerate(OFFICE)]
    path = workbook(tmp_path / "cam-lo.xlsx", rows)
    before = dump(db)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert f"error: {where}" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def test_a_decision_without_year_is_reported_and_the_rest_imported(
    run: Run, db: Path, tmp_path: Path
) -> None:
    rows = [list(r) for r in OFFICE]
    rows[6] = [1, "Tổ tự quản đường làng", "Cam Lộ", "Cam Thành", "Kinh tế", "Hội Nông dân",
               "2023-03-01", None, None, "12/QĐ-UBND", ""]  # fmt: skip
    path = workbook(tmp_path / "cam-lo.xlsx", rows)
    result = run("import", str(path), "--skip-invalid", "--format", "json")
    assert summary(result)["invalid"] == 1
    assert set(stored(db)) == {"Camera an ninh thôn", "Dân vận khéo trong cải cách hành chính"}


def test_missing_columns_name_the_header_row_and_what_it_holds(
    run: Run, db: Path, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [["BAN DÂN VẬN TỈNH ỦY QUẢNG TRỊ"], [],
                             ["STT", "Tên mô hình", "Ghi chú"], [1, "Tổ tự quản", ""]]  # fmt: skip
    result = run("import", str(workbook(tmp_path / "x.xlsx", rows, ())))
    assert result.exit_code == 1
    assert (
        "x.xlsx: missing required column(s): field, sponsor "
        "(headers found in row 3: STT, Tên mô hình, Ghi chú)"
    ) in result.stderr
    assert not Path(str(db)).exists() or Registry(str(db)).list_models() == []


def test_a_title_naming_two_provinces_gives_none(run: Run, db: Path, tmp_path: Path) -> None:
    rows = [["MÔ HÌNH CỦA TỈNH QUẢNG BÌNH VÀ TỈNH QUẢNG TRỊ"],
            ["Tên mô hình", "Lĩnh vực", "Khối chủ trì"],
            ["Tổ tự quản", "Kinh tế", "Hội Nông dân"]]  # fmt: skip
    result = run("import", str(workbook(tmp_path / "x.xlsx", rows, ())))
    assert result.exit_code == 1
    assert "missing required column(s): province (headers found in row 2:" in result.stderr


def test_sheet_wide_values_fill_empty_cells_only(run: Run, db: Path, tmp_path: Path) -> None:
    rows = [["Tên mô hình", "Xã", "Lĩnh vực", "Khối chủ trì", "Ngày đăng ký", "Năm công nhận",
             "Cấp công nhận"],
            ["Tổ tự quản", "Đông Hà", "Kinh tế", "", "2025-08-01", "2025", ""],
            ["Camera an ninh", "Nam Đông Hà", "An ninh", "Công an", "2025-08-02", "2025", "xã"],
            ["Tổ liên gia", "Đông Hà", "An ninh", "Công an", "2025-08-03", "", ""]]  # fmt: skip
    path = workbook(tmp_path / "x.xlsx", rows, ())
    result = run(
        "import", str(path), "--set", "Tỉnh=Quảng Trị", "--set", "sponsor=Hội Liên hiệp Phụ nữ",
        "--set", "recognition_level=tỉnh", "--skip-invalid", "--format", "json",
    )  # fmt: skip
    assert summary(result)["inserted"] == 2
    # Every row recognised at the province's level, unless it says: one without a year
    # is incomplete, and said so.
    assert "x.xlsx:4: column Năm công nhận: must not be empty" in result.stderr
    found = {m.name: m for m in Registry(str(db)).list_models()}
    assert {m.province for m in found.values()} == {"Quảng Trị"}
    assert found["Tổ tự quản"].sponsor == "women"
    assert found["Camera an ninh"].sponsor == "police"  # its own cell wins
    assert [(r.year, r.level) for r in found["Tổ tự quản"].recognitions] == [(2025, "province")]
    assert [(r.year, r.level) for r in found["Camera an ninh"].recognitions] == [(2025, "commune")]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--set", "province"), "--set: 'province' is not COLUMN=VALUE"),
        (("--set", "tinh thanh pho cu=Quảng Trị"), "--set: 'tinh thanh pho cu=Quảng Trị' is not"),
        (("--header-row", "40"), "x.xlsx: there is no row 40 to read the header from"),
        (("--header-row", "2"), "x.xlsx: row 2, given as the header, is empty"),
        (("--header-row", "1"), "x.xlsx: missing required column(s): name, province, field, "
                                "sponsor (headers found in row 1: DANH SÁCH"),
    ],
)  # fmt: skip
def test_layout_options_refused(
    run: Run, db: Path, tmp_path: Path, option: tuple[str, ...], message: str
) -> None:
    rows = [[TITLE], [], ["Tên mô hình", "Tỉnh", "Lĩnh vực", "Khối chủ trì"],
            ["Tổ tự quản", "Quảng Trị", "Kinh tế", "Hội Nông dân"]]  # fmt: skip
    result = run("import", str(workbook(tmp_path / "x.xlsx", rows, ())), *option)
    assert result.exit_code in (1, 2)
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path(str(db)).exists() or Registry(str(db)).list_models() == []


def test_header_row_overrides_detection(run: Run, db: Path, tmp_path: Path) -> None:
    """A title that itself reads as a header (a sheet titled "Tên mô hình | Tỉnh | …" by a
    copy and paste) takes the first match; the clerk names the real one."""
    rows = [["Tên mô hình", "Tỉnh", "Lĩnh vực", "Khối chủ trì"],
            ["(mẫu: tên)", "(mẫu: tỉnh)", "(mẫu)", "(mẫu)"],
            ["Tên mô hình", "Tỉnh/Thành phố", "Lĩnh vực", "Đơn vị chủ trì"],
            ["Tổ tự quản", "Quảng Trị", "Kinh tế", "Hội Nông dân"]]  # fmt: skip
    path = workbook(tmp_path / "x.xlsx", rows, ())
    assert run("import", str(path), "--dry-run").exit_code == 1  # row 2 is not a record
    result = run("import", str(path), "--header-row", "3", "--format", "json")
    assert summary(result)["inserted"] == 1
    assert [m.name for m in Registry(str(db)).list_models()] == ["Tổ tự quản"]


@pytest.mark.parametrize(
    ("cells", "passed_over"),
    [
        (["Tổng cộng", "", "", "12"], True),
        (["TỔNG SỐ:", "", "", ""], True),
        (["", "Cộng", "3", "4"], True),
        (["I. HUYỆN CAM LỘ", "", "", ""], True),
        (["II", "KHỐI CƠ QUAN", "", ""], True),
        (["", "B - Xã Cam Thành", "", ""], True),
        (["3) Khối doanh nghiệp"], True),
        (["", "", "", ""], True),
        # Records, to be validated (and refused if incomplete), never passed over:
        (["1", "Camera an ninh", "", ""], False),
        (["Cộng đồng đoàn kết", "", "", ""], False),
        (["Tổ tự quản", "Quảng Trị", "Kinh tế", "Hội Nông dân"], False),
        (["Mô hình I", "", "", ""], False),
    ],
)
def test_rows_that_are_not_records(cells: list[str], passed_over: bool) -> None:
    assert not_a_record(cells) is passed_over


@given(st.lists(st.text(max_size=30), max_size=8))
def test_not_a_record_never_fails(cells: list[str]) -> None:
    assert not_a_record(cells) in (True, False)


#: Columns and a spelling a header may give each; `PARENTS` groups some under a parent.
SPELLINGS = {
    "name": "Tên mô hình", "province": "Tỉnh", "field": "Lĩnh vực", "sponsor": "Khối chủ trì",
    "district": "Huyện", "commune": "Xã", "registered_on": "Ngày đăng ký",
    "recognition_year": "Năm", "recognition_level": "Cấp", "decision_no": "Số QĐ",
    "holder_name": "Tên chủ thể",
}  # fmt: skip
PARENTS = {
    "Công nhận": ("recognition_year", "recognition_level", "decision_no"),
    "Địa bàn thực hiện": ("province", "district", "commune"),
}
TITLES = (
    "DANH SÁCH MÔ HÌNH DÂN VẬN KHÉO",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "(Kèm theo Báo cáo số 12-BC/BDV ngày 5/12/2023)",
    "",
)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[list[str]], list[str]]:
    """A sheet's top: title rows, a header of one or two rows over any permutation of
    known columns (the required ones among them), an STT column; and its columns."""
    optional = [c for c in SPELLINGS if c not in ("name", "province", "field", "sponsor")]
    extra = draw(st.lists(st.sampled_from(optional), unique=True))
    chosen = ["name", "province", "field", "sponsor", *extra]
    order = draw(st.permutations(chosen))
    # Children of one parent stand together, in the parent's order.
    grouped = draw(st.sampled_from([None, *PARENTS]))
    columns = list(order)
    if grouped is not None:
        members = [c for c in PARENTS[grouped] if c in columns]
        rest = [c for c in columns if c not in members]
        at = draw(st.integers(0, len(rest)))
        columns = rest[:at] + members + rest[at:]
    titles = [[draw(st.sampled_from(TITLES))] for _ in range(draw(st.integers(0, 10)))]
    top = ["STT"] + [SPELLINGS[c] for c in columns]
    if grouped is None or not [c for c in PARENTS[grouped] if c in columns]:
        return [*titles, top], columns
    first = columns.index(next(c for c in columns if c in PARENTS[grouped])) + 1
    upper, lower = list(top), [""] * len(top)
    for i, column in enumerate(columns, 1):
        if column in PARENTS[grouped]:
            upper[i] = grouped if i == first else ""
            lower[i] = SPELLINGS[column]
    return [*titles, upper, lower], columns


@settings(max_examples=60, deadline=None)
@given(layouts())
def test_any_header_layout_is_found(layout: tuple[list[list[str]], list[str]]) -> None:
    top, columns = layout
    record = [f"v{i}" for i in range(len(columns))]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([*top, ["1", *record]])
    handle, name = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    path = Path(name)
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        info = SourceInfo(str(path))
        rows = list(read_source(str(path), info=info))
    finally:
        path.unlink()
    assert rows == [(len(top) + 1, dict(zip(columns, record, strict=True)))]
    assert info.unknown_columns == ["STT"]
    assert info.header_rows == (2 if top[-1][0] == "" and any(top[-1]) else 1)


def test_sheet_values_by_any_header() -> None:
    assert sheet_values(["Tỉnh=Quảng Trị", "recognition_level = tỉnh ", "Cấp công nhận=xã"]) == {
        "province": "Quảng Trị",
        "recognition_level": "xã",
    }
    with pytest.raises(InvalidInput):
        sheet_values(["=x"])


def test_layout_is_library_api(tmp_path: Path) -> None:
    """A script reads a sheet as the command does: the header row named, values given."""
    path = tmp_path / "x.csv"
    path.write_text("Tiêu đề\nTên mô hình,Lĩnh vực\nA,Kinh tế\n", encoding="utf-8")
    rows = list(read_source(str(path), layout=Layout(2, {"province": "Huế", "sponsor": "CA"})))
    assert rows == [
        (3, {"name": "A", "field": "Kinh tế", "province": "Huế", "sponsor": "CA"}),
    ]


def book_of(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


#: One sheet per commune, as an office keeps them; and a sheet of notes.
COMMUNES: dict[str, list[list[Any]]] = {
    "Cam Thành": [["DANH SÁCH MÔ HÌNH XÃ CAM THÀNH, TỈNH QUẢNG TRỊ"],
                  ["TT", "Tên mô hình", "Huyện", "Xã", "Lĩnh vực", "Khối chủ trì", "Ngày đăng ký"],
                  [1, "Tổ tự quản đường làng", "Cam Lộ", "Cam Thành", "Kinh tế", "Hội ND",
                   "2023-03-01"],
                  ["Cộng", None, None, None, None, None, None]],
    "Cam Hiếu": [["Tên mô hình", "Tỉnh", "Huyện", "Xã", "Lĩnh vực", "Khối chủ trì",
                  "Ngày đăng ký"],
                 ["Camera an ninh thôn", "Quảng Trị", "Cam Lộ", "Cam Hiếu", "An ninh", "Công an",
                  "2023-02-01"]],
    "Ghi chú": [["Sổ theo dõi của Ban Dân vận"]],
}  # fmt: skip


def test_several_sheets_each_read_on_its_own(run: Run, db: Path, tmp_path: Path) -> None:
    from dandan.importing import list_batches

    path = book_of(tmp_path / "cam-lo.xlsx", COMMUNES)
    result = run("import", str(path), "--sheet", "Cam Thành", "--sheet", "Cam Hiếu")
    assert result.exit_code == 0, result.stderr
    found = {m.name: (m.province, m.legacy and m.legacy["commune"], m.sponsor)
             for m in Registry(str(db)).list_models()}  # fmt: skip
    assert found == {
        "Tổ tự quản đường làng": ("Quảng Trị", "Xã Cam Thành", "farmers"),
        "Camera an ninh thôn": ("Quảng Trị", "Xã Cam Hiếu", "police"),
    }
    assert "cam-lo.xlsx [Cam Thành]: 1 inserted, 0 updated, 0 unchanged, 0 invalid, 1 not " \
        "records" in result.stderr  # fmt: skip
    assert "cam-lo.xlsx [Cam Thành]: province 'Quảng Trị' for every row, from the title " \
        "(row 1)" in result.stderr  # fmt: skip
    batches = {b["source"]: b["inserted"] for b in list_batches(Registry(str(db)))}
    assert batches == {"cam-lo.xlsx [Cam Thành]": 1, "cam-lo.xlsx [Cam Hiếu]": 1}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--all-sheets",), "error: cam-lo.xlsx [Ghi chú]: missing required column(s): name, "),
        (("--sheet", "Cam Thành", "--sheet", "Gio Linh"),
         "error: --sheet: no sheet 'Gio Linh' in cam-lo.xlsx; sheets: Cam Thành, Cam Hiếu, "
         "Ghi chú"),
    ],
)  # fmt: skip
def test_several_sheets_are_all_or_nothing(
    run: Run, db: Path, registry: Registry, tmp_path: Path, options: tuple[str, ...], message: str
) -> None:
    path = book_of(tmp_path / "cam-lo.xlsx", COMMUNES)
    before = dump(db)
    result = run("import", str(path), *options)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(message), result.stderr
    assert dump(db) == before


def test_a_dry_run_says_how_it_read_the_sheet(run: Run, registry: Registry, tmp_path: Path) -> None:
    path = workbook(tmp_path / "cam-lo.xlsx", OFFICE)
    result = run("import", str(path), "--dry-run", "--set", "holder=tập thể")
    assert result.exit_code == 0, result.stderr
    said = result.stderr.splitlines()
    assert said[:4] == [
        "cam-lo.xlsx: header read from rows 4 and 5",
        "cam-lo.xlsx: columns: Tên mô hình → name, Địa bàn thực hiện / Huyện → district, "
        "Địa bàn thực hiện / Xã → commune, Lĩnh vực → field, Khối chủ trì → sponsor, "
        "Ngày đăng ký → registered_on, Công nhận / Năm → recognition_year, "
        "Công nhận / Cấp → recognition_level, Công nhận / Số QĐ → decision_no",
        "cam-lo.xlsx: province 'Quảng Trị' for every row, from the title (row 1)",
        "cam-lo.xlsx: holder 'tập thể' for every row that leaves it empty",
    ]
    assert registry.list_models() == []


def test_a_bad_row_is_named_by_its_sheet_row_and_column(
    run: Run, db: Path, registry: Registry, tmp_path: Path
) -> None:
    sheets = {**COMMUNES, "Cam Hiếu": [list(r) for r in COMMUNES["Cam Hiếu"]]}
    sheets["Cam Hiếu"][1][3] = "Cam Nowhere"
    path = book_of(tmp_path / "cam-lo.xlsx", sheets)
    before = dump(db)
    result = run("import", str(path), "--sheet", "Cam Thành", "--sheet", "Cam Hiếu")
    assert result.exit_code == 1
    assert "error: cam-lo.xlsx [Cam Hiếu]:2: column Xã: " in result.stderr
    assert dump(db) == before


def test_header_row_names_the_first_of_two(run: Run, db: Path, tmp_path: Path) -> None:
    path = workbook(tmp_path / "cam-lo.xlsx", OFFICE)
    result = run("import", str(path), "--header-row", "4", "--format", "json")
    assert summary(result)["inserted"] == 3
    assert stored(db) == STORED
