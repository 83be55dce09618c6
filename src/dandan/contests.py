"""Contests (hội thi, cuộc thi "Dân vận khéo"): added, listed, changed, removed,
imported, exported and counted, like models, by place and year.

A contest's place is resolved as a model's is (`validation.resolve_locality`, by the
day it was held) and stored as a model's is (as entered, the current units, the old
ones), so that `tally` counts it in either boundaries with one GROUP BY on plain
columns, as `dandan.tallies` counts models. Every change goes through the one writer
(`writing.Writer`: the contest rules, the audit event, one transaction).

    >>> from dandan import contests
    >>> reg = Registry("registry.db")
    >>> contests.add(reg, name="Hội thi Dân vận khéo", province="Quảng Trị",
    ...              level="province", held_on="2024-05-10")
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from typing import IO, Any

from sqlalchemy import extract, func, select

from dandan import database, tables
from dandan.errors import InvalidInput, UsageError
from dandan.i18n import _
from dandan.registry import Registry
from dandan.sources import Layout, Schema, SourceInfo, read_source
from dandan.tallies import (
    DIMENSION_NAMES,
    Boundaries,
    Dimension,
    TallyQuery,
    Window,
    group_values,
    row_order,
)
from dandan.terms import Level
from dandan.validation import ContestDraft, draft_contest, parse_scheme, stored_locality, text
from dandan.writing import CONTEST_COLUMNS

C = tables.contests

#: The columns of a contest file, with the headers offices write (the first: the
#: Vietnamese header `export --headers vi` writes); `import` reads them back.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("Tên hội thi", "Tên cuộc thi", "Hội thi", "Cuộc thi", "Contest", "Tên"),
    "province": ("Tỉnh", "Tỉnh/Thành phố", "Tỉnh/TP", "Thành phố"),
    "district": ("Huyện", "Quận/Huyện", "Quận"),
    "commune": ("Xã", "Xã/Phường", "Phường", "Xã/Phường/Thị trấn"),
    "level": ("Cấp", "Cấp tổ chức", "Level"),
    "held_on": ("Ngày tổ chức", "Ngày", "Date", "Held on"),
    "organiser": ("Đơn vị tổ chức", "Cơ quan tổ chức", "Organiser", "Organizer"),
    "teams": ("Số đội", "Đội", "Teams"),
    "entrants": ("Số thí sinh", "Thí sinh", "Entrants"),
    "locality_scheme": ("Địa giới", "Địa giới hành chính", "Boundaries"),
}
SCHEMA = Schema.of(HEADERS, ("name", "province", "level", "held_on"))
#: The columns an export writes, in order (`import` reads them back).
EXPORTED = tuple(HEADERS)

#: What a contest record holds, in order (`show`, `list`, JSON).
_SHOWN = ("id", *CONTEST_COLUMNS)

#: How a contest may be grouped (a subset of the models' dimensions).
DIMENSIONS = (Dimension.province, Dimension.district, Dimension.commune, Dimension.year,
              Dimension.level)  # fmt: skip
#: The counts of a contest tally.
MEASURES = ("contests", "teams", "entrants")


def _record(row: Any) -> dict[str, Any]:
    return {k: row[i] for i, k in enumerate(_SHOWN)}


def _columns() -> list[Any]:
    return [C.c[k] for k in _SHOWN]


def add(
    registry: Registry,
    *,
    name: str | None,
    province: str | None,
    level: str | None,
    held_on: str | date | None,
    commune: str | None = None,
    district: str | None = None,
    boundaries: str | None = None,
    organiser: str | None = None,
    teams: str | int | None = None,
    entrants: str | int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Record a contest; its place names the units of the day it was held (the old ones
    before 2025-07-01) unless `boundaries` ("2024" or "2025") says which."""
    draft = draft_contest(
        name=name,
        province=province,
        commune=commune,
        district=district,
        scheme=parse_scheme(boundaries),
        level=level,
        held_on=held_on,
        organiser=organiser,
        teams=teams,
        entrants=entrants,
    )
    with registry._writer(create=True) as w:
        w.add_contest(draft, today=today or date.today())
    return get(registry, w.added_contests[0])


def get(registry: Registry, contest_id: int) -> dict[str, Any]:
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        row = conn.execute(select(*_columns()).where(C.c.id == contest_id)).first()
    if row is None:
        from dandan.errors import Advice, NotFound

        raise NotFound(
            _("no contest with id {id}").format(id=contest_id),
            field="id",
            advice=Advice.find_contest,
        )
    return _record(row)


def list_contests(
    registry: Registry, *, limit: int | None = None, newest: bool = False
) -> list[dict[str, Any]]:
    """The contests, in the order they were held (`newest`: the last added first)."""
    return list(iter_contests(registry, limit=limit, newest=newest))


def iter_contests(
    registry: Registry, *, limit: int | None = None, newest: bool = False
) -> Iterator[dict[str, Any]]:
    order = [C.c.id.desc()] if newest else [C.c.held_on, C.c.id]
    stmt = select(*_columns()).order_by(*order).limit(limit)
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        for row in conn.execute(stmt):
            yield _record(row)


def edit(
    registry: Registry,
    contest_id: int,
    *,
    name: str | None = None,
    province: str | None = None,
    commune: str | None = None,
    district: str | None = None,
    boundaries: str | None = None,
    level: str | None = None,
    held_on: str | date | None = None,
    organiser: str | None = None,
    teams: str | int | None = None,
    entrants: str | int | None = None,
    today: date | None = None,
) -> tuple[dict[str, Any], bool]:
    """Change part of a contest; the whole record is checked as it will be. A new place
    (or a new day with the place as it was typed) is resolved again by the day it was
    held. Returns the contest and whether anything changed."""
    with registry._writer() as w:
        v = w.contest(contest_id)
        place_given = any(x is not None for x in (province, commune, district, boundaries))
        day_given = held_on is not None
        if place_given or day_given:
            draft = draft_contest(
                name=name if name is not None else v["name"],
                province=province if province is not None else v["province_input"],
                commune=commune if province is not None or commune is not None
                else v["commune_input"],
                district=district if province is not None or district is not None
                else v["district_input"],
                scheme=parse_scheme(boundaries) if boundaries is not None
                else (v["locality_scheme"] if not day_given else None),
                level=level if level is not None else v["level"],
                held_on=held_on if held_on is not None else v["held_on"],
                organiser=organiser if organiser is not None else v["organiser"],
                teams=teams if teams is not None else v["teams"],
                entrants=entrants if entrants is not None else v["entrants"],
            )  # fmt: skip
        else:
            locality = stored_locality(
                v["locality_scheme"],
                v["province_code"],
                v["commune_code"],
                (v["legacy_province_code"], v["legacy_district_code"], v["legacy_commune_code"]),
                (v["province_input"], v["district_input"], v["commune_input"]),
            )
            from dandan.terms import parse_term
            from dandan.validation import count_value

            name_text: str = v["name"] if name is None else text(name, "name", required=True) or ""
            draft = ContestDraft(
                name=name_text,
                locality=locality,
                level=parse_term(Level, level) if level is not None else Level(v["level"]),
                held_on=v["held_on"],
                organiser=text(organiser, "organiser") if organiser is not None
                else v["organiser"],
                teams=count_value(teams, "teams") if teams is not None else v["teams"],
                entrants=count_value(entrants, "entrants") if entrants is not None
                else v["entrants"],
            )  # fmt: skip
        changed = w.update_contest(contest_id, draft, today=today or date.today())
    return get(registry, contest_id), changed


def remove(registry: Registry, contest_id: int, *, reason: str | None) -> dict[str, Any]:
    """Remove a contest recorded by mistake; the audit trail keeps it, with the reason."""
    reason_text = text(reason, "reason", required=True)
    assert reason_text is not None
    removed = get(registry, contest_id)
    with registry._writer() as w:
        w.remove_contest(contest_id, reason_text)
    return removed


# -- files -----------------------------------------------------------------------------


def import_file(
    registry: Registry, path: str, *, encoding: str | None = None, today: date | None = None
) -> int:
    """Add the contests of a CSV or XLSX file (Vietnamese or English headers), all or
    none: a bad row is refused naming its row and column, and nothing is stored."""
    info = SourceInfo(path)
    drafts: list[tuple[int, ContestDraft]] = []
    layout = Layout(schema=SCHEMA)
    for line, cells in read_source(path, encoding=encoding, info=info, layout=layout):
        try:
            drafts.append(
                (
                    line,
                    draft_contest(
                        name=cells.get("name"),
                        province=cells.get("province"),
                        commune=cells.get("commune"),
                        district=cells.get("district"),
                        scheme=parse_scheme(cells.get("locality_scheme")),
                        level=cells.get("level"),
                        held_on=cells.get("held_on"),
                        organiser=cells.get("organiser"),
                        teams=cells.get("teams"),
                        entrants=cells.get("entrants"),
                    ),
                )
            )
        except InvalidInput as exc:
            raise _at_row(exc, info, line) from None
    on = today or date.today()
    with registry._writer(create=True) as w:
        for line, draft in drafts:
            try:
                w.add_contest(draft, today=on, command="contest-import")
            except InvalidInput as exc:
                raise _at_row(exc, info, line) from None
    return len(drafts)


def _at_row(exc: InvalidInput, info: SourceInfo, line: int) -> InvalidInput:
    column = info.headers.get(exc.field or "", exc.field or "")
    return InvalidInput(
        _("{file}: row {row}, column {column}: {message}; nothing was imported").format(
            file=info.name, row=line, column=column, message=exc.message
        )
    )


def export(registry: Registry, out: IO[str], *, fmt: str = "csv", headers: str = "en") -> int:
    """Write the contests as `import` reads them (CSV with identifiers or Vietnamese
    headers, or JSON); returns how many."""
    rows = [_exported(c) for c in iter_contests(registry)]
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return len(rows)
    if fmt != "csv":
        raise UsageError(_("unknown value {text!r}; use {choices}").format(
            text=fmt, choices="csv|json"), field="format")  # fmt: skip
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([HEADERS[c][0] if headers == "vi" else c for c in EXPORTED])
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in EXPORTED])
    return len(rows)


def _exported(contest: dict[str, Any]) -> dict[str, Any]:
    """A contest as a file row: its place as recorded (names of the units of its scheme,
    with that scheme), so that it imports back to the same units."""
    from dandan.localities import legacy_gazetteer

    legacy = contest["locality_scheme"] == "2024"
    if legacy:
        g = legacy_gazetteer()
        p, d, c = (contest["legacy_province_code"], contest["legacy_district_code"],
                   contest["legacy_commune_code"])  # fmt: skip
        province = g.provinces[p].name
        district = g.districts[d].name if d is not None else None
        commune = g.communes[c].name if c is not None else None
    else:
        province, district, commune = contest["province_name"], None, contest["commune_name"]
    held = contest["held_on"]
    return {
        "name": contest["name"],
        "province": province,
        "district": district,
        "commune": commune,
        "level": contest["level"],
        "held_on": held.isoformat() if isinstance(held, date) else held,
        "organiser": contest["organiser"],
        "teams": contest["teams"],
        "entrants": contest["entrants"],
        "locality_scheme": contest["locality_scheme"],
    }


# -- tally ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContestQuery:
    """What a contest tally counts: groups, the window the contests were held in, the
    boundaries places are counted in. Its groups and window are the models' tally's
    (`tallies.TallyQuery`, which also orders and names the rows)."""

    groups: TallyQuery = field(default_factory=TallyQuery)

    @classmethod
    def parse(
        cls,
        *,
        by: Sequence[str] = (),
        window: Window | None = None,
        boundaries: str = "current",
        sort: str = "natural",
    ) -> ContestQuery:
        query = TallyQuery.parse(by=by, window=window, boundaries=boundaries, sort=sort)
        for dim in query.by:
            if dim not in DIMENSIONS:
                raise UsageError(
                    _("contests are not grouped by {dimension}; use one of: {choices}").format(
                        dimension=dim.value, choices=", ".join(d.value for d in DIMENSIONS)
                    ),
                    field="by",
                )
        return cls(query)

    @property
    def title(self) -> str:
        """The selection in words: "Contests by province, in 2024"."""
        query = self.groups
        window = query.window.label
        if not query.by:
            return _("Contests nationwide, {window}").format(window=window)
        groups = reduce(
            lambda first, second: _("{first} and {second}").format(first=first, second=second),
            (_(DIMENSION_NAMES[d]) for d in query.by),
        )
        if query.boundaries is Boundaries.legacy:
            message = _("Contests by {groups} (units before 2025-07-01), {window}")
        else:
            message = _("Contests by {groups}, {window}")
        return message.format(groups=groups, window=window)


@dataclass
class ContestTally:
    query: ContestQuery
    rows: list[dict[str, Any]]
    total: dict[str, int]


def _groups(query: TallyQuery) -> list[Any]:
    """One SQL expression per dimension, as `tallies` groups models (a place also
    carries the places it lies in, in the chosen units)."""
    legacy = query.boundaries is Boundaries.legacy
    exprs: list[Any] = []
    for dim in query.by:
        if dim is Dimension.year:
            exprs.append(extract("year", C.c.held_on))
        elif dim is Dimension.level:
            exprs.append(C.c.level)
        elif legacy:
            places = [C.c.legacy_province_code, C.c.legacy_district_code, C.c.legacy_commune_code]
            exprs.extend(places[: {"province": 1, "district": 2}.get(dim.value, 3)])
        else:
            exprs.extend([C.c.province_code, C.c.commune_code][: 1 if dim is Dimension.province
                                                                  else 2])  # fmt: skip
    return exprs


def tally(registry: Registry, query: ContestQuery) -> ContestTally:
    """Count the contests held in the window per group, and their teams and entrants:
    one GROUP BY in the database."""
    q = query.groups
    groups = _groups(q)
    measures = (func.count(), func.coalesce(func.sum(C.c.teams), 0),
                func.coalesce(func.sum(C.c.entrants), 0))  # fmt: skip
    where = []
    if q.window.start is not None:
        where.append(C.c.held_on >= q.window.start)
    if q.window.end is not None:
        where.append(C.c.held_on <= q.window.end)
    stmt = select(*groups, *measures).where(*where)
    if groups:
        stmt = stmt.group_by(*groups)
    width = len(groups)
    rows: list[dict[str, Any]] = []
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        found = conn.execute(stmt).all()
    for row in found:
        counts = dict(zip(MEASURES, (int(v) for v in row[width:]), strict=True))
        if not counts["contests"]:
            continue
        rows.append({**group_values(q, tuple(row[:width])), **counts})
    total = {m: sum(r[m] for r in rows) for m in MEASURES}
    if not q.by:
        return ContestTally(query, [], total)
    rows.sort(key=row_order(q, ("contests",)))
    return ContestTally(query, rows, total)
