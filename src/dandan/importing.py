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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy import Connection, insert

from dandan.errors import Advice, InvalidInput
from dandan.i18n import _
from dandan.models import Event, ImportBatch
from dandan.registry import Registry
from dandan.sources import HEADERS, SourceInfo, check_mojibake, looks_garbled, read_source
from dandan.text import as_text, from_spreadsheet
from dandan.validation import (
    draft_model,
    draft_recognition,
    parse_date,
    parse_scheme,
    text,
)
from dandan.writing import FIELD_COLUMNS, Change, OnConflict, Writer, event_row, utc_now

CHUNK = 5000
#: Errors kept in memory for the report; every one still goes to `--errors FILE`.
KEPT_ERRORS = 20
_TEXT_COLUMNS = (
    "name", "description", "holder_name", "withdrawn_reason", "province", "district", "commune",
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
    #: The batch was written (not a dry run, nor refused).
    committed: bool = False

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
            "written": self.committed,
        }


def validate_row(
    raw: dict[str, str], source: str, line: int, today: date, scheme: str | None = None
) -> Change:
    """One row through the same rules as `register` and `recognize`; `scheme` (the
    `--legacy`/`--current` of the batch) yields to the row's own `locality_scheme`."""
    values = raw
    joined = "\x00" + "\x00".join(raw.values())  # one C-level scan instead of one per cell
    if "\x00'" in joined:
        values = {k: from_spreadsheet(v) for k, v in raw.items()}
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
        today=today,
    )
    # Codes are those of the units the row names, in their scheme (codes were reused).
    recorded_province, recorded_district, recorded_commune = model.locality.recorded
    if "province_code" in values:
        _check_code_column(values, "province_code", recorded_province.code, "province")
    if "district_code" in values and recorded_district is not None:
        _check_code_column(values, "district_code", recorded_district.code, "district")
    if "commune_code" in values and recorded_commune is not None:
        _check_code_column(values, "commune_code", recorded_commune.code, "commune")
    withdrawn_text = (values.get("withdrawn_on") or "").strip()
    withdrawn_on = (
        parse_date(withdrawn_text, "withdrawn_on", today=today) if withdrawn_text else None
    )
    reason = text(values.get("withdrawn_reason"), "withdrawn_reason")
    recognition = None
    if (values.get("recognition_year") or "").strip() or (
        values.get("recognition_level") or ""
    ).strip():
        recognition = draft_recognition(
            year=values.get("recognition_year"),
            level=values.get("recognition_level"),
            decision_no=values.get("decision_no"),
            decided_on=values.get("decided_on"),
            body=values.get("recognized_by"),
            today=today,
        )
    return Change(source, line, raw, model.code, model, withdrawn_on, reason, recognition)


def _check_code_column(values: dict[str, str], column: str, resolved: int, name: str) -> None:
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
    sheet: str | None = None
    today: date | None = None
    #: "2024" or "2025": the units every row names, unless the row says (`--legacy`).
    boundaries: str | None = None


def _chunks(rows: Iterable[Change | RowError], size: int) -> Iterator[list[Change | RowError]]:
    chunk: list[Change | RowError] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
                for path in paths:
                    info = SourceInfo(as_text(path))
                    summary.sources.append(info)
                    job.start_source(writer, info)
                    rows = read_source(
                        path, encoding=options.encoding, sheet=options.sheet, info=info
                    )
                    validated = _validated(rows, info, today, parse_scheme(options.boundaries))
                    for chunk in _chunks(validated, CHUNK):
                        summary.rows += len(chunk)
                        # Each chunk in its own transaction: it reads the registry and
                        # writes only the staging tables, so it holds no write lock.
                        with conn.begin():
                            job.apply(writer, chunk)
                        if progress is not None:
                            progress(info, summary.rows)
                    job.end_source(info)
                if summary.invalid and not options.skip_invalid:
                    summary.refused()
                elif not options.dry_run:
                    conn.execution_options(dandan_write=True)  # SQLite: BEGIN IMMEDIATE
                    with conn.begin():
                        job.swap(conn, writer)
                    summary.committed = True
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
    rows: Iterator[tuple[int, dict[str, str]]], info: SourceInfo, today: date, scheme: str | None
) -> Iterator[Change | RowError]:
    for line, raw in rows:
        try:
            yield validate_row(raw, info.name, line, today, scheme)
        except InvalidInput as exc:
            column = FIELD_COLUMNS.get(exc.field or "", exc.field)
            # Name the column as the file writes it ("Năm công nhận"), so a clerk finds it.
            header = info.headers.get(column or "", column)
            yield RowError(info.name, line, header, exc.message, raw)


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
