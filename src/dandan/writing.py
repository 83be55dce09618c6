"""The one writer: every change to the registry, a `register` or a 400,000-row import,
is a batch of validated `Change`s written here.

A `Change` is the whole record of one model as it is to be (validated by
`dandan.validation`) with at most one recognition. `Writer` classifies each change
against the registry (new, unchanged, updated, a conflict), numbers new models,
stages what is to be written in TEMP tables beside the registry, and `swap`s it in
with a few statements in one short write transaction, with the audit events. The
rules that involve the registry — codes, duplicate recognitions, status, events —
are here once, whatever the command.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, func, select
from sqlmodel import Session, SQLModel, col

from dandan import i18n
from dandan.errors import Conflict
from dandan.i18n import _, day
from dandan.localities import CODE_PREFIXES
from dandan.models import Model
from dandan.terms import Field, Holder, Level, Sponsor, Status
from dandan.text import fold
from dandan.validation import ModelDraft, RecognitionDraft


class Counts(Protocol):
    """What a writer counts as it classifies (an import's summary)."""

    inserted: int
    updated: int
    skipped: int
    recognitions: int


def utc_now() -> datetime:
    """Timestamps of the registry: UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def event_row(
    *,
    actor: str,
    command: str,
    code: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    batch_id: int | None = None,
) -> dict[str, Any]:
    """The values of one audit event, for `events` (written in the change's transaction)."""
    return {
        "at": utc_now(),
        "actor": actor,
        "command": command,
        "model_code": code,
        "batch_id": batch_id,
        "before": json.dumps(before, ensure_ascii=False) if before is not None else None,
        "after": json.dumps(after, ensure_ascii=False) if after is not None else None,
    }


def code_prefix(province_code: int, year: int) -> str:
    """Generated codes read "QTR-2023-00042": province, year of registration, number."""
    return f"{CODE_PREFIXES.get(province_code, 'VNM')}-{year}-"


def numbered(prefix: str, number: int) -> str:
    """The code of `number` after `prefix`: five digits at least."""
    return f"{prefix}{number:05d}"


def _number(code: str, prefix: str) -> int | None:
    """The number a code carries after `prefix`, if it ends in digits."""
    tail = code[len(prefix) :]
    return int(tail) if code.startswith(prefix) and tail.isascii() and tail.isdigit() else None


def highest_number(codes: Iterable[str], prefix: str) -> int:
    """The highest number among codes after `prefix`, counted as `last_number` counts
    it: the longest code first (100000 follows 99999)."""
    ordered = sorted(codes, key=lambda c: (len(c), c), reverse=True)
    return next((n for n in map(_number, ordered, [prefix] * len(ordered)) if n is not None), 0)


def last_number(conn: Session | Connection, prefix: str, *, lock: bool = True) -> int:
    """The highest number used after `prefix`; longest first, so 100000 follows 99999.

    On PostgreSQL the prefix is locked until the transaction ends (unless `lock` is
    false: a guess that a locked call confirms later), so that writers on a shared
    server number one after another (SQLite's BEGIN IMMEDIATE already lets one writer
    in at a time).
    """
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    if lock and bind.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(prefix))))
    stmt = (
        select(col(Model.code))
        .where(col(Model.code).like(f"{prefix}%"))
        .order_by(func.length(col(Model.code)).desc(), col(Model.code).desc())
    )
    for (code,) in conn.execute(stmt):
        number = _number(code, prefix)
        if number is not None:
            return number
    return 0


#: SQLite's page cache for the staging tables, then for the swap, in KiB: most of the
#: code index of a national batch (408,000 models: 10 MB), within the memory budget.
_CACHE_KB = 12_000
#: Terms as plain str: the driver binds exact str fastest (enum members go through
#: its adaptation protocol, and `.value` is a property call per use).
_PLAIN: dict[StrEnum, str] = {
    member: member.value for kind in (Field, Sponsor, Holder, Level) for member in kind
}


class OnConflict(StrEnum):
    """What to do with a row whose code is registered with different details."""

    fail = "fail"
    skip = "skip"
    update = "update"


@dataclass(slots=True)
class Change:
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
        d = self.model
        return (
            d.name, d.description, *d.locality.compared, _PLAIN[d.field], _PLAIN[d.sponsor],
            _PLAIN[d.holder], d.holder_name, d.registered_on, self.withdrawn_on,
            self.withdrawn_reason,
        )  # fmt: skip


_MODEL_COLUMNS = (
    "name", "description", "province_code", "commune_code", "locality_scheme",
    "legacy_province_code", "legacy_district_code", "legacy_commune_code", "field", "sponsor",
    "holder", "holder_name", "registered_on", "withdrawn_on", "withdrawn_reason",
)  # fmt: skip


class Writer:
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

    def __init__(self, conn: Connection, policy: OnConflict, summary: Counts, actor: str) -> None:
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
        self._days: dict[date, str] = {}

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

    def _codes_by_natural_key(self, rows: Sequence[Change]) -> dict[tuple[Any, ...], str]:
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

    def _generate_code(self, row: Change) -> tuple[str, int]:
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

    def write(self, rows: list[Change], reject: Callable[[Change, str, str], None]) -> None:
        """Stage one chunk. Rows that clash are handed to `reject` and change nothing."""
        keyed = self._codes_by_natural_key([r for r in rows if r.code is None])
        groups: dict[str, list[Change]] = {}
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
            added_rows: list[Change] = []
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
        first: Change,
        changed: bool,
        added: Sequence[Change],
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
    def _status(row: Change, group: Sequence[Change]) -> str:
        return _status_of(
            row.withdrawn_on is not None, any(r.recognition is not None for r in group)
        )

    def _day(self, value: date | None) -> Any:
        """Dates as the driver wants them: ISO text for SQLite (as SQLAlchemy stores them),
        each distinct date written out once."""
        if value is None or not self.sqlite:
            return value
        try:
            return self._days[value]
        except KeyError:
            text = self._days[value] = value.isoformat()
            return text

    def _model_params(self, code: str, row: Change, group: Sequence[Change]) -> tuple[Any, ...]:
        d, day = row.model, self._day
        # The first recognition, as the registry's trigger on recognitions would set it
        # (it then finds it set and writes nothing: one UPDATE per recognition took half
        # the swap); one of a later chunk that comes earlier still moves it.
        first = _recognized_on(row.recognition)
        if len(group) > 1:
            first = min((_recognized_on(r.recognition) for r in group), key=_undated)
        return (
            code, d.name, fold(d.name), d.description, *d.locality.stored,
            _PLAIN[d.field], _PLAIN[d.sponsor], _PLAIN[d.holder], d.holder_name,
            day(d.registered_on), _status_of(row.withdrawn_on is not None, first is not None),
            day(row.withdrawn_on), row.withdrawn_reason, self.stamp, self.stamp, self.batch_id,
            day(first),
        )  # fmt: skip

    def _update_params(self, code: str, row: Change) -> tuple[Any, ...]:
        d = row.model
        return (
            d.name, fold(d.name), d.description, *d.locality.stored,
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
        columns = ", ".join(_MODEL_INSERT)
        run(
            f"INSERT INTO models ({columns}) "
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


def _recognized_on(recognition: RecognitionDraft | None) -> date | None:
    """A recognition's date as the registry counts it: its decision date, else 31
    December of its year (`dandan.models`, the triggers)."""
    if recognition is None:
        return None
    return recognition.decided_on or date(recognition.year, 12, 31)


def _undated(day: date | None) -> date:
    """Sorting key: no date comes last."""
    return day or date.max


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
    "withdrawn_reason", "created_at", "updated_at", "batch_id", "first_recognized_on",
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
