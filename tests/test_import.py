"""`dandan import`: every encoding and layout clerks send, validated like `register`,
written all or nothing, and idempotent."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import warnings
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dandan.audit import history
from dandan.errors import InvalidInput
from dandan.importing import import_files, validate_row
from dandan.registry import Registry
from dandan.sources import HEADERS
from tests.conftest import Run, dump

COLUMNS = [
    "code", "name", "province", "commune", "field", "sponsor", "holder", "holder_name",
    "registered_on", "recognition_year", "recognition_level", "decision_no", "decided_on",
]  # fmt: skip
ROWS = [
    ["QTR-2022-00001", "Tổ tự quản đường làng", "Quảng Trị", "Đông Hà", "Kinh tế", "Hội Nông dân",
     "tập thể", "Chi hội thôn 3", "2022-03-01", "2022", "Cấp xã", "12/QĐ-UBND", "2022-09-01"],
    ["QTR-2022-00001", "Tổ tự quản đường làng", "Quảng Trị", "Đông Hà", "Kinh tế", "Hội Nông dân",
     "tập thể", "Chi hội thôn 3", "2022-03-01", "2023", "Cấp tỉnh", "99/QĐ-UBND", "2023-10-01"],
    ["HNO-2024-00007", "Camera an ninh", "ha noi", "hoan kiem", "an ninh", "công an", "", "",
     "15/04/2024", "", "", "", ""],
]  # fmt: skip
VIETNAMESE = {
    "code": "Mã mô hình", "name": "Tên mô hình", "province": "Tỉnh/Thành phố",
    "commune": "Xã/Phường", "field": "Lĩnh vực", "sponsor": "Đơn vị chủ trì",
    "holder": "Loại chủ thể", "holder_name": "Tên chủ thể", "registered_on": "Ngày đăng ký",
    "recognition_year": "Năm công nhận", "recognition_level": "Cấp công nhận",
    "decision_no": "Số quyết định", "decided_on": "Ngày quyết định",
}  # fmt: skip
SUMMARY_NEW = {
    "inserted": 3,
    "updated": 0,
    "skipped": 0,
    "invalid": 0,
    "not_records": 0,
    "written": True,
}


def csv_text(rows: list[list[str]], header: list[str] = COLUMNS, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, body: str | bytes, name: str = "batch.csv") -> Path:
    path = tmp_path / name
    if isinstance(body, str):
        body = body.encode("utf-8")
    path.write_bytes(body)
    return path


def imported(run: Run, path: Path | str, *args: str) -> dict[str, int]:
    result = run("import", str(path), "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    summary: dict[str, int] = json.loads(result.stdout)
    return summary


def check_stored(registry: Registry) -> None:
    model = registry.get("QTR-2022-00001")
    assert model.name == "Tổ tự quản đường làng"
    assert unicodedata.is_normalized("NFC", model.name)
    assert (model.province_code, model.commune) == (44, "Phường Đông Hà")
    assert [(r.year, r.level) for r in model.recognitions] == [
        (2022, "commune"),
        (2023, "province"),
    ]
    assert model.status == "recognized"
    assert registry.get("HNO-2024-00007").commune == "Phường Hoàn Kiếm"


# -- formats ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("utf-8", ";"),
        ("utf-8", "\t"),
        ("utf-16", "\t"),  # Excel's "Unicode text"
        ("utf-16", ","),
    ],
)
def test_encodings_and_delimiters(
    run: Run, registry: Registry, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    body = csv_text(ROWS, delimiter=delimiter).encode(encoding)
    assert imported(run, write(tmp_path, body)) == SUMMARY_NEW
    check_stored(registry)


def cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it: letters like â, ư precomposed, tones combining."""
    modifiers = {"\u0302", "\u0306", "\u031b"}
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        kept = "".join(m for m in marks if m in modifiers)
        out.append(unicodedata.normalize("NFC", base + kept))
        out.extend(m for m in marks if m not in modifiers)
    return "".join(out).encode("cp1258")


def test_windows_1258_decodes_to_nfc(run: Run, registry: Registry, tmp_path: Path) -> None:
    body = cp1258(csv_text(ROWS))
    assert b"\xcc" in body or b"\xec" in body or b"\xd2" in body  # combining tone marks
    assert imported(run, write(tmp_path, body)) == SUMMARY_NEW
    check_stored(registry)
    batch = json.loads(run("imports", "--format", "json").stdout)[0]
    assert batch["rows"] == 3


def test_forced_encoding(run: Run, registry: Registry, tmp_path: Path) -> None:
    assert imported(run, write(tmp_path, cp1258(csv_text(ROWS))), "--encoding", "cp1258") == (
        SUMMARY_NEW
    )
    check_stored(registry)


def test_mojibake_is_an_error(run: Run, registry: Registry, tmp_path: Path) -> None:
    garbled = csv_text(ROWS).encode("utf-8").decode("cp1252", errors="replace")
    result = run("import", str(write(tmp_path, garbled)))
    assert result.exit_code == 1
    assert "looks garbled" in result.stderr
    assert registry.count() == 0


def test_vietnamese_headers_any_case_and_marks(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    header = [VIETNAMESE[c] for c in COLUMNS]
    header[1] = "TEN MO HINH"
    header[2] = "tinh / thanh pho"
    assert imported(run, write(tmp_path, csv_text(ROWS, header))) == SUMMARY_NEW
    check_stored(registry)


def test_unknown_columns_are_reported(run: Run, registry: Registry, tmp_path: Path) -> None:
    body = csv_text([[*r, "x"] for r in ROWS], [*COLUMNS, "Ghi chú"])
    result = run("import", str(write(tmp_path, body)))
    assert result.exit_code == 0, result.stderr
    assert "ignored unknown column(s): Ghi chú" in result.stderr
    check_stored(registry)
    assert len(registry.list_models()) == 2


def test_missing_required_column_stops_before_reading(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    body = csv_text([r[:2] for r in ROWS], COLUMNS[:2])
    result = run("import", str(write(tmp_path, body)))
    assert result.exit_code == 1
    assert "missing required column(s): province, field, sponsor" in result.stderr
    assert registry.list_models() == []


def _xlsx(path: Path, rows: list[list[object]], header: list[str], sheet: str = "Sheet1") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(["Danh sách mô hình Dân vận khéo"])  # a title row above the table
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _typed(row: list[str]) -> list[object]:
    """As Excel holds them: dates as datetimes, years as numbers."""
    out: list[object] = list(row)
    for i, column in enumerate(COLUMNS):
        value = row[i]
        if column in ("registered_on", "decided_on") and value:
            d = date.fromisoformat(value) if "-" in value else datetime.strptime(value, "%d/%m/%Y")
            out[i] = datetime(d.year, d.month, d.day)
        if column == "recognition_year" and value:
            out[i] = float(value)
    return out


def test_xlsx_first_sheet_and_named_sheet(run: Run, registry: Registry, tmp_path: Path) -> None:
    header = [VIETNAMESE[c] for c in COLUMNS]
    path = _xlsx(tmp_path / "batch.xlsx", [_typed(r) for r in ROWS], header, sheet="Mô hình")
    assert imported(run, path) == SUMMARY_NEW
    check_stored(registry)
    assert imported(run, path, "--sheet", "Mô hình")["skipped"] == 3
    wrong = run("import", str(path), "--sheet", "Nope")
    assert wrong.exit_code == 1
    assert "--sheet: no sheet 'Nope'" in wrong.stderr


def test_damaged_xlsx_is_unreadable_not_a_traceback(run: Run, db: Path, tmp_path: Path) -> None:
    # Found by tests/test_fuzz.py: a damaged sheet failed while its rows were read
    # ("Error -3 while decompressing data"), past the checks made on opening the file.
    import zipfile

    path = _xlsx(tmp_path / "batch.xlsx", [_typed(r) for r in ROWS], COLUMNS)
    body = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        sheet = book.getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 30 + len(sheet.filename.encode()) + len(sheet.extra)
    for at in range(start + 10, start + sheet.compress_size - 10, 7):
        body[at] ^= 0x55
    path.write_bytes(bytes(body))
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: batch.xlsx: not a readable .xlsx workbook ("), (
        result.stderr
    )
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_numbers_formatted_as_dates_beyond_the_calendar(run: Run, tmp_path: Path) -> None:
    # Found by tests/test_fuzz.py: openpyxl warned on stderr (two more lines) of such cells.
    path = _xlsx(tmp_path / "batch.xlsx", [_typed(r) for r in ROWS], COLUMNS)
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet["I4"] = 1e300  # registered_on of the first row
    sheet["I4"].number_format = "dd/mm/yyyy"
    book.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run("import", str(path))
    assert [str(w.message) for w in caught if w.category is UserWarning] == []
    assert result.exit_code == 1
    assert result.stderr.startswith("error: batch.xlsx:4: column registered_on: bad date")


def test_standard_input(run: Run, registry: Registry) -> None:
    result = run("import", "-", "--format", "json", input=csv_text(ROWS))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == SUMMARY_NEW
    check_stored(registry)


def test_template_lists_every_column(run: Run) -> None:
    result = run("import", "--template")
    assert result.exit_code == 0
    assert next(csv.reader(io.StringIO(result.stdout))) == list(HEADERS)


# -- validation --------------------------------------------------------------------


def _with(row: list[str], **changes: str) -> list[str]:
    out = list(row)
    for column, value in changes.items():
        out[COLUMNS.index(column)] = value
    return out


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"province": "Quang Tru", "commune": ""},
            "column province: unknown province 'Quang Tru'; did you mean",
        ),
        ({"commune": "Hoàn Kiếm"}, "column commune: no commune 'Hoàn Kiếm' in Quảng Trị"),
        ({"registered_on": "2022-13-01"}, "column registered_on: bad date"),
        ({"registered_on": "2099-01-01"}, "column registered_on: date 2099-01-01 is in the future"),
        ({"field": "thể thao"}, "column field: unknown field"),
        ({"sponsor": ""}, "column sponsor: must not be empty"),
        ({"name": "  "}, "column name: must not be empty"),
        ({"recognition_level": "vũ trụ"}, "column recognition_level: unknown level"),
        ({"recognition_year": ""}, "column recognition_year: must not be empty"),
        (
            {"decided_on": "2021-05-01", "recognition_year": "2021"},
            "column decided_on: recognition dated 2021-05-01 is before the model's registration",
        ),
        (
            {"decided_on": "", "recognition_year": "2021"},
            "column recognition_year: recognition year 2021 is before the model's registration",
        ),
        (
            {"recognition_level": "huyện", "recognition_year": "2025", "decided_on": "2025-08-01"},
            "column recognition_level: district-level recognitions end on 2025-06-30",
        ),
        ({"code": "!!"}, "column code: bad code"),
        ({"name": "x" * 301}, "column name: is 301 characters long; the limit is 300"),
    ],
)
def test_invalid_rows_name_file_line_and_column(
    run: Run, registry: Registry, db: Path, tmp_path: Path, changes: dict[str, str], message: str
) -> None:
    registry.count()
    before = dump(db)
    bad = _with(ROWS[0], **{"code": "QTR-2022-00009", **changes})
    result = run("import", str(write(tmp_path, csv_text([*ROWS, bad]))))
    assert result.exit_code == 1
    assert f"batch.csv:5: {message}" in result.stderr, result.stderr
    assert "nothing imported: 1 invalid row(s)" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def test_rows_of_one_code_must_agree(run: Run, registry: Registry, tmp_path: Path) -> None:
    other = _with(ROWS[1], name="Tên khác")
    result = run("import", str(write(tmp_path, csv_text([ROWS[0], other]))))
    assert result.exit_code == 1
    assert "code QTR-2022-00001 has different details on lines 2 and 3" in result.stderr
    assert registry.count() == 0


def test_ragged_row(run: Run, registry: Registry, tmp_path: Path) -> None:
    body = csv_text([ROWS[0], [*ROWS[2], "extra", "cells"]])
    result = run("import", str(write(tmp_path, body)))
    assert result.exit_code == 1
    assert "batch.csv:3: the row has 15 cells but the header 13" in result.stderr
    assert registry.list_models() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (b"\xff\xfe\x00", "is not valid"),
    ],
)
def test_unreadable_files(run: Run, tmp_path: Path, body: bytes, message: str) -> None:
    result = run("import", str(write(tmp_path, body)))
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# Found by tests/test_fuzz.py: the codec's own UnicodeError, and the LookupError of a
# codec that is not a text encoding, were tracebacks.
@pytest.mark.parametrize(
    ("body", "encoding", "message"),
    [
        (b"\x00\x00", "utf-16", "batch.csv: not readable as utf-16 (it does not begin with"),
        (b"a,b\n", "punycode", "batch.csv: not readable as punycode"),
        (b"a,b\n", "rot13", "--encoding: 'rot13' is not a text encoding"),
        (b"a,b\n", "hex", "--encoding: 'hex' is not a text encoding"),
    ],
)
def test_forced_encoding_that_cannot_read_the_file(
    run: Run, db: Path, tmp_path: Path, body: bytes, encoding: str, message: str
) -> None:
    result = run("import", str(write(tmp_path, body)), "--encoding", encoding)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "batch.csv" not in json.dumps(dump(db))


def test_file_name_too_long(run: Run, tmp_path: Path) -> None:
    # Found by tests/test_fuzz.py: the OSError (ENAMETOOLONG) was a traceback.
    result = run("import", str(tmp_path / ("x" * 300)))
    assert result.exit_code == 1
    assert result.stderr.endswith(": cannot read it (the name is too long for the file system)\n")
    assert len(result.stderr.splitlines()) == 1


def test_file_name_that_is_not_utf8(run: Run, registry: Registry, tmp_path: Path) -> None:
    # Found by tests/test_fuzz.py: the batch record could not store such a name.
    path = tmp_path / os.fsdecode(b"l\xf4.csv")  # "lô" in Latin-1
    path.write_text(csv_text(ROWS[2:]), encoding="utf-8")
    errors = tmp_path / "errors.csv"
    assert imported(run, path, "--errors", str(errors)) == {**SUMMARY_NEW, "inserted": 1}
    batches = json.loads(run("imports", "--format", "json").stdout)
    assert [b["source"] for b in batches] == ["l\ufffd.csv"]
    assert [m.code for m in registry.list_models()] == ["HNO-2024-00007"]
    bad = tmp_path / os.fsdecode(b"b\xf4.csv")
    bad.write_text(csv_text([["", "x", "nowhere", *[""] * 10]]), encoding="utf-8")
    refused = run("import", str(bad), "--errors", str(errors))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: b\ufffd.csv:2: column ")
    assert [m.code for m in registry.list_models()] == ["HNO-2024-00007"]
    assert errors.read_text(encoding="utf-8-sig").splitlines()[1].startswith("b\ufffd.csv,2,")


def test_missing_file_and_bad_options(run: Run, tmp_path: Path) -> None:
    missing = run("import", str(tmp_path / "nope.csv"))
    assert (missing.exit_code, "nope.csv: no such file" in missing.stderr) == (1, True)
    bad_policy = run("import", str(tmp_path / "x.csv"), "--on-conflict", "merge")
    assert bad_policy.exit_code == 2
    assert "--on-conflict: 'merge' is not one of fail, skip, update" in bad_policy.stderr
    path = write(tmp_path, csv_text(ROWS))
    bad_encoding = run("import", str(path), "--encoding", "klingon")
    assert (bad_encoding.exit_code, "--encoding: unknown encoding" in bad_encoding.stderr) == (
        1,
        True,
    )
    nothing = run("import")
    assert nothing.exit_code == 2


def test_errors_file_and_skip_invalid(run: Run, registry: Registry, tmp_path: Path) -> None:
    bad = _with(ROWS[2], code="HNO-2024-00009", province="Atlantis")
    path = write(tmp_path, csv_text([*ROWS, bad]))
    errors = tmp_path / "errors.csv"
    result = run("import", str(path), "--skip-invalid", "--errors", str(errors), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "inserted": 3, "updated": 0, "skipped": 0, "invalid": 1, "not_records": 0, "written": True,
    }  # fmt: skip
    check_stored(registry)
    with errors.open(encoding="utf-8-sig") as handle:
        rejected = list(csv.DictReader(handle))
    assert len(rejected) == 1
    assert rejected[0]["line"] == "5"
    assert rejected[0]["column"] == "province"
    assert "unknown province 'Atlantis'" in rejected[0]["error"]
    assert rejected[0]["code"] == "HNO-2024-00009"


def test_dry_run_counts_and_writes_nothing(
    run: Run, registry: Registry, db: Path, tmp_path: Path
) -> None:
    registry.count()
    before = dump(db)
    result = run("import", str(write(tmp_path, csv_text(ROWS))), "--dry-run", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {**SUMMARY_NEW, "written": False}
    assert "dry run" in result.stderr
    assert dump(db) == before


@pytest.mark.parametrize(
    "refused",
    [
        pytest.param(_with(ROWS[2], name="Camera AI"), id="conflict"),
        pytest.param(_with(ROWS[2], code="HNO-2024-00009", province="Atlantis"), id="invalid"),
    ],
)
def test_a_refused_import_claims_nothing_written(
    run: Run, registry: Registry, db: Path, tmp_path: Path, refused: list[str]
) -> None:
    imported(run, write(tmp_path, csv_text([ROWS[2]]), "first.csv"))
    before = dump(db)
    path = write(tmp_path, csv_text([*ROWS[:2], refused]))
    result = run("import", str(path), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "inserted": 0, "updated": 0, "skipped": 0, "invalid": 1, "not_records": 0, "written": False,
    }  # fmt: skip
    assert "nothing imported" in result.stderr
    assert dump(db) == before

    summary = import_files(registry, [str(path)])
    assert (summary.inserted, summary.updated, summary.skipped) == (0, 0, 0)
    assert (summary.invalid, summary.committed) == (1, False)
    assert dump(db) == before


WITHDRAWN = {"withdrawn_on": "2024-12-01", "withdrawn_reason": "Giải thể"}


def _withdrawal(tmp_path: Path, name: str, **values: str) -> Path:
    header = [*COLUMNS, "withdrawn_on", "withdrawn_reason"]
    row = [*ROWS[2], values.get("withdrawn_on", ""), values.get("withdrawn_reason", "")]
    return write(tmp_path, csv_text([row], header), name)


def test_a_withdrawal_by_import_stores_status_and_reason_as_withdraw_does(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    imported(run, _withdrawal(tmp_path, "registered.csv"))
    code = "HNO-2024-00007"
    path = _withdrawal(tmp_path, "withdrawn.csv", **WITHDRAWN)
    assert imported(run, path, "--on-conflict", "update")["updated"] == 1

    model = registry.get(code)
    assert (model.status, model.withdrawn_on, model.withdrawn_reason) == (
        "withdrawn", date(2024, 12, 1), "Giải thể",
    )  # fmt: skip
    withdrawn = history(registry, code)[-1]
    assert (withdrawn["command"], withdrawn["model"]) == ("import", code)
    # The same before and after as `dandan withdraw` records.
    assert withdrawn["before"] == {
        "withdrawn_on": None, "withdrawn_reason": None, "status": "registered",
    }  # fmt: skip
    assert withdrawn["after"] == {
        "withdrawn_on": "2024-12-01", "withdrawn_reason": "Giải thể", "status": "withdrawn",
    }  # fmt: skip
    assert "status: registered → withdrawn" in run("history", code).stdout

    # A corrected reason is a change like any other: refused, then applied with update.
    corrected = _withdrawal(
        tmp_path, "corrected.csv", **{**WITHDRAWN, "withdrawn_reason": "Sáp nhập"}
    )
    refused = run("import", str(corrected))
    assert refused.exit_code == 1
    assert "different withdrawn_reason" in refused.stderr
    assert imported(run, corrected, "--on-conflict", "update")["updated"] == 1
    assert registry.get(code).withdrawn_reason == "Sáp nhập"
    assert history(registry, code)[-1]["after"] == {"withdrawn_reason": "Sáp nhập"}


def test_a_model_imported_withdrawn_is_stored_withdrawn(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    assert imported(run, _withdrawal(tmp_path, "new.csv", **WITHDRAWN))["inserted"] == 1
    model = registry.get("HNO-2024-00007")
    assert (model.status, model.withdrawn_on, model.withdrawn_reason) == (
        "withdrawn", date(2024, 12, 1), "Giải thể",
    )  # fmt: skip
    [created] = history(registry, "HNO-2024-00007")
    assert (created["command"], created["after"]["file"]) == ("import", "new.csv")


@pytest.mark.parametrize("stored_first", [False, True], ids=["new", "update"])
def test_a_recognised_model_imported_withdrawn_is_withdrawn(
    run: Run, registry: Registry, tmp_path: Path, stored_first: bool
) -> None:
    """Withdrawn wins over recognised, for a model the file creates and for one it
    updates: the status a tally filters on must say the model is gone."""
    header = [*COLUMNS, "withdrawn_on", "withdrawn_reason"]
    withdrawn = [[*row, *WITHDRAWN.values()] for row in ROWS[:2]]
    if stored_first:
        imported(run, write(tmp_path, csv_text(ROWS[:2]), "recognised.csv"))
        assert registry.get("QTR-2022-00001").status == "recognized"
    path = write(tmp_path, csv_text(withdrawn, header), "withdrawn.csv")
    summary = imported(run, path, "--on-conflict", "update")
    assert (summary["inserted"], summary["updated"]) == ((0, 2) if stored_first else (2, 0))
    model = registry.get("QTR-2022-00001")
    assert (model.status, model.withdrawn_on) == ("withdrawn", date(2024, 12, 1))
    assert [(r.year, r.level) for r in model.recognitions] == [
        (2022, "commune"),
        (2023, "province"),
    ]
    if stored_first:
        assert history(registry, "QTR-2022-00001")[-1]["after"]["status"] == "withdrawn"


# -- idempotency and conflicts --------------------------------------------------------


def test_reimport_changes_nothing_and_is_recorded(
    run: Run, registry: Registry, db: Path, tmp_path: Path
) -> None:
    path = write(tmp_path, csv_text(ROWS))
    assert imported(run, path) == SUMMARY_NEW
    before = dump(db, skip=("import_batches", "events"))
    again = run("import", str(path), "--format", "json")
    assert json.loads(again.stdout) == {
        "inserted": 0, "updated": 0, "skipped": 3, "invalid": 0, "not_records": 0, "written": True,
    }  # fmt: skip
    assert "nothing changed" in again.stderr
    assert dump(db, skip=("import_batches", "events")) == before
    batches = json.loads(run("imports", "--format", "json").stdout)
    assert [b["inserted"] for b in batches] == [0, 3]
    assert batches[0]["sha256"] == batches[1]["sha256"]
    assert batches[0]["source"] == "batch.csv"


def test_new_recognition_for_a_registered_model_is_an_update(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    imported(run, write(tmp_path, csv_text([ROWS[2]])))
    later = _with(ROWS[2], recognition_year="2025", recognition_level="xã", decided_on="2025-05-05")
    summary = imported(run, write(tmp_path, csv_text([ROWS[2], later])))
    assert summary == {
        "inserted": 0,
        "updated": 1,
        "skipped": 1,
        "invalid": 0,
        "not_records": 0,
        "written": True,
    }
    model = registry.get("HNO-2024-00007")
    assert [(r.year, r.level) for r in model.recognitions] == [(2025, "commune")]
    assert model.status == "recognized"


@pytest.mark.parametrize(
    ("policy", "exit_code", "expected_name"),
    [("fail", 1, "Camera an ninh"), ("skip", 0, "Camera an ninh"), ("update", 0, "Camera AI")],
)
def test_on_conflict(
    run: Run, registry: Registry, tmp_path: Path, policy: str, exit_code: int, expected_name: str
) -> None:
    imported(run, write(tmp_path, csv_text([ROWS[2]])))
    changed = write(tmp_path, csv_text([_with(ROWS[2], name="Camera AI")]), "changed.csv")
    result = run("import", str(changed), "--on-conflict", policy)
    assert result.exit_code == exit_code, result.stderr
    if policy == "fail":
        assert "code HNO-2024-00007 is in the registry with a different name" in result.stderr
        assert "use --on-conflict skip or update" in result.stderr
    assert registry.get("HNO-2024-00007").name == expected_name


def test_rows_without_code_match_on_name_place_and_date(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    path = write(tmp_path, csv_text([_with(ROWS[2], code="")]))
    assert imported(run, path)["inserted"] == 1
    assert imported(run, path)["skipped"] == 1
    [model] = registry.list_models()
    assert model.code == "HNO-2024-00001"


def test_exported_formula_quotes_are_undone(run: Run, registry: Registry, tmp_path: Path) -> None:
    quoted = _with(ROWS[2], name="'=Mô hình +1")
    imported(run, write(tmp_path, csv_text([quoted])))
    assert registry.get("HNO-2024-00007").name == "=Mô hình +1"


# -- crashes -------------------------------------------------------------------------
@pytest.mark.sqlite_only
def test_killed_mid_import_leaves_the_registry_as_it_was(
    run: Run, registry: Registry, db: Path, tmp_path: Path
) -> None:
    imported(run, write(tmp_path, csv_text(ROWS), "first.csv"))
    before = dump(db)
    big = [
        _with(ROWS[2], code=f"HNO-2024-{i:05d}", name=f"Mô hình số {i}") for i in range(10, 60000)
    ]
    path = write(tmp_path, csv_text(big), "big.csv")
    env = {**os.environ, "DANDAN_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dandan", "import", str(path)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 60
    # Kill once the import is writing: the write-ahead log grows past its header.
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert dump(db) == before


# -- properties ----------------------------------------------------------------------

_CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "Quảng Trị", "Đông Hà", "2023-02-29", "31/12/2023", "2023", "xã",
                     "huyện", "kinh tế", "'=1+1", "\x00", "\u202e", "ÄÃ¡"]),
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({c: _CELL for c in COLUMNS}))
def test_any_row_is_either_valid_or_one_clear_error(row: dict[str, str]) -> None:
    try:
        validate_row(row, "fuzz.csv", 2, date(2026, 11, 22))
    except InvalidInput as exc:
        assert exc.message
        assert "\n" not in str(exc)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_random_bytes_never_give_a_traceback(run: Run, tmp_path: Path, body: bytes) -> None:
    path = write(tmp_path, body)
    result = run("import", str(path))
    assert result.exit_code in (0, 1)
    assert result.exception is None or isinstance(result.exception, SystemExit)
