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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from dandan.errors import InvalidInput
from dandan.i18n import _
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
    "registered_on": ("Ngày đăng ký", "Ngày đăng kí", "Registration date", "Registered"),
    "withdrawn_on": ("Ngày rút", "Ngày thu hồi"),
    "withdrawn_reason": ("Lý do rút", "Lý do thu hồi", "Lí do rút"),
    "recognition_year": ("Năm công nhận", "Năm"),
    "recognition_level": ("Cấp công nhận", "Cấp"),
    "decision_no": ("Số quyết định", "Quyết định", "Số QĐ", "Decision", "Decision number"),
    "decided_on": ("Ngày quyết định", "Ngày QĐ", "Ngày công nhận", "Decision date"),
    "recognized_by": ("Cơ quan công nhận", "Đơn vị công nhận", "Recognised by", "By"),
}
#: The import schema, in its documented order (also the order of exports).
COLUMNS: tuple[str, ...] = tuple(HEADERS)
#: Each column's Vietnamese header, for exports a person opens in a spreadsheet; the
#: identifiers (`COLUMNS`) stay the default, since scripts read them.
VIETNAMESE_HEADERS: dict[str, str] = {column: spellings[0] for column, spellings in HEADERS.items()}
REQUIRED = ("name", "province", "field", "sponsor")
#: How many rows from the top may hold titles before the header row.
_HEADER_SEARCH = 10
_HEADER_INDEX = {
    key(spelling): column
    for column, spellings in HEADERS.items()
    for spelling in (column, column.replace("_", " "), *spellings)
}
# Recognising British and American spellings alike.
_HEADER_INDEX.setdefault(key("recognised_by"), "recognized_by")

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
    size: int | None = None
    bytes_read: int = 0
    sha256: str = ""


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


def map_headers(headers: list[str], info: SourceInfo) -> list[str | None]:
    """Our column name for each header (None for unknown ones), checking required columns."""
    mapped: list[str | None] = []
    seen: set[str] = set()
    for header in headers:
        column = _HEADER_INDEX.get(key(header or ""))
        if column is not None and column in seen:
            raise InvalidInput(
                _("{file}: column {header!r} appears twice").format(file=info.name, header=header)
            )
        if column is None and (header or "").strip():
            info.unknown_columns.append(header.strip())
        if column is not None:
            seen.add(column)
            info.headers[column] = header.strip()
        mapped.append(column)
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        found = ", ".join(h for h in headers if h)
        if found:
            message = _(
                "{file}: missing required column(s): {columns} (headers found: {headers}); "
                "see `dandan import --template`"
            )
        else:
            message = _(
                "{file}: missing required column(s): {columns} (headers found: none); "
                "see `dandan import --template`"
            )
        raise InvalidInput(
            message.format(file=info.name, columns=", ".join(missing), headers=found)
        )
    info.columns = [c for c in mapped if c is not None]
    return mapped


def _rows(
    records: Iterator[list[Any]], info: SourceInfo, *, typed: bool = False
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as {column: text}. `typed` sources (spreadsheets) hold numbers and dates."""
    # csv.reader knows the physical line (quoted cells may span lines); sheets count rows.
    counted = getattr(records, "line_num", None) is None
    line = 0
    mapped: list[str | None] = []
    first_header: list[str] | None = None
    for raw in records:
        line = line + 1 if counted else records.line_num  # type: ignore[attr-defined]
        header = [_cell(v) for v in raw]
        if not any(h.strip() for h in header):
            continue  # blank lines, common above spreadsheet headers
        first_header = first_header or header
        # Spreadsheets often carry a title above the table: the header is the first of
        # the top rows that names the required columns.
        if all(c in {_HEADER_INDEX.get(key(h)) for h in header} for c in REQUIRED):
            mapped = map_headers(header, info)
            break
        if line >= _HEADER_SEARCH:
            map_headers(first_header, info)  # raises: names what is missing
    else:
        if first_header is None:
            raise InvalidInput(
                _("{file}: the file is empty (no header row)").format(file=info.name)
            )
        map_headers(first_header, info)
    pairs = [(column, i) for i, column in enumerate(mapped) if column is not None]
    names = [column for column, _index in pairs]
    width = len(mapped)
    # With every header known (the usual case) a row zips straight onto the names.
    pick = None if len(pairs) == width else operator.itemgetter(*(i for _column, i in pairs))
    for raw in records:
        line = line + 1 if counted else records.line_num  # type: ignore[attr-defined]
        if len(raw) != width:
            if not any(raw):
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
            raw = [_cell(v) for v in raw]
        values = raw if pick is None else pick(raw)
        if len(names) == 1:
            values = (values,)
        row = dict(zip(names, values, strict=True))
        if not row.get("name") and not any(values):
            continue  # a line of empty cells
        yield line, row


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
                "re-save the file as UTF-8 or give --encoding"
            ).format(text=value[:40]),
            field=column,
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
            _("{file}: cannot read it ({reason})").format(file=path, reason=exc.strerror)
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
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV/TSV/xlsx file (or "-" for standard input), with their line numbers.

    `info` is filled in as the file is read: encoding, columns, bytes read, checksum.
    """
    raw, name, size = _open_binary(path)
    info = info if info is not None else SourceInfo(name)
    info.name, info.size = name, size
    try:
        head = raw.peek(4) if hasattr(raw, "peek") else b""
        if head[:2] == b"PK" or name.lower().endswith((".xlsx", ".xlsm")):
            yield from _read_xlsx(raw, info, sheet)
        else:
            yield from _read_text(raw, info, encoding)
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def _read_text(
    raw: IO[bytes], info: SourceInfo, encoding: str | None
) -> Iterator[tuple[int, dict[str, str]]]:
    hashing = _HashingReader(raw, info)
    buffered = io.BufferedReader(hashing, buffer_size=1 << 16)
    chosen = encoding or detect_encoding(buffered.peek(1 << 16)[: 1 << 16])
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InvalidInput(
            _("--encoding: unknown encoding {encoding!r}").format(encoding=chosen)
        ) from None
    info.encoding = chosen
    try:
        text = io.TextIOWrapper(buffered, encoding=chosen, newline="")
    except LookupError:  # a codec of bytes to bytes (hex, zlib) or text to text (rot13)
        raise InvalidInput(
            _("--encoding: {encoding!r} is not a text encoding").format(encoding=chosen)
        ) from None
    try:
        first = text.readline()
        info.delimiter = sniff_delimiter(first)
        reader = csv.reader(itertools.chain((first,), text), delimiter=info.delimiter)
        yield from _rows(reader, info)
        hashing.finish()
    except UnicodeDecodeError as exc:
        hint = "cp1258" if chosen.startswith("utf") else "utf-8"
        raise InvalidInput(
            _(
                "{file}: byte {offset} is not valid {encoding}; "
                "give --encoding (e.g. --encoding {hint})"
            ).format(
                file=info.name,
                offset=info.bytes_read - len(exc.object) + exc.start,
                encoding=chosen,
                hint=hint,
            )
        ) from None
    except UnicodeError as exc:  # a codec's own complaint: "UTF-16 stream does not start
        # with BOM" for a forced --encoding utf-16 (found by fuzzing: it was a traceback)
        raise InvalidInput(
            _(
                "{file}: not readable as {encoding} ({reason}); give another --encoding "
                "or leave it out to detect it"
            ).format(file=info.name, encoding=chosen, reason=exc)
        ) from None
    except csv.Error as exc:
        raise InvalidInput(
            _("{file}: not readable as CSV: {reason}").format(file=info.name, reason=exc)
        ) from None


def _read_xlsx(
    raw: IO[bytes], info: SourceInfo, sheet: str | None
) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    # openpyxl warns of what it meets inside a workbook (a number formatted as a date
    # beyond the calendar, a missing default style): each warning was two stray lines on
    # stderr. The values themselves are checked like any other.
    warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
    data = raw.read()
    info.kind = "xlsx"
    info.bytes_read = len(data)
    info.sha256 = hashlib.sha256(data).hexdigest()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # see _sheet_rows
        raise _unreadable(info, exc) from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise InvalidInput(
                    _("--sheet: no sheet {sheet!r} in {file}; sheets: {sheets}").format(
                        sheet=sheet, file=info.name, sheets=", ".join(book.sheetnames)
                    )
                )
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        yield from _rows(_sheet_rows(ws, info), info, typed=True)
    finally:
        book.close()


def _sheet_rows(ws: Any, info: SourceInfo) -> Iterator[list[Any]]:
    """The rows of a sheet, read as the import goes. A damaged workbook fails there in
    as many ways as the layers under openpyxl have (zipfile, zlib, the XML parser, the
    cell readers: "Error -3 while decompressing data" was a traceback): each means the
    file cannot be read, and is said so."""
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            raise _unreadable(info, exc) from None
        yield list(row)


def _unreadable(info: SourceInfo, exc: Exception) -> InvalidInput:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return InvalidInput(
        _("{file}: not a readable .xlsx workbook ({reason})").format(file=info.name, reason=detail)
    )


def template() -> str:
    """An empty import file: the header row of every column, in the documented order."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(list(HEADERS))
    return out.getvalue()
