"""Batch import of models and their recognitions: validated, atomic, idempotent.

A file holds one row per model, or several rows with the same code for a model
recognised several times. Every row goes through `dandan.validation`, the same
rules as `dandan register` and `dandan recognize`. The rows are streamed in
chunks and staged beside the registry, then swapped in by one short write
transaction at the end, so memory stays flat, other clerks keep writing while a
large file is read, and a failure, Ctrl-C or kill leaves the registry as it was.

Rows are matched to the registry by model code (rows without a code, by name,
place and registration date), so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import gc
import itertools
import operator
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, TextIO

from sqlalchemy import Connection, insert

from dandan.aliases import Aliases
from dandan.errors import Advice, InvalidInput
from dandan.i18n import _
from dandan.localities import MERGER_DAY
from dandan.models import Event, ImportBatch
from dandan.registry import Registry
from dandan.sources import (
    HEADERS,
    Cells,
    Layout,
    SourceInfo,
    check_mojibake,
    looks_garbled,
    read_sheets,
)
from dandan.terms import Field, Sponsor, parse_term
from dandan.text import from_spreadsheet
from dandan.validation import (
    FORM_FIELDS,
    MAX_LENGTHS,
    CommendationDraft,
    ModelDraft,
    RecognitionDraft,
    ReviewDraft,
    _resolve_locality,
    area_terms,
    draft_commendation,
    draft_model,
    draft_recognition,
    draft_review,
    flag,
    holder_term,
    kind_term,
    model_code,
    parse_date,
    parse_scheme,
    recognition_terms,
    registration_date,
    text,
)
from dandan.writing import (
    COMMENDATION_COLUMNS,
    FIELD_COLUMNS,
    REVIEW_COLUMNS,
    Change,
    OnConflict,
    Writer,
    event_row,
    utc_now,
)

CHUNK = 5000
#: The clock of the phase timings (`ImportSummary.timings`).
_clock = time.perf_counter
#: Errors kept in memory for the report; every one still goes to `--errors FILE`.
KEPT_ERRORS = 20
_TEXT_COLUMNS = (
    "name", "description", "holder_name", "withdrawn_reason", "province", "district", "commune",
    *FORM_FIELDS,
)  # fmt: skip


@dataclass(frozen=True)
class RowError:
    source: str
    line: int
    column: str | None
    message: str
    row: dict[str, str]
    #: What resolves it (the command line names the option).
    advice: Advice | None = None

    def __str__(self) -> str:
        if self.column:
            return _("{file}:{line}: column {column}: {message}").format(
                file=self.source, line=self.line, column=self.column, message=self.message
            )
        return f"{self.source}:{self.line}: {self.message}"


@dataclass
class ImportSummary:
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: int = 0
    rows: int = 0
    recognitions: int = 0
    errors: list[RowError] = field(default_factory=list)
    sources: list[SourceInfo] = field(default_factory=list)
    #: Each file's (each sheet's) name and own counts, in the order read.
    by_source: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    #: The batch was written (not a dry run, nor refused).
    committed: bool = False
    #: Seconds spent in each phase: reading and parsing the files, validating the rows,
    #: staging them (matching them to the registry included), swapping them in.
    timings: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("read", "validate", "stage", "swap"), 0.0)
    )

    def refused(self) -> None:
        """Nothing was written: no row counts as inserted, updated or unchanged."""
        self.inserted = self.updated = self.skipped = self.recognitions = 0

    def as_dict(self) -> dict[str, int | bool]:
        """The counts; `written` tells a dry run's counts (what it would have written)
        from an import's."""
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "skipped": self.skipped,
            "invalid": self.invalid,
            "not_records": self.not_records,
            "written": self.committed,
        }

    @property
    def not_records(self) -> int:
        """Rows passed over as total rows, section headings or empty rows."""
        return sum(info.not_records for info in self.sources)


def validate_row(
    raw: dict[str, str],
    source: str,
    line: int,
    today: date,
    scheme: str | None = None,
    aliases: Aliases | None = None,
) -> Change:
    """One row through the same rules as `register` and `recognize`; `scheme` (the
    `--legacy`/`--current` of the batch) yields to the row's own `locality_scheme`;
    `aliases`, the office's own spellings of terms, are read as the terms they name."""
    values = raw
    joined = "\x00" + "\x00".join(raw.values())  # one C-level scan instead of one per cell
    if "\x00'" in joined:
        values = {k: from_spreadsheet(v) for k, v in raw.items()}
    if aliases:
        values = aliases.row(values)
    if not joined.isascii() and looks_garbled(joined):
        for column in _TEXT_COLUMNS:
            if values.get(column):
                check_mojibake(values[column], column)
    province = values.get("province") or values.get("province_code")
    district = values.get("district") or values.get("district_code")
    commune = values.get("commune") or values.get("commune_code")
    model = draft_model(
        name=values.get("name"),
        province=province,
        commune=commune,
        district=district,
        scheme=parse_scheme(values.get("locality_scheme")) or scheme,
        field=values.get("field"),
        sponsor=values.get("sponsor"),
        holder=values.get("holder"),
        holder_name=values.get("holder_name"),
        registered_on=values.get("registered_on"),
        description=values.get("description"),
        code=values.get("code"),
        kind=values.get("kind"),
        areas=area_terms(values.get("areas"), "areas"),
        form={name: values.get(name) for name in FORM_FIELDS},
        replicates=values.get("replicates"),
        today=today,
    )
    _check_codes(values, model)
    withdrawn_text = (values.get("withdrawn_on") or "").strip()
    withdrawn_on = (
        parse_date(withdrawn_text, "withdrawn_on", today=today) if withdrawn_text else None
    )
    reason = text(values.get("withdrawn_reason"), "withdrawn_reason")
    recognition = None
    if (
        not (values.get("recognition_year") or "").strip()
        and not (values.get("recognition_level") or "").strip()
    ):
        _check_no_details(values)
        if flag(values.get("outstanding"), "outstanding"):
            raise InvalidInput(
                _("an outstanding model is one recognised: fill the recognition's year and level"),
                field="outstanding",
            )
    else:
        recognition = draft_recognition(
            year=values.get("recognition_year"),
            level=values.get("recognition_level"),
            decision_no=values.get("decision_no"),
            decided_on=values.get("decided_on"),
            body=values.get("recognized_by"),
            outstanding=values.get("outstanding"),
            today=today,
        )
    commendation = _commendation(values, today)
    return Change(
        source, line, raw, model.code, model, withdrawn_on, reason, recognition, commendation,
        _review(values, today),
    )  # fmt: skip


def _review(values: Mapping[str, str], today: date) -> ReviewDraft | None:
    """A row's review (the model's latest, as an export writes it), if its columns hold
    one; refused errors name the file's column."""
    if not any((values.get(c) or "").strip() for c in REVIEW_COLUMNS.values()):
        return None
    try:
        return draft_review(
            year=values.get("review_year"),
            result=values.get("review_result"),
            note=values.get("review_note"),
            today=today,
        )
    except InvalidInput as exc:
        exc.field = REVIEW_COLUMNS.get(exc.field or "", exc.field)
        raise


def _commendation(values: Mapping[str, str], today: date) -> CommendationDraft | None:
    """A row's commendation, if its columns hold one (the model's columns repeated, as
    for a recognition); refused errors name the file's column."""
    if not any((values.get(c) or "").strip() for c in COMMENDATION_COLUMNS.values()):
        return None
    try:
        return draft_commendation(
            year=values.get("commendation_year"),
            award=values.get("commendation_award"),
            body=values.get("commendation_by"),
            decision_no=values.get("commendation_decision"),
            decided_on=values.get("commendation_decided_on"),
            today=today,
        )
    except InvalidInput as exc:
        exc.field = COMMENDATION_COLUMNS.get(exc.field or "", exc.field)
        raise


#: The columns of a recognition besides its year and level.
_RECOGNITION_DETAILS = ("decision_no", "decided_on", "recognized_by")


def _check_no_details(values: Mapping[str, str]) -> None:
    """A decision's number, date or body with no year or level would be dropped without
    a word (the model imported as unrecognised): refused instead."""
    details = [v.strip() for c in _RECOGNITION_DETAILS if (v := values.get(c) or "").strip()]
    if details:
        raise InvalidInput(
            _(
                "the recognition ({details}) has no year or level; fill both, "
                "or clear the recognition's cells"
            ).format(details=", ".join(details)),
            field="recognition_year",
        )


def _check_codes(values: Mapping[str, str], model: ModelDraft) -> None:
    """Codes are those of the units the row names, in their scheme (codes were reused)."""
    recorded_province, recorded_district, recorded_commune = model.locality.recorded
    if "province_code" in values:
        _check_code_column(values, "province_code", recorded_province.code, "province")
    if "district_code" in values and recorded_district is not None:
        _check_code_column(values, "district_code", recorded_district.code, "district")
    if "commune_code" in values and recorded_commune is not None:
        _check_code_column(values, "commune_code", recorded_commune.code, "commune")


def _check_code_column(values: Mapping[str, str], column: str, resolved: int, name: str) -> None:
    given = (values.get(column) or "").strip()
    if given and values.get(name, "").strip() and given != str(resolved):
        raise InvalidInput(
            _("{text!r} is code {code}, but the row says {given}").format(
                text=values[name], code=resolved, given=given
            ),
            field=column,
        )


@dataclass
class ImportOptions:
    on_conflict: OnConflict = OnConflict.fail
    skip_invalid: bool = False
    dry_run: bool = False
    encoding: str | None = None
    #: The sheets of a workbook to read, each with its own header and counts (by
    #: default the first), or every one.
    sheets: tuple[str, ...] = ()
    all_sheets: bool = False
    today: date | None = None
    #: "2024" or "2025": the units every row names, unless the row says (`--legacy`).
    boundaries: str | None = None
    #: Where the header is and the sheet-wide values, when detection needs help.
    layout: Layout = field(default_factory=Layout)
    #: The office's own spellings of terms (`aliases.load`: `--aliases FILE` and the
    #: config folder's file), checked before any file is read.
    aliases: Aliases | None = None


def import_files(
    registry: Registry,
    paths: Sequence[str],
    options: ImportOptions | None = None,
    *,
    errors_out: TextIO | None = None,
    progress: Callable[[SourceInfo, int], None] | None = None,
) -> ImportSummary:
    """Import files ("-" is standard input): all of it, or none.

    The files are read, validated and staged without the registry's write lock, so
    other clerks keep registering meanwhile; then one short write transaction checks
    that nobody changed a model the batch writes, numbers its new models and swaps
    the batch in (see `Writer`). With `skip_invalid`, valid rows are kept and invalid
    ones reported; otherwise any invalid row means nothing is written, and the summary
    counts nothing as inserted, updated or unchanged. `errors_out` receives every
    rejected row as CSV with its reason; `progress` is called with the source and row
    count.
    """
    from dandan.database import translate_errors

    options = options or ImportOptions()
    today = options.today or date.today()
    summary = ImportSummary()
    job = _Job(summary, options, _error_writer(errors_out), registry.actor)
    engine = registry.open(create=True)  # the first import may make the registry
    gc_was_enabled = gc.isenabled()
    gc.disable()  # no cycles are made here; collection passes only slow a bulk load
    try:
        with translate_errors(registry.url), engine.connect() as conn:
            writer = Writer(conn, options.on_conflict, summary, registry.actor)
            try:
                with conn.begin():
                    writer.open_stage()
                checks = RowChecks(today, parse_scheme(options.boundaries), options.aliases)
                timings, clock = summary.timings, _clock
                for path in paths:
                    tables = read_sheets(
                        path,
                        sheets=options.sheets,
                        all_sheets=options.all_sheets,
                        encoding=options.encoding,
                        layout=options.layout,
                    )
                    for info, records in tables:
                        summary.sources.append(info)
                        job.start_source(writer, info)
                        while True:
                            started = clock()
                            chunk = list(itertools.islice(records, CHUNK))
                            read = clock()
                            timings["read"] += read - started
                            if not chunk:
                                break
                            summary.rows += len(chunk)
                            validated = checks.rows(chunk, info)
                            checked = clock()
                            timings["validate"] += checked - read
                            # Each chunk in its own transaction: it reads the registry and
                            # writes only the staging tables, so it holds no write lock.
                            with conn.begin():
                                job.apply(writer, validated)
                            timings["stage"] += clock() - checked
                            if progress is not None:
                                progress(info, summary.rows)
                        job.end_source(info)
                if summary.invalid and not options.skip_invalid:
                    summary.refused()
                elif not options.dry_run:
                    started = clock()
                    conn.execution_options(dandan_write=True)  # SQLite: BEGIN IMMEDIATE
                    with conn.begin():
                        job.swap(conn, writer)
                    summary.committed = True
                    timings["swap"] = clock() - started
            finally:
                _close_stage(conn, writer)
    finally:
        if gc_was_enabled:
            gc.enable()
    return summary


def _close_stage(conn: Connection, writer: Writer) -> None:
    """Close the import's connection rather than return it to the pool: its staging
    tables go with it (much faster than dropping them: a second at 400,000 rows)."""
    conn.invalidate()


@dataclass
class _Source:
    """One file of the import, read and staged: what its batch record will say."""

    info: SourceInfo
    mark: int
    started_at: datetime
    finished_at: datetime
    inserted: int
    updated: int
    skipped: int
    invalid: int


class _Job:
    """The bookkeeping of one import: counts, rejected rows, one batch record per file."""

    def __init__(
        self, summary: ImportSummary, options: ImportOptions, errors: Any, actor: str
    ) -> None:
        self.summary = summary
        self.options = options
        self.errors = errors
        self.actor = actor
        self._before = (0, 0, 0, 0)
        self._started = utc_now()
        self._mark = 0
        self.sources: list[_Source] = []

    def _counts(self) -> tuple[int, int, int, int]:
        s = self.summary
        return (s.inserted, s.updated, s.skipped, s.invalid)

    def reject(
        self,
        row: Change | RowError,
        column: str | None,
        message: str,
        advice: Advice | None = None,
    ) -> None:
        error = (
            row
            if isinstance(row, RowError)
            else RowError(row.source, row.line, column, message, row.raw, advice)
        )
        self.summary.invalid += 1
        if len(self.summary.errors) < KEPT_ERRORS:
            self.summary.errors.append(error)
        if self.errors is not None:
            self.errors.writerow([error.source, error.line, error.column or "", error.message,
                                  *(error.row.get(c, "") for c in HEADERS)])  # fmt: skip

    def start_source(self, writer: Writer, info: SourceInfo) -> None:
        """The file's batch is a mark until `swap` writes its record: the models the
        file creates point to it."""
        self._before = self._counts()
        self._started = utc_now()
        self._mark = -(len(self.sources) + 1)
        writer.batch_id = self._mark
        writer.batch_ids.add(self._mark)

    def apply(self, writer: Writer, chunk: list[Change | RowError]) -> None:
        valid: list[Change] = []
        for r in chunk:
            if isinstance(r, RowError):
                self.reject(r, r.column, r.message)
            else:
                valid.append(r)
        # Once a strict batch has failed, only validation goes on (for the report).
        if self.options.skip_invalid or self.summary.invalid == 0:
            writer.write(valid, self.reject)

    def end_source(self, info: SourceInfo) -> None:
        inserted, updated, skipped, invalid = (
            now - then for now, then in zip(self._counts(), self._before, strict=True)
        )
        self.summary.by_source.append((info.name, {
            "inserted": inserted, "updated": updated, "skipped": skipped, "invalid": invalid,
            "not_records": info.not_records,
        }))  # fmt: skip
        self.sources.append(
            _Source(info, self._mark, self._started, utc_now(), inserted, updated, skipped, invalid)
        )

    def swap(self, conn: Connection, writer: Writer) -> None:
        """The write transaction: check, number, swap in, record each file's batch."""
        writer.lock()
        writer.check_meanwhile()
        writer.prepare_bulk_load()
        ids: dict[int, int] = {}
        for source in self.sources:
            info = source.info
            result = conn.execute(
                insert(ImportBatch),
                {
                    "source": info.name[:300], "sha256": info.sha256, "kind": info.kind,
                    "encoding": info.encoding,
                    "rows": source.inserted + source.updated + source.skipped + source.invalid,
                    "inserted": source.inserted, "updated": source.updated,
                    "skipped": source.skipped, "invalid": source.invalid, "actor": self.actor,
                    "started_at": source.started_at, "finished_at": source.finished_at,
                },
            )  # fmt: skip
            key = result.inserted_primary_key
            assert key is not None
            ids[source.mark] = int(key[0])
        writer.renumber()
        writer.swap(ids)
        for source in self.sources:
            batch_id = ids[source.mark]
            writer.swap_events(source.mark, batch_id)
            # The batch in the audit trail; `dandan history` links a model to the batch
            # that created it (models.batch_id).
            after = {
                "file": source.info.name[:300], "sha256": source.info.sha256, "batch": batch_id,
                "inserted": source.inserted, "updated": source.updated,
                "skipped": source.skipped, "invalid": source.invalid,
            }  # fmt: skip
            conn.execute(
                insert(Event),
                event_row(
                    actor=self.actor, command="import", code=None, after=after,
                    batch_id=batch_id,
                ),
            )  # fmt: skip
        writer.finish_bulk_load()


def _validated(
    raw: dict[str, str],
    info: SourceInfo,
    line: int,
    today: date,
    scheme: str | None,
    aliases: Aliases | None = None,
) -> Change | RowError:
    try:
        return validate_row(raw, info.name, line, today, scheme, aliases)
    except InvalidInput as exc:
        column = FIELD_COLUMNS.get(exc.field or "", exc.field)
        # Name the column as the file writes it ("Năm công nhận"), so a clerk finds it.
        header = info.headers.get(column or "", column)
        return RowError(info.name, line, header, exc.message, raw)


#: What one column's memo may hold before it starts again, in bytes as `_size` counts
#: them (a key and its result): values that repeat are checked once, and a column whose
#: values never repeat (a file of unique places) costs bounded memory.
MEMO_BYTES = 16_000_000


class _Refused:
    """A value `RowChecks` leaves to `validate_row`: refused, or read specially."""


_REFUSED = _Refused()


class _Memo:
    """One check's result for each distinct value met, `_REFUSED` for a refusal."""

    __slots__ = ("check", "results", "size", "used")

    def __init__(self, check: Callable[[Any], Any], size: Callable[[Any], int] | None = None):
        self.check = check
        self.results: dict[Any, Any] = {}
        self.used = 0
        self.size = size or _size

    def column(self, values: Sequence[Any]) -> list[Any]:
        """The results of a column of values, each distinct one checked once."""
        results = self.results
        try:
            return list(map(results.__getitem__, values))
        except KeyError:
            pass  # values not met yet
        if self.used > MEMO_BYTES:
            results.clear()
            self.used = 0
        for value in set(values).difference(results):
            results[value] = _checked(self.check, value)
            self.used += self.size(value)
        return list(map(results.__getitem__, values))


def _size(value: str | None) -> int:
    """About what a text and its result take: two strings and a dictionary entry."""
    return 200 + 4 * len(value) if value else 100


def _checked(check: Callable[[Any], Any], value: Any) -> Any:
    try:
        return check(value)
    except InvalidInput:
        return _REFUSED


def _each(check: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """A check of values that seldom repeat (names, codes): each value, not kept."""
    try:
        return list(map(check, values))
    except InvalidInput:
        return [_checked(check, value) for value in values]


def _texts(values: Sequence[str], field: str, *, required: bool = False) -> list[Any]:
    """`text` of each value of a column whose values seldom repeat (names, descriptions).

    A column of clean text — printable, NFC, single spaces inside, within the length
    limit: what a spreadsheet holds — comes back as it is, which a few checks of the
    whole column show at C speed; any other goes value by value through `text`.
    """
    if values and values[0] is None:  # no such column
        return _each(partial(text, field=field, required=required), values)
    joined = "|".join(values)
    if (
        joined.isprintable()
        and (joined.isascii() or unicodedata.is_normalized("NFC", joined))
        and "  " not in joined
        and "| " not in joined
        and " |" not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
        and (not values or max(map(len, values)) <= MAX_LENGTHS.get(field, 300))
    ):
        if not required:
            return [value or None for value in values]
        if all(values):
            return list(values)
    return _each(partial(text, field=field, required=required), values)


def _codes(values: Sequence[str]) -> list[Any]:
    """`model_code` of each value of the code column: a column of plain codes is checked
    by one match of the whole column."""
    if values and values[0] is None:  # no such column
        return [None] * len(values)
    joined = "|".join(values)
    if joined.isascii() and joined.isprintable():
        codes = [value.strip().upper() for value in values]
        if _CODES.fullmatch("\n".join(codes) + "\n"):
            return [code or None for code in codes]
    return _each(model_code, values)


#: A column of codes (`validation.parse_code`), or of nothing, each ended by a newline.
_CODES = re.compile(r"(?:(?:[A-Z0-9][A-Z0-9._/-]{1,31})?\n)*")


def _special(values: Sequence[str], column: str | None = None) -> list[int]:
    """The rows whose value `validate_row` reads specially: a spreadsheet's leading
    apostrophe, or, in a column of `_TEXT_COLUMNS`, garbled text (checked at once over
    the whole column first)."""
    joined = "\x00" + "\x00".join(values)
    found = []
    if "\x00'" in joined:
        found += [i for i, value in enumerate(values) if value.startswith("'")]
    if column and not joined.isascii() and looks_garbled(joined):
        found += [i for i, value in enumerate(values) if looks_garbled(value)]
    return found


def _plain(check: Callable[[Any], Any], column: str | None = None) -> Callable[[Any], Any]:
    """`check`, leaving to `validate_row` a value it reads specially: one with a
    spreadsheet's leading apostrophe, or, in a column of `_TEXT_COLUMNS`, garbled text."""

    def plain(value: Any) -> Any:
        if value and (value[0] == "'" or (column and looks_garbled(value))):
            return _REFUSED
        return check(value)

    return plain


def _refused(results: Sequence[Any]) -> list[int]:
    """Where a column's results hold a refusal."""
    if not any(map(operator.is_, results, itertools.repeat(_REFUSED))):
        return []
    return [i for i, result in enumerate(results) if result is _REFUSED]


def _required_term(kind: Any) -> Callable[[str | None], Any]:
    def check(value: str | None) -> Any:
        return parse_term(kind, value) if value and value.strip() else _REFUSED

    return check


class RowChecks:
    """`validate_row` for a whole import, each distinct value of a column checked once.

    Values repeat across a batch (34 provinces, a few thousand communes, four fields,
    a dozen sponsors, a few thousand dates): each distinct value goes through the
    functions `validate_row` calls, and the result is kept for the rest of the import
    (about `MEMO_BYTES` per column at most). A row is assembled from its columns'
    results. A row with a refused value or a broken rule between its values, or a
    value `validate_row` reads specially (a spreadsheet's leading apostrophe, garbled
    text), goes through `validate_row` itself: its error, or its record, is that one's.
    """

    def __init__(self, today: date, scheme: str | None, aliases: Aliases | None = None) -> None:
        self.today, self.scheme = today, scheme
        self.aliases = aliases or Aliases()
        self.schemes = _Memo(_plain(parse_scheme))
        self.fields = _Memo(_plain(self._aliased("field", _required_term(Field))))
        self.sponsors = _Memo(_plain(self._aliased("sponsor", _required_term(Sponsor))))
        self.holders = _Memo(_plain(self._aliased("holder", holder_term)))
        self.kinds = _Memo(_plain(self._aliased("kind", kind_term)))
        self.areas = _Memo(_plain(partial(area_terms, field="areas")))
        self.registered = _Memo(_plain(lambda value: registration_date(value, today)))
        self.withdrawn = _Memo(
            _plain(
                lambda value: (
                    parse_date(value.strip(), "withdrawn_on", today=today)
                    if value and value.strip()
                    else None
                )
            )
        )
        self.places = _Memo(self._place)
        self.terms = _Memo(self._terms)

    def _aliased(self, column: str, check: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """`check` of the term an office's alias names (the memo calls it once a value)."""
        if not self.aliases.columns.get(column):
            return check
        spelled = self.aliases.spelled
        return lambda value: check(spelled(column, value))

    @staticmethod
    def _place(key: str) -> Any:
        """The locality of a key made by `_place_keys`."""
        parts = key.split("\x00")
        if len(parts) != 5:  # a NUL in a name: refused, as `validate_row` will say
            return _REFUSED
        province, commune, district, before_merger, scheme = parts
        for value, column in ((province, "province"), (commune, "commune"), (district, "district")):
            if _plain(str, column)(value) is _REFUSED:
                return _REFUSED
        return _resolve_locality(
            province, commune, district, before_merger=before_merger == "1", scheme=scheme or None
        )

    def _terms(self, key: str) -> Any:
        """The year, level and date of a key made in `_recognitions`."""
        parts = key.split("\x00")
        if len(parts) != 3 or any(_plain(str)(value) is _REFUSED for value in parts):
            return _REFUSED
        level = self.aliases.spelled("recognition_level", parts[1])
        return recognition_terms(parts[0], level, parts[2], self.today)

    def rows(
        self, records: Sequence[tuple[int, Sequence[str]]], info: SourceInfo
    ) -> list[Change | RowError]:
        """The rows of one chunk, valid (`Change`) or not (`RowError`), in order."""
        n = len(records)
        names = info.columns
        lines = [line for line, _values in records]
        cells = list(map(Cells, itertools.repeat(names), (v for _line, v in records)))
        columns = dict(zip(names, zip(*(v for _line, v in records), strict=True), strict=True))
        absent: tuple[None, ...] = (None,) * n

        def column(name: str) -> Sequence[Any]:
            return columns.get(name, absent)

        def either(name: str, code: str) -> Sequence[Any]:
            if code not in columns:
                return column(name)
            return [a or b for a, b in zip(column(name), column(code), strict=True)]

        again: set[int] = set()  # the rows `validate_row` must see
        for name in ("province_code", "district_code", "commune_code", "code"):
            if name in columns:
                again.update(_special(columns[name]))
        for name in ("decision_no", "recognized_by"):
            if name in columns:
                again.update(_special(columns[name]))
        for name in (*COMMENDATION_COLUMNS.values(), *REVIEW_COLUMNS.values()):
            # Rare: read by `validate_row`.
            if name in columns:
                again.update(i for i, v in enumerate(columns[name]) if v and not v.isspace())
        for name in ("name", "description", "holder_name", "withdrawn_reason", *FORM_FIELDS):
            if name in columns:
                again.update(_special(columns[name], name))
        schemes = [s or self.scheme for s in self.schemes.column(column("locality_scheme"))]
        registered = self.registered.column(column("registered_on"))
        # One text per row names its place: its names (without NUL, which they cannot
        # hold: see `_place`), which side of 2025-07-01 it is dated, its scheme.
        places = self.places.column(
            list(
                map(
                    "\x00".join,
                    zip(
                        [v or "" for v in either("province", "province_code")],
                        [v or "" for v in either("commune", "commune_code")],
                        [v or "" for v in either("district", "district_code")],
                        [
                            "1" if on is not _REFUSED and on < MERGER_DAY else ""
                            for on in registered
                        ],
                        [s if type(s) is str else "" for s in schemes],
                        strict=True,
                    ),
                )
            )
        )
        model_columns = (
            _texts(column("name"), "name", required=True),
            places,
            self.fields.column(column("field")),
            self.sponsors.column(column("sponsor")),
            self.holders.column(column("holder")),
            _texts(column("holder_name"), "holder_name"),
            registered,
            _texts(column("description"), "description"),
            _codes(column("code")),
            self.kinds.column(column("kind")),
            self.areas.column(column("areas")),
            # The form's items: most files have none of these columns.
            *(_texts(columns[name], name) if name in columns else absent for name in FORM_FIELDS),
            _codes(column("replicates")),
        )
        withdrawn = self.withdrawn.column(column("withdrawn_on"))
        reasons = _texts(column("withdrawn_reason"), "withdrawn_reason")
        recognitions = self._recognitions(columns, absent)
        for results in (*model_columns, schemes, withdrawn, reasons, recognitions):
            again.update(_refused(results))
        drafts: list[Any] = list(map(ModelDraft, *model_columns))
        if "province_code" in columns or "district_code" in columns or "commune_code" in columns:
            for i, draft in enumerate(drafts):
                if i not in again:
                    try:
                        _check_codes(cells[i], draft)
                    except InvalidInput:
                        again.add(i)
        found: list[Change | RowError] = list(
            map(
                Change,
                itertools.repeat(info.name),
                lines,
                cells,
                [d.code for d in drafts],
                drafts,
                withdrawn,
                reasons,
                recognitions,
            )
        )
        for i in again:
            found[i] = _validated(
                dict(cells[i]), info, lines[i], self.today, self.scheme, self.aliases
            )
        return found

    def _recognitions(
        self, columns: dict[str, tuple[Any, ...]], absent: tuple[None, ...]
    ) -> list[Any]:
        """Each row's recognition, if it has one."""
        years = columns.get("recognition_year", absent)
        levels = columns.get("recognition_level", absent)
        found: list[Any] = [None] * len(absent)  # a draft, `_REFUSED` or None
        rows = [
            i
            for i, (year, level) in enumerate(zip(years, levels, strict=True))
            if (year or level) and ((year or "").strip() or (level or "").strip())
        ]
        dates = columns.get("decided_on", absent)
        decisions = columns.get("decision_no", absent)
        bodies = columns.get("recognized_by", absent)
        outstanding = columns.get("outstanding", absent)
        if len(rows) < len(absent) and any(
            c in columns for c in (*_RECOGNITION_DETAILS, "outstanding")
        ):
            # Details without a year or level: `validate_row` says which.
            recognised = set(rows)
            for i, details in enumerate(zip(dates, decisions, bodies, strict=True)):
                if i not in recognised and (
                    any(d and not d.isspace() for d in details) or _flagged(outstanding[i])
                ):
                    found[i] = _REFUSED
        if not rows:
            return found
        terms = self.terms.column(
            ["\x00".join((years[i] or "", levels[i] or "", dates[i] or "")) for i in rows]
        )
        for i, term, decision, body in zip(
            rows,
            terms,
            _texts([decisions[i] for i in rows], "decision"),
            _texts([bodies[i] for i in rows], "by"),
            strict=True,
        ):
            named = _flagged(outstanding[i])
            if term is _REFUSED or decision is _REFUSED or body is _REFUSED or named is None:
                found[i] = _REFUSED
            else:
                found[i] = RecognitionDraft(term[0], term[1], decision, term[2], body, named)
        return found


def _flagged(value: str | None) -> bool | None:
    """An outstanding cell as `validation.flag` reads it; None when it refuses it (then
    `validate_row` says why)."""
    try:
        return flag(value, "outstanding")
    except InvalidInput:
        return None


def _error_writer(out: TextIO | None) -> Any:
    return None if out is None else _RejectedRows(out)


class _RejectedRows:
    """The CSV of rejected rows, its header written with the first: an import that
    rejects nothing writes nothing, and `--errors FILE` then makes no file."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._started = False

    def writerow(self, row: list[Any]) -> None:
        if not self._started:
            self._writer.writerow(["file", "line", "column", "error", *HEADERS])
            self._started = True
        self._writer.writerow(row)


def list_batches(registry: Registry, limit: int | None = None) -> list[dict[str, Any]]:
    """Imported batches, newest first, for `dandan imports`."""
    from sqlalchemy import select
    from sqlmodel import Session, col

    stmt = select(ImportBatch).order_by(col(ImportBatch.id).desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with Session(registry.engine) as s:
        return [
            {
                "id": b.id,
                "source": b.source,
                "sha256": b.sha256,
                "rows": b.rows,
                "inserted": b.inserted,
                "updated": b.updated,
                "skipped": b.skipped,
                "invalid": b.invalid,
                "actor": b.actor,
                "finished_at": b.finished_at.strftime("%Y-%m-%d %H:%M:%S"),
            }
            for b in s.scalars(stmt)
        ]
