"""Exports: the selected models and their recognitions, in the import schema.

An export is a batch `dandan import` accepts, so exporting a registry and importing
the file into an empty one gives the same registry, and the same tallies. A model
takes one row per recognition (its own columns repeated), or one row when it has
none. Rows stream from the database to the file, so memory stays flat at any size.

Spreadsheet formats (CSV, XLSX) neutralise cells a spreadsheet would run as
formulas, as OWASP recommends; the importer undoes it. JSON carries raw values.

Their header row names the columns by the import schema's identifiers, which scripts
read, or on request (`headers="vi"`) by their Vietnamese names, for a person opening
the file; the importer reads either. JSON keys are always the identifiers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from sqlalchemy import Select, String, and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from dandan import database, tables
from dandan.errors import UsageError
from dandan.files import workbook_into, written_into_place
from dandan.filters import ModelFilter
from dandan.i18n import _
from dandan.localities import LEGACY_SCHEME, Gazetteer, legacy_gazetteer
from dandan.sources import COLUMNS as IMPORT_COLUMNS
from dandan.sources import VIETNAMESE_HEADERS
from dandan.tallies import Window
from dandan.terms import Area, Award, Field, Holder, Kind, Level, Result, Sponsor, label
from dandan.text import spreadsheet_safe, xml_safe
from dandan.validation import AREA_SEPARATOR
from dandan.writing import stored_areas

if TYPE_CHECKING:
    from dandan.registry import Registry

#: The import schema, with the official codes next to the names so that a
#: re-import needs no name matching.
COLUMNS = IMPORT_COLUMNS


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class Headers(StrEnum):
    """The header row of a CSV or XLSX export."""

    en = "en"  # the identifiers of the import schema, as scripts read them
    vi = "vi"  # the columns' Vietnamese names (`sources.VIETNAMESE_HEADERS`)


STDOUT = "-"


def parse_headers(text: str | None) -> Headers:
    """`en` (the default) or `vi`, in any case."""
    if text is None or not text.strip():
        return Headers.en
    try:
        return Headers(text.strip().lower())
    except ValueError:
        raise UsageError(
            _(
                "unknown headers {text!r}; use en (the column identifiers) or vi (Vietnamese names)"
            ).format(text=text),
            field="headers",
        ) from None


def header_row(headers: Headers = Headers.en) -> list[str]:
    """The first row of a CSV or XLSX export; the importer maps either back to `COLUMNS`."""
    if headers is Headers.vi:
        return [VIETNAMESE_HEADERS[column] for column in COLUMNS]
    return list(COLUMNS)


def format_for(path: str, requested: str | None = None) -> ExportFormat:
    """The format a file name asks for; `-` (standard output) is CSV unless told JSON."""
    choice: ExportFormat | None = None
    if requested:
        try:
            choice = ExportFormat(requested.strip().lower().lstrip("."))
        except ValueError:
            raise UsageError(
                _("unknown format {format!r}; use csv, xlsx or json").format(format=requested),
                field="format",
            ) from None
    if path == STDOUT:
        if choice is ExportFormat.xlsx:
            raise UsageError(
                _("an .xlsx workbook cannot go to standard output; give a file name"),
                field="format",
            )
        return choice or ExportFormat.csv
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        by_name = ExportFormat(suffix)
    except ValueError:
        if suffix:
            wrong = _(
                "FILE {path}: '.{suffix}' is not an export format; "
                "name it .csv, .xlsx or .json (or - for standard output)"
            )
        else:
            wrong = _(
                "FILE {path}: no extension is not an export format; "
                "name it .csv, .xlsx or .json (or - for standard output)"
            )
        raise UsageError(wrong.format(path=path, suffix=suffix)) from None
    if choice is not None and choice is not by_name:
        raise UsageError(
            _("{path} is named .{named} but the format asked is {asked}; make them agree").format(
                path=path, named=by_name.value, asked=choice.value
            ),
            field="format",
        )
    return by_name


@dataclass
class ExportSummary:
    models: int = 0
    recognitions: int = 0
    commendations: int = 0
    destination: str = STDOUT

    def as_dict(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "recognitions": self.recognitions,
            "commendations": self.commendations,
            "destination": self.destination,
        }


class joined_areas(FunctionElement[str]):
    """A model's areas as one text, separated by ";" (in no set order: `_records`
    puts them in the vocabulary's), by each backend's own aggregate."""

    type = String()
    inherit_cache = True
    name = "joined_areas"


@compiles(joined_areas)
def _group_concat(element: joined_areas, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, '{AREA_SEPARATOR}')"


@compiles(joined_areas, "postgresql")
def _string_agg(element: joined_areas, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, '{AREA_SEPARATOR}')"


def areas_column(models: Any = None) -> Any:
    """The areas of each model of the query, one text per model (`model_areas`)."""
    a = tables.model_areas
    m = tables.models if models is None else models
    return (
        select(joined_areas(a.c.area))
        .where(a.c.model_id == m.c.id)
        .correlate(m)
        .scalar_subquery()
        .label("areas")
    )


def statement(where: ModelFilter | None = None, window: Window | None = None) -> Select[Any]:
    """The export's query: every stored value of a model and its recognitions that a
    re-import needs (a test checks each column of the tables is here or said derived)."""
    where = where or ModelFilter()
    window = window or Window()
    m, r = tables.models.c, tables.recognitions.c
    latest = (
        select(func.max(tables.reviews.c.year))
        .where(tables.reviews.c.model_id == m.id)
        .correlate(tables.models)
        .scalar_subquery()
    )
    reviewed = tables.reviews.alias("latest_review")
    return (
        select(
            m.code,
            m.name,
            m.description,
            m.locality_scheme,
            m.province_name,
            m.province_code,
            m.commune_name,
            m.commune_code,
            m.legacy_province_code,
            m.legacy_district_code,
            m.legacy_commune_code,
            m.field,
            m.sponsor,
            m.holder,
            m.holder_name,
            m.kind,
            areas_column(),
            m.objectives,
            m.method,
            m.target_group,
            m.expected_results,
            m.sustainability,
            m.replicates,
            m.registered_on,
            m.withdrawn_on,
            m.withdrawn_reason,
            reviewed.c.year,
            reviewed.c.result,
            reviewed.c.note,
            r.year,
            r.level,
            r.decision_no,
            r.decided_on,
            r.body,
            r.outstanding,
        )
        .select_from(
            tables.models.outerjoin(
                reviewed, and_(reviewed.c.model_id == m.id, reviewed.c.year == latest)
            ).outerjoin(tables.recognitions, r.model_id == m.id)
        )
        .where(*where.where(as_of=window.end), *window.registered())
        .order_by(m.code, r.year, r.decided_on, r.id)
    )


def commendation_statement() -> Select[Any]:
    """The commendations an export carries, by model code: one row each after the
    model's own rows, with the model's columns repeated (as for a recognition)."""
    m, c = tables.models.c, tables.commendations.c
    return (
        select(m.code, c.year, c.award, c.body, c.decision_no, c.decided_on)
        .select_from(tables.commendations.join(tables.models, m.id == c.model_id))
        .order_by(m.code, c.year, c.decided_on, c.id)
    )


def rows(
    registry: Registry, where: ModelFilter | None = None, window: Window | None = None
) -> Iterator[dict[str, Any]]:
    """The export rows, in code order, with raw values (ints, dates, None).

    Places are written as recorded, in their own scheme (old units with their old
    codes and `locality_scheme` 2024), so that re-importing restores them exactly.
    """
    for values in _records(registry, where, window):
        yield dict(zip(COLUMNS, values, strict=True))


def _records(
    registry: Registry, where: ModelFilter | None = None, window: Window | None = None
) -> Iterator[tuple[Any, ...]]:
    """`rows` as tuples in the order of `COLUMNS`, fetched a thousand at a time: the
    writers take them as they are (a dictionary per row, and a fetch per row, were a
    third of an export's time)."""
    stmt = statement(where, window)
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        # Few models are commended: held by code, and written after the model's last row
        # (the export's query stays one ordered scan of the models).
        commended: dict[str, list[tuple[Any, ...]]] = {}
        for code, *commendation in conn.execute(commendation_statement()):
            commended.setdefault(code, []).append(tuple(commendation))
        last: tuple[Any, ...] | None = None
        for row in _model_rows(conn, stmt):
            if last is not None and row[0] != last[0] and last[0] in commended:
                yield from _commendation_rows(last, commended.pop(last[0]))
            yield row
            last = row
        if last is not None and last[0] in commended:
            yield from _commendation_rows(last, commended.pop(last[0]))


#: Where a row's recognition begins, and how many columns it has.
_RECOGNITION_AT = COLUMNS.index("recognition_year")
_RECOGNITION_WIDTH = COLUMNS.index("commendation_year") - _RECOGNITION_AT


def _commendation_rows(
    model: tuple[Any, ...], commendations: list[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """A model's commendations as rows: its columns, no recognition, the commendation."""
    head = model[:_RECOGNITION_AT] + (None,) * _RECOGNITION_WIDTH
    for year, award, body, decision, decided_on in commendations:
        yield (*head, year, award, body, decision, decided_on)


def _model_rows(conn: Any, stmt: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """The models and their recognitions, in the order of `COLUMNS` (no commendation)."""
    old: Gazetteer | None = None
    nothing = (None,) * (len(COLUMNS) - COLUMNS.index("commendation_year"))
    for values in conn.execution_options(yield_per=1000).execute(stmt):
        (code, name, description, scheme, province, province_code, commune, commune_code,
         old_province, old_district, old_commune, *rest) = values  # fmt: skip
        if rest[_AREAS_AT] is not None:  # in the vocabulary's order, whatever the backend's
            rest[_AREAS_AT] = stored_areas(rest[_AREAS_AT].split(AREA_SEPARATOR))
        district = district_code = None
        if scheme == LEGACY_SCHEME:
            old = old or legacy_gazetteer()
            province, province_code = old.provinces[old_province].name, old_province
            if old_district is not None:
                district, district_code = old.districts[old_district].name, old_district
            commune_code = old_commune
            commune = old.communes[old_commune].name if old_commune is not None else None
        yield (code, name, description, province, province_code, district, district_code,
               commune, commune_code, scheme, *rest, *nothing)  # fmt: skip


#: Where the areas are among the values `_records` reads after the place.
_AREAS_AT = 5


#: The term columns of an export, by position, and the vocabulary of each.
_TERM_COLUMNS = tuple(
    (COLUMNS.index(column), kind)
    for column, kind in (
        ("field", Field), ("sponsor", Sponsor), ("holder", Holder), ("kind", Kind),
        ("review_result", Result), ("recognition_level", Level), ("commendation_award", Award),
    )
)  # fmt: skip


def _in_vietnamese(items: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Rows whose terms a person reads in Vietnamese ("Kinh tế", "Tập thể", "Cấp tỉnh"),
    for a file with Vietnamese headers: the import reads those back as the same terms."""
    for row in items:
        values = list(row)
        for i, kind in _TERM_COLUMNS:
            if values[i] is not None:
                values[i] = label(kind, values[i], "vi")
        if values[_AREAS]:
            values[_AREAS] = f"{AREA_SEPARATOR} ".join(
                label(Area, a, "vi") for a in values[_AREAS].split(AREA_SEPARATOR)
            )
        yield tuple(values)


_AREAS = COLUMNS.index("areas")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _safe(value: Any) -> Any:
    """A spreadsheet cell: numbers stay numbers, text cannot start a formula."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return spreadsheet_safe(_text(value))


#: The first characters of a text cell `spreadsheet_safe` may have to quote.
_RISKY = frozenset("=+-@\t\r'")


def _write_csv(
    items: Iterator[tuple[Any, ...]],
    out: IO[str],
    summary: ExportSummary,
    headers: Headers = Headers.en,
) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header_row(headers))
    # The csv module writes None as "", numbers and dates as their text (ISO dates);
    # only text that may start a formula goes through `spreadsheet_safe` (`_safe`).
    writer.writerows(
        [spreadsheet_safe(v) if type(v) is str and v[:1] in _RISKY else v for v in row]
        for row in _counted(items, summary)
    )


def _write_json(items: Iterator[tuple[Any, ...]], out: IO[str], summary: ExportSummary) -> None:
    out.write("[")
    for i, row in enumerate(_counted(items, summary)):
        raw = {
            k: v.isoformat() if isinstance(v, date) else v
            for k, v in zip(COLUMNS, row, strict=True)
        }
        out.write(("," if i else "") + "\n  " + json.dumps(raw, ensure_ascii=False))
    out.write("\n]\n")


def _write_xlsx(
    items: Iterator[tuple[Any, ...]],
    out: IO[bytes],
    summary: ExportSummary,
    headers: Headers = Headers.en,
) -> None:
    with workbook_into(out, "models") as sheet:
        sheet.append(header_row(headers))
        for row in _counted(items, summary):
            sheet.append([xml_safe(_safe(v)) for v in row])


_YEAR = COLUMNS.index("recognition_year")
_COMMENDED = COLUMNS.index("commendation_year")


def _counted(items: Iterator[tuple[Any, ...]], summary: ExportSummary) -> Iterator[tuple[Any, ...]]:
    last = None
    for row in items:
        if row[0] != last:  # the code: rows come in code order
            summary.models += 1
            last = row[0]
        if row[_YEAR] is not None:
            summary.recognitions += 1
        if row[_COMMENDED] is not None:
            summary.commendations += 1
        yield row


def export(
    registry: Registry,
    destination: str | Path,
    *,
    where: ModelFilter | None = None,
    window: Window | None = None,
    fmt: str | None = None,
    stdout: TextIO | None = None,
    headers: str | Headers = Headers.en,
) -> ExportSummary:
    """Write the selected models to a file (or `-`, standard output).

    `headers` names the columns of a CSV or XLSX file: `en`, the identifiers, or `vi`,
    their Vietnamese names; JSON keys are the identifiers either way.

    A file is written beside its final name and renamed into place, so an export
    that fails half-way leaves no half file behind; like the registry, it is
    created readable by its owner only, since it holds people's names. It is never
    written over the registry or its journal (`files.check_output`).
    """
    target = str(destination)
    kind = format_for(target, fmt)
    header_language = parse_headers(headers)
    summary = ExportSummary(destination=target)
    items = _records(registry, where, window)
    if header_language is Headers.vi and kind is not ExportFormat.json:
        items = _in_vietnamese(items)
    if target == STDOUT:
        import sys

        out = stdout or sys.stdout
        if kind is ExportFormat.json:
            _write_json(items, out, summary)
        else:
            _write_csv(items, out, summary, header_language)
        return summary
    path = Path(target).expanduser()
    binary = kind is ExportFormat.xlsx
    # A byte-order mark, so that Excel reads the Vietnamese as UTF-8; the importer skips it.
    with written_into_place(
        path, binary=binary, encoding="utf-8-sig", newline="", registry=registry.url
    ) as handle:
        if binary:
            _write_xlsx(items, handle, summary, header_language)
        elif kind is ExportFormat.json:
            _write_json(items, handle, summary)
        else:
            _write_csv(items, handle, summary, header_language)
    return summary
