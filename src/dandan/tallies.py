"""Tallies: how many models were registered and recognised, per group, in a time window.

    >>> from dandan.registry import ModelFilter, Registry
    >>> from dandan.tallies import TallyQuery, Window, tally
    >>> q = TallyQuery(by=("province",), window=Window.parse(by_end_of="2023"))
    >>> tally(Registry("registry.db"), q).total
    {'registered': 408123, 'recognized': 35210}

The figures analysts publish are counts of *models*, so a model recognised twice
counts once per group (unless recognitions are counted). The database does the
counting (two GROUP BY queries); Python only merges and names the groups, so the
cost stays proportional to the number of groups, not of models.

Semantics, as documented in the README:

- a registration is dated by its registration date; a recognition by its decision
  date, or 31 December of its year when the decision date is unknown;
- "recognised" in a window means at least one recognition dated in the window;
- models withdrawn on or before the end of the window count nowhere, unless a status
  filter asks for them; status filters are evaluated at the end of the window;
- grouping by year puts registrations in their registration year and recognitions in
  the year of their date; level belongs to recognitions only, so a tally grouped or
  filtered by level has no "registered" column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, extract, func, select
from sqlmodel import col

from dandan import database
from dandan.errors import UsageError
from dandan.localities import gazetteer
from dandan.models import Model, Recognition
from dandan.registry import ModelFilter, active_on, recognition_dated, recognition_year
from dandan.terms import Status
from dandan.text import fold, sort_key
from dandan.validation import parse_date, parse_year

if TYPE_CHECKING:
    from dandan.registry import Registry


class Dimension(StrEnum):
    province = "province"
    commune = "commune"
    year = "year"
    field = "field"
    sponsor = "sponsor"
    level = "level"
    holder = "holder"


class Counting(StrEnum):
    models = "models"
    recognitions = "recognitions"


class Sort(StrEnum):
    by_count = "count"
    by_name = "name"


# Vietnamese spellings an analyst may type for a dimension ("--by tinh", "--by năm").
_DIMENSION_ALIASES = {
    "tinh": Dimension.province,
    "thanh pho": Dimension.province,
    "provinces": Dimension.province,
    "xa": Dimension.commune,
    "phuong": Dimension.commune,
    "communes": Dimension.commune,
    "ward": Dimension.commune,
    "nam": Dimension.year,
    "years": Dimension.year,
    "linh vuc": Dimension.field,
    "fields": Dimension.field,
    "don vi chu tri": Dimension.sponsor,
    "chu tri": Dimension.sponsor,
    "sponsors": Dimension.sponsor,
    "cap": Dimension.level,
    "levels": Dimension.level,
    "chu the": Dimension.holder,
    "holders": Dimension.holder,
}


def parse_dimension(text: str, option: str = "by") -> Dimension:
    folded = fold(text)
    for dim in Dimension:
        if folded == dim.value:
            return dim
    if folded in _DIMENSION_ALIASES:
        return _DIMENSION_ALIASES[folded]
    choices = ", ".join(d.value for d in Dimension)
    raise UsageError(f"unknown dimension {text!r}; use one of: {choices}", field=option)


def _choice(kind: type[StrEnum], text: str, option: str) -> Any:
    folded = fold(text)
    for member in kind:
        if folded == member.value:
            return member
    choices = "|".join(m.value for m in kind)
    raise UsageError(f"unknown value {text!r}; use {choices}", field=option)


def parse_counting(text: str) -> Counting:
    result: Counting = _choice(Counting, text, "count")
    return result


def parse_sort(text: str) -> Sort:
    result: Sort = _choice(Sort, text, "sort")
    return result


_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:\.\.|[-–—:/])\s*(\d{4})\s*$")


@dataclass(frozen=True, slots=True)
class Window:
    """A span of days, both ends included; None is open-ended."""

    start: date | None = None
    end: date | None = None
    label: str = "all time"

    @classmethod
    def parse(
        cls,
        *,
        year: str | int | None = None,
        by_end_of: str | int | None = None,
        since: str | int | None = None,
        as_of: str | date | None = None,
        period: str | None = None,
    ) -> Window:
        """The window the options describe. One option may set each end: `--since 2021
        --by-end-of 2023` is a window, `--year 2023 --by-end-of 2024` is a contradiction."""
        given = {
            "year": year,
            "by_end_of": by_end_of,
            "since": since,
            "as_of": as_of,
            "period": period,
        }
        sets_start = [k for k in ("year", "since", "period") if given[k] not in (None, "")]
        sets_end = [
            k for k in ("year", "by_end_of", "as_of", "period") if given[k] not in (None, "")
        ]
        for setters in (sets_start, sets_end):
            if len(setters) > 1:
                first = f"--{setters[0].replace('_', '-')}"
                raise UsageError(
                    f"cannot be combined with {first}: both say where the window "
                    f"{'starts' if setters is sets_start else 'ends'}; give one of them",
                    field=setters[1],
                )
        start: date | None = None
        end: date | None = None
        parts: list[str] = []
        if year not in (None, ""):
            assert year is not None
            y = parse_year(year, "year")
            start, end = date(y, 1, 1), date(y, 12, 31)
            parts.append(f"in {y}")
        if period not in (None, ""):
            assert period is not None
            m = _PERIOD.match(period)
            if m is None:
                raise UsageError(
                    f"bad period {period!r}: write two years, e.g. 2021-2025", field="period"
                )
            first_year = parse_year(m.group(1), "period")
            last_year = parse_year(m.group(2), "period")
            if first_year > last_year:
                raise UsageError(
                    f"bad period {period!r}: the first year comes first, e.g. 2021-2025",
                    field="period",
                )
            start, end = date(first_year, 1, 1), date(last_year, 12, 31)
            parts.append(f"in {first_year}–{last_year}")
        if since not in (None, ""):
            assert since is not None
            start = date(parse_year(since, "since"), 1, 1)
            parts.append(f"since {start.year}")
        if by_end_of not in (None, ""):
            assert by_end_of is not None
            end = date(parse_year(by_end_of, "by_end_of"), 12, 31)
            parts.append(f"by the end of {end.year}")
        if as_of not in (None, ""):
            assert as_of is not None
            end = parse_date(as_of, "as_of")
            parts.append(f"as of {end.isoformat()}")
        if start is not None and end is not None and start > end:
            raise UsageError(
                f"the window starts on {start.isoformat()}, after it ends on {end.isoformat()}; "
                "swap the years",
                field=sets_end[-1],
            )
        return cls(start, end, ", ".join(parts) or "all time")

    def registered(self) -> list[Any]:
        """Conditions on `models` for a registration dated in the window."""
        on = col(Model.registered_on)
        conditions: list[Any] = []
        if self.start is not None:
            conditions.append(on >= self.start)
        if self.end is not None:
            conditions.append(on <= self.end)
        return conditions


@dataclass(frozen=True, slots=True)
class TallyQuery:
    """What to count: groups, window, filters, and whether models or recognitions."""

    by: tuple[Dimension, ...] = ()
    window: Window = field(default_factory=Window)
    where: ModelFilter = field(default_factory=ModelFilter)
    count: Counting = Counting.models
    sort: Sort = Sort.by_count

    @classmethod
    def parse(
        cls,
        *,
        by: Sequence[str] = (),
        window: Window | None = None,
        where: ModelFilter | None = None,
        count: str = "models",
        sort: str = "count",
    ) -> TallyQuery:
        dims: list[Dimension] = []
        for text in by:
            dim = parse_dimension(text)
            if dim not in dims:
                dims.append(dim)
        # A commune row already names its province.
        if Dimension.commune in dims and Dimension.province in dims:
            dims.remove(Dimension.province)
        return cls(
            by=tuple(dims),
            window=window or Window(),
            where=where or ModelFilter(),
            count=parse_counting(count),
            sort=parse_sort(sort),
        )

    @property
    def has_registered(self) -> bool:
        """Level describes recognitions: a registration has none, so no such column."""
        return Dimension.level not in self.by and not self.where.levels

    @property
    def recognized_key(self) -> str:
        return "recognitions" if self.count is Counting.recognitions else "recognized"

    @property
    def measures(self) -> tuple[str, ...]:
        if self.has_registered:
            return ("registered", self.recognized_key)
        return (self.recognized_key,)


@dataclass
class TallyResult:
    query: TallyQuery
    rows: list[dict[str, Any]]
    total: dict[str, int]


def _group_columns(dims: Sequence[Dimension], *, recognitions: bool) -> list[Any]:
    """One SQL expression per dimension (commune also carries its province)."""
    exprs: list[Any] = []
    for dim in dims:
        if dim is Dimension.province:
            exprs.append(col(Model.province_code))
        elif dim is Dimension.commune:
            exprs.extend((col(Model.province_code), col(Model.commune_code)))
        elif dim is Dimension.year:
            exprs.append(
                recognition_year() if recognitions else extract("year", col(Model.registered_on))
            )
        elif dim is Dimension.level:
            exprs.append(col(Recognition.level))
        else:
            exprs.append(col(getattr(Model, dim.value)))
    return exprs


def _conditions(query: TallyQuery) -> list[Any]:
    """Model conditions shared by both counts: attributes, and status at the window's end."""
    where = list(query.where.attribute_where())
    end = query.window.end
    if query.where.statuses:
        where.append(query.where.status_where(as_of=end))
    else:
        where.append(active_on(end))
    return where


def _registered(query: TallyQuery, grouped: bool) -> Any:
    groups = _group_columns(query.by, recognitions=False) if grouped else []
    stmt = select(*groups, func.count().label("n")).where(
        *_conditions(query), *query.window.registered()
    )
    return stmt.group_by(*groups) if groups else stmt


def _recognized(query: TallyQuery, grouped: bool) -> Any:
    groups = _group_columns(query.by, recognitions=True) if grouped else []
    counted: ColumnElement[int] = (
        func.count()
        if query.count is Counting.recognitions
        else func.count(func.distinct(col(Recognition.model_id)))
    )
    stmt = (
        select(*groups, counted.label("n"))
        .select_from(Recognition)
        .join(Model, col(Model.id) == col(Recognition.model_id))
        .where(*_conditions(query), *recognition_dated(query.window.start, query.window.end))
    )
    if query.where.levels:
        stmt = stmt.where(col(Recognition.level).in_(query.where.levels))
    return stmt.group_by(*groups) if groups else stmt


def _needs_own_total(query: TallyQuery) -> bool:
    """Whether the rows may count one model twice, so that their sum overstates the total.

    A model has one place, field, sponsor, holder and registration year, but may be
    recognised in several years and at several levels.
    """
    return query.count is Counting.models and bool(
        {Dimension.year, Dimension.level} & set(query.by)
    )


def tally(registry: Registry, query: TallyQuery) -> TallyResult:
    """Count registered and recognised models per group, as the database computes them."""
    counts: dict[tuple[Any, ...], dict[str, int]] = {}
    rec_key = query.recognized_key
    width = len(_group_columns(query.by, recognitions=False))
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        if query.by:
            if query.has_registered:
                for row in conn.execute(_registered(query, grouped=True)):
                    counts.setdefault(tuple(row[:width]), {})["registered"] = int(row[width])
            for row in conn.execute(_recognized(query, grouped=True)):
                counts.setdefault(tuple(row[:width]), {})[rec_key] = int(row[width])
        total: dict[str, int] = {}
        if query.has_registered:
            total["registered"] = (
                sum(c.get("registered", 0) for c in counts.values())
                if query.by
                else int(conn.execute(_registered(query, grouped=False)).scalar_one())
            )
        if query.by and not _needs_own_total(query):
            total[rec_key] = sum(c.get(rec_key, 0) for c in counts.values())
        else:
            total[rec_key] = int(conn.execute(_recognized(query, grouped=False)).scalar_one())
    rows = [_row(query.by, key, values, query.measures) for key, values in counts.items()]
    rows.sort(key=_sorter(query))
    return TallyResult(query, rows, total)


def _row(
    dims: Sequence[Dimension],
    key: tuple[Any, ...],
    values: dict[str, int],
    measures: Sequence[str],
) -> dict[str, Any]:
    """A group as scripts read it: names with their codes for places, identifiers for terms."""
    g = gazetteer()
    row: dict[str, Any] = {}
    values_iter = iter(key)
    for dim in dims:
        if dim in (Dimension.province, Dimension.commune):
            province_code = next(values_iter)
            province = g.provinces.get(province_code)
            row["province"] = province.name if province else None
            row["province_code"] = province_code
            if dim is Dimension.commune:
                commune_code = next(values_iter)
                commune = g.communes.get(commune_code) if commune_code is not None else None
                row["commune"] = commune.name if commune else None
                row["commune_code"] = commune_code
        elif dim is Dimension.year:
            value = next(values_iter)
            row["year"] = int(value) if value is not None else None
        else:
            row[dim.value] = next(values_iter)
    for measure in measures:
        row[measure] = values.get(measure, 0)
    return row


def _name_key(query: TallyQuery) -> Any:
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for dim in query.by:
            if dim is Dimension.commune:
                names: tuple[str | None, ...] = (row["province"], row["commune"])
            elif dim is Dimension.year:
                parts.append((row["year"] is None, row["year"] or 0))
                continue
            else:
                names = (row[dim.value],)
            # Unknown names (a model without a commune) come after the named ones.
            parts.extend((n is None, sort_key(n or "")) for n in names)
        return tuple(parts)

    return key


def _sorter(query: TallyQuery) -> Any:
    by_name = _name_key(query)
    if query.sort is Sort.by_name:
        return by_name
    measures = query.measures

    def by_count(row: dict[str, Any]) -> tuple[Any, ...]:
        return (*(-row[m] for m in measures), by_name(row))

    return by_count


@dataclass
class Stats:
    """The registry at a glance; withdrawn models count only in `withdrawn`."""

    registered: int
    recognized: int
    recognitions: int
    withdrawn: int
    provinces: int
    first_registered_on: date | None
    last_registered_on: date | None
    by_year: list[dict[str, Any]]
    #: The latest decision date (see `summarize`).
    latest_on: date | None
    latest_batch: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "registered": self.registered,
            "recognized": self.recognized,
            "recognitions": self.recognitions,
            "withdrawn": self.withdrawn,
            "provinces": self.provinces,
            "first_registered_on": self.first_registered_on,
            "last_registered_on": self.last_registered_on,
            "by_year": self.by_year,
            "latest_on": self.latest_on,
            "latest_batch": self.latest_batch,
        }


def summarize(registry: Registry, where: ModelFilter | None = None) -> Stats:
    """Totals, the trend by year, and the latest batch: the recognitions decided on the
    latest decision date, one line per decision, since councils recognise models in
    batches. Undated recognitions make a batch only when no decision has a date."""
    where = where or ModelFilter()
    models = tally(registry, TallyQuery(where=where))
    recognitions = tally(registry, TallyQuery(where=where, count=Counting.recognitions))
    by_province = tally(registry, TallyQuery(by=(Dimension.province,), where=where))
    withdrawn = tally(registry, TallyQuery(where=replace(where, statuses=(Status.withdrawn,))))
    by_year = {
        row["year"]: row
        for row in tally(registry, TallyQuery(by=(Dimension.year,), where=where)).rows
    }
    per_year = tally(
        registry, TallyQuery(by=(Dimension.year,), where=where, count=Counting.recognitions)
    )
    recognitions_by_year = {row["year"]: row["recognitions"] for row in per_year.rows}
    trend = [
        {
            "year": y,
            "registered": by_year.get(y, {}).get("registered", 0),
            "recognized": by_year.get(y, {}).get("recognized", 0),
            "recognitions": recognitions_by_year.get(y, 0),
        }
        for y in sorted(by_year.keys() | recognitions_by_year.keys())
    ]
    conditions = _conditions(TallyQuery(where=where))
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(col(Model.registered_on)), func.max(col(Model.registered_on))).where(
                *conditions
            )
        ).one()
        latest_on, batch = _latest_batch(conn, conditions)
    return Stats(
        registered=models.total["registered"],
        recognized=models.total["recognized"],
        recognitions=recognitions.total["recognitions"],
        withdrawn=withdrawn.total["registered"],
        provinces=sum(1 for r in by_province.rows if r["registered"]),
        first_registered_on=first,
        last_registered_on=last,
        by_year=trend,
        latest_on=latest_on,
        latest_batch=batch,
    )


def _latest_batch(conn: Any, conditions: list[Any]) -> tuple[date | None, list[dict[str, Any]]]:
    joined = (
        select().select_from(Recognition).join(Model, col(Model.id) == col(Recognition.model_id))
    )
    decided = col(Recognition.decided_on)
    latest_decided, latest_undated = conn.execute(
        joined.add_columns(
            func.max(decided),
            func.max(col(Recognition.year)).filter(decided.is_(None)),
        ).where(*conditions)
    ).one()
    # A batch is a decision: the latest decision date, or, when no decision date was
    # ever recorded, the latest year of undated recognitions (dated 31 December).
    if latest_decided is not None:
        day, same_batch = latest_decided, decided == latest_decided
    elif latest_undated is not None:
        day = date(int(latest_undated), 12, 31)
        same_batch = and_(decided.is_(None), col(Recognition.year) == int(latest_undated))
    else:
        return None, []
    stmt = (
        joined.add_columns(
            decided,
            col(Recognition.year),
            col(Recognition.decision_no),
            col(Recognition.body),
            col(Recognition.level),
            func.count(func.distinct(col(Recognition.model_id))),
        )
        .where(*conditions, same_batch)
        .group_by(
            decided,
            col(Recognition.year),
            col(Recognition.decision_no),
            col(Recognition.body),
            col(Recognition.level),
        )
    )
    batch = [
        {
            "decided_on": on,
            "year": year,
            "decision": decision,
            "by": body,
            "level": level,
            "recognized": int(n),
        }
        for on, year, decision, body, level, n in conn.execute(stmt)
    ]
    batch.sort(key=lambda b: (-b["recognized"], sort_key(b["decision"] or "")))
    return day, batch
