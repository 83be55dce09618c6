"""`dandan template`: a workbook a clerk fills in, whose drop-downs offer exactly the
accepted terms, and which imports as it was filled."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from dandan.cli import app
from dandan.registry import Registry
from tests.conftest import Run, dump

pytestmark = pytest.mark.sqlite_only

# The accepted terms, in the Vietnamese labels a clerk reads, written out by hand.
FIELDS = [
    "Kinh tế",
    "Văn hóa – xã hội",
    "Quốc phòng – an ninh",
    "Xây dựng Đảng và hệ thống chính trị",
]
SPONSORS = [
    "Cấp ủy Đảng",
    "Chính quyền",
    "Mặt trận Tổ quốc",
    "Hội Liên hiệp Phụ nữ",
    "Đoàn Thanh niên",
    "Hội Nông dân",
    "Hội Cựu chiến binh",
    "Công đoàn",
    "Quân đội",
    "Công an",
    "Khác",
]
HOLDERS = ["Tập thể", "Cá nhân"]
KINDS = ["Mô hình", "Điển hình"]
LEVELS = ["Cấp xã", "Cấp huyện", "Cấp tỉnh", "Trung ương"]
# The 34 current provinces, in Vietnamese dictionary order.
PROVINCES = [
    "An Giang",
    "Bắc Ninh",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Phòng",
    "Hồ Chí Minh",
    "Huế",
    "Hưng Yên",
    "Khánh Hòa",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Nghệ An",
    "Ninh Bình",
    "Phú Thọ",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sơn La",
    "Tây Ninh",
    "Thái Nguyên",
    "Thanh Hóa",
    "Tuyên Quang",
    "Vĩnh Long",
]
HEADERS = [
    "Tên mô hình",
    "Mô tả",
    "Tỉnh",
    "Xã",
    "Lĩnh vực",
    "Khối chủ trì",
    "Loại chủ thể",
    "Tên chủ thể",
    "Loại",
    "Lĩnh vực công tác",
    "Mục tiêu",
    "Nội dung và cách làm",
    "Đối tượng và địa bàn",
    "Kết quả dự kiến",
    "Duy trì và nhân rộng",
    "Ngày đăng ký",
    "Năm công nhận",
    "Cấp công nhận",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan công nhận",
]


def _resolve(book: Any, formula: str) -> list[str]:
    """A list validation's values: inline ("a,b"), or a range of another sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet_name, cells = formula.rsplit("!", 1)
    sheet = book[sheet_name.strip("'").replace("''", "'")]
    return [cell.value for (cell,) in sheet[cells.replace("$", "")]]


def drop_downs(path: Path) -> dict[str, list[str]]:
    """Each header of the first sheet with the values its drop-down offers, read back
    from the workbook's data validations."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found: dict[str, list[str]] = {}
    for check in sheet.data_validations.dataValidation:
        if check.type != "list":
            continue
        (ref,) = str(check.sqref).split()
        start, end = ref.split(":")
        letter = start.rstrip("0123456789")
        assert start == f"{letter}2" and end == f"{letter}1048576", ref  # every row
        found[headers[letter]] = _resolve(book, check.formula1)
    return found


def test_drop_downs_hold_exactly_the_accepted_terms(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    result = run("template", str(path))
    assert result.exit_code == 0, result.stderr
    assert drop_downs(path) == {
        "Tỉnh": PROVINCES,
        "Lĩnh vực": FIELDS,
        "Khối chủ trì": SPONSORS,
        "Loại chủ thể": HOLDERS,
        "Loại": KINDS,
        "Cấp công nhận": LEVELS,
    }


def test_with_a_province_it_offers_that_province_and_its_communes(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "lai-chau.xlsx"
    result = run("template", str(path), "--province", "lai chau")
    assert result.exit_code == 0, result.stderr
    lists = drop_downs(path)
    assert lists["Tỉnh"] == ["Lai Châu"]
    communes = lists["Xã"]
    assert len(communes) == 38
    assert communes[:5] == [
        "Phường Đoàn Kết",
        "Phường Tân Phong",
        "Xã Bản Bo",
        "Xã Bình Lư",
        "Xã Bum Nưa",
    ]
    assert communes[-1] == "Xã Tủa Sín Chải"
    assert {"Xã Mường Tè", "Xã Sìn Hồ", "Xã Than Uyên", "Xã Tân Uyên"} <= set(communes)
    assert lists["Lĩnh vực"] == FIELDS and lists["Cấp công nhận"] == LEVELS
    # The communes are on a hidden sheet (too long to hold inline).
    book = openpyxl.load_workbook(path)
    hidden = [s.title for s in book.worksheets if s.sheet_state == "hidden"]
    assert len(hidden) == 1
    assert "Xã Sìn Hồ" in [c.value for (c,) in book[hidden[0]].iter_rows(max_col=1)]


def test_the_sheet_is_laid_out_for_a_clerk(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    assert run("template", str(path), "--province", "Quảng Trị").exit_code == 0
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    for letter in "ABCDEFGHIJKLMNOPQRSTU":
        assert (sheet.column_dimensions[letter].width or 0) >= 10, letter
    # Date columns show days as Vietnamese offices write them, and take only dates.
    for letter in ("P", "T"):
        assert sheet.column_dimensions[letter].number_format == "dd/mm/yyyy"
    dates = [str(c.sqref) for c in sheet.data_validations.dataValidation if c.type == "date"]
    assert sorted(dates) == ["P2:P1048576", "T2:T1048576"]
    assert sheet.column_dimensions["S"].number_format == "@"  # decision numbers stay text
    (guide,) = [s for s in book.worksheets if s.title == "Hướng dẫn"]
    text = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    for phrase in (
        "ngày/tháng/năm",
        "15/03/2023",
        "bắt buộc",
        "mỗi lần công nhận ghi một dòng",
        "Tỉnh Quảng Trị",
        # Several areas in one cell, and how they are separated.
        "cách nhau bởi dấu chấm phẩy (;)",
        "GPMB",
        *HEADERS,
    ):
        assert phrase in text, phrase


def test_a_filled_template_imports_exactly_what_was_filled(
    run: Run, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "lai-chau.xlsx"
    assert run("template", str(path), "--province", "Lai Châu").exit_code == 0
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = {cell.value: cell.column for cell in sheet[1]}
    date_format = sheet.column_dimensions["P"].number_format  # Ngày đăng ký

    def fill(row: int, values: dict[str, Any]) -> None:
        for header, value in values.items():
            sheet.cell(row=row, column=column[header], value=value)

    model: dict[str, Any] = {
        "Tên mô hình": "Tổ phụ nữ giữ gìn bản sạch đẹp",
        "Mô tả": "Mỗi tuần dọn vệ sinh đường bản",
        "Tỉnh": "Lai Châu",
        "Xã": "Xã Bum Nưa",
        "Lĩnh vực": "Văn hóa – xã hội",
        "Khối chủ trì": "Hội Liên hiệp Phụ nữ",
        "Loại chủ thể": "Tập thể",
        "Tên chủ thể": "Chi hội phụ nữ bản Nậm Củm",
        "Lĩnh vực công tác": "Công tác dân tộc; NTM",
        "Mục tiêu": "Bản sạch, đẹp",
        "Ngày đăng ký": date(2023, 3, 15),
    }
    recognition = {
        "Năm công nhận": 2023,
        "Cấp công nhận": "Cấp xã",
        "Số quyết định": "125/QĐ-UBND",
        "Ngày quyết định": datetime(2023, 11, 20),
        "Cơ quan công nhận": "UBND xã Bum Nưa",
    }
    fill(2, model | recognition)
    # The same model, recognised again: its columns repeat, as the instructions say.
    fill(3, model | {"Năm công nhận": 2024, "Cấp công nhận": "Cấp tỉnh"})
    unrecognised = {
        "Tên mô hình": "Nuôi ong lấy mật",
        "Tỉnh": "Lai Châu",
        "Xã": "Xã Than Uyên",
        "Lĩnh vực": "Kinh tế",
        "Khối chủ trì": "Hội Cựu chiến binh",
        "Loại chủ thể": "Cá nhân",
        "Tên chủ thể": "Lò Văn Pánh",
    }
    fill(4, unrecognised)
    # A date typed in Excel: the day's serial number, in the column's own format.
    typed = sheet.cell(row=4, column=column["Ngày đăng ký"], value=45902)  # 2025-09-02
    typed.number_format = date_format
    book.save(path)

    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    models = sorted(Registry(str(db)).list_models(), key=lambda m: m.name)
    assert [m.name for m in models] == ["Nuôi ong lấy mật", "Tổ phụ nữ giữ gìn bản sạch đẹp"]
    bees, women = models
    assert (bees.province, bees.commune, bees.field, bees.sponsor, bees.holder) == (
        "Lai Châu",
        "Xã Than Uyên",
        "economy",
        "veterans",
        "individual",
    )
    assert (bees.holder_name, bees.registered_on, bees.description) == (
        "Lò Văn Pánh",
        date(2025, 9, 2),
        None,
    )
    assert bees.recognitions == ()
    assert (women.province, women.commune, women.field, women.sponsor, women.holder) == (
        "Lai Châu",
        "Xã Bum Nưa",
        "culture_society",
        "women",
        "collective",
    )
    assert (women.holder_name, women.registered_on, women.description) == (
        "Chi hội phụ nữ bản Nậm Củm",
        date(2023, 3, 15),
        "Mỗi tuần dọn vệ sinh đường bản",
    )
    assert (women.areas, women.objectives) == (
        ("ethnic_affairs", "new_rural_areas"),
        "Bản sạch, đẹp",
    )
    assert (bees.areas, bees.objectives) == ((), None)
    assert [r.as_dict() for r in women.recognitions] == [
        {
            "year": 2023,
            "level": "commune",
            "decision": "125/QĐ-UBND",
            "decided_on": "2023-11-20",
            "by": "UBND xã Bum Nưa",
            "outstanding": False,
        },
        {
            "year": 2024,
            "level": "province",
            "decision": None,
            "decided_on": None,
            "by": None,
            "outstanding": False,
        },
    ]


def test_an_unknown_province_is_refused_and_nothing_written(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    result = run("template", str(path), "--province", "Quang Tru")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: --province: unknown province 'Quang Tru'")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["mau.csv", "mau", "-", "mau.xls"])
def test_a_name_that_is_not_a_workbook_is_refused(run: Run, tmp_path: Path, name: str) -> None:
    target = name if name == "-" else str(tmp_path / name)
    result = run("template", target)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "name it .xlsx" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_registry_is_never_written_over(tmp_path: Path) -> None:
    # A registry may have any name, .xlsx too; the template is refused over it.
    registry = tmp_path / "registry.xlsx"
    Registry(str(registry)).open(create=True).dispose()
    before = dump(registry)
    link = tmp_path / "link.xlsx"
    link.symlink_to(registry)
    for target in (registry, link):
        result = CliRunner().invoke(app, ["--db", str(registry), "template", str(target)])
        assert result.exit_code == 2, result.stderr
        assert "is the registry itself" in result.stderr
        assert result.stderr.count("\n") == 1
    assert dump(registry) == before
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_an_existing_file_is_replaced_as_export_replaces_its_own(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    path.write_bytes(b"an older template")
    result = run("template", str(path))
    assert result.exit_code == 0, result.stderr
    assert "Lĩnh vực" in drop_downs(path)
    assert [p.name for p in tmp_path.iterdir()] == ["mau.xlsx"]  # no temporary file left


def test_the_csv_template_for_scripts_stays(run: Run) -> None:
    result = run("import", "--template")
    assert result.exit_code == 0
    assert result.stdout.startswith("code,name,description,province,")


def test_every_term_a_drop_down_offers_imports_as_its_term(
    run: Run, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "mau.xlsx"
    assert run("template", str(path)).exit_code == 0
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = {cell.value: cell.column for cell in sheet[1]}
    # What each label means, written out by hand.
    fields = ["economy", "culture_society", "defence_security", "party_building"]
    sponsors = ["party", "government", "fatherland_front", "women", "youth", "farmers"]
    sponsors += ["veterans", "trade_union", "army", "police", "other"]
    holders = ["collective", "individual"]
    levels = ["commune", "district", "province", "central"]
    for i, sponsor in enumerate(SPONSORS):
        row = {
            "Tên mô hình": f"Mô hình số {i + 1}",
            "Tỉnh": PROVINCES[i],
            "Lĩnh vực": FIELDS[i % 4],
            "Khối chủ trì": sponsor,
            "Loại chủ thể": HOLDERS[i % 2],
            "Ngày đăng ký": date(2023, 1, i + 1),
            "Năm công nhận": 2024,
            "Cấp công nhận": LEVELS[i % 4],
        }
        for header, value in row.items():
            sheet.cell(row=i + 2, column=column[header], value=value)
    book.save(path)
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    stored = sorted(Registry(str(db)).list_models(), key=lambda m: m.registered_on)
    assert [(m.field, m.sponsor, m.holder, m.recognitions[0].level) for m in stored] == [
        (fields[i % 4], sponsors[i], holders[i % 2], levels[i % 4]) for i in range(11)
    ]
