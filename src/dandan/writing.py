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
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, func, select
from sqlmodel import SQLModel, col

from dandan import i18n
from dandan.errors import Advice, Conflict, InvalidInput, NotFound
from dandan.i18n import _, day
from dandan.localities import CODE_PREFIXES, MERGER_DAY
from dandan.models import Model
from dandan.terms import Area, Award, Field, Holder, Kind, Level, Result, Sponsor, Status, label
from dandan.text import fold, sort_prefix, undecodable
from dandan.validation import (
    AREA_SEPARATOR,
    CommendationDraft,
    ContestDraft,
    ModelDraft,
    RecognitionDraft,
    ReviewDraft,
    stored_locality,
)


class Reject(Protocol):
    """Where a chunk's refused rows go: the row, the column at fault, why, and what
    would resolve it."""

    def __call__(
        self, row: Change, column: str | None, message: str, advice: Advice | None = None
    ) -> None: ...


class Counts(Protocol):
    """What a writer counts as it classifies (an import's summary)."""

    inserted: int
    updated: int
    skipped: int
    recognitions: int


def commendation_key(year: int, award: str, body: str | None) -> tuple[int, str, str]:
    """Two commendations with one key are one: the same award in the same year by the
    same body (its name compared as clerks may write it, case and marks aside)."""
    return (int(year), award, fold(body or ""))


def check_commendation(
    code: str,
    registered_on: date,
    com: CommendationDraft,
    commendations: Iterable[Commended],
) -> bool:
    """The rules of a model's commendation, whatever writes it: not before the model's
    registration, and once per award, year and body. False when the model has this very
    commendation already (an import read twice); a different one under that key refused."""
    if com.decided_on is not None and com.decided_on < registered_on:
        raise InvalidInput(
            _("commendation dated {date} is before the model's registration on {registered}")
            .format(date=day(com.decided_on), registered=day(registered_on)),
            field="decided_on",
        )  # fmt: skip
    if com.year < registered_on.year:
        raise InvalidInput(
            _("commendation year {year} is before the model's registration on {registered}")
            .format(year=com.year, registered=day(registered_on)),
            field="year",
        )  # fmt: skip
    wanted = commendation_key(com.year, com.award.value, com.body)
    for other in commendations:
        if commendation_key(other.year, other.award, other.body) != wanted:
            continue
        if (decision_key(other.decision), other.decided_on) == (
            decision_key(com.decision_no),
            com.decided_on,
        ):
            return False
        raise Conflict(
            _(
                "model {code} already has this commendation ({award}, {year}, by {body}); "
                "a body gives an award once a year"
            ).format(code=code, award=award_words(com.award.value), year=com.year, body=other.body),
            field="award",
        )
    return True


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


def no_such_model(code: str) -> NotFound:
    return NotFound(_("no model with code {code!r}").format(code=code), advice=Advice.find_code)


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


def last_number(conn: Connection, prefix: str, *, lock: bool = True) -> int:
    """The highest number used after `prefix`; longest first, so 100000 follows 99999.

    On PostgreSQL the prefix is locked until the transaction ends (unless `lock` is
    false: a guess that a locked call confirms later), so that writers on a shared
    server number one after another (SQLite's BEGIN IMMEDIATE already lets one writer
    in at a time).
    """
    if lock and conn.dialect.name == "postgresql":
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
    member: member.value
    for terms in (Field, Sponsor, Holder, Kind, Area, Level, Award, Result)
    for member in terms
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
    commendation: CommendationDraft | None = None
    #: The model's review of a year (an import's columns of its latest review).
    review: ReviewDraft | None = None

    def natural_key(self) -> tuple[str, int, int | None, date]:
        loc = self.model.locality
        return (
            fold(self.model.name),
            loc.province.code,
            loc.commune.code if loc.commune else None,
            self.model.registered_on,
        )

    def columns(self) -> dict[str, Any]:
        """The stored columns this change gives its model (`_STORED`), for the audit trail."""
        loc = self.model.locality
        shown = (
            loc.province.name,
            loc.province_input,
            loc.commune.name if loc.commune else None,
            loc.commune_input,
            loc.district_input,
        )
        return dict(zip(_STORED, (*self.model_values(), *shown), strict=True))

    def model_values(self) -> tuple[Any, ...]:
        """What must agree between two rows (or a row and the registry) of one model."""
        d = self.model
        return (
            d.name, d.description, *d.locality.compared, _PLAIN[d.field], _PLAIN[d.sponsor],
            _PLAIN[d.holder], d.holder_name, _PLAIN[d.kind], *d.form(), areas_text(d.areas),
            d.replicates, d.registered_on, self.withdrawn_on, self.withdrawn_reason,
        )  # fmt: skip


def areas_text(areas: Iterable[Area]) -> str:
    """A model's areas as the writer compares and stages them: identifiers in the
    vocabulary's order, joined by ";" ("" for none)."""
    return AREA_SEPARATOR.join(_PLAIN[a] for a in areas)


def stored_areas(values: Iterable[str]) -> str:
    """Areas read from the registry, as `areas_text` gives them (in the vocabulary's order)."""
    wanted = set(values)
    known = [a.value for a in Area if a.value in wanted]
    return AREA_SEPARATOR.join(known + sorted(wanted - set(known)))


def form_folded(draft: ModelDraft) -> str | None:
    """The form's items folded for `--search`, as `name_folded` is the name."""
    folded = " ".join(fold(item) for item in draft.form() if item)
    return folded or None


_MODEL_COLUMNS = (
    "name", "description", "province_code", "commune_code", "locality_scheme",
    "legacy_province_code", "legacy_district_code", "legacy_commune_code", "field", "sponsor",
    "holder", "holder_name", "kind", "objectives", "method", "target_group", "expected_results",
    "sustainability", "areas", "replicates", "registered_on", "withdrawn_on", "withdrawn_reason",
)  # fmt: skip
#: Not a column of `models`: the areas are rows of `model_areas` (`stored_areas`), and a
#: column of the models' staging table.
_AREAS = "areas"
#: Where a stored model's values end and its shown columns begin, in `_STORED`
#: (after status and batch): and where its withdrawal date is among them.
_COMPARED = 2 + len(_MODEL_COLUMNS)
_WITHDRAWN_ON = _MODEL_COLUMNS.index("withdrawn_on")
#: What the writer reads of a stored model: the values compared, then what the audit
#: trail also shows (the units' names and the places as typed).
_STORED = (
    *_MODEL_COLUMNS, "province_name", "province_input", "commune_name", "commune_input",
    "district_input",
)  # fmt: skip
#: The audit trail's name for each stored column of a model (its "snapshot").
_AUDITED = (
    ("name", "name"), ("description", "description"), ("province", "province_name"),
    ("province_code", "province_code"), ("province_input", "province_input"),
    ("commune", "commune_name"), ("commune_code", "commune_code"),
    ("commune_input", "commune_input"), ("district_input", "district_input"),
    ("locality_scheme", "locality_scheme"), ("legacy_province_code", "legacy_province_code"),
    ("legacy_district_code", "legacy_district_code"),
    ("legacy_commune_code", "legacy_commune_code"), ("field", "field"), ("sponsor", "sponsor"),
    ("holder", "holder"), ("holder_name", "holder_name"), ("kind", "kind"),
    ("objectives", "objectives"), ("method", "method"), ("target_group", "target_group"),
    ("expected_results", "expected_results"), ("sustainability", "sustainability"),
    ("areas", "areas"), ("replicates", "replicates"), ("registered_on", "registered_on"),
    ("status", "status"), ("withdrawn_on", "withdrawn_on"),
    ("withdrawn_reason", "withdrawn_reason"),
)  # fmt: skip


def snapshot(columns: dict[str, Any]) -> dict[str, Any]:
    """A model's audited fields as JSON values, from its stored columns: the places as
    entered too, so that a change of spelling alone is recorded. The areas are a list
    of identifiers."""
    shot = {key: _json(_normal(columns.get(column))) for key, column in _AUDITED}
    areas = shot.get(_AREAS)
    shot[_AREAS] = areas.split(AREA_SEPARATOR) if areas else []
    return shot


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, before and after."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def decision_key(number: str | None) -> str:
    """A decision number as two clerks may both write it: "Số 45/QĐ-UBND", "số 45 /
    QĐ-UBND" and "45/QĐ-UBND" are one decision."""
    words = fold(number or "").split()
    if words and words[0] == "so":
        words = words[1:]
    elif words and words[0].startswith("so") and words[0][2:].isdigit():
        words[0] = words[0][2:]
    return "".join(words)


def check_record(
    registered_on: date,
    withdrawn_on: date | None,
    withdrawn_reason: str | None,
    recognitions: Iterable[tuple[int, date | None]],
) -> None:
    """The rules that tie a model's dates together, for the record as it is to be,
    whatever changed it: a withdrawal after the registration and with its reason;
    recognitions neither before the registration nor after the withdrawal."""
    if withdrawn_on is not None and withdrawn_on < registered_on:
        raise InvalidInput(
            _("withdrawal date {day} is before the registration on {registered}").format(
                day=day(withdrawn_on), registered=day(registered_on)
            ),
            field="withdrawn_on",
        )
    if withdrawn_on is not None and not withdrawn_reason:
        raise InvalidInput(_("a withdrawn model needs its reason"), field="withdrawn_reason")
    for year, decided_on in recognitions:
        if decided_on is not None and decided_on < registered_on:
            raise InvalidInput(
                _(
                    "recognition dated {date} is before the model's registration on {registered}"
                ).format(date=day(decided_on), registered=day(registered_on)),
                field="decided_on",
            )
        if year < registered_on.year:
            raise InvalidInput(
                _(
                    "recognition year {year} is before the model's registration on {registered}"
                ).format(year=year, registered=day(registered_on)),
                field="year",
            )
        if withdrawn_on is not None and ((decided_on or date(year, 1, 1)) > withdrawn_on):
            raise InvalidInput(
                _("recognition of {year} is dated after the withdrawal on {day}").format(
                    year=year, day=day(withdrawn_on)
                ),
                field="decided_on" if decided_on else "year",
            )


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
        self._staged_updates = self._staged_status = self._staged_removals = False
        self._staged_areas = False
        #: What the registry held when staging began (its largest ids): whatever
        #: appears above them was written by someone else meanwhile.
        self._marks: tuple[int, int, int] = (0, 0, 0)
        self.actor = actor
        now = utc_now()
        #: created_at/updated_at of every row; text on SQLite, in SQLAlchemy's format.
        self.stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now
        self._days: dict[date, str] = {}
        #: Contests to write in the swap, in order: (operation, id, columns, event).
        self._contests: list[tuple[str, int | None, dict[str, Any], dict[str, Any]]] = []
        #: The ids the swap gave the contests added, in order.
        self.added_contests: list[int] = []

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
        cols = ", ".join(_STORED)
        # The areas are rows of their own, read by a second query.
        read = ", ".join(f"'' AS {_AREAS}" if c == _AREAS else c for c in _STORED)
        at = 2 + _STORED.index(_AREAS)
        # (Into a registry that was empty, no query: a model registered since is one
        # `check_meanwhile` finds.)
        for start in range(0, len(codes) if self._marks[0] else 0, 900):
            part = codes[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            result = self.conn.exec_driver_sql(
                f"SELECT code, status, batch_id, {read} FROM models WHERE code IN ({marks})",
                tuple(part),
            )
            for code, *values in result:
                found[code] = tuple(values)
            areas: dict[str, list[str]] = {}
            for code, area in self.conn.exec_driver_sql(
                "SELECT m.code, a.area FROM model_areas a JOIN models m ON m.id = a.model_id "
                f"WHERE m.code IN ({marks})",
                tuple(part),
            ):
                areas.setdefault(code, []).append(area)
            for code, given in areas.items():
                stored = found[code]
                found[code] = (*stored[:at], stored_areas(given), *stored[at + 1 :])
        created: set[str] = set()
        staged = self._staged_rows("models", f"op, code, status, batch_id, {cols}", "code", codes)
        for op, code, status, batch, *values in staged:
            if op == "new":
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
                f"WHERE op = 'new' AND name_folded IN ({marks})",
                tuple(part),
            ).all()
            for name, province, commune, registered, code in result:
                found[(name, province, commune, _normal(registered))] = code
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
    ) -> dict[str, list[Recognised]]:
        """The recognitions of these models: the registry's (unless this import creates
        the model: then a registered model with the same provisional code is another
        one) and the staged ones."""
        found: dict[str, list[Recognised]] = {}
        registered = [c for c in codes if c not in created] if self._marks[0] else []
        for start in range(0, len(registered), 900):
            part = registered[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            for code, *values in self.conn.exec_driver_sql(
                "SELECT m.code, r.year, r.level, r.decision_no, r.decided_on, r.body, r.id, "
                "r.outstanding "
                "FROM recognitions r JOIN models m ON m.id = r.model_id "
                f"WHERE m.code IN ({marks}) ORDER BY r.id",
                tuple(part),
            ):
                found.setdefault(code, []).append(Recognised.of(*values))
        staged = self._staged_rows(
            "recognitions", "code, year, level, decision_no, decided_on, body", "code", codes
        )
        for code, *values in staged:
            found.setdefault(code, []).append(Recognised.of(*values))
        return found

    def _existing_commendations(
        self, codes: Sequence[str], created: set[str]
    ) -> dict[str, list[Commended]]:
        """The commendations of these models, stored and staged (see
        `_existing_recognitions`)."""
        found: dict[str, list[Commended]] = {}
        registered = [c for c in codes if c not in created] if self._marks[0] else []
        for start in range(0, len(registered), 900):
            part = registered[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            for code, *values in self.conn.exec_driver_sql(
                "SELECT m.code, c.year, c.award, c.body, c.decision_no, c.decided_on "
                "FROM commendations c JOIN models m ON m.id = c.model_id "
                f"WHERE m.code IN ({marks}) ORDER BY c.id",
                tuple(part),
            ):
                found.setdefault(code, []).append(Commended.of(*values))
        staged = self._staged_rows(
            "commendations", "code, year, award, body, decision_no, decided_on", "code", codes
        )
        for code, *values in staged:
            found.setdefault(code, []).append(Commended.of(*values))
        return found

    def _existing_reviews(
        self, codes: Sequence[str], created: set[str]
    ) -> dict[str, dict[int, tuple[str, str | None]]]:
        """The reviews of these models by year (result, note): stored, then staged (a
        staged one corrects a stored one)."""
        found: dict[str, dict[int, tuple[str, str | None]]] = {}
        registered = [c for c in codes if c not in created] if self._marks[0] else []
        for start in range(0, len(registered), 900):
            part = registered[start : start + 900]
            marks = ", ".join([self.mark] * len(part))
            for code, year, result, note in self.conn.exec_driver_sql(
                "SELECT m.code, v.year, v.result, v.note "
                "FROM reviews v JOIN models m ON m.id = v.model_id "
                f"WHERE m.code IN ({marks})",
                tuple(part),
            ):
                found.setdefault(code, {})[int(year)] = (result, note)
        for code, year, result, note in self._staged_rows(
            "reviews", "code, year, result, note", "code", codes
        ):
            found.setdefault(code, {})[int(year)] = (result, note)
        return found

    # -- classifying -----------------------------------------------------------

    def write(self, rows: list[Change], reject: Reject) -> None:
        """Stage one chunk of an import. Rows that clash are handed to `reject` and
        change nothing."""
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
        known = self._existing_recognitions(list(existing), created)
        commended = self._existing_commendations(list(existing), created)
        reviewed = self._existing_reviews(list(existing), created)
        plan = _Plan()
        for code, group in groups.items():
            first = group[0]
            if len(group) == 1 and code not in existing:
                self._add_new(plan, code, first, generated.get(code), reject)
                continue
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
            if stored is not None and self._differs(stored[2:_COMPARED], first.model_values()):
                if created_here or self.policy is OnConflict.fail:
                    difference = self._difference(stored[2:_COMPARED], first.model_values())
                    if created_here:
                        message = _(
                            "code {code} is earlier in this batch with a different {difference}"
                        )
                    else:
                        message = _("code {code} is in the registry with a different {difference}")
                    message = message.format(code=code, difference=difference)
                    advice = None if created_here else Advice.resolve_conflict
                    for r in group:
                        reject(r, "code", message, advice)
                    continue
                if self.policy is OnConflict.skip:
                    self.summary.skipped += len(group)
                    continue
                changed = True
            recognitions = list(known.get(code, ()))
            try:  # the model's own dates, with the recognitions it already has
                self._check(first, recognitions)
            except InvalidInput as exc:
                for r in group:
                    reject(r, FIELD_COLUMNS.get(exc.field or "", exc.field), exc.message)
                continue
            added: list[tuple[Change, RecognitionDraft]] = []
            commends: list[tuple[Change, CommendationDraft]] = []
            reviews: list[tuple[Change, ReviewDraft, tuple[str, str | None] | None]] = []
            known_commendations = list(commended.get(code, ()))
            kept: list[Change] = []
            for r in group:  # each row's recognition: a refused one refuses its row only
                try:
                    recognised = None
                    if r.recognition is not None:
                        recognised = Recognised.draft(r.recognition)
                        self._check(first, (recognised,))
                        if not self._adds(code, stored, r.recognition, recognitions):
                            recognised = None
                except InvalidInput as exc:
                    reject(r, FIELD_COLUMNS.get(exc.field or "", exc.field), exc.message)
                    continue
                com = r.commendation
                try:
                    if com is not None and not check_commendation(
                        code, first.model.registered_on, com, known_commendations
                    ):
                        com = None
                except InvalidInput as exc:
                    reject(r, COMMENDATION_COLUMNS.get(exc.field or "", exc.field), exc.message)
                    continue
                rev = r.review
                if rev is not None:
                    try:
                        check_review(first.model.registered_on, rev)
                    except InvalidInput as exc:
                        reject(r, REVIEW_COLUMNS.get(exc.field or "", exc.field), exc.message)
                        continue
                    had = reviewed.setdefault(code, {}).get(rev.year)
                    now = (_PLAIN[rev.result], rev.note)
                    if had != now:
                        reviews.append((r, rev, had))
                        reviewed[code][rev.year] = now
                if recognised is not None and r.recognition is not None:
                    added.append((r, r.recognition))
                    recognitions.append(recognised)
                if com is not None:
                    commends.append((r, com))
                    known_commendations.append(Commended.draft(com))
                kept.append(r)
            if not kept:
                continue
            group = kept
            new_recognitions = [rec for _, rec in added]
            if stored is None:
                plan.new_models.append(
                    (generated.get(code), *self._model_params(code, first, new_recognitions))
                )
            elif changed:
                plan.updates.append(self._update_params(code, first))
            plan.recognitions += [self._recognition_params(code, rec) for rec in new_recognitions]
            plan.commendations += [self._commendation_params(code, com) for _, com in commends]
            plan.reviews += [self._review_params(code, rev) for _, rev, _ in reviews]
            if stored is not None and (changed or added):
                plan.recount.append(code)
            for r in group:
                if fresh:
                    self.summary.inserted += 1
                elif changed or any(
                    row is r for row in (*(a[0] for a in added), *(c[0] for c in commends),
                                         *(v[0] for v in reviews))
                ):  # fmt: skip
                    self.summary.updated += 1
                else:
                    self.summary.skipped += 1
            if not fresh and (changed or added or commends or reviews):
                assert stored is not None
                status = _status_of(first.withdrawn_on is not None, bool(recognitions))
                before, after = self._model_changes(stored, first if changed else None, status)
                if new_recognitions:
                    after["recognitions"] = [_recognition_json(rec) for rec in new_recognitions]
                if commends:
                    after["commendations"] = [_commendation_json(com) for _, com in commends]
                if reviews:
                    corrected = [_review_json(rev.year, *had) for _, rev, had in reviews if had]
                    if corrected:
                        before["reviews"] = corrected
                    after["reviews"] = [
                        _review_json(rev.year, _PLAIN[rev.result], rev.note)
                        for _, rev, _ in reviews
                    ]
                plan.events.append(
                    event_row(
                        actor=self.actor, command="import", code=code, before=before,
                        after=after, batch_id=self.batch_id,
                    )
                )  # fmt: skip
        self._stage(plan)

    def _add_new(
        self, plan: _Plan, code: str, row: Change, number: int | None, reject: Reject
    ) -> None:
        """A model on one row, new to the registry and to this import (most rows of a
        first import): the steps of `write` that can apply to it, without the
        bookkeeping for several rows and stored recognitions."""
        rec = row.recognition
        try:
            check_record(
                row.model.registered_on, row.withdrawn_on, row.withdrawn_reason,
                () if rec is None else ((rec.year, rec.decided_on),),
            )  # fmt: skip
        except InvalidInput as exc:
            reject(row, FIELD_COLUMNS.get(exc.field or "", exc.field), exc.message)
            return
        if row.commendation is not None:
            try:
                check_commendation(code, row.model.registered_on, row.commendation, ())
            except InvalidInput as exc:
                field = exc.field or ""
                reject(row, COMMENDATION_COLUMNS.get(field, field), exc.message)
                return
        if row.review is not None:
            try:
                check_review(row.model.registered_on, row.review)
            except InvalidInput as exc:
                reject(row, REVIEW_COLUMNS.get(exc.field or "", exc.field), exc.message)
                return
            plan.reviews.append(self._review_params(code, row.review))
        if row.commendation is not None:
            plan.commendations.append(self._commendation_params(code, row.commendation))
        plan.new_models.append(
            (number, *self._model_params(code, row, () if rec is None else (rec,)))
        )
        if rec is not None:
            plan.recognitions.append(self._recognition_params(code, rec))
        self.summary.inserted += 1

    @staticmethod
    def _check(change: Change, recognitions: Iterable[Recognised]) -> None:
        check_record(
            change.model.registered_on,
            change.withdrawn_on,
            change.withdrawn_reason,
            ((r.year, r.decided_on) for r in recognitions),
        )

    def _adds(
        self,
        code: str,
        stored: Sequence[Any] | None,
        rec: RecognitionDraft,
        recognitions: Sequence[Recognised],
        *,
        allow_duplicate: bool = False,
    ) -> bool:
        """Whether `rec` is a recognition the model does not have yet: False when it
        has this very one (an import read twice). Refused: one at the same level and in
        the same year under another decision (unless `allow_duplicate`), and any new
        recognition of a model withdrawn in the registry."""
        level = _PLAIN[rec.level]
        same_level = [r for r in recognitions if r.year == rec.year and r.level == level]
        if same_level:
            key = (rec.year, level, decision_key(rec.decision_no), rec.decided_on)
            if any(r.key == key for r in same_level):
                return False
        if stored is not None and stored[0] == Status.withdrawn and stored[1] not in self.batch_ids:
            raise Conflict(
                _("model {code} was withdrawn on {day}; reinstate it to record a recognition")
                .format(code=code, day=day(_normal(stored[2 + _WITHDRAWN_ON]))),
                field="code",
            )  # fmt: skip
        if same_level and not allow_duplicate:
            other = same_level[0]
            raise Conflict(
                _(
                    "model {code} is already recognised at {level} level in {year} "
                    "(decision {decision}); a model is recognised once a year at one level"
                ).format(
                    code=code, level=level_words(other.level), year=other.year,
                    decision=other.decision or "—",
                ),
                field="level",
            )  # fmt: skip
        return True

    def _model_changes(
        self, stored: Sequence[Any], change: Change | None, status: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """What a change does to a registered model, as the audit trail says it: the
        audited fields that differ, before and after, its status among them."""
        columns = dict(zip(_STORED, stored[2:], strict=True))
        before = snapshot({**columns, "status": stored[0]})
        after = snapshot({**(change.columns() if change else columns), "status": status})
        return changes(before, after)

    # -- one model at a time: register, edit, withdraw, reinstate, (un)recognize -----

    def stored(self, code: str) -> tuple[Any, ...]:
        """A registered model by code (status, batch, `_STORED`), or NotFound."""
        found = {} if undecodable(code) else self._existing_by_code([code])[0]
        if code not in found:
            raise no_such_model(code)
        return found[code]

    def current(self, code: str) -> Change:
        """A registered model's whole record as it is: what an edit, a withdrawal or a
        reinstatement changes part of before `update` checks and stages it."""
        stored = self.stored(code)
        v = dict(zip(_STORED, stored[2:], strict=True))
        locality = stored_locality(
            v["locality_scheme"],
            v["province_code"],
            v["commune_code"],
            (v["legacy_province_code"], v["legacy_district_code"], v["legacy_commune_code"]),
            (v["province_input"], v["district_input"], v["commune_input"]),
        )
        draft = ModelDraft(
            name=v["name"],
            locality=locality,
            field=Field(v["field"]),
            sponsor=Sponsor(v["sponsor"]),
            holder=Holder(v["holder"]),
            holder_name=v["holder_name"],
            registered_on=_normal(v["registered_on"]),
            description=v["description"],
            code=code,
            kind=Kind(v["kind"]),
            areas=tuple(Area(a) for a in v[_AREAS].split(AREA_SEPARATOR) if a in _AREA_VALUES),
            objectives=v["objectives"],
            method=v["method"],
            target_group=v["target_group"],
            expected_results=v["expected_results"],
            sustainability=v["sustainability"],
            replicates=v["replicates"],
        )
        withdrawn_on = _normal(v["withdrawn_on"])
        return Change(code, 0, {}, code, draft, withdrawn_on, v["withdrawn_reason"], None)

    def register(self, change: Change, *, allow_duplicate: bool = False) -> str:
        """Stage a new model and its event; its code is generated unless the change
        has one. Refused: a code that is taken; a model with the name, place and
        registration date of a registered one (unless `allow_duplicate`)."""
        if change.code is not None:
            code = change.code
            if code in self._existing_by_code([code])[0]:
                raise Conflict(
                    _("code {code} is already registered; choose another").format(code=code),
                    field="code",
                )
            number = None
        else:
            code, number = self._generate_code(change)
        if not allow_duplicate:
            same = self._codes_by_natural_key([change]).get(change.natural_key())
            if same is not None:
                raise Conflict(
                    _(
                        "{code} is registered with the same name, place and registration "
                        "date; it may be this model"
                    ).format(code=same),
                    field="name",
                )
        check_record(change.model.registered_on, change.withdrawn_on, change.withdrawn_reason, ())
        self._check_source(change)
        status = _status_of(change.withdrawn_on is not None, False)
        plan = _Plan(new_models=[(number, *self._model_params(code, change, ()))])
        after = snapshot({**change.columns(), "status": status})
        plan.events.append(event_row(actor=self.actor, command="register", code=code, after=after))
        self._stage(plan)
        return code

    def update(self, change: Change, command: str, note: dict[str, Any] | None = None) -> bool:
        """Stage a registered model's whole record as it is to be (an edit, a withdrawal,
        a reinstatement), checked with its recognitions; False when it changes nothing."""
        assert change.code is not None
        stored = self.stored(change.code)
        recognitions = self._recognised(change.code)
        status = _status_of(change.withdrawn_on is not None, bool(recognitions))
        before, after = self._model_changes(stored, change, status)
        if not after:
            return False
        self._check(change, recognitions)
        self._check_source(change)
        plan = _Plan(updates=[self._update_params(change.code, change)], recount=[change.code])
        plan.events.append(
            event_row(
                actor=self.actor, command=command, code=change.code, before=before,
                after={**after, **(note or {})},
            )
        )  # fmt: skip
        self._stage(plan)
        return True

    def recognize(self, code: str, rec: RecognitionDraft, *, allow_duplicate: bool = False) -> None:
        """Stage a recognition of a registered model and its event."""
        stored = self.stored(code)
        recognitions = self._recognised(code)
        if not self._adds(code, stored, rec, recognitions, allow_duplicate=allow_duplicate):
            if rec.decision_no:
                same = _(
                    "model {code} already has this recognition "
                    "({level}, {year}, decision {decision})"
                )
            else:
                same = _("model {code} already has this recognition ({level}, {year})")
            raise Conflict(
                same.format(
                    code=code,
                    level=level_words(rec.level.value),
                    year=rec.year,
                    decision=rec.decision_no,
                )
            )
        columns = dict(zip(_STORED, stored[2:], strict=True))
        check_record(
            _normal(columns["registered_on"]),
            _normal(columns["withdrawn_on"]),
            columns["withdrawn_reason"],
            [(r.year, r.decided_on) for r in recognitions] + [(rec.year, rec.decided_on)],
        )
        status = _status_of(columns["withdrawn_on"] is not None, True)
        plan = _Plan(recognitions=[self._recognition_params(code, rec)], recount=[code])
        plan.events.append(
            event_row(
                actor=self.actor, command="recognize", code=code,
                before={"status": stored[0]},
                after={"status": status, "recognition": _recognition_json(rec)},
            )
        )  # fmt: skip
        self._stage(plan)

    def commend(self, code: str, com: CommendationDraft) -> None:
        """Stage a commendation of a registered model and its event (`check_commendation`:
        the same one twice refused too, since a command means to add one)."""
        stored = self.stored(code)
        columns = dict(zip(_STORED, stored[2:], strict=True))
        known = self._existing_commendations([code], set()).get(code, [])
        registered = _normal(columns["registered_on"])
        if not check_commendation(code, registered, com, known):
            raise Conflict(
                _("model {code} already has this commendation ({award}, {year}, by {body})")
                .format(
                    code=code, award=award_words(com.award.value), year=com.year, body=com.body
                ),
                field="award",
            )  # fmt: skip
        plan = _Plan(commendations=[self._commendation_params(code, com)])
        plan.events.append(
            event_row(
                actor=self.actor, command="commend", code=code,
                after={"commendation": _commendation_json(com)},
            )
        )  # fmt: skip
        self._stage(plan)

    def review(self, code: str, rev: ReviewDraft) -> bool:
        """Stage a model's review of a year and its event; a review of a year already
        reviewed corrects it (the event says what it was). False when it changes nothing."""
        stored = self.stored(code)
        columns = dict(zip(_STORED, stored[2:], strict=True))
        check_review(_normal(columns["registered_on"]), rev)
        had = self._existing_reviews([code], set()).get(code, {}).get(rev.year)
        now = (_PLAIN[rev.result], rev.note)
        if had == now:
            return False
        plan = _Plan(reviews=[self._review_params(code, rev)])
        plan.events.append(
            event_row(
                actor=self.actor, command="review", code=code,
                before=None if had is None else {"review": _review_json(rev.year, *had)},
                after={"review": _review_json(rev.year, *now)},
            )
        )  # fmt: skip
        self._stage(plan)
        return True

    def unrecognize(
        self, code: str, year: int, level: Level, decision: str | None, reason: str
    ) -> None:
        """Stage the removal of one recognition and its event; refused when none or
        several match (`decision` tells several apart)."""
        stored = self.stored(code)
        recognitions = self._recognised(code)
        matches = [
            r
            for r in recognitions
            if (r.year, r.level) == (year, level.value)
            and (decision is None or decision_key(r.decision) == decision_key(decision))
        ]
        if not matches:
            raise NotFound(
                _("model {code} has no recognition at {level} level in {year}").format(
                    code=code, level=level_words(level.value), year=year
                ),
                field="year",
            )
        if len(matches) > 1:
            listed = "; ".join(r.decision or "—" for r in matches)
            raise Conflict(
                _(
                    "model {code} has {count} recognitions at {level} level in {year} "
                    "(decisions: {listed}); name the decision to remove"
                ).format(
                    code=code, count=len(matches), level=level_words(level.value), year=year,
                    listed=listed,
                ),
                field="decision",
            )  # fmt: skip
        removed = matches[0]
        left = [r for r in recognitions if r is not removed]
        columns = dict(zip(_STORED, stored[2:], strict=True))
        status = _status_of(columns["withdrawn_on"] is not None, bool(left))
        plan = _Plan(removals=[(removed.id, code)], recount=[code])
        plan.events.append(
            event_row(
                actor=self.actor, command="unrecognize", code=code,
                before={"status": stored[0], "recognition": removed.as_json()},
                after={"status": status, "reason": reason},
            )
        )  # fmt: skip
        self._stage(plan)

    # -- contests ----------------------------------------------------------------
    # A contest is a record of its own (`contests`), with its rules here, whatever adds
    # it (`contest add`, `contest import`, a script): staged, then written by
    # `swap_contests` in the change's transaction, each with its audit event.

    def contest(self, contest_id: int) -> dict[str, Any]:
        """A stored contest's columns (`CONTEST_COLUMNS`); refused when there is none."""
        row = self.conn.exec_driver_sql(
            f"SELECT {', '.join(CONTEST_COLUMNS)} FROM contests WHERE id = {self.mark}",
            (contest_id,),
        ).first()
        if row is None:
            raise NotFound(
                _("no contest with id {id}").format(id=contest_id),
                field="id",
                advice=Advice.find_contest,
            )
        return {k: _normal(v) for k, v in zip(CONTEST_COLUMNS, row, strict=True)}

    def add_contest(
        self, draft: ContestDraft, *, today: date, command: str = "contest-add"
    ) -> None:
        """Stage a new contest and its event, checked by `check_contest`."""
        check_contest(draft, today)
        columns = draft.columns()
        self._contests.append(("add", None, columns, {"command": command, "after": columns}))

    def update_contest(self, contest_id: int, draft: ContestDraft, *, today: date) -> bool:
        """Stage a contest's whole record as it is to be; False when it changes nothing."""
        stored = self.contest(contest_id)
        check_contest(draft, today)
        before, after = changes(_contest_json(stored), _contest_json(draft.columns()))
        if not after:
            return False
        event = {"command": "contest-edit", "before": before, "after": after}
        self._contests.append(("update", contest_id, draft.columns(), event))
        return True

    def remove_contest(self, contest_id: int, reason: str) -> None:
        """Stage a contest's removal; the audit trail keeps its record and the reason."""
        stored = self.contest(contest_id)
        event = {
            "command": "contest-remove",
            "before": _contest_json(stored),
            "after": {"reason": reason},
        }
        self._contests.append(("remove", contest_id, stored, event))

    def swap_contests(self) -> None:
        """Write the staged contests and their events (each event names its contest's id
        in its data: `events` has no column for it, and needs none)."""
        from dandan.tables import contests, events

        for op, contest_id, columns, event in self._contests:
            if op == "add":
                values = {**columns, "created_at": utc_now(), "updated_at": utc_now()}
                inserted = self.conn.execute(contests.insert().values(**values))
                key = inserted.inserted_primary_key
                assert key is not None
                contest_id = int(key[0])
                self.added_contests.append(contest_id)
            elif op == "update":
                self.conn.execute(
                    contests.update()
                    .where(contests.c.id == contest_id)
                    .values(**columns, updated_at=utc_now())
                )
            else:
                self.conn.execute(contests.delete().where(contests.c.id == contest_id))
            before, after = event.get("before"), event.get("after")
            if op == "add":
                after = _contest_json(columns)
            if op != "remove":
                after = {"contest": contest_id, **(after or {})}
            else:
                before = {"contest": contest_id, **(before or {})}
            row = event_row(
                actor=self.actor, command=event["command"], code=None, before=before, after=after
            )
            self.conn.execute(events.insert().values(**row))
        self._contests = []

    def _recognised(self, code: str) -> list[Recognised]:
        return self._existing_recognitions([code], set()).get(code, [])

    def _differs(self, stored: Sequence[Any], given: Sequence[Any]) -> bool:
        return tuple(_normal(v) for v in stored) != tuple(given)

    def _difference(self, stored: Sequence[Any], given: Sequence[Any]) -> str:
        """The first column that differs (an identifier, as the file names it), with both
        values; dates in the reader's style."""
        for column, a, b in zip(_MODEL_COLUMNS, stored, given, strict=True):
            if _normal(a) != _normal(b):
                return _("{column} ({stored} in the registry, {given} in the file)").format(
                    column=column, stored=_shown(_normal(a)), given=_shown(b)
                )
        return _("details")

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

    def _model_params(
        self, code: str, row: Change, recognitions: Sequence[RecognitionDraft]
    ) -> tuple[Any, ...]:
        """A new model's row, with its status and first recognition as the registry's
        triggers would set them (the trigger then finds it set and writes nothing: one
        UPDATE per recognition took half the swap)."""
        d, day = row.model, self._day
        first = min((_recognized_on(r) for r in recognitions), key=_undated, default=None)
        return (
            code, d.name, fold(d.name), sort_prefix(d.name), d.description, *d.locality.stored,
            _PLAIN[d.field], _PLAIN[d.sponsor], _PLAIN[d.holder], d.holder_name, _PLAIN[d.kind],
            *d.form(), form_folded(d), d.replicates,
            day(d.registered_on), _status_of(row.withdrawn_on is not None, bool(recognitions)),
            day(row.withdrawn_on), row.withdrawn_reason, self.stamp, self.stamp, self.batch_id,
            day(first), areas_text(d.areas),
        )  # fmt: skip

    def _update_params(self, code: str, row: Change) -> tuple[Any, ...]:
        d = row.model
        return (
            d.name, fold(d.name), sort_prefix(d.name), d.description, *d.locality.stored,
            _PLAIN[d.field], _PLAIN[d.sponsor], _PLAIN[d.holder], d.holder_name, _PLAIN[d.kind],
            *d.form(), form_folded(d), d.replicates,
            self._day(d.registered_on), self._day(row.withdrawn_on), row.withdrawn_reason,
            self.stamp, code, areas_text(d.areas),
        )  # fmt: skip

    def _recognition_params(self, code: str, rec: RecognitionDraft) -> tuple[Any, ...]:
        return (rec.year, _PLAIN[rec.level], rec.decision_no, self._day(rec.decided_on), rec.body,
                self.stamp, rec.outstanding, code)  # fmt: skip

    def _commendation_params(self, code: str, com: CommendationDraft) -> tuple[Any, ...]:
        return (com.year, _PLAIN[com.award], com.body, com.decision_no,
                self._day(com.decided_on), self.stamp, code)  # fmt: skip

    def _review_params(self, code: str, rev: ReviewDraft) -> tuple[Any, ...]:
        return (rev.year, _PLAIN[rev.result], rev.note, self.stamp, code)

    def _stage(self, plan: _Plan) -> None:
        """Put what a chunk (or a command) writes into the staging tables: by
        executemany on SQLite, by COPY on PostgreSQL (many times fewer round trips)."""
        seq = self._next_seq
        new = [(seq(), "new", *m) for m in plan.new_models]
        updates = [(seq(), "update", *u) for u in plan.updates]
        # Each staged model's areas, under its own seq: `swap` writes the latest set.
        areas = [
            (row[0], code, area)
            for row, code in (*((r, r[3]) for r in new), *((r, r[-2]) for r in updates))
            for area in row[-1].split(AREA_SEPARATOR)
            if area
        ]
        batches: dict[str, tuple[Sequence[str], list[tuple[Any, ...]]]] = {
            "models": (_STAGE_TABLES["models"][0], new),
            # Updates fill only their own columns of the same table.
            "updates": (("seq", "op", *_MODEL_UPDATE, _AREAS), updates),
            "areas": (_STAGE_TABLES["areas"][0], areas),
            "recognitions": (
                _STAGE_TABLES["recognitions"][0],
                [(seq(), *r) for r in plan.recognitions],
            ),
            "commendations": (
                _STAGE_TABLES["commendations"][0],
                [(seq(), *c) for c in plan.commendations],
            ),
            "reviews": (_STAGE_TABLES["reviews"][0], [(seq(), *v) for v in plan.reviews]),
            "removals": (_STAGE_TABLES["removals"][0], plan.removals),
            # Status follows the data: recounted for these codes once everything is in.
            "status": (("code",), [(c,) for c in plan.recount]),
        }
        cursor = None
        if not self.sqlite:
            cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._staged_updates |= bool(plan.updates)
        self._staged_areas |= bool(areas)
        self._staged_status |= bool(plan.recount)
        self._staged_removals |= bool(plan.removals)
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
        self.summary.recognitions += len(plan.recognitions)
        if plan.events:
            self._stage_events(plan.events)

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

    def lock(self, prefixes: Iterable[str] = ()) -> None:
        """PostgreSQL: take what every writer takes, in the same order (each code prefix
        it numbers in, then the models), so that writers wait for each other rather
        than deadlock. A command locks first (`prefixes`: those it may number in), an
        import only for its swap. (SQLite: BEGIN IMMEDIATE, by the caller.)"""
        if self.sqlite:
            return
        for prefix in sorted({*self._first_number, *prefixes}):
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
        keys = {(n, p, c, _normal(r)) for _, n, p, c, r in new}
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
            if gen and (name, province, commune, _normal(registered)) in keys
        )
        if clashes:
            raise Conflict(
                _(
                    "{count} model(s) of this import, {code} first, were changed by someone "
                    "else while it was read; nothing was imported: import the file(s) again"
                ).format(count=i18n.number(len(set(clashes))), code=clashes[0])
            )

    def finish(self, batches: dict[int, int] | None = None) -> None:
        """Swap a command's staged change in: numbers checked, rows moved, its event."""
        self.lock()
        self.renumber()
        self.swap(batches or {})
        self.swap_contests()
        self.swap_events(None, None)

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
                f"WHERE op = 'new' AND code LIKE {self.mark}",
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
        for table in ("models", "recognitions", "commendations", "reviews", "status", "areas"):
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
            "batch_id"
            if not batches
            else (
                "CASE batch_id "
                + " ".join(
                    f"WHEN {int(mark)} THEN {int(batch_id)}" for mark, batch_id in batches.items()
                )
                + " END"
            )
        )
        values = ", ".join(batch if c == "batch_id" else c for c in _MODEL_INSERT)
        columns = ", ".join(_MODEL_INSERT)
        run(
            f"INSERT INTO models ({columns}) "
            f"SELECT {values} FROM {temp}.stage_models WHERE op = 'new' {self._order()}"
        )
        updated = ", ".join(c for c in _MODEL_UPDATE if c != "code")
        if self._staged_updates:
            run(
                f"UPDATE models SET ({updated}) = (SELECT {updated} FROM {temp}.stage_models AS s "
                "WHERE s.op = 'update' AND s.code = models.code ORDER BY s.seq DESC LIMIT 1) "
                f"WHERE code IN (SELECT code FROM {temp}.stage_models WHERE op = 'update')"
            )
        if self._staged_updates:  # an updated model's set of areas is replaced whole
            run(
                "DELETE FROM model_areas WHERE model_id IN (SELECT m.id FROM models AS m "
                f"JOIN {temp}.stage_models AS s ON s.code = m.code WHERE s.op = 'update')"
            )
        if self._staged_areas:  # each model's latest staged set
            run(
                "INSERT INTO model_areas (model_id, area) SELECT DISTINCT m.id, a.area "
                f"FROM {temp}.stage_areas AS a JOIN models AS m ON m.code = a.code "
                f"WHERE a.seq = (SELECT max(s.seq) FROM {temp}.stage_models AS s "
                "WHERE s.code = a.code)"
            )
        if self._staged_removals:
            run(f"DELETE FROM recognitions WHERE id IN (SELECT id FROM {temp}.stage_removals)")
        recognition = ", ".join(_RECOGNITION_INSERT)
        run(
            f"INSERT INTO recognitions (model_id, {recognition}) "
            f"SELECT m.id, {', '.join('s.' + c for c in _RECOGNITION_INSERT)} "
            f"FROM {temp}.stage_recognitions AS s JOIN models AS m ON m.code = s.code "
            + self._order("s.")
        )
        commendation = ", ".join(_COMMENDATION_INSERT)
        run(
            f"INSERT INTO commendations (model_id, {commendation}) "
            f"SELECT m.id, {', '.join('s.' + c for c in _COMMENDATION_INSERT)} "
            f"FROM {temp}.stage_commendations AS s JOIN models AS m ON m.code = s.code "
            + self._order("s.")
        )
        # A review of a year reviewed already corrects it: the last staged one stays.
        run(
            f"DELETE FROM reviews WHERE EXISTS (SELECT 1 FROM {temp}.stage_reviews AS s "
            "JOIN models AS m ON m.code = s.code "
            "WHERE m.id = reviews.model_id AND s.year = reviews.year)"
        )
        review = ", ".join(_REVIEW_INSERT)
        run(
            f"INSERT INTO reviews (model_id, {review}) "
            f"SELECT m.id, {', '.join('s.' + c for c in _REVIEW_INSERT)} "
            f"FROM {temp}.stage_reviews AS s JOIN models AS m ON m.code = s.code "
            f"WHERE s.seq = (SELECT max(t.seq) FROM {temp}.stage_reviews AS t "
            "WHERE t.code = s.code AND t.year = s.year) " + self._order("s.")
        )
        self._check_replicated()
        if self._staged_status:
            run(
                f"UPDATE models SET status = {_STATUS_SQL} "
                f"WHERE code IN (SELECT code FROM {temp}.stage_status)"
            )

    def _check_source(self, change: Change) -> None:
        """A command's model replicates a registered one: said before anything is staged
        (`_check_replicated` holds the rule for every batch at the swap)."""
        source = change.model.replicates
        if source is not None and source not in self._existing_by_code([source])[0]:
            raise Conflict(
                _("no model with code {source} to replicate; check the code").format(source=source),
                field="replicates",
            )

    def _check_replicated(self) -> None:
        """The rule of `replicates`, for the registry as the batch leaves it: a model
        replicates a registered model, never itself (refused whole: nothing is written)."""
        if not (self._staged_updates or self._first_number or self._staged_any_new()):
            return
        found = self.conn.exec_driver_sql(
            "SELECT m.code, m.replicates FROM models AS m WHERE m.replicates IS NOT NULL AND "
            "(m.replicates = m.code OR NOT EXISTS "
            "(SELECT 1 FROM models AS s WHERE s.code = m.replicates)) ORDER BY m.code LIMIT 1"
        ).first()
        if found is None:
            return
        code, source = found
        if code == source:
            message = _("model {code} cannot replicate itself; name the model it copies")
        else:
            message = _("model {code} replicates {source}, which is not registered; check the code")
        raise Conflict(message.format(code=code, source=source), field="replicates")

    def _staged_any_new(self) -> bool:
        return (
            self.conn.exec_driver_sql(
                f"SELECT 1 FROM {self.temp}.stage_models WHERE op = 'new' LIMIT 1"
            ).first()
            is not None
        )

    def swap_events(self, mark: int | None, batch_id: int | None) -> None:
        """The staged events of one file's batch (of a command: `mark` None), in the
        order they were made."""
        columns = [c for c in _STAGE_TABLES["events"][0] if c != "seq"]
        values = ", ".join(self.mark if c == "batch_id" else c for c in columns)
        where = f"batch_id = {self.mark}" if mark is not None else "batch_id IS NULL"
        self.conn.exec_driver_sql(
            f"INSERT INTO events ({', '.join(columns)}) SELECT {values} "
            f"FROM {self.temp}.stage_events WHERE {where} ORDER BY seq",
            (batch_id, mark) if mark is not None else (batch_id,),
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
        if self._dropped and self.sqlite:
            # Building an index sorts the table: SQLite sorts with helper threads when
            # allowed (this connection is closed after the import), each with buffers
            # the size of the page cache: back to SQLite's default size (the swap's
            # larger cache would cost 35 MB here, and no time).
            self.conn.exec_driver_sql(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")
            self.conn.exec_driver_sql("PRAGMA main.cache_size = -2000")
        for index in self._dropped:
            index.create(self.conn)
        if self._dropped and self.sqlite:
            # Statistics for the planner, which otherwise reads all of ix_models_tally
            # where a range by registration date would do (a tally at 4 million models:
            # 0.31 s instead of 0.21 s). Sampled: a third of a second at that size.
            self.conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
            self.conn.exec_driver_sql("ANALYZE")
        self._dropped = []


#: What the registry stores of a contest (besides its id and timestamps), in order.
CONTEST_COLUMNS = (
    "name", "locality_scheme", "province_code", "province_name", "province_input",
    "commune_code", "commune_name", "commune_input", "district_input", "legacy_province_code",
    "legacy_district_code", "legacy_commune_code", "level", "held_on", "organiser", "teams",
    "entrants",
)  # fmt: skip


def check_contest(draft: ContestDraft, today: date) -> None:
    """The rules of a contest, whatever adds or changes it: held neither in the future
    nor, at district level, after districts ended (2025-07-01); teams and entrants
    counted from zero up."""
    if draft.held_on > today:
        raise InvalidInput(
            _("date {date} is in the future").format(date=day(draft.held_on)), field="held_on"
        )
    if draft.level is Level.district and draft.held_on >= MERGER_DAY:
        raise InvalidInput(
            _(
                "district-level contests end on 2025-06-30: districts were abolished on "
                "2025-07-01; use commune or province level"
            ),
            field="level",
        )
    for name, value in (("teams", draft.teams), ("entrants", draft.entrants)):
        if value is not None and value < 0:
            raise InvalidInput(
                _("{value} is negative; give 0 or more").format(value=value), field=name
            )


def _contest_json(columns: dict[str, Any]) -> dict[str, Any]:
    """A contest's stored columns as the audit trail keeps them (dates as ISO text)."""
    return {k: _json(_normal(columns.get(k))) for k in CONTEST_COLUMNS}


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
    "code", "name", "name_folded", "name_order", "description", "locality_scheme", "province_code",
    "province_name", "province_input", "commune_code", "commune_name", "commune_input",
    "district_input", "legacy_province_code", "legacy_district_code", "legacy_commune_code",
    "field", "sponsor", "holder", "holder_name", "kind", "objectives", "method", "target_group",
    "expected_results", "sustainability", "form_folded", "replicates", "registered_on", "status",
    "withdrawn_on",
    "withdrawn_reason", "created_at", "updated_at", "batch_id", "first_recognized_on",
)  # fmt: skip
_MODEL_UPDATE = (
    "name", "name_folded", "name_order", "description", "locality_scheme", "province_code",
    "province_name",
    "province_input", "commune_code", "commune_name", "commune_input", "district_input",
    "legacy_province_code", "legacy_district_code", "legacy_commune_code", "field", "sponsor",
    "holder", "holder_name", "kind", "objectives", "method", "target_group", "expected_results",
    "sustainability", "form_folded", "replicates", "registered_on", "withdrawn_on",
    "withdrawn_reason", "updated_at",
    "code",
)  # fmt: skip
_AREA_VALUES = frozenset(a.value for a in Area)
_RECOGNITION_INSERT = (
    "year", "level", "decision_no", "decided_on", "body", "created_at", "outstanding",
)  # fmt: skip
_COMMENDATION_INSERT = ("year", "award", "body", "decision_no", "decided_on", "created_at")
_REVIEW_INSERT = ("year", "result", "note", "created_at")

#: The staging tables: their columns (SQLite's are untyped), and PostgreSQL's shape for
#: them, taken from the registry's own tables (no constraints: they are only filled).
_STAGE_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "models": (
        ("seq", "op", "gen", *_MODEL_INSERT, _AREAS),
        "SELECT 0::bigint AS seq, ''::text AS op, 0::bigint AS gen, "
        f"{', '.join(_MODEL_INSERT)}, ''::text AS {_AREAS} FROM models",
    ),
    "areas": (
        ("seq", "code", "area"),
        "SELECT 0::bigint AS seq, m.code, a.area FROM model_areas AS a, models AS m",
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
    "commendations": (
        ("seq", *_COMMENDATION_INSERT, "code"),
        f"SELECT 0::bigint AS seq, {', '.join('c.' + x for x in _COMMENDATION_INSERT)}, m.code "
        "FROM commendations AS c, models AS m",
    ),
    "reviews": (
        ("seq", *_REVIEW_INSERT, "code"),
        f"SELECT 0::bigint AS seq, {', '.join('v.' + x for x in _REVIEW_INSERT)}, m.code "
        "FROM reviews AS v, models AS m",
    ),
    "removals": (("id", "code"), "SELECT r.id, m.code FROM recognitions AS r, models AS m"),
    "status": (("code",), "SELECT code FROM models"),
}
_STAGE_INDEXES = (
    ("models", "code"), ("recognitions", "code"), ("commendations", "code"), ("reviews", "code"),
    ("events", "batch_id"),
)  # fmt: skip
#: Where the staging tables name a model the batch writes.
_STAGE_CODES = (
    ("models", "code"), ("recognitions", "code"), ("commendations", "code"), ("reviews", "code"),
    ("removals", "code"), ("status", "code"), ("areas", "code"), ("events", "model_code"),
)  # fmt: skip


@dataclass
class _Plan:
    """What one chunk of an import, or one command, stages: parameter tuples."""

    new_models: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    recognitions: list[tuple[Any, ...]] = field(default_factory=list)
    commendations: list[tuple[Any, ...]] = field(default_factory=list)
    reviews: list[tuple[Any, ...]] = field(default_factory=list)
    #: (recognition id, model code) of the recognitions to remove.
    removals: list[tuple[Any, ...]] = field(default_factory=list)
    #: Models whose status is recounted once everything is in.
    recount: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Recognised:
    """A recognition a model has (stored or staged), as the rules compare them."""

    year: int
    level: str
    decision: str | None
    decided_on: date | None
    body: str | None
    id: int | None = None
    outstanding: bool = False

    @classmethod
    def of(
        cls, year: int, level: str, decision: str | None, decided: Any, body: str | None,
        id: int | None = None, outstanding: Any = False,
    ) -> Recognised:  # fmt: skip
        return cls(int(year), level, decision, _normal(decided), body, id, bool(outstanding))

    @classmethod
    def draft(cls, rec: RecognitionDraft) -> Recognised:
        return cls(
            rec.year, rec.level.value, rec.decision_no, rec.decided_on, rec.body,
            outstanding=rec.outstanding,
        )  # fmt: skip

    @property
    def key(self) -> tuple[int, str, str, date | None]:
        """Two recognitions with one key are one recognition."""
        return (self.year, self.level, decision_key(self.decision), self.decided_on)

    def as_json(self) -> dict[str, Any]:
        said = {"year": self.year, "level": self.level, "decision": self.decision,
                "decided_on": _json(self.decided_on), "by": self.body}  # fmt: skip
        return {**said, "outstanding": True} if self.outstanding else said


def _recognition_json(rec: RecognitionDraft) -> dict[str, Any]:
    return Recognised.draft(rec).as_json()


@dataclass(frozen=True, slots=True)
class Commended:
    """A commendation a model has (stored or staged), as the rules compare them."""

    year: int
    award: str
    body: str
    decision: str | None
    decided_on: date | None

    @classmethod
    def of(cls, year: int, award: str, body: str, decision: str | None, decided: Any) -> Commended:
        return cls(int(year), award, body, decision, _normal(decided))

    @classmethod
    def draft(cls, com: CommendationDraft) -> Commended:
        return cls(com.year, com.award.value, com.body, com.decision_no, com.decided_on)


def _commendation_json(com: CommendationDraft) -> dict[str, Any]:
    return {"year": com.year, "award": com.award.value, "by": com.body,
            "decision": com.decision_no, "decided_on": _json(com.decided_on)}  # fmt: skip


def _review_json(year: int, result: str, note: str | None) -> dict[str, Any]:
    return {"year": year, "result": result, "note": note}


def check_review(registered_on: date, rev: ReviewDraft) -> None:
    """A model is reviewed from the year it was registered."""
    if rev.year < registered_on.year:
        raise InvalidInput(
            _("review year {year} is before the model's registration on {registered}").format(
                year=rev.year, registered=day(registered_on)
            ),
            field="year",
        )


def award_words(award: str) -> str:
    """An award as a sentence names it: its identifier in English, its label in
    Vietnamese."""
    return award if i18n.language() == "en" else label(Award, award, "vi")


def level_words(level: str) -> str:
    """A recognition level as a sentence names it: "province" in English, as stored;
    "cấp tỉnh" in Vietnamese, the label without its capital."""
    if i18n.language() == "en":
        return level
    shown = label(Level, level, i18n.language())
    return shown[:1].lower() + shown[1:]


#: Validation speaks of a recognition's "year"; a file's column is "recognition_year".
FIELD_COLUMNS = {
    "year": "recognition_year",
    "level": "recognition_level",
    "decision": "decision_no",
    "by": "recognized_by",
    "reason": "withdrawn_reason",
}


#: Validation speaks of a commendation's "year"; a file's columns are "commendation_…".
COMMENDATION_COLUMNS = {
    "year": "commendation_year",
    "award": "commendation_award",
    "by": "commendation_by",
    "decision": "commendation_decision",
    "decided_on": "commendation_decided_on",
}


#: Validation speaks of a review's "year"; a file's columns are "review_…".
REVIEW_COLUMNS = {"year": "review_year", "result": "review_result", "note": "review_note"}


def _normal(value: Any) -> Any:
    """A stored date as a date (SQLite returns ISO text to plain SQL)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _shown(value: Any) -> str:
    return day(value) if isinstance(value, date) else str(value)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
