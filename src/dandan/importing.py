"""Batch import of models and their recognitions: validated, atomic, idempotent.

A file holds one row per model, or several rows with the same code for a model
recognised several times. Every row goes through `dandan.validation`, the same
rules as `dandan register` and `dandan recognize`. The rows are streamed in
chunks and written inside one transaction that commits only at the end, so
memory stays flat and a failure, Ctrl-C or kill leaves the registry as it was.

Rows are matched to the registry by model code (rows without a code, by name,
place and registration date), so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TextIO

from sqlalchemy import Connection, insert, update
from sqlmodel import SQLModel, col

from dandan.errors import InvalidInput
from dandan.i18n import _, day
from dandan.models import Event, ImportBatch
from dandan.registry import Registry, code_prefix, event_row, last_number, utc_now
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
    committed: bool = False

    def as_dict(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "skipped": self.skipped,
            "invalid": self.invalid,
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
        )


_MODEL_COLUMNS = (
    "name", "description", "province_code", "commune_code", "locality_scheme",
    "legacy_province_code", "legacy_district_code", "legacy_commune_code", "field", "sponsor",
    "holder", "holder_name", "registered_on", "withdrawn_on",
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
    """Writes validated chunks through the driver's executemany, inside one transaction.

    Plain parameter tuples are several times faster than ORM objects or Core
    dictionaries, which matters at 400,000 rows.
    """

    def __init__(
        self, conn: Connection, policy: OnConflict, summary: ImportSummary, actor: str
    ) -> None:
        self.conn = conn
        self.policy = policy
        self.summary = summary
        self.sqlite = conn.dialect.name == "sqlite"
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        #: The batches of this import: a model they created is continued, not conflicting.
        self.batch_ids: set[int] = set()
        self.batch_id: int | None = None
        self._next_number: dict[str, int] = {}
        self._dropped: list[Any] = []
        self._staged = False  # PostgreSQL's staging tables exist (see `_copy`)
        self.actor = actor
        now = utc_now()
        #: created_at/updated_at of every row; text on SQLite, in SQLAlchemy's format.
        self.stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now

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

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.mark)

    # -- matching rows to the registry ----------------------------------------

    def _existing_by_code(self, codes: Sequence[str]) -> dict[str, tuple[Any, ...]]:
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
        return found

    def _codes_by_natural_key(self, rows: Sequence[_Row]) -> dict[tuple[Any, ...], str]:
        names = sorted({r.natural_key()[0] for r in rows})
        found: dict[tuple[Any, ...], str] = {}
        for start in range(0, len(names), 900):
            part = names[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            result = self.conn.exec_driver_sql(
                "SELECT name_folded, province_code, commune_code, registered_on, code "
                f"FROM models WHERE name_folded IN ({marks})",
                tuple(part),
            )
            for name, province, commune, registered, code in result:
                if isinstance(registered, str):
                    registered = date.fromisoformat(registered)
                found[(name, province, commune, registered)] = code
        return found

    def _generate_code(self, row: _Row) -> str:
        prefix = code_prefix(row.model.locality.province.code, row.model.registered_on.year)
        if prefix not in self._next_number:
            self._next_number[prefix] = last_number(self.conn, prefix)
        self._next_number[prefix] += 1
        return f"{prefix}{self._next_number[prefix]:05d}"

    def _existing_recognitions(self, codes: Sequence[str]) -> set[tuple[Any, ...]]:
        found: set[tuple[Any, ...]] = set()
        for start in range(0, len(codes), 900):
            part = codes[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            result = self.conn.exec_driver_sql(
                "SELECT m.code, r.year, r.level, r.decision_no, r.decided_on FROM recognitions r "
                f"JOIN models m ON m.id = r.model_id WHERE m.code IN ({marks})",
                tuple(part),
            )
            for code, year, level, decision, decided in result:
                if isinstance(decided, str):
                    decided = date.fromisoformat(decided)
                found.add((code, year, level, fold(decision or ""), decided))
        return found

    # -- writing ---------------------------------------------------------------

    def write(self, rows: list[_Row], reject: Callable[[_Row, str, str], None]) -> None:
        """Apply one chunk. Rows that clash are handed to `reject` and change nothing."""
        keyed = self._codes_by_natural_key([r for r in rows if r.code is None])
        groups: dict[str, list[_Row]] = {}
        for row in rows:
            code = row.code or keyed.get(row.natural_key())
            if code is None:
                code = self._generate_code(row)
                keyed[row.natural_key()] = code
            groups.setdefault(code, []).append(row)
        existing = self._existing_by_code(list(groups))
        known_recognitions = self._existing_recognitions(list(existing))

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
                new_models.append(self._model_params(code, first, group))
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
                events.append(self._event(code, stored[2:], first, changed, added_rows))
        self._flush(new_models, updates, new_recognitions, status_changes)
        if events:
            self.conn.execute(insert(Event), events)

    def _event(
        self,
        code: str,
        stored: Sequence[Any],
        first: _Row,
        changed: bool,
        added: Sequence[_Row],
    ) -> dict[str, Any]:
        """The audit event of a registered model that this batch changed; models the
        batch created are told by the batch's own event."""
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if changed:
            for column, old, new in zip(_MODEL_COLUMNS, stored, first.model_values(), strict=True):
                if self._normal(old) != new:
                    before[column], after[column] = _json(self._normal(old)), _json(new)
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
        if row.withdrawn_on is not None:
            return "withdrawn"
        for r in group:
            if r.recognition is not None:
                return "recognized"
        return "registered"

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

    def _copy(
        self,
        models: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
        recognitions: list[tuple[Any, ...]],
    ) -> None:
        """PostgreSQL: stream each kind of row with COPY into a staging table, then merge
        it with one statement, in the import's transaction (many times fewer round trips
        than executemany)."""
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if not self._staged:
            for name, select in _STAGES.items():
                cursor.execute(
                    f"CREATE TEMP TABLE stage_{name} ON COMMIT DROP AS {select} WITH NO DATA"
                )
            self._staged = True
        batches = (("models", models), ("updates", updates), ("recognitions", recognitions))
        for name, rows in batches:
            if not rows:
                continue
            columns = ", ".join(_STAGE_COLUMNS[name])
            with cursor.copy(f"COPY stage_{name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(_MERGES[name])
            cursor.execute(f"TRUNCATE stage_{name}")
        self.summary.recognitions += len(recognitions)

    def _flush(
        self,
        models: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
        recognitions: list[tuple[Any, ...]],
        status_changes: list[str],
    ) -> None:
        if self.conn.dialect.name == "postgresql":
            self._copy(models, updates, recognitions)
        else:
            run = self.conn.exec_driver_sql
            if models:
                run(self._sql(_INSERT_MODELS), models)
            if updates:
                run(self._sql(_UPDATE_MODELS), updates)
            if recognitions:
                run(self._sql(_INSERT_RECOGNITIONS), recognitions)
                self.summary.recognitions += len(recognitions)
        if status_changes or updates:
            # Status follows the data: withdrawn wins, then any recognition, else registered.
            codes = [*status_changes, *(u[-1] for u in updates)]
            self.conn.exec_driver_sql(self._sql(
                "UPDATE models SET status = CASE WHEN withdrawn_on IS NOT NULL THEN 'withdrawn' "
                "WHEN EXISTS (SELECT 1 FROM recognitions r WHERE r.model_id = models.id) "
                "THEN 'recognized' ELSE 'registered' END WHERE code = ?"
            ), [(c,) for c in codes])  # fmt: skip


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

_INSERT_MODELS = (
    f"INSERT INTO models ({', '.join(_MODEL_INSERT)}) "
    f"VALUES ({', '.join('?' for _ in _MODEL_INSERT)})"
)
_UPDATE_MODELS = (
    "UPDATE models SET "
    + ", ".join(f"{c} = ?" for c in _MODEL_UPDATE if c != "code")
    + " WHERE code = ?"
)
_INSERT_RECOGNITIONS = (
    f"INSERT INTO recognitions (model_id, {', '.join(_RECOGNITION_INSERT)}) "
    f"SELECT id, {', '.join('?' for _ in _RECOGNITION_INSERT)} FROM models WHERE code = ?"
)

#: PostgreSQL: staging tables shaped like the tuples (no constraints: COPY only fills
#: them), and the statement merging each into the registry.
_STAGES = {
    "models": f"SELECT {', '.join(_MODEL_INSERT)} FROM models",
    "updates": f"SELECT {', '.join(_MODEL_UPDATE)} FROM models",
    "recognitions": f"SELECT {', '.join('r.' + c for c in _RECOGNITION_INSERT)}, m.code "
    "FROM recognitions AS r, models AS m",
}
_STAGE_COLUMNS = {
    "models": _MODEL_INSERT,
    "updates": _MODEL_UPDATE,
    "recognitions": (*_RECOGNITION_INSERT, "code"),
}
_MERGES = {
    "models": f"INSERT INTO models ({', '.join(_MODEL_INSERT)}) "
    f"SELECT {', '.join(_MODEL_INSERT)} FROM stage_models",
    "updates": "UPDATE models SET "
    + ", ".join(f"{c} = s.{c}" for c in _MODEL_UPDATE if c != "code")
    + " FROM stage_updates AS s WHERE models.code = s.code",
    "recognitions": f"INSERT INTO recognitions (model_id, {', '.join(_RECOGNITION_INSERT)}) "
    f"SELECT m.id, {', '.join('s.' + c for c in _RECOGNITION_INSERT)} "
    "FROM stage_recognitions AS s JOIN models AS m ON m.code = s.code",
}


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
    """Import files ("-" is standard input) in one transaction: all of it, or none.

    With `skip_invalid`, valid rows are kept and invalid ones reported; otherwise
    any invalid row means nothing is written. `errors_out` receives every rejected
    row as CSV with its reason; `progress` is called with the source and row count.
    """
    from dandan.database import translate_errors

    options = options or ImportOptions()
    today = options.today or date.today()
    summary = ImportSummary()
    job = _Job(summary, options, _error_writer(errors_out), registry.actor)
    engine = registry.open(create=True).execution_options(dandan_write=True)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # no cycles are made here; collection passes only slow a bulk load
    try:
        with translate_errors(registry.url), engine.connect() as conn:
            transaction = conn.begin()
            try:
                writer = _Writer(conn, options.on_conflict, summary, registry.actor)
                writer.prepare_bulk_load()
                for path in paths:
                    info = SourceInfo(as_text(path))
                    summary.sources.append(info)
                    job.start_source(conn, writer, info)
                    rows = read_source(
                        path, encoding=options.encoding, sheet=options.sheet, info=info
                    )
                    validated = _validated(rows, info, today, parse_scheme(options.boundaries))
                    for chunk in _chunks(validated, CHUNK):
                        summary.rows += len(chunk)
                        job.apply(writer, chunk)
                        if progress is not None:
                            progress(info, summary.rows)
                    job.end_source(conn, writer, info)
                writer.finish_bulk_load()
                if options.dry_run or (summary.invalid and not options.skip_invalid):
                    transaction.rollback()
                else:
                    transaction.commit()
                    summary.committed = True
            except BaseException:
                transaction.rollback()
                raise
    finally:
        if gc_was_enabled:
            gc.enable()
    return summary


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

    def start_source(self, conn: Connection, writer: _Writer, info: SourceInfo) -> None:
        """Open the file's batch record first, so the models it creates can point to it."""
        self._before = self._counts()
        result = conn.execute(
            insert(ImportBatch),
            {
                "source": info.name[:300], "sha256": "", "kind": info.kind, "rows": 0,
                "inserted": 0, "updated": 0, "skipped": 0, "invalid": 0, "actor": self.actor,
                "started_at": utc_now(), "finished_at": utc_now(),
            },
        )  # fmt: skip
        key = result.inserted_primary_key
        assert key is not None
        writer.batch_id = int(key[0])
        writer.batch_ids.add(writer.batch_id)

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

    def end_source(self, conn: Connection, writer: _Writer, info: SourceInfo) -> None:
        inserted, updated, skipped, invalid = (
            now - then for now, then in zip(self._counts(), self._before, strict=True)
        )
        conn.execute(
            update(ImportBatch).where(col(ImportBatch.id) == writer.batch_id),
            {
                "source": info.name[:300], "sha256": info.sha256, "kind": info.kind,
                "encoding": info.encoding, "rows": inserted + updated + skipped + invalid,
                "inserted": inserted, "updated": updated, "skipped": skipped, "invalid": invalid,
                "finished_at": utc_now(),
            },
        )  # fmt: skip
        # The batch in the audit trail; `dandan history` links a model to the batch that
        # created it (models.batch_id).
        after = {
            "file": info.name[:300], "sha256": info.sha256, "batch": writer.batch_id,
            "inserted": inserted, "updated": updated, "skipped": skipped, "invalid": invalid,
        }  # fmt: skip
        conn.execute(
            insert(Event),
            event_row(
                actor=self.actor, command="import", code=None, after=after,
                batch_id=writer.batch_id,
            ),
        )  # fmt: skip


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
