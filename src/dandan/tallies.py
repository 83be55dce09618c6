"""Tallies: how many models were registered and recognised, per group, in a time window.

    >>> from dandan.registry import Registry
    >>> from dandan.tallies import Dimension, TallyQuery, Window, tally
    >>> q = TallyQuery(by=(Dimension.province,), window=Window.parse(by_end_of="2023"))
    >>> tally(Registry("demo.db"), q).total      # after `make demo`
    {'registered': 1899, 'recognized': 708}

The figures analysts publish are counts of *models*, so a model recognised twice
counts once per group (unless recognitions are counted). The database does the
counting with GROUP BY; Python only merges and names the groups, so its share of
the cost follows the number of groups, not of models. The common case, a
cumulative window grouped by place, is one scan of the `ix_models_tally` index,
thanks to the `first_recognized_on` column the database keeps (see
`dandan.models`); windows with a start, and groups by year or level, read the
recognitions.

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
from functools import reduce
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, Join, and_, case, extract, func, or_, select

from dandan import database, tables
from dandan.errors import Advice, UsageError
from dandan.filters import (
    NO_AREA,
    ModelFilter,
    active_on,
    area_text,
    filter_terms,
    recognised_within,
    recognition_dated,
    recognition_year,
)
from dandan.i18n import N_, _, day
from dandan.localities import CURRENT_SCHEME, LEGACY_SCHEME, gazetteer, legacy_gazetteer
from dandan.models import TALLY_INDEXES, WINDOW_COLUMNS
from dandan.terms import Level, Result, Status
from dandan.text import fold, sort_key
from dandan.validation import SCHEMES, parse_date, parse_year

if TYPE_CHECKING:
    from dandan.registry import Registry

M = tables.models
R = tables.recognitions
#: The areas a model is grouped by (`--by area`): joined to the models, outer, so that
#: a model serving none is counted in the group "none".
AG = tables.model_areas.alias("area_group")
AREA_GROUP = func.coalesce(AG.c.area, NO_AREA)
C = tables.commendations
V = tables.reviews


class Dimension(StrEnum):
    province = "province"
    district = "district"  # the old units only: districts ended on 2025-07-01
    commune = "commune"
    year = "year"
    field = "field"
    sponsor = "sponsor"
    level = "level"
    holder = "holder"
    kind = "kind"
    #: The areas of work a model serves: a model counts once in each (`counts_again`).
    area = "area"


class Boundaries(StrEnum):
    """Which units places are counted in: today's 34 provinces, or the 63 before
    2025-07-01 (to compare with figures published then)."""

    current = "current"
    legacy = "2024"


#: The name of the group of models a tally in the old units cannot place: recorded
#: after the merger in a current unit made of parts of several old ones. JSON and CSV
#: carry it as it is; a table shows it translated, like any name for people.
NOT_ASSIGNABLE = N_("not assignable")

#: The row `--top` folds the smaller groups into: "other" in JSON and CSV, translated
#: in a table and a workbook.
OTHER = N_("other")

#: Each dimension as a title names it ("Models by province and year, …").
DIMENSION_NAMES: dict[Dimension, str] = {
    Dimension.province: N_("province"),
    Dimension.district: N_("district"),
    Dimension.commune: N_("commune"),
    Dimension.year: N_("year"),
    Dimension.field: N_("field"),
    Dimension.sponsor: N_("sponsor"),
    Dimension.level: N_("level"),
    Dimension.holder: N_("holder"),
    Dimension.kind: N_("kind"),
    Dimension.area: N_("area of work"),
}


def parse_boundaries(text: str) -> Boundaries:
    scheme = SCHEMES.get(fold(text))
    found = {LEGACY_SCHEME: Boundaries.legacy, CURRENT_SCHEME: Boundaries.current}.get(scheme or "")
    if found is None:
        raise UsageError(
            _(
                "unknown boundaries {text!r}; use current (the 34 provinces since 2025-07-01) "
                "or 2024 (the 63 provinces before)"
            ).format(text=text),
            field="boundaries",
        )
    return found


class Counting(StrEnum):
    models = "models"
    recognitions = "recognitions"
    #: The commendations of the group's models dated in the window (by their decision,
    #: else 31 December of their year), beside the models registered.
    commendations = "commendations"
    #: The models with a recognition named outstanding (tiêu biểu) dated in the window,
    #: each once per group, beside the models registered.
    outstanding = "outstanding"
    #: The models copied (nhân rộng) by at least one model registered in the window,
    #: counted in the groups of the model copied, beside the models registered.
    replications = "replications"


class Measure(StrEnum):
    """The one count a cross-table shows and `--top` ranks by."""

    registered = "registered"
    recognized = "recognized"


#: A measure in words, for a cross-table's title.
MEASURE_NAMES: dict[str, str] = {
    "registered": N_("models registered"),
    "recognized": N_("models recognised"),
    "recognitions": N_("recognitions"),
    "commendations": N_("commendations"),
    "outstanding": N_("models named outstanding"),
    "replications": N_("models replicated"),
}


class Sort(StrEnum):
    #: Groups that have an order of their own in it (years ascending, levels from the
    #: commune up); the others by count, as `by_count`.
    natural = "natural"
    by_count = "count"
    by_name = "name"


#: The dimensions whose values have an order of their own, which `Sort.natural` follows.
NATURAL_DIMENSIONS = (Dimension.year, Dimension.level)


# Vietnamese spellings an analyst may type for a dimension ("--by tinh", "--by năm").
_DIMENSION_ALIASES = {
    "tinh": Dimension.province,
    "thanh pho": Dimension.province,
    "provinces": Dimension.province,
    "huyen": Dimension.district,
    "quan huyen": Dimension.district,
    "districts": Dimension.district,
    "xa": Dimension.commune,
    "phuong": Dimension.commune,
    "communes": Dimension.commune,
    "ward": Dimension.commune,
    "nam": Dimension.year,
    "years": Dimension.year,
    "linh vuc": Dimension.field,
    "fields": Dimension.field,
    "don vi chu tri": Dimension.sponsor,
    "khoi chu tri": Dimension.sponsor,
    "chu tri": Dimension.sponsor,
    "sponsors": Dimension.sponsor,
    "cap": Dimension.level,
    "levels": Dimension.level,
    "chu the": Dimension.holder,
    "holders": Dimension.holder,
    "loai": Dimension.kind,
    "kinds": Dimension.kind,
    "mo hinh dien hinh": Dimension.kind,
    "areas": Dimension.area,
    "linh vuc cong tac": Dimension.area,
    "nhom doi tuong": Dimension.area,
}


def parse_dimension(text: str, option: str = "by") -> Dimension:
    folded = fold(text)
    for dim in Dimension:
        if folded == dim.value:
            return dim
    if folded in _DIMENSION_ALIASES:
        return _DIMENSION_ALIASES[folded]
    choices = ", ".join(d.value for d in Dimension)
    raise UsageError(
        _("unknown dimension {text!r}; use one of: {choices}").format(text=text, choices=choices),
        field=option,
    )


def _choice(kind: type[StrEnum], text: str, option: str) -> Any:
    folded = fold(text)
    for member in kind:
        if folded == member.value:
            return member
    choices = "|".join(m.value for m in kind)
    raise UsageError(
        _("unknown value {text!r}; use {choices}").format(text=text, choices=choices), field=option
    )


def parse_counting(text: str) -> Counting:
    result: Counting = _choice(Counting, text, "count")
    return result


def parse_sort(text: str) -> Sort:
    result: Sort = _choice(Sort, text, "sort")
    return result


_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:\.\.|[-–—:/])\s*(\d{4})\s*$")


def _inferred(start: date | None, end: date | None) -> tuple[str, ...]:
    """The options a window built from its days alone reads as: whole years where its
    ends fall on 1 January and 31 December, days elsewhere."""
    said: list[str] = []
    if start is not None:
        said.append("since" if (start.month, start.day) == (1, 1) else "from")
    if end is not None:
        said.append("by_end_of" if (end.month, end.day) == (12, 31) else "as_of")
    return tuple(said)


@dataclass(frozen=True, slots=True)
class Window:
    """A span of days, both ends included; None is open-ended.

    `said` names the options that set the ends, in the order `parse` reads them, so
    that the window is described the way the user put it: `--by-end-of 2023` and
    `--as-of 2023-12-31` are the same days, told differently.
    """

    start: date | None = None
    end: date | None = None
    said: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The window in words, in the reader's language: "since 2021, by the end of 2023".

        Built whole for each combination the options allow (one phrase per end, the start
        first), so a translator sees every sentence a title can end with.
        """
        start, end = self.start, self.end
        said = self.said or _inferred(start, end)
        if start is not None and end is not None:
            if said == ("year",):
                return _("in {year}").format(year=start.year)
            if said == ("period",):
                return _("in {first}–{last}").format(first=start.year, last=end.year)
            if said == ("since", "by_end_of"):
                return _("since {first}, by the end of {last}").format(
                    first=start.year, last=end.year
                )
            if said == ("since", "as_of"):
                return _("since {year}, as of {day}").format(year=start.year, day=day(end))
            return _("from {start} to {end}").format(start=day(start), end=day(end))
        if start is not None:
            if said == ("since",):
                return _("since {year}").format(year=start.year)
            return _("from {day}").format(day=day(start))
        if end is not None:
            if said == ("by_end_of",):
                return _("by the end of {year}").format(year=end.year)
            return _("as of {day}").format(day=day(end))
        return _("all time")

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
                if setters is sets_start:
                    message = _(
                        "cannot be combined with {first}: both say where the window starts; "
                        "give one of them"
                    )
                else:
                    message = _(
                        "cannot be combined with {first}: both say where the window ends; "
                        "give one of them"
                    )
                raise UsageError(message.format(first=first), field=setters[1])
        start: date | None = None
        end: date | None = None
        said: list[str] = []
        if year not in (None, ""):
            assert year is not None
            y = parse_year(year, "year")
            start, end = date(y, 1, 1), date(y, 12, 31)
            said.append("year")
        if period not in (None, ""):
            assert period is not None
            m = _PERIOD.match(period)
            if m is None:
                raise UsageError(
                    _("bad period {period!r}: write two years, e.g. 2021-2025").format(
                        period=period
                    ),
                    field="period",
                )
            first_year = parse_year(m.group(1), "period")
            last_year = parse_year(m.group(2), "period")
            if first_year > last_year:
                raise UsageError(
                    _("bad period {period!r}: the first year comes first, e.g. 2021-2025").format(
                        period=period
                    ),
                    field="period",
                )
            start, end = date(first_year, 1, 1), date(last_year, 12, 31)
            said.append("period")
        if since not in (None, ""):
            assert since is not None
            start = date(parse_year(since, "since"), 1, 1)
            said.append("since")
        if by_end_of not in (None, ""):
            assert by_end_of is not None
            end = date(parse_year(by_end_of, "by_end_of"), 12, 31)
            said.append("by_end_of")
        if as_of not in (None, ""):
            assert as_of is not None
            end = parse_date(as_of, "as_of")
            said.append("as_of")
        if start is not None and end is not None and start > end:
            raise UsageError(
                _("the window starts on {start}, after it ends on {end}; swap the years").format(
                    start=day(start), end=day(end)
                ),
                field=sets_end[-1],
            )
        return cls(start, end, tuple(said))

    def registered(self) -> list[Any]:
        """Conditions on `models` for a registration dated in the window."""
        on = M.c.registered_on
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
    sort: Sort = Sort.natural
    boundaries: Boundaries = Boundaries.current
    #: Keep this many groups, the largest by `measure`, and fold the rest into `OTHER`.
    top: int | None = None
    #: The count a cross-table shows and `top` ranks by; None: as `measure` says.
    measured: Measure | None = None
    #: Count the reviews of this year per result (`REVIEW_MEASURES`) instead.
    reviewed: int | None = None

    @classmethod
    def parse(
        cls,
        *,
        by: Sequence[str] = (),
        window: Window | None = None,
        where: ModelFilter | None = None,
        count: str = "models",
        sort: str = "natural",
        boundaries: str = "current",
        top: int | None = None,
        measure: str | None = None,
        reviewed: str | int | None = None,
    ) -> TallyQuery:
        units = parse_boundaries(boundaries)
        year = None
        if reviewed is not None:
            year = parse_year(reviewed, "reviewed", today=date.today())
            if window is not None and window != Window():
                raise UsageError(
                    _(
                        "the reviews of a year are counted in that year alone, "
                        "not in another window"
                    ),
                    field="reviewed",
                )
            window = Window(date(year, 1, 1), date(year, 12, 31), ("year",))
            if count != Counting.models.value or top is not None or measure is not None:
                raise UsageError(
                    _("the reviews of a year are counted as models by result, with no other "
                      "count, measure or cut to the largest groups"),
                    field="reviewed",
                )  # fmt: skip
        measured: Measure | None = None if measure is None else _choice(Measure, measure, "measure")
        if top is not None and top < 1:
            raise UsageError(
                _("{top} groups cannot be kept; give 1 or more").format(top=top), field="top"
            )
        dims: list[Dimension] = []
        for text in by:
            dim = parse_dimension(text)
            if dim not in dims:
                dims.append(dim)
        if Dimension.district in dims and units is Boundaries.current:
            raise UsageError(
                _(
                    "districts were abolished on 2025-07-01; count by them in the units "
                    "before that day"
                ),
                field="by",
                advice=Advice.count_old_units,
            )
        # A commune row already names its district and province, a district row its province.
        places = [Dimension.commune, Dimension.district, Dimension.province]
        finest = next((d for d in places if d in dims), None)
        dims = [d for d in dims if d not in places or d is finest]
        query = cls(
            by=tuple(dims),
            window=window or Window(),
            where=where or ModelFilter(),
            count=parse_counting(count),
            sort=parse_sort(sort),
            boundaries=units,
            top=top,
            measured=measured,
            reviewed=year,
        )
        if year is not None and (Dimension.level in query.by or query.where.levels):
            raise UsageError(
                _("a review has no recognition level: it is not grouped or filtered by level"),
                field="reviewed",
            )
        _check_measure(query)
        if query.count is Counting.replications and (
            {Dimension.level, Dimension.year} & set(query.by) or query.where.levels
        ):
            raise UsageError(
                _(
                    "replications are counted in the groups of the model copied, "
                    "not by year or level"
                ),
                field="count",
            )
        if query.count is Counting.commendations and (
            Dimension.level in query.by or query.where.levels
        ):
            raise UsageError(
                _(
                    "a commendation has no recognition level: "
                    "it is not grouped or filtered by level"
                ),
                field="count",
            )
        return query

    @property
    def title(self) -> str:
        """The whole selection in words, in the reader's language: "Models by year in
        Quảng Trị, in 2021–2025 (field: economy)". A table pasted into a report says what
        it counts: groups, boundaries, places (an old unit with the day its boundaries
        ended), window and every filter.

        One sentence per shape, so that each reads naturally in either language.
        """
        window = self.window.label
        places = self.where.places
        area = area_text(self.where) if places else None
        if not self.by:
            if area is None:
                base = _("Models nationwide, {window}").format(window=window)
            else:
                base = _("Models in {places}, {window}").format(places=area, window=window)
        else:
            groups = reduce(
                lambda first, second: _("{first} and {second}").format(first=first, second=second),
                (_(DIMENSION_NAMES[d]) for d in self.by),
            )
            legacy = self.boundaries is Boundaries.legacy
            if area is None and legacy:
                message = _("Models by {groups} (units before 2025-07-01), {window}")
            elif area is None:
                message = _("Models by {groups}, {window}")
            elif legacy:
                message = _("Models by {groups} (units before 2025-07-01) in {places}, {window}")
            else:
                message = _("Models by {groups} in {places}, {window}")
            base = message.format(groups=groups, places=area, window=window)
        filters = [
            _("{label}: {values}").format(label=label, values=values)
            for label, values in filter_terms(self.where, lower=True)
        ]
        return f"{base} ({'; '.join(filters)})" if filters else base

    @property
    def has_registered(self) -> bool:
        """Level describes recognitions: a registration has none, so no such column."""
        return Dimension.level not in self.by and not self.where.levels

    @property
    def recognized_key(self) -> str:
        if self.count in (
            Counting.recognitions, Counting.commendations, Counting.outstanding,
            Counting.replications,
        ):  # fmt: skip
            return self.count.value
        return "recognized"

    @property
    def measures(self) -> tuple[str, ...]:
        if self.reviewed is not None:
            return REVIEW_MEASURES
        if self.has_registered:
            return ("registered", self.recognized_key)
        return (self.recognized_key,)

    @property
    def measure(self) -> str:
        """The one count a cross-table shows and `top` ranks the groups by: the one
        `--measure` names; else the models registered, unless recognitions are counted
        (`--count recognitions`) or the tally has no registered column (grouped or
        filtered by level), where it is the recognised one."""
        if self.reviewed is not None:
            return REVIEW_MEASURES[0]
        if self.measured is Measure.recognized:
            return self.recognized_key
        if self.measured is Measure.registered:
            return "registered"
        if self.has_registered and self.count is Counting.models:
            return "registered"
        return self.recognized_key


@dataclass
class TallyResult:
    query: TallyQuery
    rows: list[dict[str, Any]]
    total: dict[str, int]


def _place_columns(dim: Dimension, boundaries: Boundaries) -> tuple[Any, ...]:
    """A place and the places it lies in, in the chosen units."""
    if boundaries is Boundaries.legacy:
        province, district = M.c.legacy_province_code, M.c.legacy_district_code
        if dim is Dimension.province:
            return (province,)
        if dim is Dimension.district:
            return (province, district)
        return (province, district, M.c.legacy_commune_code)
    if dim is Dimension.province:
        return (M.c.province_code,)
    return (M.c.province_code, M.c.commune_code)


def _group_columns(
    dims: Sequence[Dimension],
    *,
    recognitions: bool,
    boundaries: Boundaries = Boundaries.current,
    dated: Any = R,
) -> list[Any]:
    """One SQL expression per dimension (a place also carries the places it lies in);
    a year is that of the registration, or of the row of `dated` (recognitions, or
    commendations) when `recognitions`."""
    exprs: list[Any] = []
    for dim in dims:
        if dim in (Dimension.province, Dimension.district, Dimension.commune):
            exprs.extend(_place_columns(dim, boundaries))
        elif dim is Dimension.year:
            exprs.append(
                recognition_year(dated) if recognitions else extract("year", M.c.registered_on)
            )
        elif dim is Dimension.level:
            exprs.append(R.c.level)
        elif dim is Dimension.area:
            exprs.append(AREA_GROUP)
        else:
            exprs.append(M.c[dim.value])
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


def _one_scan(query: TallyQuery) -> bool:
    """Whether both counts come from `models` alone: models counted in a window open at
    the start, grouped by what a model is (not by when or at which level it was
    recognised)."""
    return (
        query.count is Counting.models
        and query.window.start is None
        and query.has_registered
        and Dimension.year not in query.by
    )


def _both(query: TallyQuery, groups: list[Any]) -> Any:
    """Registered and recognised in one pass over `models` (see `_one_scan`).

    A model cannot be recognised before it is registered (validation refuses it), so
    the models recognised by the end of the window are among those registered by
    then: one range on registered_on selects both, and the index serves it.
    """
    end = query.window.end
    recognised = _count_if(recognised_within(None, end), "recognized")
    where = [*_conditions(query), *query.window.registered()]
    stmt = select(*groups, func.count().label("registered"), recognised).where(*where)
    return _indexed(_models_from(stmt, groups), query, groups)


def _by_area(groups: Sequence[Any]) -> bool:
    """Whether `groups` hold the area a model serves: the statement reads the models
    joined to their areas (`_models_from`)."""
    return any(g is AREA_GROUP for g in groups)


def _models_from(stmt: Any, groups: Sequence[Any], base: Any = M) -> Any:
    """`stmt` reading `base` (the models, or recognitions joined to them) joined to the
    areas when grouped by area: a model then comes once per area it serves, or once
    with none."""
    if not _by_area(groups):
        return stmt if base is M else stmt.select_from(base)
    return stmt.select_from(base.outerjoin(AG, AG.c.model_id == M.c.id))


def _is_year(group: Any) -> bool:
    """Whether a group expression is the registration year (`_group_columns`)."""
    return not isinstance(group, Column) and group is not AREA_GROUP


def _count_if(condition: Any, name: str) -> Any:
    return func.count(case((condition, 1))).label(name)


def _registered(query: TallyQuery, groups: list[Any]) -> Any:
    """Models registered in the window, per group (GROUP BY included).

    By year, counted per registration date first, then summed per year: the dates
    come in index order, where a year computed from each of millions of dates had
    to be sorted (0.6 s instead of 3.8 s at 4,080,000 models).
    """
    where = [*_conditions(query), *query.window.registered()]
    if Dimension.year not in query.by or not any(_is_year(g) for g in groups):
        stmt = _models_from(select(*groups, func.count()).where(*where), groups)
        return _grouped(_indexed(stmt, query, groups), groups)
    days = [M.c.registered_on if _is_year(g) else g for g in groups]
    labelled = [d.label(f"g{i}") for i, d in enumerate(days)]
    per_day = (
        _indexed(
            _models_from(select(*labelled, func.count().label("n")).where(*where), days),
            query,
            days,
        )
        .group_by(*days)
        .subquery()
    )
    outer = [
        extract("year", per_day.c[f"g{i}"]) if _is_year(g) else per_day.c[f"g{i}"]
        for i, g in enumerate(groups)
    ]
    return select(*outer, func.sum(per_day.c.n)).group_by(*outer)


def covering_index(query: TallyQuery, groups: Sequence[Any]) -> str | None:
    """The index of `TALLY_INDEXES` a count over `models` alone reads, if the query
    has no filter of its own: the one that leads with the groups' columns, in any
    order (then groups come in the index's order, unsorted), else one that holds them
    all.

    Named rather than left to the planner: statistics from a later ANALYZE once made
    SQLite read a plain index and the table instead (0.82 s at 408,000 models, 11.5 s
    at 4,080,000). With a filter, the planner chooses: its column may have a better
    index than the groups'.
    """
    if query.where != ModelFilter() or not all(isinstance(g, Column) for g in groups):
        return None
    wanted = {g.name for g in groups}
    # (then the index with the fewest columns before the window: the fewest pages)
    leading = [
        (columns.index(WINDOW_COLUMNS[0]), name)
        for name, columns in TALLY_INDEXES.items()
        if set(columns[: len(wanted)]) == wanted
    ]
    if leading:
        return min(leading)[1]
    return next((name for name, columns in TALLY_INDEXES.items() if wanted <= set(columns)), None)


def _indexed(stmt: Any, query: TallyQuery, groups: Sequence[Any]) -> Any:
    """`stmt` reading the covering index of its groups, on SQLite (see `covering_index`)."""
    name = covering_index(query, groups)
    return stmt if name is None else stmt.with_hint(M, f"INDEXED BY {name}", "sqlite")


#: The counts of `tally --reviewed YEAR`: the models reviewed that year by result, and
#: those registered by its end, not withdrawn by then, and not reviewed in it.
REVIEW_MEASURES = (*(r.value for r in Result), "not_reviewed")


def _reviews(query: TallyQuery, groups: list[Any]) -> Any:
    """The models of each group by what their review of `query.reviewed` found, or
    not reviewed: one pass over the models, each joined to its review of the year."""
    assert query.reviewed is not None
    end = date(query.reviewed, 12, 31)
    reviewed = V.c.id.is_not(None)
    unreviewed = and_(V.c.id.is_(None), M.c.registered_on <= end, active_on(end))
    counts = [_count_if(V.c.result == r.value, r.value) for r in Result]
    counts.append(_count_if(unreviewed, "not_reviewed"))
    where = [*query.where.attribute_where(), or_(reviewed, unreviewed)]
    if query.where.statuses:
        where.append(query.where.status_where(as_of=end))
    joined = M.outerjoin(V, and_(V.c.model_id == M.c.id, V.c.year == query.reviewed))
    return select(*groups, *counts).select_from(joined).where(*where)


def _dated_groups(query: TallyQuery) -> list[Any]:
    """The groups of the second count: by the year of the recognition, or of the
    commendation with `--count commendations`."""
    dated = C if query.count is Counting.commendations else R
    return _group_columns(query.by, recognitions=True, boundaries=query.boundaries, dated=dated)


def _recognized(query: TallyQuery, groups: list[Any]) -> Any:
    if query.count is Counting.replications:
        copy = M.alias("copy")
        dated = [copy.c.registered_on >= d for d in [query.window.start] if d is not None]
        dated += [copy.c.registered_on <= d for d in [query.window.end] if d is not None]
        copied = select(copy.c.replicates).where(copy.c.replicates.is_not(None), *dated)
        return select(*groups, func.count()).where(*_conditions(query), M.c.code.in_(copied))
    if query.count is Counting.commendations:
        join = Join if query.where != ModelFilter() else database.ReadFirst
        return (
            select(*groups, func.count())
            .select_from(join(C, M, M.c.id == C.c.model_id))
            .where(*_conditions(query), *recognition_dated(query.window.start, query.window.end, C))
        )
    by_recognition = bool({Dimension.year, Dimension.level} & set(query.by))
    if query.count in (Counting.models, Counting.outstanding) and not by_recognition:
        # Each model once: a semi-join, cheaper than COUNT(DISTINCT) over a join.
        recognised = select(R.c.model_id).where(*_recognition_where(query))
        stmt = select(*groups, func.count()).where(*_conditions(query), M.c.id.in_(recognised))
        return _models_from(stmt, groups)
    counted = (
        func.count()
        if query.count is Counting.recognitions
        else func.count(R.c.model_id.distinct())
    )
    return _over_recognitions(query, groups, counted)


def _recognition_where(query: TallyQuery) -> list[Any]:
    """Recognitions dated in the window, at the levels asked for."""
    levels = [R.c.level.in_(query.where.levels)] if query.where.levels else []
    if query.count is Counting.outstanding:
        levels.append(R.c.outstanding.is_(True))
    return [*recognition_dated(query.window.start, query.window.end), *levels]


def _over_recognitions(query: TallyQuery, groups: list[Any], *measures: Any) -> Any:
    """`measures` of the recognitions of `query`'s models, with `groups` (to group by)."""
    stmt = select(*groups, *measures).where(*_conditions(query), *_recognition_where(query))
    return _models_from(stmt, groups, _with_models(query, groups))


def _with_models(query: TallyQuery, groups: Sequence[Any] = ()) -> Any:
    """Recognitions joined to their models: the recognitions read first, each model by
    its id (see `database.ReadFirst`), unless a filter on models may find fewer (or
    the areas are joined too)."""
    plain = query.where != ModelFilter() or _by_area(groups)
    join = Join if plain else database.ReadFirst
    return join(R, M, M.c.id == R.c.model_id)


def _grouped(stmt: Any, groups: list[Any]) -> Any:
    return stmt.group_by(*groups) if groups else stmt


def _needs_own_total(query: TallyQuery) -> bool:
    """Whether the rows may count one model twice, so that their sum overstates the total.

    A model has one place, field, sponsor, holder, kind and registration year, but may be
    recognised in several years and at several levels.
    """
    return query.count in (Counting.models, Counting.outstanding) and bool(
        {Dimension.year, Dimension.level, Dimension.area} & set(query.by)
    )


def counts_again(query: TallyQuery) -> bool:
    """Whether the rows count a model once per area it serves: the total then counts
    distinct models, and a table says so."""
    return Dimension.area in query.by


def statements(query: TallyQuery) -> list[Any]:
    """The SELECT statements `tally` runs for the groups (not the totals it may add):
    for EXPLAIN, benchmarks, or running the same count elsewhere."""
    groups = _group_columns(query.by, recognitions=False, boundaries=query.boundaries)
    if _one_scan(query):
        return [_grouped(_both(query, groups), groups)]
    found = []
    if query.has_registered:
        found.append(_registered(query, groups))
    rec_groups = _dated_groups(query)
    found.append(_grouped(_recognized(query, rec_groups), rec_groups))
    return found


def tally(registry: Registry, query: TallyQuery) -> TallyResult:
    """Count registered and recognised models per group, as the database computes them.

    `registry` is the `dandan.registry.Registry` it counts in.
    """
    rec_key = query.recognized_key
    groups = _group_columns(query.by, recognitions=False, boundaries=query.boundaries)
    width = len(groups)
    counts: dict[tuple[Any, ...], dict[str, int]] = {}
    total: dict[str, int] = {}

    def add(conn: Connection, stmt: Any, *keys: str) -> None:
        for row in conn.execute(stmt):
            slot = counts.setdefault(tuple(row[:width]), {})
            for i, k in enumerate(keys):
                slot[k] = int(row[width + i])

    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        if query.reviewed is not None:
            add(conn, _grouped(_reviews(query, groups), groups), *REVIEW_MEASURES)
        elif _one_scan(query):
            add(conn, _grouped(_both(query, groups), groups), "registered", rec_key)
        else:
            if query.has_registered:
                add(conn, _registered(query, groups), "registered")
            rec_groups = _dated_groups(query)
            add(conn, _grouped(_recognized(query, rec_groups), rec_groups), rec_key)
        if counts_again(query):  # each model (and recognition) once, whatever it serves
            once = replace(query, by=())
            if query.has_registered:
                total["registered"] = int(conn.execute(_registered(once, [])).scalar_one())
            total[rec_key] = int(conn.execute(_recognized(once, [])).scalar_one())
        elif _needs_own_total(query):
            if query.has_registered:
                total["registered"] = sum(c.get("registered", 0) for c in counts.values())
            total[rec_key] = int(conn.execute(_recognized(query, [])).scalar_one())
    if not query.by:  # the one row is the total
        only = counts.get((), {})
        return TallyResult(query, [], {m: only.get(m, 0) for m in query.measures})
    counts = {k: c for k, c in counts.items() if any(c.values())}
    for measure in query.measures:
        total.setdefault(measure, sum(c.get(measure, 0) for c in counts.values()))
    rows = [_row(query, key, values) for key, values in counts.items()]
    rows.sort(key=_sorter(query))
    if query.top is not None:
        rows = _keep_top(rows, query.top, query.measure, query.by[0], query.measures)
    return TallyResult(query, rows, {m: total[m] for m in query.measures})


_PLACES = (Dimension.province, Dimension.district, Dimension.commune)
_COUNTS = (
    "registered", "recognized", "recognitions", "commendations", "outstanding", "replications",
)  # fmt: skip


def _check_measure(query: TallyQuery) -> None:
    """A registration has no level: refused, the registered count of a level."""
    if query.measured is Measure.registered and not query.has_registered:
        raise UsageError(
            _("a count by level or of one level has no registrations"),
            field="measure",
            advice=Advice.count_recognised,
        )


def parse_across(query: TallyQuery, text: str) -> Dimension:
    """The dimension `--across` names, for the groups of `query`: refused when the rows
    are already grouped by it (or by another place: a province row has no communes to
    spread), when there are no rows to spread, or districts in today's units."""
    across = parse_dimension(text, "across")
    if not query.by:
        raise UsageError(_("a cross-table needs rows"), field="across", advice=Advice.group_rows)
    place = next((d for d in query.by if d in _PLACES), None)
    if across in _PLACES and place is not None and across is not place:
        raise UsageError(
            _(
                "the rows are already places ({dimension}); spread them across a year, "
                "level, field, sponsor or holder"
            ).format(dimension=_(DIMENSION_NAMES[place])),
            field="across",
        )
    if across in query.by:
        raise UsageError(
            _("{dimension} is already a row group; spread the rows across another one").format(
                dimension=_(DIMENSION_NAMES[across])
            ),
            field="across",
        )
    if across is Dimension.district and query.boundaries is Boundaries.current:
        raise UsageError(
            _("districts were abolished on 2025-07-01; count by them in the units before that day"),
            field="across",
            advice=Advice.count_old_units,
        )
    _check_measure(replace(query, by=(*query.by, across)))
    return across


@dataclass
class CrossTable:
    """A tally spread across a second dimension: one row per group of `query`, one
    column per value of `across`, each cell the `measure` of both (see
    `TallyQuery.measure`), a total per row and per column.

    `columns` describe the columns, in their natural order: each has its `key` (the
    identifier its cells are written under in a row and in `totals`: a year, a term's
    identifier, a place's code; all prefixed with the dimension, "level:province", when
    one would be taken for a key the rows hold) and the group's keys as `tally` writes them.
    A row holds its group's keys, a count per column key, and "total"; `totals` a count
    per column key and "total", the grand total.
    """

    query: TallyQuery
    across: Dimension
    measure: str
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    totals: dict[str, int]

    @property
    def title(self) -> str:
        """The selection in words, as `TallyQuery.title` says it, and the count shown."""
        return _("{title}: {measure}").format(
            title=replace(self.query, by=(*self.query.by, self.across)).title,
            measure=_(MEASURE_NAMES[self.measure]),
        )


def _one_measure(query: TallyQuery, measure: str) -> Any:
    """One GROUP BY statement counting `measure` per group of `query`."""
    if measure == "registered":
        groups = _group_columns(query.by, recognitions=False, boundaries=query.boundaries)
        return _registered(query, groups)
    groups = _dated_groups(query)
    return _grouped(_recognized(query, groups), groups)


def _group_keys(
    query: TallyQuery, dims: tuple[Dimension, ...], key: tuple[Any, ...]
) -> dict[str, Any]:
    """The keys `tally` writes for the group `key` of `dims` (names and codes), no counts."""
    row = _row(replace(query, by=dims), key, {})
    return {k: v for k, v in row.items() if k not in _COUNTS}


def _column_key(dim: Dimension, keys: dict[str, Any]) -> str:
    """The identifier of a cross-table's column: the year, term or code its group has."""
    if dim in _PLACES:
        code = keys.get(f"{dim.value}_code")
        return "none" if code is None else str(code)
    value = keys.get(dim.value)
    return "none" if value is None else str(value)


def cross_tally(registry: Registry, query: TallyQuery, across: Dimension) -> CrossTable:
    """`query`'s groups spread across `across`, counted by one GROUP BY over both.

    A model lies in one place, field, sponsor and holder and is registered once, so
    the cells of a row or a column add up to its total; but one recognised in two
    years, or at two levels, or serving two areas, is one model in each: then the
    totals are counted by their own GROUP BY (rows, columns, all), as the plain
    tallies count them.
    """
    both = replace(query, by=(*query.by, across), top=None)
    measure = both.measure
    width = len(_group_columns(query.by, recognitions=False, boundaries=query.boundaries))
    cells: dict[tuple[Any, ...], dict[tuple[Any, ...], int]] = {}
    row_totals: dict[tuple[Any, ...], int] = {}
    column_totals: dict[tuple[Any, ...], int] = {}
    own_totals = (measure != "registered" and _needs_own_total(both)) or counts_again(both)
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        for found in conn.execute(_one_measure(both, measure)):
            n = int(found[-1])
            if n:
                cells.setdefault(tuple(found[:width]), {})[tuple(found[width:-1])] = n
        if own_totals:
            for found in conn.execute(_one_measure(replace(both, by=query.by), measure)):
                row_totals[tuple(found[:-1])] = int(found[-1])
            for found in conn.execute(_one_measure(replace(both, by=(across,)), measure)):
                column_totals[tuple(found[:-1])] = int(found[-1])
            grand = int(conn.execute(_one_measure(replace(both, by=()), measure)).scalar_one())
    # The columns, in the order a tally by `across` alone takes naturally.
    seen = {column for per_row in cells.values() for column in per_row}
    by_column = replace(query, by=(across,), sort=Sort.natural, top=None)
    described = [
        (
            column,
            {
                **_group_keys(query, (across,), column),
                "count": sum(per_row.get(column, 0) for per_row in cells.values()),
            },
        )
        for column in seen
    ]
    described.sort(key=lambda item: _sorter(by_column, ("count",))(item[1]))
    taken = {*(k for key in cells for k in _group_keys(query, query.by, key)), "total"}
    names = [_column_key(across, keys) for _, keys in described]
    if taken & set(names):  # "province", a level, beside the province rows
        names = [f"{across.value}:{name}" for name in names]
    columns = [
        (column, {"key": name, **{k: v for k, v in keys.items() if k != "count"}})
        for (column, keys), name in zip(described, names, strict=True)
    ]
    rows: list[dict[str, Any]] = []
    for key, per_row in cells.items():
        row = _group_keys(query, query.by, key)
        for column, described_column in columns:
            row[described_column["key"]] = per_row.get(column, 0)
        row["total"] = row_totals.get(key, 0) if own_totals else sum(per_row.values())
        rows.append(row)
    rows.sort(key=_sorter(query, ("total",)))
    counted = [described_column["key"] for _, described_column in columns]
    totals: dict[str, int] = {}
    for column, described_column in columns:
        name = described_column["key"]
        totals[name] = column_totals.get(column, 0) if own_totals else sum(r[name] for r in rows)
    totals["total"] = grand if own_totals else sum(r["total"] for r in rows)
    if query.top is not None:
        rows = _keep_top(rows, query.top, "total", query.by[0], [*counted, "total"])
    return CrossTable(
        query=query,
        across=across,
        measure=measure,
        columns=[c for _, c in columns],
        rows=rows,
        totals=totals,
    )


def _keep_top(
    rows: list[dict[str, Any]],
    top: int,
    measure: str,
    first: Dimension,
    summed: Sequence[str],
) -> list[dict[str, Any]]:
    """The `top` rows with the largest `measure` (ties as the rows are ordered), in
    their order, then one `OTHER` row with the sums of the `summed` keys of the rest,
    so that the totals stay as they are. The other row names no group: its `first`
    key says "other", its other keys are empty.

    A group already called "other" (the sponsor `other`) is always folded into it:
    two rows "other", one a sponsor and one the rest, could not be told apart.
    """
    named = [i for i, row in enumerate(rows) if row.get(first.value) != OTHER]
    if len(named) <= top and len(named) >= len(rows) - 1:
        return rows
    ranked = sorted(named, key=lambda i: -rows[i][measure])  # stable: ties keep order
    kept = set(ranked[:top])
    other: dict[str, Any] = {k: None for k in rows[0] if k not in summed}
    other[first.value] = OTHER
    for k in summed:
        other[k] = sum(rows[i][k] for i in range(len(rows)) if i not in kept)
    return [*(rows[i] for i in sorted(kept)), other]


def _row(query: TallyQuery, key: tuple[Any, ...], values: dict[str, int]) -> dict[str, Any]:
    """A group as scripts read it, with its counts."""
    row = group_values(query, key)
    for measure in query.measures:
        row[measure] = values.get(measure, 0)
    return row


def group_values(query: TallyQuery, key: tuple[Any, ...]) -> dict[str, Any]:
    """A group as scripts read it: names with their codes for places (and the scheme of
    those codes, which were reused in 2025), identifiers for terms. (Contests' groups
    too: `dandan.contests`.)"""
    legacy = query.boundaries is Boundaries.legacy
    g = legacy_gazetteer() if legacy else gazetteer()
    row: dict[str, Any] = {}
    values_iter = iter(key)
    for dim in query.by:
        if dim in (Dimension.province, Dimension.district, Dimension.commune):
            province_code = next(values_iter)
            province = g.provinces.get(province_code)
            row["province"] = province.name if province else NOT_ASSIGNABLE if legacy else None
            row["province_code"] = province_code
            if legacy and dim is not Dimension.province:
                district_code = next(values_iter)
                district = g.districts.get(district_code) if district_code is not None else None
                row["district"] = district.name if district else None
                row["district_code"] = district_code
            if dim is Dimension.commune:
                commune_code = next(values_iter)
                commune = g.communes.get(commune_code) if commune_code is not None else None
                row["commune"] = commune.name if commune else None
                row["commune_code"] = commune_code
            row["locality_scheme"] = g.scheme
        elif dim is Dimension.year:
            value = next(values_iter)
            row["year"] = int(value) if value is not None else None
        else:
            row[dim.value] = next(values_iter)
    return row


def _name_key(query: TallyQuery) -> Any:
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for dim in query.by:
            if dim is Dimension.province:
                # "not assignable" comes last, after every named province.
                code = row["province_code"]
                names: tuple[str | None, ...] = (row["province"] if code is not None else None,)
            elif dim is Dimension.district:
                names = (row["province"] if row["province_code"] is not None else None,
                         row["district"])  # fmt: skip
            elif dim is Dimension.commune:
                province = row["province"] if row["province_code"] is not None else None
                names = (province, row.get("district"), row["commune"])
                if "district" not in row:
                    names = (province, row["commune"])
            elif dim is Dimension.year:
                parts.append((row["year"] is None, row["year"] or 0))
                continue
            else:
                names = (row[dim.value],)
            # Unknown names (a model without a commune) come after the named ones.
            parts.extend((n is None, sort_key(n or "")) for n in names)
        return tuple(parts)

    return key


_LEVEL_ORDER = {level.value: i for i, level in enumerate(Level)}


def _natural_key(query: TallyQuery) -> Any:
    """The order of the groups that have one: years ascending, levels from the commune
    up; unknown values last."""
    natural = [d for d in query.by if d in NATURAL_DIMENSIONS]

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for dim in natural:
            value = row[dim.value]
            if dim is Dimension.year:
                parts.append((value is None, value or 0))
            else:
                rank = _LEVEL_ORDER.get(value) if isinstance(value, str) else None
                parts.append((rank is None, rank or 0))
        return tuple(parts)

    return key if natural else None


def row_order(query: TallyQuery, measures: Sequence[str]) -> Any:
    """The sort key of rows grouped as `query`'s, by count of `measures` where the
    groups have no order of their own (contests' rows too: `dandan.contests`)."""
    return _sorter(query, measures)


def _sorter(query: TallyQuery, measures: Sequence[str] | None = None) -> Any:
    """The order of `query`'s rows, by count of `measures` (the query's by default)."""
    by_name = _name_key(query)
    if query.sort is Sort.by_name:
        return by_name
    measures = query.measures if measures is None else measures

    def by_count(row: dict[str, Any]) -> tuple[Any, ...]:
        unplaced = row.get("province") == NOT_ASSIGNABLE
        return (unplaced, *(-row[m] for m in measures), by_name(row))

    natural = _natural_key(query) if query.sort is Sort.natural else None
    if natural is None:
        return by_count
    # Within a year (or level), the other groups as by count.
    return lambda row: (natural(row), by_count(row))


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
    #: The decisions of that day, most models first (as many as asked for), and how
    #: many there were: a national registry's last day can hold hundreds.
    latest_decisions: list[dict[str, Any]]
    latest_decisions_count: int
    latest_import: dict[str, Any] | None

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
            "latest_decisions_count": self.latest_decisions_count,
            "latest_decisions": self.latest_decisions,
            "latest_import": self.latest_import,
        }


def summarize(
    registry: Registry, where: ModelFilter | None = None, *, decisions: int | None = 10
) -> Stats:
    """Totals, the trend by year, and the latest batches: the last imported file, and
    the recognitions decided on the latest decision date, one line per decision, since
    councils recognise models in batches (the `decisions` with the most models; None
    for all). Undated recognitions make that batch only when no decision has a date."""
    where = where or ModelFilter()
    # Totals from the rows by province (a model lies in one province) and by year (a
    # recognition is dated in one year): a few passes, each over an index.
    by_province = tally(registry, TallyQuery(by=(Dimension.province,), where=where))
    withdrawn = tally(registry, TallyQuery(where=replace(where, statuses=(Status.withdrawn,))))
    query = TallyQuery(where=where)
    by_year = TallyQuery(by=(Dimension.year,), where=where)
    trend: dict[int, dict[str, int]] = {}
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        if query.has_registered:
            years = _group_columns(by_year.by, recognitions=False)
            for year, count in conn.execute(_registered(by_year, years)):
                trend.setdefault(int(year), {})["registered"] = int(count)
        measures = (func.count(R.c.model_id.distinct()), func.count())
        dated = _group_columns(by_year.by, recognitions=True)
        for year, models, recognitions in conn.execute(
            _grouped(_over_recognitions(by_year, dated, *measures), dated)
        ):
            trend.setdefault(int(year), {}).update(recognized=models, recognitions=recognitions)
        first, last = conn.execute(
            select(func.min(M.c.registered_on), func.max(M.c.registered_on)).where(
                *_conditions(query)
            )
        ).one()
        latest_on, batch = _latest_decisions(conn, query)
        latest_import = _latest_import(conn)
    return Stats(
        registered=by_province.total.get("registered", 0),
        recognized=by_province.total[by_province.query.recognized_key],
        recognitions=sum(y.get("recognitions", 0) for y in trend.values()),
        withdrawn=withdrawn.total.get("registered", 0),
        provinces=sum(1 for r in by_province.rows if r["registered"]),
        first_registered_on=first,
        last_registered_on=last,
        by_year=[
            {
                "year": year,
                "registered": counts.get("registered", 0),
                "recognized": counts.get("recognized", 0),
                "recognitions": counts.get("recognitions", 0),
            }
            for year, counts in sorted(trend.items())
        ],
        latest_on=latest_on,
        latest_decisions=batch if decisions is None else batch[:decisions],
        latest_decisions_count=len(batch),
        latest_import=latest_import,
    )


def _latest_import(conn: Connection) -> dict[str, Any] | None:
    b = tables.import_batches
    row = conn.execute(
        select(b.c.id, b.c.source, b.c.rows, b.c.inserted, b.c.updated, b.c.actor, b.c.finished_at)
        .order_by(b.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return dict(zip(("batch", "file", "rows", "inserted", "updated", "by", "at"), row, strict=True))


def _latest_decisions(
    conn: Connection, query: TallyQuery
) -> tuple[date | None, list[dict[str, Any]]]:
    conditions = _conditions(query)
    joined = _with_models(query)
    decided = R.c.decided_on
    latest_decided, latest_undated = conn.execute(
        select(func.max(decided), func.max(R.c.year).filter(decided.is_(None)))
        .select_from(joined)
        .where(*conditions)
    ).one()
    # A batch is a decision: the latest decision date, or, when no decision date was
    # ever recorded, the latest year of undated recognitions (dated 31 December).
    if latest_decided is not None:
        day, same_batch = latest_decided, decided == latest_decided
    elif latest_undated is not None:
        day = date(int(latest_undated), 12, 31)
        same_batch = and_(decided.is_(None), R.c.year == int(latest_undated))
    else:
        return None, []
    columns = (decided, R.c.year, R.c.decision_no, R.c.body, R.c.level)
    stmt = (
        select(*columns, func.count(R.c.model_id.distinct()))
        .select_from(joined)
        .where(*conditions, same_batch)
        .group_by(*columns)
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
