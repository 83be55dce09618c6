"""Which models a listing, tally or export covers, as SQL conditions.

Built on `dandan.tables` (plain Core), so that `dandan tally` can filter without
loading the ORM. `dandan.registry` re-exports `ModelFilter` and `resolve_place`.

Dates follow one rule everywhere: a registration is dated by its registration
date; a recognition by its decision date, or 31 December of its year when the
decision date is unknown (it is known only to have happened by then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, case, exists, extract, not_, or_

from dandan import tables
from dandan.errors import InvalidInput
from dandan.localities import Commune, Province, gazetteer
from dandan.terms import Field, Holder, Level, Sponsor, Status, parse_term
from dandan.text import fold

M = tables.models
R = tables.recognitions


def recognition_dated(
    start: date | None = None, end: date | None = None, recognitions: Table = R
) -> list[Any]:
    """Conditions on `recognitions` (or an alias of it) for a recognition dated within
    [start, end], both ends included.

    Written without date arithmetic so that every backend runs it the same way.
    """
    decided, year = recognitions.c.decided_on, recognitions.c.year
    conditions: list[Any] = []
    if start is not None:
        conditions.append(or_(decided >= start, and_(decided.is_(None), year >= start.year)))
    if end is not None:
        conditions.append(
            or_(decided <= end, and_(decided.is_(None), year <= _last_full_year(end)))
        )
    return conditions


def _last_full_year(end: date) -> int:
    """31 December of year Y is on or before `end` when Y < end.year, or when Y is
    end.year and `end` is itself 31 December."""
    return end.year if (end.month, end.day) == (12, 31) else end.year - 1


def recognition_year(recognitions: Table = R) -> Any:
    """The year of a recognition's date, for grouping by year."""
    decided = recognitions.c.decided_on
    return case((decided.is_(None), recognitions.c.year), else_=extract("year", decided))


def recognised_within(start: date | None, end: date | None) -> Any:
    """Models with a first recognition in the window: with an open start, exactly the
    models recognised in it (the first recognition of one recognised by `end` is
    by `end`), without reading `recognitions`."""
    first = M.c.first_recognized_on
    conditions: list[Any] = [first.is_not(None)]
    if start is not None:
        conditions.append(first >= start)
    if end is not None:
        conditions.append(first <= end)
    return and_(*conditions)


def active_on(day: date | None) -> Any:
    """Models not withdrawn on or before `day` (not withdrawn at all when `day` is None)."""
    withdrawn = M.c.withdrawn_on
    if day is None:
        return withdrawn.is_(None)
    return or_(withdrawn.is_(None), withdrawn > day)


@dataclass(frozen=True, slots=True)
class ModelFilter:
    """Which models a listing, tally or export covers. Empty means all."""

    provinces: tuple[int, ...] = ()
    communes: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()
    sponsors: tuple[str, ...] = ()
    holders: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    search: str | None = None

    @classmethod
    def parse(
        cls,
        *,
        places: Sequence[str] = (),
        fields: Sequence[str] = (),
        sponsors: Sequence[str] = (),
        holders: Sequence[str] = (),
        statuses: Sequence[str] = (),
        levels: Sequence[str] = (),
        search: str | None = None,
    ) -> ModelFilter:
        """Filters from what a user typed: places are provinces or communes by name or code."""
        provinces: list[int] = []
        communes: list[int] = []
        for place in places:
            try:
                unit = resolve_place(place)
            except InvalidInput as exc:  # the user typed it after --in, not --province
                raise InvalidInput(exc.message, field="in") from None
            if isinstance(unit, Province):
                provinces.append(unit.code)
            else:
                communes.append(unit.code)
        return cls(
            provinces=tuple(provinces),
            communes=tuple(communes),
            fields=tuple(parse_term(Field, f).value for f in fields),
            sponsors=tuple(parse_term(Sponsor, s).value for s in sponsors),
            holders=tuple(parse_term(Holder, h).value for h in holders),
            statuses=tuple(parse_term(Status, s).value for s in statuses),
            levels=tuple(parse_term(Level, lv).value for lv in levels),
            search=search,
        )

    def where(self, *, as_of: date | None = None) -> list[Any]:
        """SQL conditions on the `models` table.

        Status is the current one, or with `as_of` the one the model had at the end of
        that day, so that a tally "by the end of 2023" sees the registry as it stood then.
        A level selects models recognised at least once at that level.
        """
        conditions = self.attribute_where()
        if self.statuses:
            conditions.append(self.status_where(as_of))
        if self.levels:
            # An alias, so that the condition also fits a query already reading recognitions.
            r = R.alias("at_level")
            conditions.append(
                exists().where(r.c.model_id == M.c.id, r.c.level.in_(self.levels)).correlate(M)
            )
        return conditions

    def attribute_where(self) -> list[Any]:
        """Conditions on what a model is (place, terms, name), not on its history."""
        conditions: list[Any] = []
        places = []
        if self.provinces:
            places.append(M.c.province_code.in_(self.provinces))
        if self.communes:
            places.append(M.c.commune_code.in_(self.communes))
        if places:
            conditions.append(or_(*places))
        for column, values in (
            (M.c.field, self.fields),
            (M.c.sponsor, self.sponsors),
            (M.c.holder, self.holders),
        ):
            if values:
                conditions.append(column.in_(values))
        if self.search:
            words = fold(self.search).split()
            for word in words:  # fold() leaves only [0-9a-z ], so no LIKE wildcards
                conditions.append(M.c.name_folded.like(f"%{word}%"))
        return conditions

    def status_where(self, as_of: date | None = None) -> Any:
        """Models whose status (now, or at the end of `as_of`) is one of the filter's."""
        wanted = set(self.statuses)
        if as_of is None:
            return M.c.status.in_(sorted(wanted))
        active = active_on(as_of)
        recognised = recognised_within(None, as_of)
        options: list[Any] = []
        if Status.withdrawn in wanted:
            options.append(not_(active))
        if {Status.registered, Status.recognized} <= wanted:
            options.append(active)
        elif Status.recognized in wanted:
            options.append(and_(active, recognised))
        elif Status.registered in wanted:
            options.append(and_(active, not_(recognised)))
        return or_(*options)


def resolve_place(text_value: str) -> Province | Commune:
    """A province or commune named in a filter; provinces win when a name is both."""
    g = gazetteer()
    provinces = g.find_provinces(text_value)
    if len(provinces) == 1:
        return provinces[0]
    communes = g.find_communes(text_value)
    if len(communes) == 1:
        return communes[0]
    if len(communes) > 1:
        names = ", ".join(
            f"{c.name} ({g.provinces[c.province_code].name}, {c.code})" for c in communes[:5]
        )
        raise InvalidInput(
            f"{text_value!r} names several communes: {names}; give the commune code",
            field="in",
        )
    g.province(text_value)  # raises with "did you mean"
    raise AssertionError("unreachable")
