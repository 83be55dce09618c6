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
from enum import StrEnum
from typing import Any, TextIO

from sqlalchemy import Connection, insert
from sqlmodel import SQLModel

from dandan import i18n
from dandan.errors import Conflict, InvalidInput
from dandan.i18n import _, day
from dandan.models import Event, ImportBatch
from dandan.registry import (
    Registry,
    code_prefix,
    event_row,
    highest_number,
    last_number,
    numbered,
    utc_now,
)
from dandan.sources import HEADERS, SourceInfo, check_mojibake, looks_garbled, read_source
from dandan.terms import Field, Holder, Level, Sponsor, Status
from dandan.text import as_text, fold, from_spreadsheet
from dandan.validation import (
    Locality,
    ModelDraft,
    RecognitionDraft,
    check_recognition_dates,
    draft_model,
    draft_recognition,
    parse_date,
    parse_scheme,
    text,
)

CHUNK = 5000
#: SQLite's page cache for the staging tables, then for the swap, in KiB: most of the
#: code index of a national batch (408,000 models: 10 MB), within the memory budget.
_CACHE_KB = 12_000
#: Terms as plain str: the driver binds exact str fastest (enum members go through
#: its adaptation protocol, and `.value` is a property call per use).
_PLAIN: dict[StrEnum, str] = {
    member: member.value for kind in (Field, Sponsor, Holder, Level) for member in kind
}
#: Errors kept in memory for the report; every one still goes to `--errors FILE`.
KEPT_ERRORS = 20
_TEXT_COLUMNS = (
    "name", "description", "holder_name", "withdrawn_reason", "province", "district", "commune",
)  # fmt: skip


class OnConflict(StrEnum):
    """What to do with a row whose code is registered with different details."""

    fail = "fail"
    skip = "skip"
    update = "update"


@dataclass(frozen=True)
class RowError:
    source: str
    line: int
    column: str | None
    message: str
    row: dict[str, str]

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


@dataclass(slots=True)
class _Row:
    """A valid row: the model it describes and at most one recognition.

    Not frozen: frozen dataclasses initialise through object.__setattr__, which
    costs a measurable share of an import of 400,000 rows.
    """

    source: str
    line: int
    raw: dict[str, str]
    code: str | None
    model: ModelDraft
    withdrawn_on: date | None
    withdrawn_reason: str | None
    recognition: RecognitionDraft | None

    def natural_key(self) -> tuple[str, int, int | None, date]:
        loc = self.model.locality
        return (
            fold(self.model.name),
            loc.province.code,
            loc.commune.code if loc.commune else None,
            self.model.registered_on,
        )

    def model_values(self) -> tuple[Any, ...]:
        """What must agree between two rows (or a row and the registry) of one model."""
        d, loc = self.model, self.model.locality
        return (
            d.name,
            d.description,
            loc.province.code,
            loc.commune.code if loc.commune else None,
            loc.scheme,
            loc.legacy_province.code if loc.legacy_province else None,
            loc.legacy_district.code if loc.legacy_district else None,
            loc.legacy_commune.code if loc.legacy_commune else None,
            d.field.value,
            d.sponsor.value,
            d.holder.value,
            d.holder_name,
            d.registered_on,
            self.withdrawn_on,
            self.withdrawn_reason,
        )


_MODEL_COLUMNS = (
    "name", "description", "province_code", "commune_code", "locality_scheme",
    "legacy_province_code", "legacy_district_code", "legacy_commune_code", "field", "sponsor",
    "holder", "holder_name", "registered_on", "withdrawn_on", "withdrawn_reason",
)  # fmt: skip


def validate_row(
    raw: dict[str, str], source: str, line: int, today: date, scheme: str | None = None
) -> _Row:
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
    if withdrawn_on is not None and withdrawn_on < model.registered_on:
        raise InvalidInput(_("withdrawal is dated before the registration"), field="withdrawn_on")
    if withdrawn_on is not None and reason is None:
        raise InvalidInput(_("a withdrawn model needs its reason"), field="withdrawn_reason")
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
        check_recognition_dates(model.registered_on, recognition)
        if withdrawn_on and recognition.decided_on and recognition.decided_on > withdrawn_on:
            raise InvalidInput(_("recognition is dated after the withdrawal"), field="decided_on")
    return _Row(source, line, raw, model.code, model, withdrawn_on, reason, recognition)


def _check_code_column(values: dict[str, str], column: str, resolved: int, name: str) -> None:
    given = (values.get(column) or "").strip()
    if given and values.get(name, "").strip() and given != str(resolved):
        raise InvalidInput(
            _("{text!r} is code {code}, but the row says {given}").format(
                text=values[name], code=resolved, given=given
            ),
            field=column,
        )


class _Writer:
    """Classifies validated chunks against the registry and stages what they change.

    Nothing here writes the registry while the files are read: new models, updates,
    recognitions, events and status recounts go into TEMP staging tables on the
    import's own connection (the temporary database is separate from the registry's
    file, so filling it takes no write lock), and `swap` moves them in at the end, in
    one short write transaction. Lookups see the registry and what is staged, so a
    later chunk finds a model an earlier one created. Rows go to the driver as plain
    parameter tuples (several times faster than ORM objects or Core dictionaries,
    which matters at 400,000 rows); PostgreSQL's staging is filled with COPY.
    """

    def __init__(
        self, conn: Connection, policy: OnConflict, summary: ImportSummary, actor: str
    ) -> None:
        self.conn = conn
        self.policy = policy
        self.summary = summary
        self.sqlite = conn.dialect.name == "sqlite"
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.temp = "temp" if self.sqlite else "pg_temp"
        #: The batches of this import: a model they created is continued, not conflicting.
        #: While staging, each file's batch is a negative mark (its row is written by
        #: `swap`); `swap` replaces the marks by the batches' ids.
        self.batch_ids: set[int] = set()
        self.batch_id: int | None = None
        #: Per code prefix: the registry's last number when this import first numbered
        #: in it, and the last number given since (provisional until `swap`).
        self._first_number: dict[str, int] = {}
        self._next_number: dict[str, int] = {}
        self._dropped: list[Any] = []
        self._seq = 0
        self._by_name = False  # the staged models are indexed by name
        self._staged_updates = self._staged_status = False
        #: What the registry held when staging began (its largest ids): whatever
        #: appears above them was written by someone else meanwhile.
        self._marks: tuple[int, int, int] = (0, 0, 0)
        self.actor = actor
        now = utc_now()
        #: created_at/updated_at of every row; text on SQLite, in SQLAlchemy's format.
        self.stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now

    # -- staging ---------------------------------------------------------------

    def open_stage(self) -> None:
        """Create the staging tables and note the registry's largest ids."""
        run = self.conn.exec_driver_sql
        self.drop_stage()
        if self.sqlite:
            # The staged code index is written at random places, chunk after chunk: room
            # for it in the cache (SQLite's default is 2 MB), and no journal (a failed
            # import drops the staging tables rather than rolling them back).
            run(f"PRAGMA temp.cache_size = -{_CACHE_KB}")
            run("PRAGMA temp.journal_mode = OFF")
        for name, (columns, pg_select) in _STAGE_TABLES.items():
            if self.sqlite:
                run(f"CREATE TEMP TABLE stage_{name} ({', '.join(columns)})")
            else:
                run(f"CREATE TEMP TABLE stage_{name} AS {pg_select} WITH NO DATA")
        for name, column in _STAGE_INDEXES:
            self._index(name, column)
        if not self.sqlite:
            # Every writer of dandan changes `models`: once no writer holds it, the
            # largest ids are those of committed rows, and later rows get larger ones.
            run("LOCK TABLE models IN SHARE MODE")
        marks = tuple(
            int(run(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one())
            for table in ("models", "recognitions", "events")
        )
        self._marks = (marks[0], marks[1], marks[2])

    def _index(self, table: str, column: str) -> None:
        if self.sqlite:
            self.conn.exec_driver_sql(
                f"CREATE INDEX temp.ix_stage_{table}_{column} ON stage_{table} ({column})"
            )
        else:
            self.conn.exec_driver_sql(f"CREATE INDEX ON pg_temp.stage_{table} ({column})")

    def drop_stage(self) -> None:
        for name in (*_STAGE_TABLES, "remap"):
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.temp}.stage_{name}")

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _staged_rows(
        self, table: str, columns: str, where: str, keys: Sequence[Any], ordered: bool = True
    ) -> list[Any]:
        """Rows of a staging table whose `where` column is one of `keys` (in the order
        they were staged, unless not `ordered`)."""
        found: list[Any] = []
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            found += self.conn.exec_driver_sql(
                f"SELECT {columns} FROM {self.temp}.stage_{table} "
                f"WHERE {where} IN ({marks}){' ORDER BY seq' if ordered else ''}",
                tuple(part),
            ).all()
        return found

    # -- matching rows to the registry and to what this import staged ----------

    def _existing_by_code(
        self, codes: Sequence[str]
    ) -> tuple[dict[str, tuple[Any, ...]], set[str]]:
        """The models these codes name (status, batch, values), staged ones over the
        registry's; and which of them this import creates."""
        found: dict[str, tuple[Any, ...]] = {}
        cols = ", ".join(_MODEL_COLUMNS)
        for start in range(0, len(codes), 900):
            part = codes[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            result = self.conn.exec_driver_sql(
                f"SELECT code, status, batch_id, {cols} FROM models WHERE code IN ({marks})",
                tuple(part),
            )
            for code, *values in result:
                found[code] = tuple(values)
        created: set[str] = set()
        staged = self._staged_rows("models", f"kind, code, status, batch_id, {cols}", "code", codes)
        for kind, code, status, batch, *values in staged:
            if kind == "new":
                found[code] = (status, batch, *values)
                created.add(code)
            elif code in found:  # an update staged by an earlier chunk
                found[code] = (*found[code][:2], *values)
        return found, created

    def _codes_by_natural_key(self, rows: Sequence[_Row]) -> dict[tuple[Any, ...], str]:
        names = sorted({r.natural_key()[0] for r in rows})
        if names and not self._by_name:
            # Only rows without a code are matched by name: most files have codes, and
            # an index costs on every staged row.
            self._index("models", "name_folded")
            self._by_name = True
        found: dict[tuple[Any, ...], str] = {}
        columns = "name_folded, province_code, commune_code, registered_on, code"
        for start in range(0, len(names), 900):
            part = names[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            result = list(
                self.conn.exec_driver_sql(
                    f"SELECT {columns} FROM models WHERE name_folded IN ({marks})", tuple(part)
                )
            )
            result += self.conn.exec_driver_sql(
                f"SELECT {columns} FROM {self.temp}.stage_models "
                f"WHERE kind = 'new' AND name_folded IN ({marks})",
                tuple(part),
            ).all()
            for name, province, commune, registered, code in result:
                found[(name, province, commune, self._normal(registered))] = code
        return found

    def _generate_code(self, row: _Row) -> tuple[str, int]:
        """A provisional code and its number: `swap` renumbers it if someone took
        numbers after it meanwhile."""
        prefix = code_prefix(row.model.locality.province.code, row.model.registered_on.year)
        if prefix not in self._next_number:
            first = last_number(self.conn, prefix, lock=False)
            self._first_number[prefix] = self._next_number[prefix] = first
        self._next_number[prefix] += 1
        return numbered(prefix, self._next_number[prefix]), self._next_number[prefix]

    def _existing_recognitions(
        self, codes: Sequence[str], created: set[str]
    ) -> set[tuple[Any, ...]]:
        """The recognitions of these models: the registry's (unless this import creates
        the model: then a registered model with the same provisional code is another
        one) and the staged ones."""
        found: set[tuple[Any, ...]] = set()
        registered = [c for c in codes if c not in created]
        for start in range(0, len(registered), 900):
            part = registered[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            found.update(
                (code, year, level, fold(decision or ""), self._normal(decided))
                for code, year, level, decision, decided in self.conn.exec_driver_sql(
                    "SELECT m.code, r.year, r.level, r.decision_no, r.decided_on "
                    "FROM recognitions r JOIN models m ON m.id = r.model_id "
                    f"WHERE m.code IN ({marks})",
                    tuple(part),
                )
            )
        staged = self._staged_rows(
            "recognitions", "code, year, level, decision_no, decided_on", "code", codes
        )
        found.update(
            (code, year, level, fold(decision or ""), self._normal(decided))
            for code, year, level, decision, decided in staged
        )
        return found

    # -- classifying -----------------------------------------------------------

    def write(self, rows: list[_Row], reject: Callable[[_Row, str, str], None]) -> None:
        """Stage one chunk. Rows that clash are handed to `reject` and change nothing."""
        keyed = self._codes_by_natural_key([r for r in rows if r.code is None])
        groups: dict[str, list[_Row]] = {}
        generated: dict[str, int] = {}
        for row in rows:
            code = row.code or keyed.get(row.natural_key())
            if code is None:
                code, generated[code] = self._generate_code(row)
                keyed[row.natural_key()] = code
            groups.setdefault(code, []).append(row)
        existing, created = self._existing_by_code(list(groups))
        for code in generated:
            # A new number is this import's, even if someone registered it meanwhile.
            existing.pop(code, None)
            created.add(code)
        known_recognitions = self._existing_recognitions(list(existing), created)
        recognized = {key[0] for key in known_recognitions}

        new_models: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        new_recognitions: list[tuple[Any, ...]] = []
        status_changes: list[str] = []
        events: list[dict[str, Any]] = []
        for code, group in groups.items():
            first = group[0]
            clash = next((r for r in group[1:] if r.model_values() != first.model_values()), None)
            if clash is not None:
                message = _(
                    "code {code} has different details on lines {line} and {other}; "
                    "one model, one set of details"
                ).format(code=code, line=first.line, other=clash.line)
                for r in group:
                    reject(r, "code", message)
                continue
            stored = existing.get(code)
            created_here = stored is not None and stored[1] in self.batch_ids
            fresh = stored is None or created_here
            changed = False
            if stored is not None and self._differs(stored[2:], first.model_values()):
                if created_here or self.policy is OnConflict.fail:
                    difference = self._difference(stored[2:], first.model_values())
                    if created_here:
                        message = _(
                            "code {code} is earlier in this batch with a different {difference}"
                        )
                    else:
                        message = _(
                            "code {code} is in the registry with a different {difference}; "
                            "use --on-conflict skip or update"
                        )
                    message = message.format(code=code, difference=difference)
                    for r in group:
                        reject(r, "code", message)
                    continue
                if self.policy is OnConflict.skip:
                    self.summary.skipped += len(group)
                    continue
                updates.append(self._update_params(code, first))
                changed = True
            if stored is None:
                new_models.append((generated.get(code), *self._model_params(code, first, group)))
            added_rows: list[_Row] = []
            for r in group:
                added = r.recognition is not None and self._new_recognition(
                    code, r.recognition, known_recognitions, new_recognitions
                )
                if added:
                    added_rows.append(r)
                if fresh:
                    self.summary.inserted += 1
                elif changed or added:
                    self.summary.updated += 1
                else:
                    self.summary.skipped += 1
            if added_rows and stored is not None and stored[0] == Status.registered:
                status_changes.append(code)
            if not fresh and (changed or added_rows):
                assert stored is not None
                has_recognitions = bool(added_rows) or code in recognized
                events.append(
                    self._event(code, stored, first, changed, added_rows, has_recognitions)
                )
        self._stage(new_models, updates, new_recognitions, status_changes)
        if events:
            self._stage_events(events)

    def _event(
        self,
        code: str,
        stored: Sequence[Any],
        first: _Row,
        changed: bool,
        added: Sequence[_Row],
        recognized: bool,
    ) -> dict[str, Any]:
        """The audit event of a registered model that this batch changed (its status
        too, as `withdraw` and `recognize` record it); models the batch created are
        told by the batch's own event."""
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if changed:
            values = zip(_MODEL_COLUMNS, stored[2:], first.model_values(), strict=True)
            for column, old, new in values:
                if self._normal(old) != new:
                    before[column], after[column] = _json(self._normal(old)), _json(new)
        status = _status_of(first.withdrawn_on is not None, recognized)
        if status != stored[0]:
            before["status"], after["status"] = stored[0], status
        if added:
            after["recognitions"] = [
                {"year": r.recognition.year, "level": r.recognition.level.value,
                 "decision": r.recognition.decision_no,
                 "decided_on": _json(r.recognition.decided_on)}
                for r in added
                if r.recognition is not None
            ]  # fmt: skip
        return event_row(
            actor=self.actor, command="import", code=code, before=before, after=after,
            batch_id=self.batch_id,
        )  # fmt: skip

    def _new_recognition(
        self,
        code: str,
        rec: RecognitionDraft,
        known: set[tuple[Any, ...]],
        pending: list[tuple[Any, ...]],
    ) -> bool:
        """Queue a recognition unless the registry (or this batch) already has it."""
        rec_key = (code, rec.year, rec.level.value, fold(rec.decision_no or ""), rec.decided_on)
        if rec_key in known:
            return False
        known.add(rec_key)
        pending.append(self._recognition_params(code, rec))
        return True

    def _differs(self, stored: Sequence[Any], given: Sequence[Any]) -> bool:
        return tuple(self._normal(v) for v in stored) != tuple(given)

    @staticmethod
    def _normal(value: Any) -> Any:
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        return value

    def _difference(self, stored: Sequence[Any], given: Sequence[Any]) -> str:
        """The first column that differs (an identifier, as the file names it), with both
        values; dates in the reader's style."""
        for column, a, b in zip(_MODEL_COLUMNS, stored, given, strict=True):
            if self._normal(a) != self._normal(b):
                return _("{column} ({stored} in the registry, {given} in the file)").format(
                    column=column, stored=_shown(self._normal(a)), given=_shown(b)
                )
        return _("details")

    @staticmethod
    def _status(row: _Row, group: Sequence[_Row]) -> str:
        return _status_of(
            row.withdrawn_on is not None, any(r.recognition is not None for r in group)
        )

    def _day(self, value: date | None) -> Any:
        """Dates as the driver wants them: ISO text for SQLite (as SQLAlchemy stores them)."""
        if value is None or not self.sqlite:
            return value
        return value.isoformat()

    def _model_params(self, code: str, row: _Row, group: Sequence[_Row]) -> tuple[Any, ...]:
        d, loc = row.model, row.model.locality
        commune = loc.commune
        return (
            code, d.name, fold(d.name), d.description, loc.scheme, loc.province.code,
            loc.province.name, loc.province_input,
            commune.code if commune else None, commune.name if commune else None,
            loc.commune_input, *_legacy_params(loc),
            _PLAIN[d.field], _PLAIN[d.sponsor], _PLAIN[d.holder], d.holder_name,
            self._day(d.registered_on), self._status(row, group), self._day(row.withdrawn_on),
            row.withdrawn_reason, self.stamp, self.stamp, self.batch_id,
        )  # fmt: skip

    def _update_params(self, code: str, row: _Row) -> tuple[Any, ...]:
        d, loc = row.model, row.model.locality
        commune = loc.commune
        return (
            d.name, fold(d.name), d.description, loc.scheme, loc.province.code,
            loc.province.name, loc.province_input,
            commune.code if commune else None, commune.name if commune else None,
            loc.commune_input, *_legacy_params(loc),
            _PLAIN[d.field], _PLAIN[d.sponsor], _PLAIN[d.holder], d.holder_name,
            self._day(d.registered_on), self._day(row.withdrawn_on), row.withdrawn_reason,
            self.stamp, code,
        )  # fmt: skip

    def _recognition_params(self, code: str, rec: RecognitionDraft) -> tuple[Any, ...]:
        return (rec.year, _PLAIN[rec.level], rec.decision_no, self._day(rec.decided_on), rec.body,
                self.stamp, code)  # fmt: skip

    def _stage(
        self,
        models: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
        recognitions: list[tuple[Any, ...]],
        status_changes: list[str],
    ) -> None:
        """Put one chunk's writes into the staging tables: by executemany on SQLite, by
        COPY on PostgreSQL (many times fewer round trips)."""
        seq = self._next_seq
        batches: dict[str, tuple[Sequence[str], list[tuple[Any, ...]]]] = {
            "models": (_STAGE_TABLES["models"][0], [(seq(), "new", *m) for m in models]),
            # Updates fill only their own columns of the same table.
            "updates": (("seq", "kind", *_MODEL_UPDATE), [(seq(), "update", *u) for u in updates]),
            "recognitions": (_STAGE_TABLES["recognitions"][0], [(seq(), *r) for r in recognitions]),
            # Status follows the data: recounted for these codes once everything is in.
            "status": (("code",), [(c,) for c in (*status_changes, *(u[-1] for u in updates))]),
        }
        cursor = None
        if not self.sqlite:
            cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._staged_updates |= bool(updates)
        self._staged_status |= bool(batches["status"][1])
        for name, (columns, rows) in batches.items():
            if not rows:
                continue
            table = f"{self.temp}.stage_{'models' if name == 'updates' else name}"
            names = ", ".join(columns)
            if cursor is None:
                marks = ", ".join("?" for _ in columns)
                self.conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            else:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        self.summary.recognitions += len(recognitions)

    def _stage_events(self, events: list[dict[str, Any]]) -> None:
        columns = _STAGE_TABLES["events"][0]
        rows = []
        for event in events:
            values = {**event, "seq": self._next_seq()}
            if self.sqlite:  # as SQLAlchemy stores a datetime in SQLite
                values["at"] = values["at"].strftime("%Y-%m-%d %H:%M:%S.%f")
            rows.append(tuple(values[c] for c in columns))
        marks = ", ".join([self.mark] * len(columns))
        self.conn.exec_driver_sql(
            f"INSERT INTO {self.temp}.stage_events ({', '.join(columns)}) VALUES ({marks})", rows
        )

    # -- swapping the staged batch in -------------------------------------------

    def lock(self) -> None:
        """PostgreSQL: take what `register` takes, in the same order (each code prefix
        this import numbers in, then the models), so that writers wait for the swap
        rather than deadlock with it. (SQLite: BEGIN IMMEDIATE, by the caller.)"""
        if self.sqlite:
            return
        for prefix in sorted(self._first_number):
            last_number(self.conn, prefix)
        self.conn.exec_driver_sql("LOCK TABLE models IN SHARE ROW EXCLUSIVE MODE")

    def check_meanwhile(self) -> None:
        """Refuse the batch if someone else changed a model it writes since it was
        staged: the decisions made for it (new or registered, conflict or not, which
        recognitions are new) may no longer hold. New numbers are not such a change:
        `renumber` moves them past the ones taken meanwhile."""
        models_mark, recognitions_mark, events_mark = self._marks
        run = self.conn.exec_driver_sql
        new = run(
            "SELECT code, name_folded, province_code, commune_code, registered_on "
            f"FROM models WHERE id > {self.mark}",
            (models_mark,),
        ).all()
        codes = {row[0] for row in new}
        codes.update(
            code
            for (code,) in run(
                f"SELECT model_code FROM events WHERE id > {self.mark} AND model_code IS NOT NULL",
                (events_mark,),
            )
        )
        codes.update(
            code
            for (code,) in run(
                "SELECT m.code FROM recognitions r JOIN models m ON m.id = r.model_id "
                f"WHERE r.id > {self.mark}",
                (recognitions_mark,),
            )
        )
        wanted = sorted(codes)
        numbered_here = {
            code
            for code, gen in self._staged_rows("models", "code, gen", "code", wanted, False)
            if gen
        }
        touched = {
            code
            for table, column in _STAGE_CODES
            for (code,) in self._staged_rows(table, column, column, wanted, ordered=False)
        }
        # A model registered meanwhile with the name, place and date of one this import
        # numbers: the same model, which the import would have matched had it been read.
        names = sorted({row[1] for row in new}) if self._first_number else []
        keys = {(n, p, c, self._normal(r)) for _, n, p, c, r in new}
        clashes = sorted(touched - numbered_here)
        clashes += sorted(
            code
            for name, province, commune, registered, code, gen in self._staged_rows(
                "models",
                "name_folded, province_code, commune_code, registered_on, code, gen",
                "name_folded",
                names,
                ordered=False,
            )
            if gen and (name, province, commune, self._normal(registered)) in keys
        )
        if clashes:
            raise Conflict(
                _(
                    "{count} model(s) of this import, {code} first, were changed by someone "
                    "else while it was read; nothing was imported: import the file(s) again"
                ).format(count=i18n.number(len(set(clashes))), code=clashes[0])
            )

    def renumber(self) -> None:
        """Move this import's new numbers past any taken since they were given (by
        `register` meanwhile), keeping their order."""
        remap: list[tuple[str, str]] = []
        for prefix, first in sorted(self._first_number.items()):
            last = last_number(self.conn, prefix)
            if last == first:
                continue  # nobody numbered in this prefix meanwhile: the numbers hold
            staged = self.conn.exec_driver_sql(
                f"SELECT code, gen FROM {self.temp}.stage_models "
                f"WHERE kind = 'new' AND code LIKE {self.mark}",
                (f"{prefix}%",),
            ).all()
            given = highest_number((code for code, gen in staged if gen is None), prefix)
            base = max(last, given)
            remap += [(code, numbered(prefix, base + gen - first)) for code, gen in staged if gen]
        if not remap:
            return
        run = self.conn.exec_driver_sql
        if self.sqlite:
            run("CREATE TEMP TABLE stage_remap (old PRIMARY KEY, new)")
        else:
            run("CREATE TEMP TABLE stage_remap (old text PRIMARY KEY, new text)")
        run(f"INSERT INTO {self.temp}.stage_remap VALUES ({self.mark}, {self.mark})", remap)
        # One statement per table reads every old code before it writes a new one, so
        # a code moved onto another's old number is not moved twice.
        for table in ("models", "recognitions", "status"):
            run(
                f"UPDATE {self.temp}.stage_{table} SET code = (SELECT r.new FROM "
                f"{self.temp}.stage_remap AS r WHERE r.old = stage_{table}.code) "
                f"WHERE code IN (SELECT old FROM {self.temp}.stage_remap)"
            )

    def _order(self, alias: str = "") -> str:
        """The order rows were staged in: SQLite's rowid is it, and costs no sort."""
        return f"ORDER BY {alias}{'rowid' if self.sqlite else 'seq'}"

    def swap(self, batches: dict[int, int]) -> None:
        """Move the staged rows into the registry: a few statements, whatever the size
        of the batch, so the write lock is held briefly. `batches` maps each file's
        mark to its batch's id."""
        run = self.conn.exec_driver_sql
        temp = self.temp
        if self.sqlite:  # the room goes to the registry's code index, which the swap fills
            run("PRAGMA temp.cache_size = -2000")
            run(f"PRAGMA main.cache_size = -{_CACHE_KB}")
        batch = (
            "CASE batch_id "
            + " ".join(
                f"WHEN {int(mark)} THEN {int(batch_id)}" for mark, batch_id in batches.items()
            )
            + " END"
        )
        values = ", ".join(batch if c == "batch_id" else c for c in _MODEL_INSERT)
        run(
            f"INSERT INTO models ({', '.join(_MODEL_INSERT)}) "
            f"SELECT {values} FROM {temp}.stage_models WHERE kind = 'new' {self._order()}"
        )
        updated = ", ".join(c for c in _MODEL_UPDATE if c != "code")
        if self._staged_updates:
            run(
                f"UPDATE models SET ({updated}) = (SELECT {updated} FROM {temp}.stage_models AS s "
                "WHERE s.kind = 'update' AND s.code = models.code ORDER BY s.seq DESC LIMIT 1) "
                f"WHERE code IN (SELECT code FROM {temp}.stage_models WHERE kind = 'update')"
            )
        recognition = ", ".join(_RECOGNITION_INSERT)
        run(
            f"INSERT INTO recognitions (model_id, {recognition}) "
            f"SELECT m.id, {', '.join('s.' + c for c in _RECOGNITION_INSERT)} "
            f"FROM {temp}.stage_recognitions AS s JOIN models AS m ON m.code = s.code "
            + self._order("s.")
        )
        if self._staged_status:
            run(
                f"UPDATE models SET status = {_STATUS_SQL} "
                f"WHERE code IN (SELECT code FROM {temp}.stage_status)"
            )

    def swap_events(self, mark: int, batch_id: int) -> None:
        """The staged events of one file's batch, in the order they were made."""
        columns = [c for c in _STAGE_TABLES["events"][0] if c != "seq"]
        values = ", ".join(self.mark if c == "batch_id" else c for c in columns)
        self.conn.exec_driver_sql(
            f"INSERT INTO events ({', '.join(columns)}) SELECT {values} "
            f"FROM {self.temp}.stage_events WHERE batch_id = {self.mark} ORDER BY seq",
            (batch_id, mark),
        )

    def prepare_bulk_load(self) -> None:
        """Into an empty registry, drop the secondary indexes and rebuild them at the end.

        Building an index once is several times faster than updating it row by row;
        the unique code index stays, since matching rows needs it.
        """
        self._dropped = []
        if self.conn.exec_driver_sql("SELECT 1 FROM models LIMIT 1").first() is not None:
            return
        for name in ("models", "recognitions"):
            for index in sorted(
                SQLModel.metadata.tables[name].indexes, key=lambda ix: str(ix.name)
            ):
                if not index.unique:
                    index.drop(self.conn)
                    self._dropped.append(index)

    def finish_bulk_load(self) -> None:
        for index in self._dropped:
            index.create(self.conn)
        if self._dropped and self.sqlite:
            # Statistics for the planner, which otherwise reads all of ix_models_tally
            # where a range by registration date would do (a tally at 4 million models:
            # 0.31 s instead of 0.21 s). Sampled: a third of a second at that size.
            self.conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
            self.conn.exec_driver_sql("ANALYZE")
        self._dropped = []


def _status_of(withdrawn: bool, recognized: bool) -> str:
    """A model's status follows its data: withdrawn wins, then any recognition (the rule
    of `_STATUS_SQL`, for the rows in hand)."""
    if withdrawn:
        return Status.withdrawn.value
    return Status.recognized.value if recognized else Status.registered.value


#: A model's status from its stored data (see `_status_of`).
_STATUS_SQL = (
    "CASE WHEN withdrawn_on IS NOT NULL THEN 'withdrawn' WHEN EXISTS (SELECT 1 FROM "
    "recognitions r WHERE r.model_id = models.id) THEN 'recognized' ELSE 'registered' END"
)


# The columns of each kind of parameter tuple, in order: the statements below, and
# PostgreSQL's staging tables, are built from them.
_MODEL_INSERT = (
    "code", "name", "name_folded", "description", "locality_scheme", "province_code",
    "province_name", "province_input", "commune_code", "commune_name", "commune_input",
    "district_input", "legacy_province_code", "legacy_district_code", "legacy_commune_code",
    "field", "sponsor", "holder", "holder_name", "registered_on", "status", "withdrawn_on",
    "withdrawn_reason", "created_at", "updated_at", "batch_id",
)  # fmt: skip
_MODEL_UPDATE = (
    "name", "name_folded", "description", "locality_scheme", "province_code", "province_name",
    "province_input", "commune_code", "commune_name", "commune_input", "district_input",
    "legacy_province_code", "legacy_district_code", "legacy_commune_code", "field", "sponsor",
    "holder", "holder_name", "registered_on", "withdrawn_on", "withdrawn_reason", "updated_at",
    "code",
)  # fmt: skip
_RECOGNITION_INSERT = ("year", "level", "decision_no", "decided_on", "body", "created_at")

#: The staging tables: their columns (SQLite's are untyped), and PostgreSQL's shape for
#: them, taken from the registry's own tables (no constraints: they are only filled).
_STAGE_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "models": (
        ("seq", "kind", "gen", *_MODEL_INSERT),
        "SELECT 0::bigint AS seq, ''::text AS kind, 0::bigint AS gen, "
        f"{', '.join(_MODEL_INSERT)} FROM models",
    ),
    "recognitions": (
        ("seq", *_RECOGNITION_INSERT, "code"),
        f"SELECT 0::bigint AS seq, {', '.join('r.' + c for c in _RECOGNITION_INSERT)}, m.code "
        "FROM recognitions AS r, models AS m",
    ),
    "events": (
        ("seq", "at", "actor", "command", "model_code", "batch_id", "before", "after"),
        "SELECT 0::bigint AS seq, at, actor, command, model_code, batch_id, before, after "
        "FROM events",
    ),
    "status": (("code",), "SELECT code FROM models"),
}
_STAGE_INDEXES = (("models", "code"), ("recognitions", "code"), ("events", "batch_id"))
#: Where the staging tables name a model the batch writes.
_STAGE_CODES = (
    ("models", "code"), ("recognitions", "code"), ("status", "code"), ("events", "model_code"),
)  # fmt: skip


def _shown(value: Any) -> str:
    return day(value) if isinstance(value, date) else str(value)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _legacy_params(loc: Locality) -> tuple[Any, ...]:
    return (
        loc.district_input,
        loc.legacy_province.code if loc.legacy_province else None,
        loc.legacy_district.code if loc.legacy_district else None,
        loc.legacy_commune.code if loc.legacy_commune else None,
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


def _chunks(rows: Iterable[_Row | RowError], size: int) -> Iterator[list[_Row | RowError]]:
    chunk: list[_Row | RowError] = []
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
    the batch in (see `_Writer`). With `skip_invalid`, valid rows are kept and invalid
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
            writer = _Writer(conn, options.on_conflict, summary, registry.actor)
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


def _close_stage(conn: Connection, writer: _Writer) -> None:
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

    def reject(self, row: _Row | RowError, column: str | None, message: str) -> None:
        error = (
            row
            if isinstance(row, RowError)
            else RowError(row.source, row.line, column, message, row.raw)
        )
        self.summary.invalid += 1
        if len(self.summary.errors) < KEPT_ERRORS:
            self.summary.errors.append(error)
        if self.errors is not None:
            self.errors.writerow([error.source, error.line, error.column or "", error.message,
                                  *(error.row.get(c, "") for c in HEADERS)])  # fmt: skip

    def start_source(self, writer: _Writer, info: SourceInfo) -> None:
        """The file's batch is a mark until `swap` writes its record: the models the
        file creates point to it."""
        self._before = self._counts()
        self._started = utc_now()
        self._mark = -(len(self.sources) + 1)
        writer.batch_id = self._mark
        writer.batch_ids.add(self._mark)

    def apply(self, writer: _Writer, chunk: list[_Row | RowError]) -> None:
        valid: list[_Row] = []
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

    def swap(self, conn: Connection, writer: _Writer) -> None:
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


#: Validation speaks of a recognition's "year"; the file's column is "recognition_year".
_FIELD_COLUMNS = {
    "year": "recognition_year",
    "level": "recognition_level",
    "decision": "decision_no",
    "by": "recognized_by",
    "reason": "withdrawn_reason",
}


def _validated(
    rows: Iterator[tuple[int, dict[str, str]]], info: SourceInfo, today: date, scheme: str | None
) -> Iterator[_Row | RowError]:
    for line, raw in rows:
        try:
            yield validate_row(raw, info.name, line, today, scheme)
        except InvalidInput as exc:
            column = _FIELD_COLUMNS.get(exc.field or "", exc.field)
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
