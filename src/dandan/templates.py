"""The workbook a clerk fills in for `dandan import`: a sheet that cannot go wrong.

`dandan import --template` prints the header row for scripts; a person needs more.
The workbook written here has the import's own Vietnamese headers
(`sources.VIETNAMESE_HEADERS`), so the import maps them without guessing; drop-down
lists that offer exactly the terms the import accepts (`dandan.terms`, in the
Vietnamese labels a clerk reads) and, for one province, its current communes (from
the gazetteer, in Vietnamese order); date cells that hold dates, so a typed date
imports as the day it shows; and a sheet of instructions in Vietnamese.

Its text is Vietnamese whatever the reader's language: the sheet goes to offices
that keep their records in Vietnamese, and the import reads its headers as they are.
The data sheet comes first, since the import reads a workbook's first sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dandan.errors import UsageError
from dandan.files import check_output, written_into_place
from dandan.i18n import _
from dandan.localities import Province, gazetteer
from dandan.sources import REQUIRED, VIETNAMESE_HEADERS
from dandan.terms import Field, Holder, Kind, Level, Sponsor, terms_of
from dandan.text import sort_key
from dandan.validation import EARLIEST

#: The columns a clerk fills, in the order of the import schema. The code columns
#: (`Mã…`), the old districts and the scheme are left out: a new sheet has no codes
#: yet, and names the current units; the import reads those columns when a sheet has them.
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "name",
    "description",
    "province",
    "commune",
    "field",
    "sponsor",
    "holder",
    "holder_name",
    "kind",
    "areas",
    "objectives",
    "method",
    "target_group",
    "expected_results",
    "sustainability",
    "registered_on",
    "recognition_year",
    "recognition_level",
    "decision_no",
    "decided_on",
    "recognized_by",
)
DATE_COLUMNS = ("registered_on", "decided_on")
#: How a date cell shows its day: as Vietnamese offices write it.
DATE_FORMAT = "dd/mm/yyyy"
#: Cells kept as text, so that "12/2023/QĐ-UBND" or "01/2023" is not read as a date.
TEXT_COLUMNS = ("decision_no",)
#: The sheets, by the names a clerk reads.
DATA_SHEET = "Mô hình"
HELP_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
#: The longest list a validation may hold inline, quotes and commas included: Excel
#: refuses to open a workbook with a longer one. Longer lists go on the hidden sheet.
INLINE_LIMIT = 255
#: The rows the validations and formats cover: every row of the sheet below the header.
LAST_ROW = 1_048_576

_WIDTHS = {
    "name": 40,
    "description": 40,
    "province": 18,
    "commune": 26,
    "field": 30,
    "sponsor": 24,
    "holder": 14,
    "holder_name": 28,
    "kind": 14,
    "areas": 30,
    "objectives": 36,
    "method": 40,
    "target_group": 30,
    "expected_results": 36,
    "sustainability": 36,
    "registered_on": 14,
    "recognition_year": 12,
    "recognition_level": 14,
    "decision_no": 20,
    "decided_on": 14,
    "recognized_by": 28,
}

#: What each column holds, for the instructions sheet.
_MEANINGS = {
    "name": "Tên của mô hình, viết đầy đủ.",
    "description": "Nội dung, cách làm, kết quả của mô hình (không bắt buộc).",
    "province": "Tỉnh/thành phố nơi thực hiện mô hình: chọn trong danh sách.",
    "commune": "Xã/phường/đặc khu nơi thực hiện mô hình (đơn vị hiện nay).",
    "field": "Lĩnh vực của mô hình: chọn trong danh sách.",
    "sponsor": "Khối, đơn vị chủ trì mô hình: chọn trong danh sách.",
    "holder": "Tập thể hay cá nhân thực hiện; để trống là Tập thể.",
    "holder_name": "Tên tập thể hoặc họ tên cá nhân thực hiện mô hình.",
    "kind": "Mô hình hay điển hình (tập thể, cá nhân tiêu biểu); để trống là Mô hình.",
    "areas": (
        "Lĩnh vực công tác dân vận mô hình phục vụ, có thể nhiều lĩnh vực, cách nhau bởi "
        "dấu chấm phẩy (;), ví dụ: GPMB; Chuyển đổi số. Gồm: Công tác dân tộc; Công tác "
        "tôn giáo; Thực hiện dân chủ ở cơ sở (DCCS); Giải phóng mặt bằng (GPMB); Dân vận "
        "chính quyền; Nông thôn mới, đô thị văn minh (NTM); Chuyển đổi số (CĐS). Để trống "
        "nếu không thuộc lĩnh vực nào."
    ),
    "objectives": "Mục tiêu của mô hình (theo phiếu đăng ký; không bắt buộc).",
    "method": "Nội dung, cách làm (không bắt buộc).",
    "target_group": "Đối tượng, địa bàn thực hiện (không bắt buộc).",
    "expected_results": "Kết quả dự kiến (không bắt buộc).",
    "sustainability": "Cách duy trì, nhân rộng mô hình (không bắt buộc).",
    "registered_on": "Ngày đăng ký mô hình; để trống là ngày nhập vào sổ.",
    "recognition_year": "Năm mô hình được công nhận, bốn chữ số (ví dụ 2023).",
    "recognition_level": "Cấp công nhận: chọn trong danh sách.",
    "decision_no": "Số quyết định công nhận (ví dụ 125/QĐ-UBND).",
    "decided_on": "Ngày ký quyết định công nhận (trong năm công nhận hoặc đầu năm sau).",
    "recognized_by": "Cơ quan ra quyết định công nhận.",
}
_RECOGNITION = ("recognition_year", "recognition_level")


@dataclass(frozen=True)
class TemplateSummary:
    """What was written: the file, and the province whose communes it lists, if any."""

    path: Path
    province: str | None = None
    communes: int = 0


def check_name(path: str | Path, *, registry: str | None = None) -> Path:
    """A template is an .xlsx workbook, and never the registry (its URL, `registry`) or
    its journal under any name: refused before anything is written."""
    target = Path(path).expanduser()
    if str(path) == "-" or target.suffix.lower() != ".xlsx":
        raise UsageError(
            _("FILE {path}: the template is an .xlsx workbook; name it .xlsx").format(path=path)
        )
    check_output(target, registry=registry)
    return target


def choices(province: Province | None = None) -> dict[str, list[str]]:
    """Each column with a drop-down and the values it offers, in the order shown: the
    terms in their Vietnamese labels (the order `dandan.terms` gives them), the
    provinces (or the one given) and, for one province, its current communes, both in
    Vietnamese order."""
    g = gazetteer()
    lists: dict[str, list[str]] = {}
    if province is None:
        lists["province"] = sorted((p.name for p in g.provinces.values()), key=sort_key)
    else:
        lists["province"] = [province.name]
        lists["commune"] = sorted(
            (c.name for c in g.communes.values() if c.province_code == province.code),
            key=sort_key,
        )
    for column, kind in (
        ("field", Field),
        ("sponsor", Sponsor),
        ("holder", Holder),
        ("kind", Kind),
        ("recognition_level", Level),
    ):
        lists[column] = [term.vi for term in terms_of(kind)]
    return lists


def write_template(
    path: str | Path, province: str | None = None, *, registry: str | None = None
) -> TemplateSummary:
    """Write the workbook to `path` (an .xlsx name), for `province` if given (any
    spelling or code the registry takes; an unknown one is refused before anything is
    written). Like every file dandan writes, it is made beside its name and renamed into
    place, never over the registry (its URL, `registry`) or its journal."""
    target = check_name(path, registry=registry)
    unit = gazetteer().province(province) if province is not None else None
    lists = choices(unit)
    book = _workbook(lists, unit)
    # Headers and lists, no one's details: readable like any file the user makes.
    with written_into_place(target, binary=True, private=False, registry=registry) as out:
        book.save(out)
    return TemplateSummary(target, unit.name if unit else None, len(lists.get("commune", ())))


def _workbook(lists: dict[str, list[str]], province: Province | None) -> Any:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    _help_sheet(book.create_sheet(HELP_SHEET), province)
    _data_sheet(sheet, book, lists, province)  # after: its lists sheet goes last
    book.active = 0
    return book


def _data_sheet(
    sheet: Any, book: Any, lists: dict[str, list[str]], province: Province | None
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    required = PatternFill("solid", fgColor="F4B183")
    optional = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=VIETNAMESE_HEADERS[column])
        cell.font = Font(bold=True)
        cell.fill = required if column in REQUIRED else optional
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dimension = sheet.column_dimensions[letter]
        dimension.width = _WIDTHS[column]
        if column in DATE_COLUMNS:
            dimension.number_format = DATE_FORMAT
            _validate_dates(sheet, letter, column)
        elif column == "recognition_year":
            dimension.number_format = "0"
            _validate_year(sheet, letter)
        elif column in TEXT_COLUMNS:
            dimension.number_format = "@"
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    lists_sheet = None
    for column, values in lists.items():
        letter = get_column_letter(TEMPLATE_COLUMNS.index(column) + 1)
        formula = _inline(values)
        if formula is None:
            if lists_sheet is None:
                lists_sheet = book.create_sheet(LISTS_SHEET)
                lists_sheet.sheet_state = "hidden"
            formula = _listed(lists_sheet, column, values)
        _validate_list(sheet, letter, column, formula, province)


def _inline(values: list[str]) -> str | None:
    """The list as a validation holds it inline, or None when it cannot: too long for
    Excel, or a value with a comma or a quote, which the inline form cannot carry."""
    if any("," in value or '"' in value for value in values):
        return None
    formula = '"' + ",".join(values) + '"'
    return formula if len(formula) <= INLINE_LIMIT else None


def _listed(sheet: Any, column: str, values: list[str]) -> str:
    """The values in the next column of the hidden lists sheet, under the column's
    header; the reference a validation gives to offer them."""
    from openpyxl.utils import get_column_letter, quote_sheetname

    index = (sheet.max_column + 1) if sheet["A1"].value is not None else 1
    letter = get_column_letter(index)
    sheet.cell(row=1, column=index, value=VIETNAMESE_HEADERS[column])
    for row, value in enumerate(values, start=2):
        sheet.cell(row=row, column=index, value=value)
    last = len(values) + 1
    return f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${last}"


def _validate(
    sheet: Any, letter: str, column: str, *, error: str, prompt: str, **rule: Any
) -> None:
    """A check on the column's cells below the header (Excel's data validation): the
    `rule` (type, bounds or list), and what Excel says when it refuses a value and when
    the cell is chosen, under the column's header; blank cells pass."""
    from openpyxl.worksheet.datavalidation import DataValidation

    header = VIETNAMESE_HEADERS[column]
    check = DataValidation(
        **rule,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=header[:32],
        error=error,
        promptTitle=header[:32],
        prompt=prompt,
    )
    check.add(f"{letter}2:{letter}{LAST_ROW}")
    sheet.add_data_validation(check)


def _validate_list(
    sheet: Any, letter: str, column: str, formula: str, province: Province | None
) -> None:
    if column == "province" and province is not None:
        prompt = f"Sổ này dành cho {province.name}: chọn {province.name}."
    else:
        prompt = "Chọn một giá trị trong danh sách."
    _validate(
        sheet, letter, column,
        type="list",
        formula1=formula,
        showDropDown=False,  # False shows the arrow: the attribute means "hide it"
        error="Giá trị này không có trong danh sách. Hãy chọn một giá trị trong danh sách.",
        prompt=prompt,
    )  # fmt: skip


def _validate_dates(sheet: Any, letter: str, column: str) -> None:
    """A date from the earliest the registry takes to today: text that is not a date,
    or a day in the future, is refused as it is typed."""
    _validate(
        sheet, letter, column,
        type="date",
        operator="between",
        formula1=f"DATE({EARLIEST.year},{EARLIEST.month},{EARLIEST.day})",
        formula2="TODAY()",
        error=(
            f"Nhập một ngày từ {EARLIEST:%d/%m/%Y} đến hôm nay: ngày/tháng/năm, ví dụ "
            "15/03/2023, hoặc năm-tháng-ngày, ví dụ 2023-03-15."
        ),
        prompt="Ngày/tháng/năm, ví dụ 15/03/2023.",
    )  # fmt: skip


def _validate_year(sheet: Any, letter: str) -> None:
    _validate(
        sheet, letter, "recognition_year",
        type="whole",
        operator="between",
        formula1=str(EARLIEST.year),
        formula2="2100",
        error=f"Năm công nhận là bốn chữ số, từ {EARLIEST.year}, ví dụ 2023.",
        prompt="Bốn chữ số, ví dụ 2023. Để trống nếu mô hình chưa được công nhận.",
    )  # fmt: skip


def _help_sheet(sheet: Any, province: Province | None) -> None:
    from openpyxl.styles import Alignment, Font

    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 80
    title = "HƯỚNG DẪN ĐIỀN DANH SÁCH MÔ HÌNH “DÂN VẬN KHÉO”"
    if province is not None:
        title += f" – {province.full_name.upper()}"
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    lines = [
        f"Điền mỗi mô hình vào một dòng của trang “{DATA_SHEET}”, bắt đầu từ dòng 2. "
        "Không sửa, không xóa dòng tiêu đề (dòng 1); không thêm dòng tiêu đề, dòng tổng "
        "cộng hay dòng trống giữa các mô hình.",
        "Các cột tô màu cam là bắt buộc; các cột màu xanh điền nếu có.",
        "Ngày ghi theo dạng ngày/tháng/năm, ví dụ 15/03/2023 (hoặc 2023-03-15). Ngày không "
        f"được trước {EARLIEST:%d/%m/%Y} và không được sau hôm nay.",
        "Nếu máy tính đặt ngày theo kiểu tháng/ngày (kiểu Mỹ), hãy gõ năm-tháng-ngày "
        "(2023-03-15): ô vẫn hiện ngày/tháng/năm, và không nhầm ngày với tháng.",
        "Mô hình chưa được công nhận: để trống các cột công nhận (Năm công nhận, Cấp công "
        "nhận, Số quyết định, Ngày quyết định, Cơ quan công nhận). Mô hình đã được công "
        "nhận: phải có cả Năm công nhận và Cấp công nhận.",
        "Mô hình được công nhận nhiều lần (nhiều năm hoặc nhiều cấp): mỗi lần công nhận "
        "ghi một dòng, và chép lại y hệt các cột của mô hình (Tên mô hình, Tỉnh, Xã, Lĩnh "
        "vực, Khối chủ trì, Ngày đăng ký…) trên mỗi dòng đó.",
        "Các cột có danh sách: bấm vào ô để chọn; chỉ nhận các giá trị trong danh sách.",
    ]
    if province is not None:
        lines.append(
            f"Sổ này dành cho {province.full_name}: cột Tỉnh chọn {province.name}, cột Xã "
            "chọn trong danh sách các xã, phường hiện nay của tỉnh."
        )
    lines.append("Điền xong, lưu tệp (.xlsx) và nhập vào sổ bằng lệnh: dandan import TÊN_TỆP.xlsx")
    row = 3
    for text in lines:
        sheet.cell(row=row, column=1, value="•")
        cell = sheet.cell(row=row, column=2, value=text)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        cell.alignment = wrap
        sheet.row_dimensions[row].height = 15 * (1 + len(text) // 90)
        row += 1
    row += 1
    for index, heading in enumerate(("Cột", "Bắt buộc", "Nội dung và cách điền"), start=1):
        sheet.cell(row=row, column=index, value=heading).font = Font(bold=True)
    for column in TEMPLATE_COLUMNS:
        row += 1
        if column in REQUIRED:
            needed = "Bắt buộc"
        elif column in _RECOGNITION:
            needed = "Khi có công nhận"
        else:
            needed = "Không"
        sheet.cell(row=row, column=1, value=VIETNAMESE_HEADERS[column]).alignment = wrap
        sheet.cell(row=row, column=2, value=needed).alignment = wrap
        sheet.cell(row=row, column=3, value=_MEANINGS[column]).alignment = wrap
