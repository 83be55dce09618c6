"""The one place results become output: tables for people, CSV and JSON for scripts.

Every command hands its result to `render`, so `--format` means the same thing
everywhere and data always goes to stdout (messages go to stderr elsewhere).
Rich loads only when a table is actually drawn.

Tables are for people, so they speak the reader's language (headers, term labels,
408.000 and 31/12/2023 under Vietnamese); CSV and JSON are for scripts and never
change with it: English keys, identifiers, ISO dates, plain numbers.

No value can change what the terminal shows. A table is built of `rich.text.Text`
objects, never of markup strings, so a name `[/]` or `[link=…]` is shown as written
(Rich read it as markup: the command died, or showed a bare link); and every
character that is not printable (ESC, C1 controls, bidi overrides, a newline from an
older registry or another writer) is shown as its escape (`text.visible`). JSON says
the same characters as `\\u` escapes, which a JSON reader turns back into the value;
CSV and bare values are exact when piped (they are data), and escaped like a table
on a terminal, as `ls` does with file names.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, TextIO, cast

from dandan import i18n, terms
from dandan.errors import UsageError
from dandan.i18n import N_, _
from dandan.text import spreadsheet_safe, visible, xml_safe


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


#: What a file's name says it holds, when `--output` names one and `--format` does not.
BY_SUFFIX = {".csv": Format.csv, ".json": Format.json, ".xlsx": Format.xlsx}


@dataclass(frozen=True)
class Output:
    """Where a rendering goes: standard output (`path` None), or a file the user named,
    written whole beside its name and renamed into place, never over the registry
    (`registry`, its URL) or its journal (`files.written_into_place`).

    `bom` begins a CSV with a UTF-8 byte-order mark, without which Excel reads the
    Vietnamese as another encoding; `excel` adds the separator Excel expects in the
    reader's language: `;` in Vietnamese, whose Excel takes `,` as the decimal mark and
    `;` as the list separator, `,` in English. A CSV for Excel has its formula-like
    text neutralised, as an export's is (`text.spreadsheet_safe`).
    """

    path: str | None = None
    bom: bool = False
    excel: bool = False
    registry: str | None = None

    @property
    def for_spreadsheet(self) -> bool:
        return self.bom or self.excel

    @property
    def delimiter(self) -> str:
        return ";" if self.excel and i18n.language() == "vi" else ","


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = False
    #: The header is a value of this term column (a cross-table's level or field),
    #: shown by its label rather than translated as a header.
    term: str | None = None

    @property
    def shown(self) -> str:
        """The header in the reader's language."""
        if self.term is not None:
            return str(terms.shown(self.term, self.header, i18n.language()))
        return _(self.header)


@dataclass
class Table:
    """Rows of records. `columns` is what a person sees; CSV and JSON carry every key.

    With a `total`, JSON is `{"title": ..., "rows": [...], "total": {...}}` (the title
    `script_title`, in English as all of JSON) and the table ends with a total row; with
    `across` as well (a cross-table), `{"title", "columns": across, "rows", "totals"}`.
    `chart` names a numeric column to draw as horizontal bars. `rows` may be an iterator
    (a national `list`): CSV and JSON write each row as it comes, a table for a person
    reads them all first.
    """

    columns: list[Column]
    rows: Iterable[dict[str, Any]]
    total: dict[str, Any] | None = None
    title: str | None = None
    chart: str | None = None
    empty_message: str = N_("nothing matches")
    #: The day the figures are counted to (a window's end), for a workbook's as-of line;
    #: None: the day they are read.
    as_of: date | None = None
    #: The title as JSON writes it: English whatever the reader's language, since JSON
    #: never changes with it (None: no title in JSON).
    script_title: str | None = None
    #: A cross-table's columns as JSON describes them (`tallies.CrossTable.columns`).
    across: list[dict[str, Any]] | None = None
    #: What the total row is called (translated when shown): a tally whose rows count a
    #: model more than once says that its total counts each model once.
    total_label: str = N_("Total")


@dataclass
class Record:
    """One object: key/value lines for a person, the object itself for JSON."""

    data: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    #: Keys holding lists of objects (or one object), drawn as their own small tables.
    nested: dict[str, list[Column]] = field(default_factory=dict)
    #: Keys holding counts, drawn with thousands separators (unlike codes).
    counts: tuple[str, ...] = ()
    #: Keys a person's view leaves out when empty (None, an empty list); JSON keeps
    #: them, so that scripts find every key.
    unsaid: tuple[str, ...] = ()

    def for_people(self) -> Iterator[tuple[str, Any]]:
        """The key/value lines a person reads (the nested tables apart)."""
        for k, v in self.data.items():
            if k not in self.nested and not (k in self.unsaid and v in (None, [], ())):
                yield k, v


@dataclass
class Text:
    """A bare value (a new code, a path) that scripts capture with $(...)."""

    value: str
    data: dict[str, Any] | None = None


Renderable = Table | Record | Text


#: What JSON writes raw that is not printable: inside strings, all but the C0 controls
#: (which `json` escapes already); outside them, the newlines of the indentation.
_UNPRINTABLE = re.compile(r"[^\n\x20-\x7e]")


def _json_escape(found: re.Match[str]) -> str:
    """A character that is not printable as JSON's escape (a surrogate pair beyond the
    basic plane), which any JSON reader turns back into the same character."""
    ch = found.group()
    if ch.isprintable():
        return ch
    return json.dumps(ch, ensure_ascii=True)[1:-1]


def _on_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # a closed or bare stream
        return False


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _scalar(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def render(
    data: Renderable,
    fmt: Format = Format.table,
    out: TextIO | None = None,
    to: Output | None = None,
) -> None:
    """Write `data` as `fmt` to standard output (or `out`), or to the file `to` names."""
    to = to or Output()
    if to.path is None:
        if fmt is Format.xlsx:
            raise UsageError(_("a workbook is written to a file, not shown"), field="format")
        _render_text(data, fmt, out or sys.stdout, to)
        return
    from dandan.files import written_into_place

    path = Path(to.path).expanduser()
    binary = fmt is Format.xlsx
    with written_into_place(
        path, binary=binary, newline="", registry=to.registry, field="output"
    ) as handle:
        if binary:
            _write_xlsx(data, handle)
        else:
            _render_text(data, fmt, cast(TextIO, handle), to)


def _render_text(data: Renderable, fmt: Format, out: TextIO, to: Output) -> None:
    if fmt is Format.json:
        encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=_json_default)
        if isinstance(data, Table) and data.total is None and not isinstance(data.rows, list):
            _write_json_rows(encoder, iter(data.rows), out)
        else:
            _write_json(encoder.iterencode(_json_payload(data)), out)
        out.write("\n")
    elif fmt is Format.csv:
        _write_csv(data, out, to)
    else:
        _write_table(data, out)


def _write_json(chunks: Iterable[str], out: TextIO) -> None:
    for chunk in chunks:
        out.write(chunk if chunk.isprintable() else _UNPRINTABLE.sub(_json_escape, chunk))


def _write_json_rows(
    encoder: json.JSONEncoder, rows: Iterator[dict[str, Any]], out: TextIO
) -> None:
    """A JSON array of rows written as they come, byte for byte what `iterencode` writes
    for the whole list (indented one level deeper: each line of a row after two spaces)."""
    first = next(rows, None)
    if first is None:
        out.write("[]")
        return
    out.write("[\n  ")
    for i, row in enumerate(itertools.chain((first,), rows)):
        if i:
            out.write(",\n  ")
        _write_json((c.replace("\n", "\n  ") for c in encoder.iterencode(row)), out)
    out.write("\n]")


def _json_payload(data: Renderable) -> Any:
    if isinstance(data, Table):
        title = {"title": data.script_title} if data.script_title is not None else {}
        if data.across is not None:
            return {**title, "columns": data.across, "rows": list(data.rows), "totals": data.total}
        if data.total is not None:
            return {**title, "rows": list(data.rows), "total": data.total}
        return list(data.rows)
    if isinstance(data, Record):
        return data.data
    return data.data if data.data is not None else data.value


def _flat_keys(row: dict[str, Any]) -> list[str]:
    return [k for k, v in row.items() if not isinstance(v, list | dict)]


def _write_csv(data: Renderable, out: TextIO, to: Output | None = None) -> None:
    to = to or Output()
    if to.for_spreadsheet:
        out.write("\ufeff")
    writer: Any = csv.writer(out, lineterminator="\n", delimiter=to.delimiter)
    if to.for_spreadsheet:  # Excel would run a name "=1+1" as a formula
        writer = _Neutralising(writer)
    if _on_terminal(out):  # a person reads it: no value drives the terminal
        writer = _Escaping(writer)
    if to.excel and isinstance(data, Table) and data.title:
        # For a person opening it in Excel, what the figures are, as a workbook says it;
        # never in a plain CSV, whose first line scripts read as the header.
        writer.writerow([_(data.title)])
    rows: Iterator[dict[str, Any]]
    if isinstance(data, Text):
        rows = iter([data.data] if data.data is not None else [{"value": data.value}])
    elif isinstance(data, Record):
        rows = iter([data.data])
    else:
        rows = iter(data.rows)
    first = next(rows, None)
    if first is None and isinstance(data, Table):
        if data.total is None or not _only_counts(data):
            writer.writerow([c.key for c in data.columns])
            return
        first = data.total  # nothing to group by: the total is the one row
    assert first is not None
    keys = _flat_keys(first)
    writer.writerow(keys)
    for row in itertools.chain((first,), rows):
        writer.writerow(["" if row.get(k) is None else _scalar(row.get(k)) for k in keys])


class _Escaping:
    """A CSV writer whose text cells are shown as `visible` makes them."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: list[Any]) -> None:
        self.writer.writerow([visible(v) if isinstance(v, str) else v for v in row])


class _Neutralising:
    """A CSV writer whose text cells cannot start a formula (`text.spreadsheet_safe`)."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: list[Any]) -> None:
        self.writer.writerow([spreadsheet_safe(v) if isinstance(v, str) else v for v in row])


def _only_counts(data: Table) -> bool:
    """A table of counts with no key column: a total that groups nothing."""
    return all(c.numeric for c in data.columns)


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(text: str) -> date | str:
    """A day that `as_dict` wrote as ISO text (`registered_on`, `decided_on`), as the
    `date` it is, so that a table shows it in the reader's style; other text as it is."""
    if not _ISO_DAY.fullmatch(text):
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2023-02-30: shown as it was stored
        return text


def cell(value: Any, numeric: bool = False, key: str = "") -> str:
    """A value as a person reads it: counts with thousands separators, dates in the
    reader's style, terms by their label, codes as they are."""
    if numeric and isinstance(value, int | float) and not isinstance(value, bool):
        return i18n.number(value)
    if isinstance(value, str) and key.endswith("_on"):
        value = _day(value)
    if isinstance(value, date):
        return i18n.day(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list) and key == "areas":  # a model's areas, by their labels
        return str(terms.shown(key, value, i18n.language())) or "—"
    if isinstance(value, list):  # a record's list of plain values (db check's problems)
        return "; ".join(str(v) for v in value) or "—"
    return str(terms.shown(key, value, i18n.language()))


def _console(out: TextIO) -> Any:
    from rich.console import Console

    console = Console(file=out, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(file=out, highlight=False, width=160, color_system=None)
    return console


def _plain(value: str) -> Any:
    """Text as Rich shows it literally: not read as markup (`[/]` stays `[/]`), no
    emoji codes (`:red_circle:` stays itself), and nothing that is not printable."""
    from rich.text import Text as RichText

    return RichText(visible(value))


def _write_table(data: Renderable, out: TextIO) -> None:
    if isinstance(data, Text):
        out.write((visible(data.value) if _on_terminal(out) else data.value) + "\n")
        return
    from rich.table import Table as RichTable

    console = _console(out)
    if isinstance(data, Record):
        grid = RichTable(show_header=False, box=None, pad_edge=False)
        grid.add_column(style="bold")
        grid.add_column()
        for k, v in data.for_people():
            grid.add_row(_plain(_(data.labels.get(k, k))), _plain(cell(v, k in data.counts, k)))
        console.print(grid)
        for k, columns in data.nested.items():
            items = data.data.get(k) or []
            if isinstance(items, dict):  # one object: a table of one row
                items = [items]
            sub = RichTable(title=_plain(_(data.labels.get(k, k))), title_justify="left")
            for c in columns:
                sub.add_column(_plain(_(c.header)), justify="right" if c.numeric else "left")
            for item in items:
                sub.add_row(*(_plain(cell(item.get(c.key), c.numeric, c.key)) for c in columns))
            if items:
                console.print(sub)
        return
    rows = list(data.rows)
    if not rows and data.total is None:
        console.print(_plain(f"({_(data.empty_message)})"))
        return
    peak = max((r.get(data.chart) or 0 for r in rows), default=0) if data.chart else 0
    # The word "Total" needs a column of its own when the first one holds a count.
    label = data.total is not None and bool(data.columns) and data.columns[0].numeric
    total = _(data.total_label)
    headers = [*([""] if label else []), *(c.shown for c in data.columns)]
    right = [*([False] if label else []), *(c.numeric for c in data.columns)]
    footers: list[str] | None = None
    if data.total is not None:
        footers = [total] if label else []
        for i, c in enumerate(data.columns):
            first = i == 0 and not label
            footers.append(total if first else cell(data.total.get(c.key), c.numeric))
    body = [
        [
            *([""] if label else []),
            *(cell(row.get(c.key), c.numeric, c.key) for c in data.columns),
            *([_bar(row.get(data.chart) or 0, peak)] if data.chart else []),
        ]
        for row in rows
    ]
    if data.chart:
        headers.append("")
        right.append(False)
        if footers is not None:
            footers.append("")
    if len(body) > LONG_TABLE:
        _write_plain(_(data.title) if data.title else None, headers, right, body, footers, out)
        return
    if data.title:  # on a line of its own: a narrow table would wrap it
        console.print(_plain(_(data.title)))
    table = RichTable(show_footer=footers is not None)
    for i, header in enumerate(headers):
        table.add_column(
            _plain(header),
            justify="right" if right[i] else "left",
            footer=_plain(footers[i] if footers is not None else ""),
            no_wrap=bool(data.chart) and i == len(headers) - 1,
        )
    for cells in body:
        table.add_row(*map(_plain, cells))
    console.print(table)


#: Rows beyond which a table is drawn as plain aligned columns: Rich's layout costs
#: about a millisecond a row (three seconds for the 3,321 communes), and the frame of a
#: table longer than the screen scrolls away anyway.
LONG_TABLE = 100


def _write_plain(
    title: str | None,
    headers: list[str],
    right: list[bool],
    body: list[list[str]],
    footers: list[str] | None,
    out: TextIO,
) -> None:
    """A long table as aligned text: two spaces between columns, a rule under the
    headers and above the total, numbers to the right; every value made `visible`."""
    from rich.cells import cell_len

    lines = [[visible(v) for v in row] for row in (headers, *body, *([footers] if footers else []))]
    widths = [max(cell_len(row[i]) for row in lines) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        cells = []
        for value, width, numeric in zip(row, widths, right, strict=True):
            pad = " " * (width - cell_len(value))
            cells.append(pad + value if numeric else value + pad)
        return "  ".join(cells).rstrip()

    rule = "  ".join("─" * width for width in widths)
    if title:
        out.write(visible(title) + "\n")
    out.write(line(lines[0]) + "\n" + rule + "\n")
    for row in lines[1 : len(body) + 1]:
        out.write(line(row) + "\n")
    if footers:
        out.write(rule + "\n" + line(lines[-1]) + "\n")


def _bar(value: int, peak: int, width: int = 30) -> str:
    if peak <= 0 or value <= 0:
        return ""
    eighths = round(value / peak * width * 8)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part]


# -- workbooks: what a table shows, for Excel --------------------------------------------

#: Rows read before the columns' widths are set (a write-only sheet takes them before
#: its first row; a national `list` is not held whole to measure it).
_MEASURED = 500
_WIDEST = 60


def _sheet_value(value: Any, key: str = "") -> Any:
    """A cell as a table shows it, but typed: counts stay numbers and days dates, so
    Excel sums and sorts them; terms by their label; text that could start a formula
    neutralised, and what XML cannot hold replaced."""
    if isinstance(value, datetime) and value.tzinfo is not None:  # Excel's have no zone
        return value.astimezone(UTC).replace(tzinfo=None)
    if value is None or (isinstance(value, int | float | date) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and key.endswith("_on"):
        found = _day(value)
        if isinstance(found, date):
            return found
    return xml_safe(spreadsheet_safe(cell(value, False, key)))


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, int | float):
        return len(i18n.number(value))
    return max((len(line) for line in str(value).splitlines()), default=0)


def _sheet_rows(data: Renderable) -> tuple[str, list[str], Iterator[list[Any]], list[Any] | None]:
    """The workbook's title, header, body rows and total row of `data`."""
    if isinstance(data, Text):
        value = data.value
        return _("Registry"), [""], iter([[_sheet_value(value)]]), None
    if isinstance(data, Record):
        return _("Registry summary"), [_("Figure"), _("Value")], _record_rows(data), None
    label = data.total is not None and bool(data.columns) and data.columns[0].numeric
    header = [*([""] if label else []), *(c.shown for c in data.columns)]
    body = (
        [*([None] if label else []), *(_sheet_value(row.get(c.key), c.key) for c in data.columns)]
        for row in data.rows
    )
    footer = None
    if data.total is not None:
        said = _(data.total_label)
        footer = [said] if label else []
        for i, c in enumerate(data.columns):
            first = i == 0 and not label
            footer.append(said if first else _sheet_value(data.total.get(c.key), c.key))
    return _(data.title) if data.title else _("Models"), header, body, footer


def _record_rows(data: Record) -> Iterator[list[Any]]:
    """A record as its table shows it: label and value, then each nested table under
    its title and header (lines marked `_BOLD`)."""
    for k, v in data.for_people():
        yield [_(data.labels.get(k, k)), _sheet_value(v, k)]
    for k, columns in data.nested.items():
        items = data.data.get(k) or []
        if isinstance(items, dict):
            items = [items]
        if not items:
            continue
        yield []
        yield [_BOLD, _(data.labels.get(k, k))]
        yield [_BOLD, *(_(c.header) for c in columns)]
        for item in items:
            yield [_sheet_value(item.get(c.key), c.key) for c in columns]


#: The first cell of a row drawn in bold (a nested table's title or header), not written.
_BOLD = object()


def _write_xlsx(data: Renderable, out: IO[bytes]) -> None:
    """One sheet: the title, the as-of line, the header (frozen, so it stays in view),
    then the rows and the total, with widths from the first rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from dandan.files import workbook_into

    title, header, body, footer = _sheet_rows(data)
    as_of = data.as_of if isinstance(data, Table) else None
    day_format = "dd/mm/yyyy" if i18n.language() == "vi" else "yyyy-mm-dd"
    bold = Font(bold=True)

    def styled(sheet: Any, values: list[Any], font: Font | None = None) -> list[Any]:
        cells = []
        for value in values:
            one = WriteOnlyCell(sheet, value=value)
            if font is not None:
                one.font = font
            if isinstance(value, datetime):
                one.number_format = day_format + " hh:mm"
            elif isinstance(value, date):
                one.number_format = day_format
            cells.append(one)
        return cells

    with workbook_into(out, "dandan") as sheet:
        first = list(itertools.islice(body, _MEASURED))
        widths = [_width(h) for h in header]
        for row in [*first, *([footer] if footer else [])]:
            for i, value in enumerate(row[1:] if row and row[0] is _BOLD else row):
                if i >= len(widths):
                    widths.append(0)
                widths[i] = max(widths[i], _width(value))
        for i, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, _WIDEST)
        sheet.freeze_panes = "A4"  # below the title, the as-of line and the header
        sheet.append(styled(sheet, [title], Font(bold=True, size=13)))
        day = i18n.day(as_of or date.today())
        sheet.append([f"{_('Figures as of')} {day}"])
        sheet.append(styled(sheet, header, bold))
        for row in itertools.chain(first, body):
            if row and row[0] is _BOLD:
                sheet.append(styled(sheet, row[1:], bold))
            else:
                sheet.append(styled(sheet, row))
        if footer is not None:
            sheet.append(styled(sheet, footer, bold))
