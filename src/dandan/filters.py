"""Which models a listing, tally or export covers, as SQL conditions.

Built on `dandan.tables` (plain Core), so that `dandan tally` can filter without
loading the ORM. `dandan.registry` re-exports `ModelFilter` and `resolve_place`.

Dates follow one rule everywhere: a registration is dated by its registration
date; a recognition by its decision date, or 31 December of its year when the
decision date is unknown (it is known only to have happened by then).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, case, exists, extract, not_, or_

from dandan import tables, terms
from dandan.errors import Advice, InvalidInput
from dandan.i18n import N_, _, day, language, number
from dandan.localities import (
    CURRENT_SCHEME,
    LEGACY_SCHEME,
    MERGER_DAY,
    Province,
    Unit,
    gazetteer,
    legacy_gazetteer,
    strip_type,
)
from dandan.terms import Area, Field, Holder, Kind, Level, Sponsor, Status, parse_term
from dandan.text import fold, key
from dandan.validation import MAX_LENGTHS

M = tables.models
R = tables.recognitions
A = tables.model_areas
#: `--area none`, and the group `tally --by area` counts models serving no area in.
NO_AREA = "none"
_NO_AREA_SPELLINGS = frozenset({"none", "no area", "khong", "khong co", "chua xac dinh"})


def parse_area(value: str) -> str:
    """An area of work as a filter names it: a term, or "none" (no area given)."""
    if fold(value) in _NO_AREA_SPELLINGS:
        return NO_AREA
    return parse_term(Area, value).value


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


def _search(value: str | None) -> str | None:
    """`--search` as given, refused when it is longer than any name can be.

    Each word is one condition in the query, and SQLite refuses a query nested deeper
    than 1,000 (a search of 1,000 words failed as "registry unavailable"). Words longer,
    all told, than the longest name match nothing, so they are refused, like a name.
    """
    if value is None:
        return None
    words = " ".join(dict.fromkeys(fold(value).split()))
    limit = MAX_LENGTHS["name"]
    if len(words) > limit:
        raise InvalidInput(
            _("is {length} characters long once folded; names have at most {limit}").format(
                length=number(len(words)), limit=limit
            ),
            field="search",
        )
    return value


@dataclass(frozen=True, slots=True)
class ModelFilter:
    """Which models a listing, tally or export covers. Empty means all."""

    provinces: tuple[int, ...] = ()
    communes: tuple[int, ...] = ()
    #: Old units (scheme 2024): models recorded in them, or certainly lying in them.
    legacy_provinces: tuple[int, ...] = ()
    legacy_districts: tuple[int, ...] = ()
    legacy_communes: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()
    sponsors: tuple[str, ...] = ()
    holders: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    search: str | None = None
    kinds: tuple[str, ...] = ()
    #: Models serving any of these areas of work ("none": models serving none).
    areas: tuple[str, ...] = ()

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
        kinds: Sequence[str] = (),
        areas: Sequence[str] = (),
        legacy_first: bool = False,
        scheme_given: bool | None = None,
    ) -> ModelFilter:
        """Filters from what a user typed: places are provinces, districts or communes by
        name or code, current or old; `legacy_first` reads a name that is both (Quảng
        Trị) as the old unit, as a tally in the old boundaries does; `scheme_given` is
        whether the user chose those boundaries (see `resolve_place`)."""
        found: dict[tuple[str, str], list[int]] = defaultdict(list)
        for place in places:
            try:
                unit = resolve_place(place, legacy_first=legacy_first, scheme_given=scheme_given)
            except InvalidInput as exc:  # the user typed it after --in, not --province
                raise InvalidInput(exc.message, field="in", advice=exc.advice) from None
            found[unit.scheme, type(unit).__name__].append(unit.code)
        return cls(
            provinces=tuple(found[CURRENT_SCHEME, "Province"]),
            communes=tuple(found[CURRENT_SCHEME, "Commune"]),
            legacy_provinces=tuple(found[LEGACY_SCHEME, "Province"]),
            legacy_districts=tuple(found[LEGACY_SCHEME, "District"]),
            legacy_communes=tuple(found[LEGACY_SCHEME, "Commune"]),
            fields=tuple(parse_term(Field, f).value for f in fields),
            sponsors=tuple(parse_term(Sponsor, s).value for s in sponsors),
            holders=tuple(parse_term(Holder, h).value for h in holders),
            statuses=tuple(parse_term(Status, s).value for s in statuses),
            levels=tuple(parse_term(Level, lv).value for lv in levels),
            search=_search(search),
            kinds=tuple(parse_term(Kind, k).value for k in kinds),
            areas=tuple(dict.fromkeys(parse_area(a) for a in areas)),
        )

    @property
    def places(self) -> bool:
        """Whether the filter names places (else it covers the whole country)."""
        return bool(
            self.provinces
            or self.communes
            or self.legacy_provinces
            or self.legacy_districts
            or self.legacy_communes
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
        places = [
            column.in_(codes)
            for column, codes in (
                (M.c.province_code, self.provinces),
                (M.c.commune_code, self.communes),
                (M.c.legacy_province_code, self.legacy_provinces),
                (M.c.legacy_district_code, self.legacy_districts),
                (M.c.legacy_commune_code, self.legacy_communes),
            )
            if codes
        ]
        if places:
            conditions.append(or_(*places))
        for column, values in (
            (M.c.field, self.fields),
            (M.c.sponsor, self.sponsors),
            (M.c.holder, self.holders),
            (M.c.kind, self.kinds),
        ):
            if values:
                conditions.append(column.in_(values))
        if self.areas:
            # An alias, so that the condition also fits a query already reading the areas.
            a = A.alias("in_area")
            named = [v for v in self.areas if v != NO_AREA]
            served: list[Any] = [
                exists().where(a.c.model_id == M.c.id, a.c.area.in_(named)).correlate(M)
            ]
            if NO_AREA in self.areas:
                served.append(~exists().where(a.c.model_id == M.c.id).correlate(M))
            conditions.append(or_(*served) if len(served) > 1 else served[0])
        if self.search:
            words = dict.fromkeys(fold(self.search).split())  # each word once
            for word in words:  # fold() leaves only [0-9a-z ], so no LIKE wildcards
                # The name, or the registration form's items (`form_folded`).
                conditions.append(
                    or_(M.c.name_folded.like(f"%{word}%"), M.c.form_folded.like(f"%{word}%"))
                )
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


def area_text(where: ModelFilter) -> str:
    """The places `--in` named, or the whole country."""
    current, old = gazetteer(), legacy_gazetteer()
    names: list[str] = [current.provinces[code].name for code in where.provinces]
    names += [
        _("{unit}, {province}").format(
            unit=current.communes[code].name,
            province=current.provinces[current.communes[code].province_code].name,
        )
        for code in where.communes
    ]
    before = day(MERGER_DAY)
    old_units: list[tuple[str, int | None]] = [
        (old.provinces[code].name, None) for code in where.legacy_provinces
    ]
    old_units += [
        (old.districts[code].name, old.districts[code].province_code)
        for code in where.legacy_districts
    ]
    old_units += [
        (old.communes[code].name, old.communes[code].province_code)
        for code in where.legacy_communes
    ]
    for name, province in old_units:
        if province is not None:
            name = _("{unit}, {province}").format(unit=name, province=old.provinces[province].name)
        names.append(_("{name} (before {day})").format(name=name, day=before))
    return "; ".join(names) if names else _("the whole country")


def filter_terms(where: ModelFilter, *, lower: bool = False) -> list[tuple[str, str]]:
    """The filters other than places, each a label and what it keeps, in the reader's
    language; `lower` labels for the middle of a sentence (a tally's title)."""
    lang = language()
    found: list[tuple[str, str]] = []
    for label, inline, column, values in (
        (N_("Field"), N_("field"), "field", where.fields),
        (N_("Sponsor"), N_("sponsor"), "sponsor", where.sponsors),
        (N_("Level"), N_("level"), "level", where.levels),
        (N_("Holder"), N_("holder"), "holder", where.holders),
        (N_("Kind"), N_("kind"), "kind", where.kinds),
        (N_("Area of work"), N_("area of work"), "area", where.areas),
        (N_("Status"), N_("status"), "status", where.statuses),
    ):
        if values:
            shown = ", ".join(str(terms.shown(column, v, lang)) for v in values)
            found.append((_(inline if lower else label), shown))
    if where.search:
        said = _("name contains") if lower else _("Name contains")
        found.append((said, f"“{where.search}”"))
    return found


_DISTRICT_TYPES = ("huyen ", "quan ", "thi xa ", "thanh pho ", "tp ", "tx ")
#: The kinds of unit a place may name, as messages say them (translated when said).
_KINDS = {"provinces": N_("provinces"), "districts": N_("districts"), "communes": N_("communes")}


def resolve_place(
    text_value: str, *, legacy_first: bool = False, scheme_given: bool | None = None
) -> Unit:
    """A province, district or commune named in a filter, current or old: the preferred
    scheme first; provinces win over districts, districts over communes.

    A name that is a unit in each scheme, of different kinds (Đông Hà: the old city,
    today's ward), is not guessed: it is refused with both, unless `scheme_given` says
    the preferred scheme was chosen (`--boundaries`); None means the caller offers no
    such choice, so only a code is advised. Units of one kind in both (the
    province of Quảng Trị) are the preferred scheme's, as they always were: a title
    says which.
    """
    schemes = [gazetteer(), legacy_gazetteer()]
    if legacy_first:
        schemes.reverse()
    # "huyện Vĩnh Linh" is the old district, not today's Xã Vĩnh Linh.
    folded = fold(text_value)
    district_typed = folded.startswith(_DISTRICT_TYPES)
    typed = strip_type(folded) != folded
    # Per scheme, the first kind with a match, and its matches.
    first: dict[str, tuple[str, list[Unit]]] = {}
    for kind in ("provinces", "districts", "communes"):
        for g in schemes:
            if g.scheme in first:
                continue
            found: list[Unit]
            if kind == "provinces":
                found = list(g.find_provinces(text_value))
            elif kind == "districts":
                found = list(g.find_districts(text_value))
            elif not district_typed:
                # A typed "Phường" is not a "Xã" of the same name in another scheme.
                found = [
                    c
                    for c in g.find_communes(text_value)
                    if not typed or key(c.name) == key(text_value)
                ]
            else:
                found = []
            if found:
                first[g.scheme] = (kind, found)
        if kind == "provinces" and first:
            break  # a province is what a province's name means, in either scheme
    if not first:
        schemes[0].province(text_value)  # raises with "did you mean"
        raise AssertionError("unreachable")
    chosen = [g for g in schemes if g.scheme in first]
    kinds = {first[g.scheme][0] for g in chosen}
    if len(chosen) == 2 and len(kinds) == 2 and not scheme_given:
        candidates = [(g, first[g.scheme][1]) for g in chosen]
        raise InvalidInput(
            _ambiguous(text_value, candidates),
            field="in",
            advice=None if scheme_given is None else Advice.choose_boundaries,
        )
    g = chosen[0]
    kind, found = first[g.scheme]
    if len(found) == 1:
        return found[0]
    names = ", ".join(_candidate(g, u) for u in found[:5] if not isinstance(u, Province))
    if g.scheme == LEGACY_SCHEME:
        message = _("{text!r} names several {kind} before 2025-07-01: {names}; give the code")
    else:
        message = _("{text!r} names several {kind}: {names}; give the code")
    raise InvalidInput(
        message.format(text=text_value, kind=_(_KINDS[kind]), names=names), field="in"
    )


def _candidate(g: Any, unit: Unit) -> str:
    """A unit as a message offers it: name, province (for a smaller unit) and code."""
    if isinstance(unit, Province):
        return f"{unit.name} ({unit.code})"
    return f"{unit.name} ({g.provinces[unit.province_code].name}, {unit.code})"


def _ambiguous(text_value: str, found: list[tuple[Any, list[Unit]]]) -> str:
    """The refusal of a name that is an old unit and a current one of another kind."""
    old = [u for g, units in found if g.scheme == LEGACY_SCHEME for u in units]
    new = [u for g, units in found if g.scheme != LEGACY_SCHEME for u in units]
    return _(
        "{text!r} is ambiguous: before 2025-07-01 {old}, today {current}; give the code"
    ).format(
        text=text_value,
        old=", ".join(_candidate(legacy_gazetteer(), u) for u in old[:5]),
        current=", ".join(_candidate(gazetteer(), u) for u in new[:5]),
    )
