"""The registry's tables.

Localities are stored three ways on purpose: the text the clerk entered, the
official code with its scheme (codes were reused in 2025), and the official
name at the time of entry, so records stay traceable across reorganisations.
Enumerated values (field, sponsor, level...) are stored as their stable English
identifiers from `dandan.terms`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import DDL, Index, String, Text, UniqueConstraint, event
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from dandan.database import POSTGRES_COLLATION
from dandan.text import SORT_PREFIX

#: Named constraints, so that migrations can find them again (SQLite alters a table by
#: copying it, which needs every constraint's name). The index pattern is SQLAlchemy's
#: default, so index names stay those of registries made before it was set.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: What a tally over a time window reads of each model besides its groups.
WINDOW_COLUMNS = ("registered_on", "withdrawn_on", "first_recognized_on")
#: Covering indexes for tallies: each leads with the columns of a grouping (in any
#: order: SQLite groups in the index's), then the window, so a tally reads one index
#: in group order and never the table (`dandan.tallies.covering_index` picks one, by name).
#: `ix_models_tally` also carries the terms, so that any grouping of today's units
#: with field, sponsor, holder or kind is covered, if not ordered.
TALLY_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_models_registered_on": WINDOW_COLUMNS,
    "ix_models_tally": (
        "province_code",
        *WINDOW_COLUMNS,
        "commune_code",
        "field",
        "sponsor",
        "holder",
        "kind",
    ),
    "ix_models_commune": ("commune_code", "province_code", *WINDOW_COLUMNS),
    "ix_models_field": ("field", *WINDOW_COLUMNS),
    "ix_models_sponsor": ("sponsor", *WINDOW_COLUMNS),
    "ix_models_holder": ("holder", *WINDOW_COLUMNS),
    "ix_models_kind": ("kind", *WINDOW_COLUMNS),
    "ix_models_legacy": (
        "legacy_province_code",
        "legacy_district_code",
        "legacy_commune_code",
        *WINDOW_COLUMNS,
    ),
}


class Model(SQLModel, table=True):
    """A registered "Dân vận khéo" model (mô hình)."""

    __tablename__ = "models"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=300)
    #: Lower-case ASCII copy of `name`, so search ignores diacritics on every backend.
    name_folded: str = Field(max_length=300)
    #: The start of the name's Vietnamese sort key (`text.sort_prefix`), compared as
    #: plain code points ("C" on PostgreSQL): `list --sort name` walks its index, and
    #: the `vi` collation orders only names that share it.
    name_order: str | None = Field(
        default=None,
        sa_type=String(SORT_PREFIX).with_variant(String(SORT_PREFIX, collation="C"), "postgresql"),
        index=True,
    )
    description: str | None = Field(default=None, max_length=4000)
    #: The units the clerk's names were resolved against: "2024" (before 2025-07-01)
    #: or "2025" (current). Codes were reused in 2025, so no code stands without it.
    locality_scheme: str = Field(default="2025", max_length=8)
    #: The current units (scheme 2025) the model counts under, whatever was recorded.
    province_code: int  # indexed first in ix_models_tally
    province_name: str = Field(max_length=100)
    province_input: str = Field(max_length=200)
    commune_code: int | None = None  # indexed first in ix_models_commune
    commune_name: str | None = Field(default=None, max_length=100)
    commune_input: str | None = Field(default=None, max_length=200)
    district_input: str | None = Field(default=None, max_length=200)
    #: The old units (scheme 2024): as recorded, or for a record in current units the
    #: old unit it certainly lay in; None where that spans several ("not assignable").
    legacy_province_code: int | None = None
    legacy_district_code: int | None = None
    legacy_commune_code: int | None = None
    field: str = Field(max_length=32)
    sponsor: str = Field(max_length=32)
    holder: str = Field(max_length=16)
    holder_name: str | None = Field(default=None, max_length=300)
    #: A model (a practice) or an exemplar (a person or collective held up as an
    #: example): `dandan.terms.Kind`. Registries made before it hold models only
    #: (migration 0007 gave them "model").
    kind: str = Field(default="model", max_length=16, sa_column_kwargs={"server_default": "model"})
    #: The registration form's items (phiếu đăng ký), each optional: objectives (mục
    #: tiêu), content and method (nội dung, cách làm), target group and area (đối
    #: tượng, địa bàn), expected results (kết quả dự kiến), how it is sustained and
    #: replicated (duy trì, nhân rộng). Added by migration 0008.
    objectives: str | None = Field(default=None, max_length=4000)
    method: str | None = Field(default=None, max_length=4000)
    target_group: str | None = Field(default=None, max_length=4000)
    expected_results: str | None = Field(default=None, max_length=4000)
    sustainability: str | None = Field(default=None, max_length=4000)
    #: The form's items folded as `name_folded` is (`dandan.text.fold`), joined: what
    #: `--search` reads beside the name, on every backend.
    form_folded: str | None = Field(default=None, sa_type=Text)
    #: The code of the model this one copies (nhân rộng), if any: `show` lists both ways.
    replicates: str | None = Field(default=None, max_length=32, index=True)
    registered_on: date  # indexed in TALLY_INDEXES
    status: str = Field(max_length=16)
    withdrawn_on: date | None = None
    withdrawn_reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime
    updated_at: datetime
    #: The import batch that created the model (None when registered by hand).
    batch_id: int | None = Field(default=None, foreign_key="import_batches.id")
    #: Derived, kept by database triggers on `recognitions` (whatever writes them): the
    #: date of the model's earliest recognition (its decision date, else 31 December of
    #: its year). "Recognised by the end of 2023" then reads one index instead of
    #: joining millions of recognitions; see `dandan.tallies`.
    first_recognized_on: date | None = None

    __table_args__ = tuple(Index(name, *columns) for name, columns in TALLY_INDEXES.items())


class Recognition(SQLModel, table=True):
    """One recognition (công nhận) of a model by an emulation council."""

    __tablename__ = "recognitions"

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="models.id", index=True)
    year: int = Field(index=True)
    level: str = Field(max_length=16)
    decision_no: str | None = Field(default=None, max_length=100)
    decided_on: date | None = None
    body: str | None = Field(default=None, max_length=300)
    created_at: datetime
    #: Named outstanding (tiêu biểu) among the models recognised: "123 công nhận → 55
    #: tiêu biểu". Registries made before hold none (migration 0009).
    outstanding: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class Commendation(SQLModel, table=True):
    """One commendation (khen thưởng) of a model: an award (`dandan.terms.Award`) given
    in a year by a named body, as that body was named then, by its decision."""

    __tablename__ = "commendations"

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="models.id", index=True)
    year: int = Field(index=True)
    award: str = Field(max_length=32)
    body: str = Field(max_length=300)
    decision_no: str | None = Field(default=None, max_length=100)
    decided_on: date | None = None
    created_at: datetime


class Review(SQLModel, table=True):
    """A model's yearly review (rà soát, đánh giá): what the office found that year
    (`dandan.terms.Result`). One per model and year: a second corrects the first."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("model_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="models.id")
    year: int = Field(index=True)
    result: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=1000)
    created_at: datetime


class ModelArea(SQLModel, table=True):
    """An area of mass-mobilisation work a model serves (`dandan.terms.Area`): several
    per model, each once. Written with the model, by `dandan.writing.Writer`, which
    replaces a model's whole set."""

    __tablename__ = "model_areas"

    model_id: int = Field(foreign_key="models.id", primary_key=True)
    area: str = Field(max_length=32, primary_key=True)

    #: The filter `--area` and `tally --by area` read the models of an area.
    __table_args__ = (Index("ix_model_areas_area", "area", "model_id"),)


class ImportBatch(SQLModel, table=True):
    """One imported file: which file (name and checksum), what it changed, when, by whom."""

    __tablename__ = "import_batches"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=300)
    sha256: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=8)
    encoding: str | None = Field(default=None, max_length=32)
    rows: int
    inserted: int
    updated: int
    skipped: int
    invalid: int
    actor: str = Field(max_length=100)
    started_at: datetime
    finished_at: datetime


class Contest(SQLModel, table=True):
    """A contest (hội thi, cuộc thi "Dân vận khéo") a mass-mobilisation commission holds.

    Its place is stored as a model's is (`dandan.validation.resolve_locality`, by the
    day it was held): as entered, the current units, and the old ones, so that a tally
    in either boundaries is a GROUP BY on plain columns.
    """

    __tablename__ = "contests"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    locality_scheme: str = Field(default="2025", max_length=8)
    province_code: int = Field(index=True)
    province_name: str = Field(max_length=100)
    province_input: str = Field(max_length=200)
    commune_code: int | None = None
    commune_name: str | None = Field(default=None, max_length=100)
    commune_input: str | None = Field(default=None, max_length=200)
    district_input: str | None = Field(default=None, max_length=200)
    legacy_province_code: int | None = None
    legacy_district_code: int | None = None
    legacy_commune_code: int | None = None
    #: commune, district (before 2025-07-01), province or central: `dandan.terms.Level`.
    level: str = Field(max_length=16)
    held_on: date = Field(index=True)
    organiser: str | None = Field(default=None, max_length=300)
    teams: int | None = None
    entrants: int | None = None
    created_at: datetime
    updated_at: datetime


def _after_create(table: type[SQLModel], sqlite: Sequence[str], postgres: Sequence[str]) -> None:
    """DDL that runs right after the table is created, on each backend its own."""
    for dialect, statements in (("sqlite", sqlite), ("postgresql", postgres)):
        for statement in statements:
            event.listen(
                table.__table__,  # type: ignore[attr-defined]
                "after_create",
                DDL(statement).execute_if(dialect=dialect),  # type: ignore[no-untyped-call]
            )


class Event(SQLModel, table=True):
    """One change to the registry, for the audit trail: who, when, by which command,
    and the values before and after (JSON objects of the fields that changed).

    Append-only: database triggers refuse to update or delete an event, whatever
    writes to the registry.
    """

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(max_length=100)
    command: str = Field(max_length=16)
    model_code: str | None = Field(default=None, max_length=32, index=True)
    batch_id: int | None = Field(default=None, foreign_key="import_batches.id")
    before: str | None = None
    after: str | None = None


#: Refusals that keep `events` append-only (also created by migration 0003).
SQLITE_APPEND_ONLY = tuple(
    f"CREATE TRIGGER events_append_only_{op.lower()} BEFORE {op} ON events "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    for op in ("UPDATE", "DELETE")
)
POSTGRES_APPEND_ONLY = (
    """CREATE OR REPLACE FUNCTION dandan_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END $$""",
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION dandan_append_only()",
)
_after_create(Event, SQLITE_APPEND_ONLY, POSTGRES_APPEND_ONLY)


# -- first_recognized_on, kept by the database itself --------------------------------
# Triggers rather than application code, so that every way of writing recognitions
# (`recognize`, the bulk importer's executemany, a script) keeps the column right.
# A recognition's date: its decision date, else 31 December of its year (SQLite
# stores dates as ISO text, so the text minimum is the earliest date).

# (%% because DDL text goes through %-formatting.)
_SQLITE_DAY = "coalesce({r}.decided_on, printf('%%04d-12-31', {r}.year))"
_SQLITE_EARLIEST = (
    "(SELECT min(" + _SQLITE_DAY.format(r="r") + ") FROM recognitions AS r "
    "WHERE r.model_id = {model_id})"
)
SQLITE_TRIGGERS = (
    # Inserting can only make the first recognition earlier: no need to recount.
    "CREATE TRIGGER recognitions_first_on_insert AFTER INSERT ON recognitions BEGIN "
    "UPDATE models SET first_recognized_on = " + _SQLITE_DAY.format(r="NEW") + " "
    "WHERE id = NEW.model_id AND (first_recognized_on IS NULL "
    "OR first_recognized_on > " + _SQLITE_DAY.format(r="NEW") + "); END",
    "CREATE TRIGGER recognitions_first_on_update "
    "AFTER UPDATE OF model_id, year, decided_on ON recognitions BEGIN "
    "UPDATE models SET first_recognized_on = "
    + _SQLITE_EARLIEST.format(model_id="models.id")
    + " WHERE id IN (OLD.model_id, NEW.model_id); END",
    "CREATE TRIGGER recognitions_first_on_delete AFTER DELETE ON recognitions BEGIN "
    "UPDATE models SET first_recognized_on = "
    + _SQLITE_EARLIEST.format(model_id="OLD.model_id")
    + " WHERE id = OLD.model_id; END",
)
POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION dandan_first_recognized() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
    day date;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Inserting can only make the first recognition earlier: no need to recount
        -- (a recount per row would read the recognitions again for each one imported).
        day := coalesce(NEW.decided_on, make_date(NEW.year, 12, 31));
        UPDATE models SET first_recognized_on = day
        WHERE id = NEW.model_id AND (first_recognized_on IS NULL OR first_recognized_on > day);
        RETURN NULL;
    END IF;
    FOREACH changed IN ARRAY (CASE TG_OP
        WHEN 'DELETE' THEN ARRAY[OLD.model_id]
        ELSE ARRAY[OLD.model_id, NEW.model_id] END)
    LOOP
        UPDATE models SET first_recognized_on = (
            SELECT min(coalesce(r.decided_on, make_date(r.year, 12, 31)))
            FROM recognitions AS r WHERE r.model_id = changed)
        WHERE id = changed;
    END LOOP;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER recognitions_first_recognized "
    "AFTER INSERT OR DELETE OR UPDATE OF model_id, year, decided_on ON recognitions "
    "FOR EACH ROW EXECUTE FUNCTION dandan_first_recognized()",
)
_after_create(Recognition, SQLITE_TRIGGERS, POSTGRES_TRIGGERS)

# -- Vietnamese order --------------------------------------------------------------
# PostgreSQL keeps collations in the schema: a new registry gets `vi` with its tables
# (an older one from migration 0004). SQLite's lives in each connection instead, never
# in the DDL, so that any SQLite tool still opens the file (`dandan.database`).
_after_create(Model, (), (POSTGRES_COLLATION,))
