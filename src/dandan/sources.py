"""Reading the files clerks send: CSV/TSV in any encoding Excel writes, and .xlsx.

A source yields `(line_number, row)` pairs where `row` maps our column names to
text, whatever the file's encoding, delimiter or header language. Files are
streamed, never loaded whole, and their bytes are hashed on the way through so
an import can record which file it was.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import operator
import re
import sys
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from dandan.errors import Advice, InvalidInput
from dandan.i18n import N_, _, number, os_reason
from dandan.text import as_text, key

#: Our columns, and the headers clerks' spreadsheets carry for them. The first spelling
#: is the column's Vietnamese name: the header `dandan export --headers vi` writes, so
#: that such a file imports back like any other (see `VIETNAMESE_HEADERS`).
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("Mã", "Mã mô hình", "Model code", "Mã số"),
    "name": ("Tên mô hình", "Tên", "Model name", "Mô hình"),
    "description": ("Mô tả", "Nội dung", "Nội dung mô hình"),
    "province": ("Tỉnh", "Tỉnh/Thành phố", "Tỉnh thành", "Tỉnh/TP", "Thành phố"),
    "province_code": ("Mã tỉnh",),
    "district": ("Huyện", "Quận/Huyện", "Quận", "Huyện/Quận", "Quận/Huyện/Thị xã", "Cấp huyện"),
    "district_code": ("Mã huyện", "Mã quận/huyện"),
    "commune": ("Xã", "Xã/Phường", "Phường", "Xã/Phường/Thị trấn", "Phường/Xã", "Cấp xã"),
    "commune_code": ("Mã xã",),
    "locality_scheme": ("Địa giới", "Địa giới hành chính", "Boundaries", "Scheme"),
    "field": ("Lĩnh vực",),
    "sponsor": ("Khối chủ trì", "Đơn vị chủ trì", "Khối", "Cơ quan chủ trì", "Đơn vị"),
    "holder": ("Loại chủ thể", "Chủ thể (tập thể/cá nhân)", "Tập thể/cá nhân", "Holder type"),
    "holder_name": ("Tên chủ thể", "Chủ thể", "Tên tập thể/cá nhân", "Người thực hiện"),
    "kind": (
        "Loại",
        "Mô hình/Điển hình",
        "Loại mô hình",
        "Mô hình hay điển hình",
        "Mô hình, điển hình",
    ),
    "areas": (
        "Lĩnh vực công tác",
        "Nhóm đối tượng",
        "Lĩnh vực công tác dân vận",
        "Lĩnh vực, đối tượng",
        "Areas",
        "Area of work",
    ),
    "objectives": ("Mục tiêu", "Mục đích", "Mục đích, yêu cầu", "Objectives"),
    # The first spellings without commas: the export's Vietnamese headers, one CSV cell each.
    "method": (
        "Nội dung và cách làm",
        "Nội dung, cách làm",
        "Cách làm",
        "Cách thức thực hiện",
        "Method",
    ),
    "target_group": (
        "Đối tượng và địa bàn",
        "Đối tượng, địa bàn",
        "Đối tượng",
        "Địa bàn",
        "Phạm vi, đối tượng",
        "Target group",
    ),
    "expected_results": (
        "Kết quả dự kiến",
        "Kết quả mong đợi",
        "Dự kiến kết quả",
        "Expected results",
    ),
    "sustainability": (
        "Duy trì và nhân rộng",
        "Duy trì, nhân rộng",
        "Khả năng duy trì, nhân rộng",
        "Nhân rộng",
        "Sustainability",
    ),
    "replicates": ("Nhân rộng từ", "Mô hình gốc", "Nhân rộng từ mô hình"),
    "registered_on": ("Ngày đăng ký", "Ngày đăng kí", "Registration date", "Registered"),
    "withdrawn_on": ("Ngày rút", "Ngày thu hồi"),
    "withdrawn_reason": ("Lý do rút", "Lý do thu hồi", "Lí do rút"),
    "review_year": ("Năm rà soát", "Năm đánh giá"),
    "review_result": ("Kết quả rà soát", "Kết quả đánh giá", "Đánh giá"),
    "review_note": ("Ghi chú rà soát", "Ghi chú đánh giá"),
    "recognition_year": ("Năm công nhận", "Năm"),
    "recognition_level": ("Cấp công nhận", "Cấp"),
    "decision_no": ("Số quyết định", "Quyết định", "Số QĐ", "Decision", "Decision number"),
    "decided_on": ("Ngày quyết định", "Ngày QĐ", "Ngày công nhận", "Decision date"),
    "recognized_by": ("Cơ quan công nhận", "Đơn vị công nhận", "Recognised by", "By"),
    "outstanding": ("Tiêu biểu", "Điển hình tiêu biểu", "Outstanding"),
    "commendation_year": ("Năm khen thưởng",),
    "commendation_award": ("Hình thức khen thưởng", "Khen thưởng"),
    "commendation_by": ("Cơ quan khen thưởng", "Đơn vị khen thưởng"),
    "commendation_decision": ("Số quyết định khen thưởng", "Số QĐ khen thưởng"),
    "commendation_decided_on": ("Ngày quyết định khen thưởng", "Ngày QĐ khen thưởng"),
}
#: The import schema, in its documented order (also the order of exports).
COLUMNS: tuple[str, ...] = tuple(HEADERS)
#: Each column's Vietnamese header, for exports a person opens in a spreadsheet; the
#: identifiers (`COLUMNS`) stay the default, since scripts read them.
VIETNAMESE_HEADERS: dict[str, str] = {column: spellings[0] for column, spellings in HEADERS.items()}
REQUIRED = ("name", "province", "field", "sponsor")
#: How many rows from the top are searched for the header: up to ten title rows, then
#: a header on two rows.
_HEADER_SEARCH = 12
_HEADER_INDEX = {
    key(spelling): column
    for column, spellings in HEADERS.items()
    for spelling in (column, column.replace("_", " "), *spellings)
}
# Recognising British and American spellings alike.
_HEADER_INDEX.setdefault(key("recognised_by"), "recognized_by")


@dataclass(frozen=True)
class Schema:
    """The columns a kind of file holds: each header spelling (folded by `key`) to its
    column, and the columns a file must have. Models' by default; `contests` has its own
    (`dandan.contests.SCHEMA`), read by the same reader."""

    index: Mapping[str, str]
    required: tuple[str, ...]

    @classmethod
    def of(cls, headers: Mapping[str, tuple[str, ...]], required: tuple[str, ...]) -> Schema:
        index = {
            key(spelling): column
            for column, spellings in headers.items()
            for spelling in (column, column.replace("_", " "), *spellings)
        }
        return cls(index, required)


#: The most rows a sheet may have: Excel's own maximum (1,048,576), above the 408,000+
#: rows of a national import. A row numbered beyond it holding data is refused: no
#: spreadsheet program writes one, and a sheet is read by the rows it really holds, never
#: by the size it declares (a 1.6 KB file declaring `A1:XFD1048576` kept the import
#: padding empty cells for minutes).
MAX_ROWS = 1_048_576
#: The most columns with data a sheet may have. Excel allows 16,384, but the import schema
#: has 22 and a clerk's sheet a few more; a sheet with data beyond column 1,000 is not a
#: registry sheet, and its rows would only cost memory. Empty cells further right (the
#: borders of a formatted sheet) are passed over, not counted.
MAX_COLUMNS = 1_000
#: The most characters a cell may hold, in a workbook or a CSV file: Excel's own limit
#: (32,767), so nothing a spreadsheet saves is refused, while one 200 MB cell cannot take
#: the memory it used to (0.8 GB).
MAX_CELL_CHARS = 32_767
#: The most bytes the parts of a workbook may expand to, all together. A full sheet of
#: 1,048,576 rows of every import column is about 1.3 GB of XML as openpyxl writes it
#: (Excel's shared strings make it smaller); above this, reading alone would take longer
#: than any import should hold the registry.
MAX_UNCOMPRESSED = 2 * 1024**3
#: How many times its compressed size a part of a workbook may expand to. Sheets as
#: spreadsheet programs save them compress 5 to 20 times; a compression bomb (a 1 MB
#: file whose shared strings grew to 3.6 GB of memory) a thousand times, the most
#: deflate allows. Parts smaller than `_EXPANSION_GRACE` are not held to it: tiny,
#: repetitive parts compress well and cost nothing.
MAX_EXPANSION = 100
_EXPANSION_GRACE = 1024**2
#: How deep the elements of a sheet may nest: a cell is at depth 4 (worksheet, sheetData,
#: row, c) and its rich text a few levels more; deep nesting is only a way to make the
#: parser hold every open element.
MAX_XML_DEPTH = 64
#: The most bytes of XML one cell, or one tag or text anywhere, may take (to within the
#: `_CHUNK` the parser is given at a time): a cell of `MAX_CELL_CHARS` characters written
#: as numeric references (`&#x1F600;`), with its formula, fits; beyond, the parser would
#: buffer whatever it is given.
_MAX_XML_TOKEN = 1024**2

# UTF-8 text decoded as Windows-1252/1258 leaves tell-tale pairs: "Ã¡" for "á",
# "Ä'" for "đ", "áº" for the start of "ạ ả ấ …", "â€" for typographic quotes.
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|Ä[\u0080-\u0091\u2018\u2019]|áº|á»|Æ°|â€")


@dataclass
class SourceInfo:
    """What we learned reading a source: enough to record the batch and report."""

    name: str
    kind: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)
    #: Our column name → the header as the file writes it.
    headers: dict[str, str] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    #: The header's row (of a header on two rows, the first) and how many rows it spans.
    header_row: int | None = None
    header_rows: int = 1
    #: Sheet-wide values in effect, by column (`Layout.values`, a title's province).
    values: dict[str, str] = field(default_factory=dict)
    #: Values read from a title row: column -> (value, row).
    title_values: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: Rows passed over as total rows, section headings or empty rows.
    not_records: int = 0
    size: int | None = None
    bytes_read: int = 0
    sha256: str = ""


class Cells(Mapping[str, str]):
    """One row's texts by column, looked up in its sequence only when asked (for a
    rejected row): a dictionary per row cost a tenth of an import's validation."""

    __slots__ = ("columns", "texts")

    def __init__(self, columns: Sequence[str], values: Sequence[str]) -> None:
        self.columns = columns
        self.texts = values

    def __getitem__(self, column: str) -> str:
        try:
            return self.texts[self.columns.index(column)]
        except ValueError:
            raise KeyError(column) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class _HashingReader(io.RawIOBase):
    """Passes bytes through while hashing and counting them (for checksum and progress)."""

    def __init__(self, raw: IO[bytes], info: SourceInfo) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self._info = info

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._hash.update(data)
        self._info.bytes_read += n
        return n

    def finish(self) -> None:
        while self.read(1 << 16):  # drain what the reader left, for the checksum
            continue
        self._info.sha256 = self._hash.hexdigest()


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else Windows-1258."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1258"
    return "utf-8"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of the header line: the most frequent of comma, semicolon, tab."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def map_headers(
    headers: list[str],
    info: SourceInfo,
    mapped: list[str | None] | None = None,
    given: Mapping[str, str] | None = None,
    schema: Schema | None = None,
) -> list[str | None]:
    """Our column name for each header (None for unknown ones), checking required
    columns: those the file lacks may be `given` sheet-wide. `mapped` is the columns
    already read from a header on two rows."""
    if mapped is None:
        mapped = _header_of(headers, schema)
    seen: set[str] = set()
    for header, column in zip(headers, mapped, strict=True):
        if column is not None and column in seen:
            raise InvalidInput(
                _("{file}: column {header!r} appears twice").format(file=info.name, header=header)
            )
        if column is None and (header or "").strip():
            info.unknown_columns.append(header.strip())
        if column is not None:
            seen.add(column)
            info.headers[column] = header.strip()
    available = seen | set(given or ()) | set(info.title_values)
    required = schema.required if schema is not None else REQUIRED
    missing = [c for c in required if c not in available]
    if missing:
        found = ", ".join(h for h in headers if h)
        where = "" if info.header_row is None else _(" in row {row}").format(row=info.header_row)
        if found:
            message = _(
                "{file}: missing required column(s): {columns} (headers found{where}: {headers})"
            )
        else:
            message = _("{file}: missing required column(s): {columns} (headers found: none)")
        raise InvalidInput(
            message.format(file=info.name, columns=", ".join(missing), headers=found, where=where),
            advice=Advice.import_template,
        )
    info.columns = [c for c in mapped if c is not None]
    return mapped


@dataclass(frozen=True)
class Layout:
    """What a clerk tells the import about a sheet's layout, where detection needs help."""

    #: The header's row, 1-based (of a header on two rows, the first): instead of
    #: looking for it among the top rows.
    header_row: int | None = None
    #: Sheet-wide values: a column's value for every row that leaves it empty (a sheet
    #: of one province often names it only in its title).
    values: Mapping[str, str] = field(default_factory=dict)
    #: The columns of the file (None: a file of models).
    schema: Schema | None = None


def sheet_values(pairs: Iterable[str]) -> dict[str, str]:
    """`COLUMN=VALUE` texts as sheet-wide values, COLUMN by any of its headers."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        column = _HEADER_INDEX.get(key(name))
        if not sep or column is None:
            raise InvalidInput(
                _("{pair!r} is not COLUMN=VALUE with a known column (e.g. {example})").format(
                    pair=pair, example='province="Quảng Trị"'
                ),
                field="set",
            )
        values[column] = value.strip()
    return values


#: What a total row starts with (as `key` folds it): counted, never imported.
_TOTALS = frozenset({"tongcong", "cong", "tongso", "tong", "congtong", "total"})
#: A section heading in one cell: "I. HUYỆN CAM LỘ", "2) Khối cơ quan", "B - Xã".
_SECTION = re.compile(r"(?:[IVXLC]+|\d{1,3}|[A-ZĐ])\s*[.):–-]\s*\S|[IVXLC]+\s+\S")
#: A section's numbering in a cell of its own, its heading in the next ("II" | "KHỐI
#: CƠ QUAN"): Roman numerals or a capital letter; an Arabic number there is a record's
#: STT, and a record with only a name is an error to report, not a row to pass over.
_SECTION_NUMBER = re.compile(r"(?:[IVXLC]+|[A-ZĐ])[.)]?")


def not_a_record(cells: Sequence[str]) -> bool:
    """A total row, a section heading or an empty row: offices' sheets carry them
    between the records, and they are passed over (and counted), not refused."""
    filled = [c.strip() for c in cells if c and not c.isspace()]
    if not filled:
        return True
    first = filled[0]
    if key(first) in _TOTALS:
        return True
    if len(filled) == 1:
        return _SECTION.match(first) is not None
    return len(filled) == 2 and _SECTION_NUMBER.fullmatch(first) is not None


def _header_of(cells: Sequence[str], schema: Schema | None = None) -> list[str | None]:
    index = schema.index if schema is not None else _HEADER_INDEX
    return [index.get(key(c)) if c else None for c in cells]


def _two_row_header(
    top: Sequence[str], below: Sequence[str], schema: Schema | None = None
) -> tuple[list[str | None], list[str]] | None:
    """The columns of a header on two rows (a parent merged over its children: "Công
    nhận" over "Năm | Cấp | Số QĐ"), or None when the second row is not one of
    headers. A child is read with its parent first ("Ngày" under "Quyết định" is "Ngày
    quyết định"), then alone ("Huyện" under "Địa bàn thực hiện")."""
    index = schema.index if schema is not None else _HEADER_INDEX
    width = max(len(top), len(below))
    parent = ""
    mapped: list[str | None] = []
    shown: list[str] = []
    known = children = 0
    for j in range(width):
        above = top[j].strip() if j < len(top) else ""
        child = below[j].strip() if j < len(below) else ""
        if above:
            parent = above  # a merged cell's text is in its first cell only
        if not child:
            mapped.append(index.get(key(above)) if above else None)
            shown.append(above)
            continue
        children += 1
        column = None
        for spelling in (f"{child} {parent}", f"{parent} {child}", child):
            column = index.get(key(spelling))
            if column is not None:
                break
        known += column is not None
        mapped.append(column)
        shown.append(f"{parent} / {child}" if parent else child)
    # A row of data under a header may hold a word that is a header ("Tỉnh" as a
    # level): a row of children is mostly headers.
    if not known or known * 2 < children:
        return None
    return mapped, shown


@dataclass
class _Header:
    at: int  # index in the rows read ahead
    rows: int  # 1 or 2
    mapped: list[str | None]
    shown: list[str]


def _find_header(top: Sequence[tuple[int, list[str]]], layout: Layout, info: SourceInfo) -> _Header:
    """The header among the top rows: the first that names the required columns
    (with the sheet-wide values, and a province named by a title above it), on one
    row or two; or the row the clerk named. Without one, the row that came closest,
    for the error to name."""
    best: _Header | None = None
    for at, (line, cells) in enumerate(top):
        if layout.header_row is not None and line != layout.header_row:
            continue
        if not any(c.strip() for c in cells):
            continue
        single = _header_of(cells, layout.schema)
        header = _Header(at, 1, single, [c.strip() for c in cells])
        if at + 1 < len(top) and any(single):
            two = _two_row_header(cells, top[at + 1][1], layout.schema)
            if two is not None and len({*two[0]} - {None}) > len({*single} - {None}):
                header = _Header(at, 2, *two)
        found = {c for c in header.mapped if c is not None} | set(layout.values)
        if best is None or len(found) > len({c for c in best.mapped if c is not None}):
            best = header
        title = None
        if not {"province", "province_code"} & found:
            title = _title_province(top[:at])
            if title is not None:
                found.add("province")
        required = layout.schema.required if layout.schema is not None else REQUIRED
        if all(c in found for c in required) or layout.header_row is not None:
            if title is not None:
                info.title_values["province"] = title
            return header
    if best is None:
        if layout.header_row is not None:
            # (A sheet leaves its empty rows out; a CSV file has them, as empty lines.)
            if top and top[-1][0] > layout.header_row:
                message = _("{file}: row {row}, given as the header, is empty")
            else:
                message = _("{file}: there is no row {row} to read the header from")
            raise InvalidInput(
                message.format(file=info.name, row=layout.header_row), field="header_row"
            )
        raise InvalidInput(_("{file}: the file is empty (no header row)").format(file=info.name))
    title = _title_province(top[: best.at])
    if title is not None:  # not missing, then, in the error that follows
        info.title_values["province"] = title
    return best


def _title_province(titles: Sequence[tuple[int, list[str]]]) -> tuple[str, int] | None:
    """The province the rows above the header name, if they name one and only one
    ("BAN DÂN VẬN TỈNH ỦY QUẢNG TRỊ", "DANH SÁCH … TỈNH QUẢNG TRỊ NĂM 2023"), and the
    row that first names it: the sheet's province then."""
    from dandan.localities import provinces_named_in

    named: dict[str, int] = {}
    for line, cells in titles:
        for name in provinces_named_in(" ".join(c for c in cells if c)):
            named.setdefault(name, line)
    return next(iter(named.items())) if len(named) == 1 else None


def _rows(
    records: Iterator[list[Any]],
    info: SourceInfo,
    *,
    typed: bool = False,
    layout: Layout | None = None,
) -> Iterator[tuple[int, Sequence[str]]]:
    """Rows as the texts of `info.columns`, in that order. `typed` sources
    (spreadsheets) hold numbers and dates."""
    layout = layout or Layout()
    # csv.reader knows the physical line (quoted cells may span lines); sheets count rows.
    if getattr(records, "line_num", None) is None:
        numbered: Iterator[tuple[int, list[Any]]] = enumerate(records, 1)
    else:
        numbered = ((records.line_num, raw) for raw in records)  # type: ignore[attr-defined]
    # The header is among the top rows: titles above it, up to `_HEADER_SEARCH` rows.
    last = _HEADER_SEARCH if layout.header_row is None else layout.header_row + 1
    top: list[tuple[int, list[str]]] = []
    for line, raw in numbered:
        top.append((line, [_cell(v) for v in raw]))
        if line >= last:
            break
    header = _find_header(top, layout, info)
    for line, cells in top[: header.at + header.rows]:  # rows below: by the header's names
        _check_lengths(cells, cells, line, info)
    info.header_row, info.header_rows = top[header.at][0], header.rows
    mapped = map_headers(header.shown, info, header.mapped, layout.values, layout.schema)
    # The sheet-wide values: the clerk's, then a province read from the title.
    values = dict(layout.values)
    if "province" in info.title_values and not {"province", "province_code"} & {*mapped, *values}:
        values["province"] = info.title_values["province"][0]
    else:
        info.title_values.pop("province", None)
    info.values = values
    pairs = [(column, i) for i, column in enumerate(mapped) if column is not None]
    names = [column for column, _index in pairs]
    width = len(mapped)
    # With every header known (the usual case) a row zips straight onto the names.
    pick = None if len(pairs) == width else operator.itemgetter(*(i for _column, i in pairs))
    # A record names its field and sponsor: a row without them is checked for being a
    # total row or a heading, so the check costs a record nothing.
    telling = [names.index(c) for c in ("field", "sponsor") if c in names and c not in values]
    every = not telling  # no column tells: every row is checked
    first, second = (telling * 2)[:2] if telling else (0, 0)
    filled = [(names.index(c), v) for c, v in values.items() if c in names]
    added = tuple(v for c, v in values.items() if c not in names)
    names += [c for c in values if c not in names]
    info.columns = names
    header_text = header.shown
    rest = ((line, list(cells)) for line, cells in top[header.at + header.rows :])
    for line, raw in itertools.chain(rest, numbered):
        if len(raw) != width:
            if not any(raw):
                info.not_records += 1
                continue
            if len(raw) > width and any(_cell(v).strip() for v in raw[width:]):
                raise InvalidInput(
                    _(
                        "{file}:{line}: the row has {cells} cells but the header {width}; "
                        "check the delimiter or quoting"
                    ).format(file=info.name, line=line, cells=len(raw), width=width)
                )
            raw = [*raw[:width], *[""] * (width - len(raw))]
        if typed:
            raw = [_cell(v) for v in raw]  # the sheet's reader checked their length
        elif raw and max(map(len, raw)) > MAX_CELL_CHARS:
            _check_lengths(raw, header_text, line, info)
        values_of = raw if pick is None else pick(raw)
        if len(pairs) == 1:
            values_of = (values_of,)
        if not any(values_of) or (
            (every or not (values_of[first] and values_of[second])) and not_a_record(raw)
        ):
            info.not_records += 1
            continue
        if filled or added:
            values_of = list(values_of)
            for i, value in filled:
                if not values_of[i] or values_of[i].isspace():
                    values_of[i] = value
            values_of += added
        yield line, values_of


def _check_lengths(cells: list[str], header: list[str], line: int, info: SourceInfo) -> None:
    """Refuse a cell longer than a spreadsheet's, naming its column by its header."""
    for i, cell in enumerate(cells):
        if len(cell) > MAX_CELL_CHARS:
            name = header[i].strip() if i < len(header) and header[i].strip() else str(i + 1)
            raise InvalidInput(
                _(
                    "{file}:{line}: column {column}: a cell of more than {limit} characters "
                    "(the most a spreadsheet cell holds); shorten it"
                ).format(
                    file=info.name, line=line, column=_short(name), limit=number(MAX_CELL_CHARS)
                )
            )


def _short(name: str, width: int = 40) -> str:
    """A name from a file, on one line and at most `width` characters, for a message."""
    name = " ".join(name.split())
    return name if len(name) <= width else name[: width - 1] + "…"


#: How many names `listed` shows before counting the rest.
LISTED = 10


def listed(names: list[str], shown: int = LISTED) -> str:
    """Names from a file for one line of text: the first `shown`, then how many more
    (a file with 20,000 unknown columns made a warning line of 150,000 characters)."""
    text = ", ".join(_short(name) for name in names[:shown])
    if len(names) <= shown:
        return text
    return _("{names} and {count} more").format(names=text, count=number(len(names) - shown))


def _cell(value: Any) -> str:
    """Spreadsheet values as the text a clerk typed: dates ISO, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def looks_garbled(value: str) -> bool:
    return _MOJIBAKE.search(value) is not None


def check_mojibake(value: str, column: str) -> None:
    """Refuse text that is UTF-8 misread as a one-byte encoding: it is damage, not data."""
    if _MOJIBAKE.search(value):
        raise InvalidInput(
            _(
                "{text!r} looks garbled (UTF-8 read as another encoding); "
                "re-save the file as UTF-8 or name the encoding it is in"
            ).format(text=value[:40]),
            field=column,
            advice=Advice.choose_encoding,
        )


def _open_binary(path: str) -> tuple[IO[bytes], str, int | None]:
    if path == "-":
        return sys.stdin.buffer, "<stdin>", None
    p = Path(path)
    try:
        handle = p.open("rb")
    except FileNotFoundError:
        raise InvalidInput(_("{file}: no such file").format(file=path)) from None
    except IsADirectoryError:
        raise InvalidInput(_("{file}: is a directory, not a file").format(file=path)) from None
    except PermissionError:
        raise InvalidInput(_("{file}: permission denied").format(file=path)) from None
    except OSError as exc:  # a name too long for the file system, …: was a traceback
        raise InvalidInput(
            _("{file}: cannot read it ({reason})").format(file=path, reason=os_reason(exc))
        ) from None
    # The name goes into messages, the batch record and --errors: as text, even when the
    # file system's bytes are not UTF-8 (the import died storing it).
    return handle, as_text(p.name), p.stat().st_size


def read_source(
    path: str,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    info: SourceInfo | None = None,
    layout: Layout | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV/TSV/xlsx file (or "-" for standard input), with their line numbers.

    `info` is filled in as the file is read: encoding, columns, bytes read, checksum.
    """
    info = info if info is not None else SourceInfo(path)
    records = read_records(path, encoding=encoding, sheet=sheet, info=info, layout=layout)
    for line, values in records:
        yield line, dict(zip(info.columns, values, strict=True))


def read_records(
    path: str,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    info: SourceInfo | None = None,
    layout: Layout | None = None,
) -> Iterator[tuple[int, Sequence[str]]]:
    """As `read_source`, each row as a sequence of texts in the order of `info.columns`
    (known once the header is read): no dictionary per row, for the import. One table:
    the file's, or the workbook's `sheet` (by default its first)."""
    tables = read_sheets(
        path, sheets=() if sheet is None else (sheet,), encoding=encoding, layout=layout, info=info
    )
    for _info, rows in tables:
        yield from rows


def read_sheets(
    path: str,
    *,
    sheets: Sequence[str] = (),
    all_sheets: bool = False,
    encoding: str | None = None,
    layout: Layout | None = None,
    info: SourceInfo | None = None,
) -> Iterator[tuple[SourceInfo, Iterator[tuple[int, Sequence[str]]]]]:
    """Each table of a file, with the `SourceInfo` its rows fill: the named sheets of a
    workbook (or every one, or the first), each read on its own (its own header, its
    own counts, named "FILE [SHEET]" when there are several); the one table of a CSV
    file. Each table's rows are read before the next table is opened. `info`, if given,
    is the first table's."""
    raw, name, size = _open_binary(path)
    first = info if info is not None else SourceInfo(name)
    first.name, first.size = name, size
    try:
        head = raw.peek(4) if hasattr(raw, "peek") else b""
        if not (head[:2] == b"PK" or name.lower().endswith((".xlsx", ".xlsm"))):
            yield first, _read_text(raw, first, encoding, layout)
            return
        # openpyxl warns of what it meets inside a workbook (a number formatted as a date
        # beyond the calendar, a missing default style): each warning was two stray lines
        # on stderr. The values themselves are checked like any other.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        data = raw.read()
        first.kind, first.bytes_read = "xlsx", len(data)
        first.sha256 = hashlib.sha256(data).hexdigest()
        book = _Workbook(data, first)
        try:
            chosen: list[str | None] = [*(book.sheets if all_sheets else dict.fromkeys(sheets))]
            for sheet in chosen:
                book.check_sheet(sheet)
            several = len(chosen) > 1
            for sheet in chosen or [None]:
                info = first
                if several:
                    info = SourceInfo(f"{name} [{sheet}]", kind="xlsx", size=size)
                    info.bytes_read, info.sha256 = first.bytes_read, first.sha256
                book.info = info
                yield info, _rows(book.rows(sheet), info, typed=True, layout=layout)
        finally:
            book.close()
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def _read_text(
    raw: IO[bytes], info: SourceInfo, encoding: str | None, layout: Layout | None
) -> Iterator[tuple[int, Sequence[str]]]:
    hashing = _HashingReader(raw, info)
    buffered = io.BufferedReader(hashing, buffer_size=1 << 16)
    chosen = encoding or detect_encoding(buffered.peek(1 << 16)[: 1 << 16])
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InvalidInput(
            _("unknown encoding {encoding!r}").format(encoding=chosen), field="encoding"
        ) from None
    info.encoding = chosen
    try:
        text = io.TextIOWrapper(buffered, encoding=chosen, newline="")
    except LookupError:  # a codec of bytes to bytes (hex, zlib) or text to text (rot13)
        raise InvalidInput(
            _("{encoding!r} is not a text encoding").format(encoding=chosen), field="encoding"
        ) from None
    try:
        first = text.readline()
        info.delimiter = sniff_delimiter(first)
        reader = csv.reader(itertools.chain((first,), text), delimiter=info.delimiter)
        yield from _rows(reader, info, layout=layout)
        hashing.finish()
    except UnicodeDecodeError as exc:
        hint = "cp1258" if chosen.startswith("utf") else "utf-8"
        raise InvalidInput(
            _(
                "{file}: byte {offset} is not valid {encoding}; name the encoding the file "
                "is in (e.g. {hint})"
            ).format(
                file=info.name,
                offset=info.bytes_read - len(exc.object) + exc.start,
                encoding=chosen,
                hint=hint,
            ),
            advice=Advice.choose_encoding,
        ) from None
    except UnicodeError as exc:  # a codec's own complaint: "UTF-16 stream does not start
        # with BOM" for a forced --encoding utf-16 (found by fuzzing: it was a traceback)
        raise InvalidInput(
            _(
                "{file}: not readable as {encoding} ({reason}); name another encoding, "
                "or none to have it detected"
            ).format(
                file=info.name,
                encoding=chosen,
                reason=_("it does not begin with the byte-order mark it needs")
                if "BOM" in str(exc)
                else _("its bytes are not text in it"),
            ),
            advice=Advice.choose_encoding,
        ) from None
    except csv.Error as exc:
        if str(exc).startswith("field larger than field limit"):  # 131,072 characters
            raise InvalidInput(
                _(
                    "{file}:{line}: a cell of more than {limit} characters "
                    "(the most a spreadsheet cell holds); shorten it"
                ).format(file=info.name, line=reader.line_num, limit=number(MAX_CELL_CHARS))
            ) from None
        raise InvalidInput(
            _("{file}: not readable as CSV: {reason}").format(
                file=info.name, reason=_csv_reason(exc)
            )
        ) from None


#: The csv module's complaints (English whatever the reader's language), in our words.
_CSV_REASONS = (
    ("NUL", N_("a NUL character")),
    ("new-line", N_("a line break inside an unquoted cell")),
    ("end of data", N_("the file ends inside a quoted cell")),
)


def _csv_reason(exc: csv.Error) -> str:
    for said, reason in _CSV_REASONS:
        if said in str(exc):
            return _(reason)
    return str(exc)


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _SHARED = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}si"
#: How much of a part the XML parser is given at a time.
_CHUNK = 1 << 16


class _Workbook:
    """A workbook opened for its values, within the bounds above (`MAX_ROWS` …).

    The archive is checked before anything in it is parsed. openpyxl reads the small
    parts that say what the workbook holds (content types, the workbook and its
    relations, the styles that tell dates from numbers); the shared strings and the
    sheet are read here, as a stream of XML events of which only the open elements and
    the current cell are held. openpyxl's own read-only sheets pad every row to the
    dimension the file declares and build each row whole, and its table of shared
    strings holds whatever the file expands to: all three were ways to exhaust memory or
    time with a small file.
    """

    def __init__(self, data: bytes, info: SourceInfo) -> None:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.xml.constants import SHARED_STRINGS

        self.info = info
        try:
            reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # not a zip archive at all
            raise _unreadable(info, exc) from None
        self.archive: zipfile.ZipFile = reader.archive
        try:
            _check_archive(self.archive, info)
            reader.read_manifest()
            reader.read_workbook()
            apply_stylesheet(self.archive, reader.wb)
            self.book = reader.wb
            #: The worksheets (not chart sheets), by name, in the workbook's order.
            self.sheets: dict[str, str] = {
                sheet.name: rel.target
                for sheet, rel in reader.parser.find_sheets()
                if "chartsheet" not in rel.Type and rel.target in reader.valid_files
            }
            part = reader.package.find(SHARED_STRINGS)
            self.strings = [] if part is None else self._shared_strings(part.PartName[1:])
        except InvalidInput:
            self.archive.close()
            raise
        except Exception as exc:  # see _SheetRows.__next__
            self.archive.close()
            raise _unreadable(info, exc) from None

    def close(self) -> None:
        self.archive.close()

    def check_sheet(self, sheet: str | None) -> None:
        """Refuse a sheet the workbook does not hold, naming those it does."""
        if sheet is not None and sheet not in self.sheets:
            raise InvalidInput(
                _("no sheet {sheet!r} in {file}; sheets: {sheets}").format(
                    sheet=sheet, file=self.info.name, sheets=listed(list(self.sheets))
                ),
                field="sheet",
            )

    def rows(self, sheet: str | None) -> _SheetRows:
        """The rows of `sheet`, or of the first worksheet."""
        from openpyxl.worksheet._reader import WorkSheetParser

        info = self.info
        self.check_sheet(sheet)
        if not self.sheets:
            raise InvalidInput(_("{file}: the workbook holds no sheet").format(file=info.name))
        title = sheet if sheet is not None else next(iter(self.sheets))
        # The cell reader of openpyxl's read-only sheets: types, shared strings, dates.
        parser = WorkSheetParser(
            None,
            self.strings,
            data_only=True,
            epoch=self.book.epoch,
            date_formats=self.book._date_formats,
            timedelta_formats=self.book._timedelta_formats,
        )
        try:
            source = self.archive.open(self.sheets[title])
        except Exception as exc:
            raise _unreadable(info, exc) from None
        return _SheetRows(source, parser, title, info)

    def _shared_strings(self, part: str) -> list[str]:
        """The table of shared strings, each refused past `MAX_CELL_CHARS`."""
        from openpyxl.cell.text import Text

        info = self.info

        def too_long(_element: Any = None) -> InvalidInput:
            return InvalidInput(
                _(
                    "{file}: a cell holds more than {limit} characters "
                    "(the most a spreadsheet cell holds); shorten it"
                ).format(file=info.name, limit=number(MAX_CELL_CHARS))
            )

        strings: list[str] = []
        with self.archive.open(part) as source:
            for event, element in _XmlStream(source, _SHARED, info, too_long):
                if event == "unit":
                    # As openpyxl reads them (`reader.strings.read_string_table`).
                    text = Text.from_tree(element).content.replace("x005F_", "")
                    if len(text) > MAX_CELL_CHARS:
                        raise too_long()
                    strings.append(text)
        return strings


def _check_archive(archive: zipfile.ZipFile, info: SourceInfo) -> None:
    """Refuse a workbook that expands beyond the bounds, from the sizes its archive
    declares, or one of whose parts declares a DTD, before any part is parsed. Reading
    a part stops at its declared size (zipfile), so a part cannot expand beyond what it
    declares either."""
    total = 0
    for member in archive.infolist():
        total += member.file_size
        if (
            member.file_size > _EXPANSION_GRACE
            and member.file_size > MAX_EXPANSION * member.compress_size
        ):
            raise InvalidInput(
                _(
                    "{file}: part {part} of the workbook expands {ratio} times (more than "
                    "{limit}): no spreadsheet program saves that; save the file again from "
                    "one, or as CSV"
                ).format(
                    file=info.name,
                    part=_short(member.filename),
                    ratio=number(member.file_size // max(member.compress_size, 1)),
                    limit=number(MAX_EXPANSION),
                )
            )
    for member in archive.infolist():
        if member.filename.endswith((".xml", ".rels")):
            _check_prolog(archive, member, info)
    if total > MAX_UNCOMPRESSED:
        raise InvalidInput(
            _(
                "{file}: the workbook expands to {size} MB (more than {limit} MB); "
                "split it into smaller files"
            ).format(
                file=info.name,
                size=number(total // 1024**2),
                limit=number(MAX_UNCOMPRESSED // 1024**2),
            )
        )


class _Root(Exception):
    """The prolog of a part is over: its first element has begun."""


def _check_prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo, info: SourceInfo) -> None:
    """Refuse a part that declares a DTD (a workbook never does: its package format
    forbids them). Entities defined there expand within the parser: "billion laughs"
    grows to the few megabytes expat allows before it refuses, as a million pieces of
    text held in memory, and external entities name other files. Only the prolog is
    read: the parse stops at the first element."""
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def dtd(*_args: Any) -> None:
        raise _unreadable(info, _("a DTD (<!DOCTYPE …>), which no workbook holds"))

    def root(*_args: Any) -> None:
        raise _Root

    parser.StartDoctypeDeclHandler = dtd
    parser.StartElementHandler = root
    read = 0
    with archive.open(member) as source:
        while chunk := source.read(_CHUNK):
            try:
                parser.Parse(chunk, False)
            except (_Root, expat.ExpatError):
                return  # the first element, or not XML: the part's reader will say
            read += len(chunk)
            if read > _MAX_XML_TOKEN:
                raise _unreadable(info, _(_TOO_BIG).format(size=number(_MAX_XML_TOKEN // 1024**2)))


class _XmlStream:
    """The XML events of a part of a workbook, read `_CHUNK` bytes at a time, holding
    only the open elements and the current `unit` (a cell, a shared string).

    Yields ("start", element) and ("end", element) for elements outside units, then
    drops each at its end; ("unit", element) for a unit, whole, at its end. Elements
    nested deeper than `MAX_XML_DEPTH`, a unit of more than `_MAX_XML_TOKEN` bytes and
    a tag or text that long anywhere are refused as they come (a DTD was refused
    before, by `_check_prolog`).
    """

    def __init__(
        self,
        source: IO[bytes],
        unit: str,
        info: SourceInfo,
        too_long: Any,
    ) -> None:
        self._source = source
        self._unit = unit
        self._info = info
        #: Called with a unit's element when the unit is too long: the error to raise.
        self._too_long = too_long

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        from xml.etree.ElementTree import XMLPullParser

        parser: Any = XMLPullParser(events=("start", "end"))
        opened: list[Any] = []
        unit_depth = 0  # the depth of the open unit, 0 outside one
        unit_start = fed = quiet = 0
        while True:
            chunk = self._source.read(_CHUNK)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            fed += len(chunk)
            quiet += len(chunk)
            for event, element in parser.read_events():
                quiet = 0
                if unit_depth and fed - unit_start > _MAX_XML_TOKEN:
                    raise self._too_long(opened[unit_depth - 1])
                if event == "start":
                    opened.append(element)
                    if len(opened) > MAX_XML_DEPTH:
                        raise _unreadable(
                            self._info,
                            _("elements nested more than {limit} deep").format(limit=MAX_XML_DEPTH),
                        )
                    if not unit_depth:
                        if element.tag == self._unit:
                            unit_depth, unit_start = len(opened), fed
                        else:
                            yield event, element
                    continue
                opened.pop()
                if unit_depth:
                    if len(opened) >= unit_depth:
                        continue  # inside the unit: kept, the unit is read whole
                    unit_depth = 0
                    yield "unit", element
                else:
                    yield event, element
                if opened:
                    opened[-1].remove(element)
            if quiet > _MAX_XML_TOKEN:
                if unit_depth:
                    raise self._too_long(opened[unit_depth - 1])
                raise _unreadable(
                    self._info, _(_TOO_BIG).format(size=number(_MAX_XML_TOKEN // 1024**2))
                )
            if not chunk:
                return


class _SheetRows:
    """The rows of a sheet that hold data, each a list of values up to its last one.

    `line_num` is the sheet's number of the row last given, as csv.reader's is the
    file's line, for `_rows`: rows are numbered as the sheet numbers them, whatever
    rows it leaves out. A damaged workbook fails here in as many ways as the layers
    under it have (zipfile, zlib, the XML parser, the cell reader: "Error -3 while
    decompressing data" was a traceback): each means the file cannot be read, and is
    said so.
    """

    def __init__(self, source: IO[bytes], parser: Any, sheet: str, info: SourceInfo) -> None:
        self.line_num = 0
        self._parser = parser
        self._sheet = sheet
        self._info = info
        self._number = 0
        self._rows = self._read(_XmlStream(source, _CELL, info, self._too_long), source)

    def __iter__(self) -> _SheetRows:
        return self

    def __next__(self) -> list[Any]:
        try:
            return next(self._rows)
        except (StopIteration, InvalidInput):
            raise
        except Exception as exc:
            raise _unreadable(self._info, exc) from None

    def _read(self, stream: _XmlStream, source: IO[bytes]) -> Iterator[list[Any]]:
        parser = self._parser
        row: dict[int, Any] = {}
        with source:
            for event, element in stream:
                if event == "unit":
                    cell = parser.parse_cell(element)
                    value = cell["value"]
                    if value is None or (isinstance(value, str) and not value.strip()):
                        continue  # empty cells, wherever they are, are passed over
                    column = cell["column"]
                    if column > MAX_COLUMNS:
                        raise self._refusal(_TOO_WIDE, MAX_COLUMNS, _letters(column))
                    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                        raise self._refusal(_TOO_LONG, MAX_CELL_CHARS, _letters(column))
                    row[column] = value
                elif element.tag != _ROW:
                    continue
                elif event == "start":
                    self._number = _row_number(element.get("r"), self._number)
                    parser.row_counter, parser.col_counter = self._number, 0
                    row = {}
                elif row:
                    if self._number > MAX_ROWS:
                        raise InvalidInput(
                            _(
                                "{file}: sheet {sheet!r}, row {row}: data beyond row {limit}, "
                                "the last a sheet may have"
                            ).format(
                                file=self._info.name,
                                sheet=_short(self._sheet),
                                row=number(self._number),
                                limit=number(MAX_ROWS),
                            )
                        )
                    self.line_num = self._number
                    yield [row.get(c) for c in range(1, max(row) + 1)]
                    row = {}

    def _too_long(self, element: Any) -> InvalidInput:
        """A cell too long to read: named by its reference, or by where it stands."""
        reference = element.get("r")
        if reference is None:
            return self._refusal(_TOO_LONG, MAX_CELL_CHARS, _letters(self._parser.col_counter + 1))
        return self._refusal(_TOO_LONG, MAX_CELL_CHARS, cell=_short(reference))

    def _refusal(self, message: str, limit: int, column: str = "", cell: str = "") -> InvalidInput:
        return InvalidInput(
            _(message).format(
                file=self._info.name,
                sheet=_short(self._sheet),
                cell=cell or f"{column}{self._number}",
                limit=number(limit),
                last=_letters(MAX_COLUMNS),
            )
        )


_TOO_BIG = N_("a tag or text of more than {size} MB")
_TOO_LONG = N_(
    "{file}: sheet {sheet!r}, cell {cell}: more than {limit} characters "
    "(the most a spreadsheet cell holds); shorten it"
)
_TOO_WIDE = N_(
    "{file}: sheet {sheet!r}, cell {cell}: data beyond the {limit} columns a sheet to "
    "import may have; delete the columns after {last}"
)


def _row_number(reference: str | None, previous: int) -> int:
    """A row's number: as written (openpyxl takes "3.0" too), or the one after."""
    if reference is None:
        return previous + 1
    value = float(reference)
    if not value.is_integer() or value < 1:
        raise ValueError(f"row number {reference[:20]!r}")
    return int(value)


def _letters(column: int) -> str:
    """A column's letters, as a spreadsheet shows them (1 → A, 1000 → ALL)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _unreadable(info: SourceInfo, exc: Exception | str) -> InvalidInput:
    detail = exc if isinstance(exc, str) else _damage(exc)
    return InvalidInput(
        _("{file}: not a readable .xlsx workbook ({reason})").format(file=info.name, reason=detail)
    )


def _damage(exc: Exception) -> str:
    """What a library's failure to read a workbook says of the file, in the reader's
    language: the libraries' own words (zipfile's "File is not a zip file", zlib's
    "Error -3 while decompressing data", the XML parser's) are English, and about their
    insides rather than the file."""
    import zlib
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) and "not a zip file" in text:
        return _("not a zip archive, which every .xlsx file is")
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        return _("its compressed parts are damaged or cut short")
    if isinstance(exc, KeyError):
        return _("a part every workbook holds is missing")
    if isinstance(exc, ParseError | ExpatError) or type(exc).__name__ == "XMLSyntaxError":
        return _("its XML is malformed")
    if isinstance(exc, OSError):
        return os_reason(exc)
    return _("its content is not what a workbook holds ({kind})").format(kind=type(exc).__name__)


def template() -> str:
    """An empty import file: the header row of every column, in the documented order."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(list(HEADERS))
    return out.getvalue()
