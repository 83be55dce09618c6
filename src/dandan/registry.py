"""The registry as a Python object: everything the command line does, callable from scripts.

    >>> from dandan.registry import Registry
    >>> reg = Registry("registry.db")
    >>> rec = reg.register(name="Tổ tự quản đường làng", province="quang tri",
    ...                    field="kinh te", sponsor="Hội Nông dân")
    >>> reg.recognize(rec.code, year=2024, level="tỉnh")

Every method validates first and writes in one transaction, so a refused call
leaves the registry exactly as it was.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Row, func, select
from sqlmodel import Session, col

from dandan import database, i18n, schema, tables
from dandan.errors import Conflict, InvalidInput, UsageError
from dandan.filters import ModelFilter, resolve_place
from dandan.i18n import _
from dandan.localities import MERGER_DAY, legacy_gazetteer
from dandan.models import Model
from dandan.schema import Notify
from dandan.terms import Field, Holder, Kind, Level, Sponsor, parse_term
from dandan.text import as_text, clean, fold, undecodable
from dandan.validation import (
    AREA_SEPARATOR,
    FORM_FIELDS,
    area_terms,
    draft_commendation,
    draft_model,
    draft_recognition,
    draft_review,
    parse_date,
    parse_scheme,
    parse_year,
    replicated_code,
    resolve_locality,
    text,
)
from dandan.writing import (
    Change,
    OnConflict,
    Writer,
    code_prefix,
    no_such_model,
    stored_areas,
)

__all__ = [
    "ListOrder",
    "ModelFilter",
    "ModelRecord",
    "RecognitionRecord",
    "Registry",
    "resolve_place",
]


#: Models whose recognitions one query fetches (see `Registry._recognitions`).
_IDS_PER_QUERY = 900
#: The columns a `ModelRecord` is made of (`_record`), and of its recognitions.
_LISTED = (
    "id", "code", "name", "description", "province_name", "province_code", "commune_name",
    "commune_code", "locality_scheme", "legacy_province_code", "legacy_district_code",
    "legacy_commune_code", "field", "sponsor", "holder", "holder_name", "kind", "replicates",
    "registered_on", "status", "withdrawn_on", "withdrawn_reason", *FORM_FIELDS,
)  # fmt: skip
_RECOGNISED = (
    "id", "model_id", "year", "level", "decision_no", "decided_on", "body", "outstanding",
)  # fmt: skip


class ListOrder(StrEnum):
    """How `Registry.list_models` orders models."""

    #: Most recently registered first (the order of `dandan list` without `--sort`).
    date = "date"
    #: Vietnamese alphabetical order of the names (the database's `vi` collation).
    name = "name"
    code = "code"

    @classmethod
    def parse(cls, text: str) -> ListOrder:
        folded = fold(text)
        for member in cls:
            if folded == member.value:
                return member
        choices = "|".join(m.value for m in cls)
        raise UsageError(
            _("unknown value {text!r}; use {choices}").format(text=text, choices=choices),
            field="sort",
        )


@dataclass(frozen=True, slots=True)
class RecognitionRecord:
    year: int
    level: str
    decision: str | None
    decided_on: date | None
    by: str | None
    #: Named outstanding (tiêu biểu).
    outstanding: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "level": self.level,
            "decision": self.decision,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
            "by": self.by,
            "outstanding": self.outstanding,
        }


@dataclass(frozen=True, slots=True)
class CommendationRecord:
    year: int
    award: str
    by: str
    decision: str | None
    decided_on: date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "award": self.award,
            "by": self.by,
            "decision": self.decision,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
        }


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    year: int
    result: str
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "result": self.result, "note": self.note}


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """A model as users see it: names and codes, terms as identifiers, its recognitions."""

    code: str
    name: str
    description: str | None
    province: str
    province_code: int
    commune: str | None
    commune_code: int | None
    locality_scheme: str
    #: The old units (before 2025-07-01) as recorded or as certainly derived: see
    #: `dandan.validation.Locality`. Keys province, district, commune and their codes.
    legacy: dict[str, Any] | None
    field: str
    sponsor: str
    holder: str
    holder_name: str | None
    #: "model" (a practice) or "exemplar" (a person or collective held up as an example).
    kind: str
    #: The code of the model this one copies (nhân rộng), if any.
    replicates: str | None
    registered_on: date
    status: str
    withdrawn_on: date | None
    withdrawn_reason: str | None
    recognitions: tuple[RecognitionRecord, ...] = ()
    #: Its commendations, oldest first (read by `Registry.get`; a list leaves them out).
    commendations: tuple[CommendationRecord, ...] = ()
    #: Its yearly reviews, by year (read by `Registry.get`; a list leaves them out).
    reviews: tuple[ReviewRecord, ...] = ()
    #: The codes of the models that copy this one (read by `Registry.get`).
    replicated_by: tuple[str, ...] = ()
    #: Whether the call that returned the record changed it (an edit may change nothing).
    changed: bool = True
    #: The areas of mass-mobilisation work it serves (`dandan.terms.Area` identifiers),
    #: in the vocabulary's order.
    areas: tuple[str, ...] = ()
    #: The registration form's items (`dandan.validation.FORM_FIELDS`).
    objectives: str | None = None
    method: str | None = None
    target_group: str | None = None
    expected_results: str | None = None
    sustainability: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "province": self.province,
            "province_code": self.province_code,
            "commune": self.commune,
            "commune_code": self.commune_code,
            "locality_scheme": self.locality_scheme,
            "legacy": self.legacy,
            "field": self.field,
            "sponsor": self.sponsor,
            "holder": self.holder,
            "holder_name": self.holder_name,
            "kind": self.kind,
            "areas": list(self.areas),
            "objectives": self.objectives,
            "method": self.method,
            "target_group": self.target_group,
            "expected_results": self.expected_results,
            "sustainability": self.sustainability,
            "replicates": self.replicates,
            "replicated_by": list(self.replicated_by),
            "registered_on": self.registered_on.isoformat(),
            "status": self.status,
            "withdrawn_on": self.withdrawn_on.isoformat() if self.withdrawn_on else None,
            "withdrawn_reason": self.withdrawn_reason,
            "recognitions": [r.as_dict() for r in self.recognitions],
            "commendations": [c.as_dict() for c in self.commendations],
            "reviews": [v.as_dict() for v in self.reviews],
        }


def _record(
    model: Model | Row[Any], recognitions: Sequence[Any] = (), areas: Sequence[str] = ()
) -> ModelRecord:
    """A model (an ORM object or a row of `tables.models`), its recognitions (ORM
    objects or rows of `tables.recognitions`) and areas as the record the library hands out."""
    ordered = sorted(recognitions, key=lambda r: (r.year, r.decided_on or date.min, r.id or 0))
    return ModelRecord(
        code=model.code,
        name=model.name,
        description=model.description,
        province=model.province_name,
        province_code=model.province_code,
        commune=model.commune_name,
        commune_code=model.commune_code,
        locality_scheme=model.locality_scheme,
        legacy=legacy_units(
            model.legacy_province_code, model.legacy_district_code, model.legacy_commune_code
        ),
        field=model.field,
        sponsor=model.sponsor,
        holder=model.holder,
        holder_name=model.holder_name,
        kind=model.kind,
        replicates=model.replicates,
        registered_on=model.registered_on,
        status=model.status,
        withdrawn_on=model.withdrawn_on,
        withdrawn_reason=model.withdrawn_reason,
        recognitions=tuple(
            RecognitionRecord(
                r.year, r.level, r.decision_no, r.decided_on, r.body, bool(r.outstanding)
            )
            for r in ordered
        ),
        areas=tuple(a for a in stored_areas(areas).split(AREA_SEPARATOR) if a),
        objectives=model.objectives,
        method=model.method,
        target_group=model.target_group,
        expected_results=model.expected_results,
        sustainability=model.sustainability,
    )


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def default_actor() -> str:
    """Who makes a change when nobody says: `DANDAN_ACTOR`, else the OS user."""
    try:
        return os.environ.get("DANDAN_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def legacy_units(
    province: int | None, district: int | None, commune: int | None
) -> dict[str, Any] | None:
    """Old unit codes with their names, for display; None when no old unit is known."""
    if province is None:
        return None
    g = legacy_gazetteer()
    d = g.districts.get(district) if district is not None else None
    c = g.communes.get(commune) if commune is not None else None
    return {
        "province": g.provinces[province].name,
        "province_code": province,
        "district": d.name if d else None,
        "district_code": district,
        "commune": c.name if c else None,
        "commune_code": commune,
    }


class Registry:
    """A registry of models and recognitions in one database (SQLite file or server)."""

    def __init__(
        self, db: str | None = None, *, notify: Notify | None = None, actor: str | None = None
    ) -> None:
        """`notify` hears of an automatic schema upgrade (default: standard error);
        `actor` is who the audit trail names for changes (default: `default_actor()`)."""
        self.url = database.resolve_url(db)
        self.notify = notify or _to_stderr
        # Cleaned, and its bytes that are not UTF-8 (a user name or DANDAN_ACTOR in
        # another encoding) shown as U+FFFD: the database refused such a name, and every
        # change failed with a traceback.
        self.actor = as_text(clean(actor or default_actor()))[:100] or "unknown"
        self._engine: Engine | None = None
        self._written = False

    def __repr__(self) -> str:
        return f"Registry({database.masked(self.url)!r})"

    @property
    def engine(self) -> Engine:
        """The registry's database, at `HEAD`. Reading never makes a registry: where
        there is none, `RegistryUnavailable` says how one is made."""
        return self.open()

    def open(self, *, write: bool = False, create: bool = False) -> Engine:
        """`engine`, for a change (`write`: an older SQLite registry gets dandan's mark),
        or one that may make the registry where there is none (`create`: `register`,
        `import`, `dandan db init`)."""
        write = write or create
        if self._engine is None or (write and not self._written):
            engine = self._engine or schema.open_engine(self.url, create=create)
            with database.translate_errors(self.url):
                schema.ensure(engine, self.notify, create=create, write=write)
            self._engine, self._written = engine, write
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine, self._written = None, False

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self, *, write: bool = False, create: bool = False) -> Iterator[Session]:
        engine = self.open(write=write, create=create)
        engine = engine.execution_options(dandan_write=True) if write else engine
        with database.translate_errors(self.url), Session(engine, expire_on_commit=False) as s:
            try:
                yield s
                if write:
                    s.commit()
            except BaseException:
                s.rollback()
                raise

    # -- reading ---------------------------------------------------------------

    def _get(self, s: Session, code: str) -> Model:
        wanted = code.strip().upper()
        # A code with bytes that are not UTF-8 cannot be registered, nor sent to the database.
        found = select(Model).where(col(Model.code) == wanted)
        model = None if undecodable(wanted) else s.scalars(found).first()
        if model is None:
            raise no_such_model(code)
        return model

    def _recognitions(self, s: Session, model_ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
        """The recognitions of these models, asked for `_IDS_PER_QUERY` models at a time:
        a database binds a bounded number of values in one statement (SQLite 32,766, or
        999 when built with older defaults), and a national list holds 400,000 ids."""
        found: dict[int, list[Row[Any]]] = {i: [] for i in model_ids}
        r = tables.recognitions
        for start in range(0, len(model_ids), _IDS_PER_QUERY):
            part = model_ids[start : start + _IDS_PER_QUERY]
            for row in s.execute(
                select(*(r.c[n] for n in _RECOGNISED)).where(r.c.model_id.in_(part))
            ):
                found[row.model_id].append(row)
        return found

    def _areas(self, s: Session, model_ids: Sequence[int]) -> dict[int, list[str]]:
        """The areas of these models, asked for as `_recognitions` asks."""
        found: dict[int, list[str]] = {i: [] for i in model_ids}
        a = tables.model_areas
        for start in range(0, len(model_ids), _IDS_PER_QUERY):
            part = model_ids[start : start + _IDS_PER_QUERY]
            for model_id, area in s.execute(
                select(a.c.model_id, a.c.area).where(a.c.model_id.in_(part))
            ):
                found[model_id].append(area)
        return found

    def get(self, code: str) -> ModelRecord:
        with self._session() as s:
            model = self._get(s, code)
            assert model.id is not None
            record = _record(
                model,
                self._recognitions(s, [model.id])[model.id],
                self._areas(s, [model.id])[model.id],
            )
            c = tables.commendations.c
            found = s.execute(
                select(c.year, c.award, c.body, c.decision_no, c.decided_on)
                .where(c.model_id == model.id)
                .order_by(c.year, c.decided_on, c.id)
            ).all()
            v = tables.reviews.c
            reviewed = s.execute(
                select(v.year, v.result, v.note).where(v.model_id == model.id).order_by(v.year)
            ).all()
            m = tables.models.c
            copies = s.scalars(
                select(m.code).where(m.replicates == model.code).order_by(m.code)
            ).all()
            return replace(
                record,
                replicated_by=tuple(copies),
                commendations=tuple(CommendationRecord(*row) for row in found),
                reviews=tuple(ReviewRecord(*row) for row in reviewed),
            )

    def list_models(
        self,
        where: ModelFilter | None = None,
        *,
        limit: int | None = None,
        sort: ListOrder | str = ListOrder.date,
    ) -> list[ModelRecord]:
        """Models matching the filter: most recently registered first, or by `sort`
        ("name": Vietnamese alphabetical order, sorted by the database so that `limit`
        takes the first names; "code")."""
        return list(self.iter_models(where, limit=limit, sort=sort))

    def iter_models(
        self,
        where: ModelFilter | None = None,
        *,
        limit: int | None = None,
        sort: ListOrder | str = ListOrder.date,
    ) -> Iterator[ModelRecord]:
        """`list_models` one model at a time: read from the database `_IDS_PER_QUERY`
        models at a time with their recognitions, so that listing a national registry
        takes the memory of a few hundred models, not of 400,000. Rows, not ORM objects:
        building one took three quarters of the time of a long list."""
        order = sort if isinstance(sort, ListOrder) else ListOrder.parse(sort)
        m = tables.models
        stmt = select(*(m.c[name] for name in _LISTED)).where(*(where or ModelFilter()).where())
        if order is ListOrder.name:
            # The stored start of each name's key walks an index; the collation orders
            # only names that share it.
            stmt = stmt.order_by(m.c.name_order, database.vietnamese(m.c.name), m.c.code)
        elif order is ListOrder.code:
            stmt = stmt.order_by(m.c.code)
        else:
            stmt = stmt.order_by(m.c.registered_on.desc(), m.c.code.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session() as s:
            found = s.execute(stmt.execution_options(yield_per=_IDS_PER_QUERY))
            for models in found.partitions():
                ids = [row.id for row in models]
                recs, areas = self._recognitions(s, ids), self._areas(s, ids)
                yield from (_record(row, recs[row.id], areas[row.id]) for row in models)

    def count(self) -> int:
        with self._session() as s:
            return int(s.execute(select(func.count()).select_from(Model)).scalar_one())

    def duplicates(
        self, where: ModelFilter | None = None, *, limit: int | None = None
    ) -> list[list[ModelRecord]]:
        """Likely duplicates already registered, so an office can clean old data: the
        models sharing a folded name (case, diacritics, punctuation and spacing aside)
        in one commune, or, for models without a commune, in one province. Every model
        of each group, withdrawn ones too (their status says so), oldest first; the
        groups in the order of their province, commune and name; `limit` groups at most.
        """
        m = tables.models.c
        conditions = (where or ModelFilter()).where()
        place = (m.name_folded, m.province_code, m.commune_code)
        shared = (
            select(*place)
            .where(*conditions)
            .group_by(*place)
            .having(func.count() > 1)
            .order_by(*place)
            .limit(limit)
            .subquery()
        )
        stmt = (
            select(Model, *shared.c)
            .join(
                shared,
                (m.name_folded == shared.c.name_folded)
                & (m.province_code == shared.c.province_code)
                & m.commune_code.is_not_distinct_from(shared.c.commune_code),
            )
            .where(*conditions)
            .order_by(*shared.c, m.registered_on, m.code)
        )
        groups: dict[tuple[Any, ...], list[Model]] = {}
        with self._session() as s:
            for model, *group in s.execute(stmt):
                groups.setdefault(tuple(group), []).append(model)
            ids = [model.id for group in groups.values() for model in group if model.id]
            recs, areas = self._recognitions(s, ids), self._areas(s, ids)
        return [
            [_record(model, recs[model.id or 0], areas[model.id or 0]) for model in group]
            for group in groups.values()
        ]

    # -- writing ---------------------------------------------------------------
    # Every change goes through `dandan.writing.Writer`, the import's writer: the
    # command's change is validated here, checked against the registry, staged and
    # swapped in there, with its audit event, in one write transaction.

    @contextmanager
    def _writer(
        self,
        *,
        create: bool = False,
        prefixes: Iterable[str] = (),
        fields: dict[str, str] | None = None,
    ) -> Iterator[Writer]:
        """One write transaction around a writer; `fields` renames the fields of the
        writer's errors to the command's (its `withdrawn_on` is `withdraw`'s `on`)."""
        engine = self.open(write=True, create=create)
        with database.translate_errors(self.url), engine.connect() as conn:
            conn.execution_options(dandan_write=True)  # SQLite: BEGIN IMMEDIATE
            writer = Writer(conn, OnConflict.fail, _Counts(), self.actor)
            try:
                with conn.begin():
                    writer.lock(prefixes)
                    writer.open_stage()
                    try:
                        yield writer
                    except InvalidInput as exc:
                        exc.field = (fields or {}).get(exc.field or "", exc.field)
                        raise
                    writer.finish()
                with conn.begin():
                    writer.drop_stage()
            except BaseException:
                conn.invalidate()  # its staging tables go with it
                raise

    def register(
        self,
        *,
        name: str | None,
        province: str | None,
        field: str | None,
        sponsor: str | None,
        commune: str | None = None,
        district: str | None = None,
        boundaries: str | None = None,
        holder: str | None = None,
        holder_name: str | None = None,
        kind: str | None = None,
        registered_on: str | date | None = None,
        description: str | None = None,
        code: str | None = None,
        areas: Sequence[str] | None = None,
        form: Mapping[str, str | None] | None = None,
        replicates: str | None = None,
        allow_duplicate: bool = False,
        today: date | None = None,
    ) -> ModelRecord:
        """Register a new model; its code is generated unless one is supplied.

        The locality names the units of the registration date (the old ones before
        2025-07-01) unless `boundaries` ("2024" or "2025") says which. A model with the
        name, place and registration date of a registered one is refused as a likely
        duplicate, unless `allow_duplicate`. `areas`: the areas of work it serves (any
        spelling, several in one value separated by ";"); `form`: the registration form's
        items by their names in `FORM_FIELDS`."""
        unknown = sorted(set(form or {}) - set(FORM_FIELDS))
        if unknown:
            raise UsageError(_("not an item of the form: {name}").format(name=unknown[0]))
        draft = draft_model(
            name=name,
            province=province,
            commune=commune,
            district=district,
            scheme=parse_scheme(boundaries),
            field=field,
            sponsor=sponsor,
            holder=holder,
            holder_name=holder_name,
            kind=kind,
            registered_on=registered_on,
            description=description,
            code=code,
            areas=areas,
            form=form,
            replicates=replicates,
            today=today or date.today(),
        )
        change = Change("register", 0, {}, draft.code, draft, None, None, None)
        prefix = code_prefix(draft.locality.province.code, draft.registered_on.year)
        with self._writer(create=True, prefixes=[prefix] if draft.code is None else []) as w:
            registered = w.register(change, allow_duplicate=allow_duplicate)
        return self.get(registered)

    def recognize(
        self,
        code: str,
        *,
        year: str | int | None,
        level: str | None,
        decision: str | None = None,
        decided_on: str | date | None = None,
        by: str | None = None,
        outstanding: bool = False,
        allow_duplicate: bool = False,
        today: date | None = None,
    ) -> ModelRecord:
        """Record a recognition (`outstanding`: named tiêu biểu); refused before
        registration, after a withdrawal, for districts after 2025-07-01, when the same
        recognition is recorded, or when the model is recognised at that level that year
        already (unless `allow_duplicate`)."""
        draft = draft_recognition(
            year=year,
            level=level,
            decision_no=decision,
            decided_on=decided_on,
            body=by,
            outstanding=outstanding,
            today=today or date.today(),
        )
        code = _code(code)
        with self._writer() as w:
            w.recognize(code, draft, allow_duplicate=allow_duplicate)
        return self.get(code)

    def commend(
        self,
        code: str,
        *,
        year: str | int | None,
        award: str | None,
        by: str | None,
        decision: str | None = None,
        decided_on: str | date | None = None,
        today: date | None = None,
    ) -> ModelRecord:
        """Record a commendation (khen thưởng); refused before the model's registration,
        dated outside its year, or when the body gave this award that year already."""
        draft = draft_commendation(
            year=year,
            award=award,
            body=by,
            decision_no=decision,
            decided_on=decided_on,
            today=today or date.today(),
        )
        code = _code(code)
        with self._writer() as w:
            w.commend(code, draft)
        return self.get(code)

    def review(
        self,
        code: str,
        *,
        year: str | int | None,
        result: str | None,
        note: str | None = None,
        today: date | None = None,
    ) -> ModelRecord:
        """Record a model's review of a year: effective, weak or stopped. A second review
        of the same year corrects the first (the audit trail keeps both); refused for a
        year before the model's registration. `changed` is False when it was so already."""
        draft = draft_review(year=year, result=result, note=note, today=today or date.today())
        code = _code(code)
        with self._writer() as w:
            changed = w.review(code, draft)
        return replace(self.get(code), changed=changed)

    def unrecognize(
        self,
        code: str,
        *,
        year: str | int,
        level: str,
        reason: str | None,
        decision: str | None = None,
        today: date | None = None,
    ) -> ModelRecord:
        """Remove one recognition recorded by mistake; the audit trail keeps it, with
        the reason. Refused when none matches, or several (`decision` tells them apart)."""
        reason_text = text(reason, "reason", required=True)
        assert reason_text is not None
        wanted_year = parse_year(year, today=today or date.today())
        wanted_level = parse_term(Level, level)
        code = _code(code)
        with self._writer() as w:
            w.unrecognize(code, wanted_year, wanted_level, text(decision, "decision"), reason_text)
        return self.get(code)

    def edit(
        self,
        code: str,
        *,
        name: str | None = None,
        description: str | None = None,
        province: str | None = None,
        commune: str | None = None,
        district: str | None = None,
        boundaries: str | None = None,
        field: str | None = None,
        sponsor: str | None = None,
        holder: str | None = None,
        holder_name: str | None = None,
        kind: str | None = None,
        registered_on: str | date | None = None,
        areas: Sequence[str] | None = None,
        form: Mapping[str, str | None] | None = None,
        replicates: str | None = None,
        today: date | None = None,
    ) -> ModelRecord:
        """Change the given attributes of a model; the others stay as they are. `areas`
        replaces its set of areas (an empty list, or only empty values, clears it); an
        item of `form` given as "" clears that item; `replicates` "" clears the model it
        copies. The
        record as it will be is checked whole (a registration after the withdrawal is
        refused); `changed` on the result is False when nothing differed.

        A new province clears the district and commune, a new district the commune:
        they lay elsewhere. The locality is resolved by the registration date, as when
        it was registered, unless `boundaries` says which units it names."""
        today = today or date.today()
        code = _code(code)
        # The dates of a withdrawal or recognition stand; a new registration date is at fault.
        moved_date = {"withdrawn_on": "registered_on", "decided_on": "registered_on",
                      "year": "registered_on"}  # fmt: skip
        with self._writer(fields=moved_date if registered_on is not None else None) as w:
            change = w.current(code)
            d = change.model
            if name is not None:
                new_name = text(name, "name", required=True)
                assert new_name is not None
                d.name = new_name
            if description is not None:
                d.description = text(description, "description")
            if province is not None or commune is not None or district is not None:
                moved = province is not None
                loc = d.locality
                d.locality = resolve_locality(
                    province if moved else loc.province_input,
                    commune if commune is not None or moved or district else loc.commune_input,
                    district if district is not None or moved else loc.district_input,
                    before_merger=d.registered_on < MERGER_DAY,
                    scheme=parse_scheme(boundaries),
                )
            if field is not None:
                d.field = parse_term(Field, field)
            if sponsor is not None:
                d.sponsor = parse_term(Sponsor, sponsor)
            if holder is not None:
                d.holder = parse_term(Holder, holder)
            if holder_name is not None:
                d.holder_name = text(holder_name, "holder_name")
            if kind is not None:
                d.kind = parse_term(Kind, kind)
            if areas is not None:
                d.areas = area_terms(areas)
            for item, value in (form or {}).items():
                if item not in FORM_FIELDS:
                    raise UsageError(_("not an item of the form: {name}").format(name=item))
                setattr(d, item, text(value, item))
            if replicates is not None:
                d.replicates = replicated_code(replicates, code)
            if registered_on is not None:
                d.registered_on = parse_date(registered_on, "registered_on", today=today)
            changed = w.update(change, "edit")
        return replace(self.get(code), changed=changed)

    def withdraw(
        self,
        code: str,
        *,
        reason: str | None,
        on: str | date | None = None,
        today: date | None = None,
    ) -> ModelRecord:
        """Mark a model withdrawn. It stays in the registry, with the reason, for the record."""
        today = today or date.today()
        reason_text = text(reason, "reason", required=True)
        when = parse_date(on, "on", today=today) if on not in (None, "") else today
        code = _code(code)
        with self._writer(fields={"withdrawn_on": "on", "withdrawn_reason": "reason"}) as w:
            change = w.current(code)
            if change.withdrawn_on is not None:
                raise Conflict(
                    _("model {code} was already withdrawn on {day}").format(
                        code=code, day=i18n.day(change.withdrawn_on)
                    )
                )
            change.withdrawn_on, change.withdrawn_reason = when, reason_text
            w.update(change, "withdraw")
        return self.get(code)

    def reinstate(self, code: str, *, reason: str | None) -> ModelRecord:
        """Reverse a withdrawal made by mistake: the model counts again from its
        registration; the audit trail keeps the withdrawal and the reason for undoing it."""
        reason_text = text(reason, "reason", required=True)
        assert reason_text is not None
        code = _code(code)
        with self._writer() as w:
            change = w.current(code)
            if change.withdrawn_on is None:
                raise Conflict(_("model {code} is not withdrawn").format(code=code))
            change.withdrawn_on = change.withdrawn_reason = None
            w.update(change, "reinstate", note={"reason": reason_text})
        return self.get(code)


def _code(code: str) -> str:
    """A model code as stored: codes are upper case."""
    return code.strip().upper()


class _Counts:
    """A command's counts (an import reports them; a command has its record)."""

    inserted = updated = skipped = recognitions = 0
