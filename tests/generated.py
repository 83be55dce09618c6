"""Test registries built from generated rows, and the counts a tally must give on them,
computed here by brute force over the rows, independently of the SQL in dandan.tallies.

The rows are written in the import schema with the spellings clerks use (Vietnamese
labels, no diacritics, English), and loaded through `dandan import`.
"""

from __future__ import annotations

import csv
import dataclasses
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dandan.localities import Commune, Province, gazetteer, legacy_gazetteer, reorganisation

# Days where an off-by-one shows: year ends, the 2025 reorganisation.
EDGE_DAYS = (
    date(2021, 1, 1),
    date(2022, 12, 31),
    date(2023, 1, 1),
    date(2023, 12, 31),
    date(2024, 1, 1),
    date(2025, 6, 30),
    date(2025, 7, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
)
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 6, 30)  # every generated date lies before the day tests run

PROVINCES = (44, 1, 46, 79)  # Quảng Trị, Hà Nội, Huế, Hồ Chí Minh
FIELDS = {
    "economy": ("Kinh tế", "kinh te", "economy"),
    "culture_society": ("Văn hóa – xã hội", "vhxh", "culture"),
    "defence_security": ("Quốc phòng – an ninh", "an ninh", "security"),
    "party_building": ("Xây dựng Đảng", "xay dung dang", "party"),
}
SPONSORS = {
    "women": ("Hội Liên hiệp Phụ nữ", "phu nu", "women"),
    "youth": ("Đoàn Thanh niên", "thanh nien", "youth"),
    "farmers": ("Hội Nông dân", "nong dan", "farmers"),
    "police": ("Công an", "cong an", "police"),
}
HOLDERS = {"collective": ("tập thể", "collective"), "individual": ("cá nhân", "individual")}
LEVELS = {
    "commune": ("Cấp xã", "xa", "commune"),
    "district": ("Cấp huyện", "huyen", "district"),
    "province": ("Cấp tỉnh", "tinh", "province"),
    "central": ("Trung ương", "tw", "central"),
}
DISTRICTS_ABOLISHED = date(2025, 7, 1)


@dataclass(frozen=True)
class Rec:
    year: int
    level: str
    decided_on: date | None

    @property
    def day(self) -> date:
        """When the recognition counts: its decision, else the last day of its year."""
        return self.decided_on or date(self.year, 12, 31)


@dataclass
class Mod:
    code: str
    name: str
    province: str
    province_code: int
    commune: str | None
    commune_code: int | None
    field: str
    sponsor: str
    holder: str
    registered_on: date
    withdrawn_on: date | None = None
    recognitions: list[Rec] = dataclasses.field(default_factory=list)
    #: The old province (before 2025-07-01) it lay in, where that is known.
    legacy_province: str | None = None


def _day(rng: random.Random, after: date, before: date = LAST_DAY) -> date:
    if after >= before:
        return after
    if rng.random() < 0.35:
        edges = [d for d in EDGE_DAYS if after <= d <= before]
        if edges:
            return rng.choice(edges)
    return after + timedelta(days=rng.randrange((before - after).days + 1))


def _recognition(rng: random.Random, registered_on: date) -> Rec | None:
    year = rng.randint(registered_on.year, LAST_DAY.year)
    decided_on: date | None = None
    if rng.random() < 0.75:  # usually dated, sometimes early in the next year
        earliest = max(registered_on, date(year, 1, 1))
        latest = min(LAST_DAY, date(year + 1, 2, 28))
        if earliest > latest:
            return None
        decided_on = _day(rng, earliest, latest)
    level = rng.choice(sorted(LEVELS))
    if level == "district" and (
        (decided_on is not None and decided_on >= DISTRICTS_ABOLISHED)
        or (decided_on is None and year > 2025)
    ):
        level = "commune"
    return Rec(year, level, decided_on)


def _levels(m: Mod) -> set[tuple[int, str]]:
    return {(r.year, r.level) for r in m.recognitions}


def generate(n: int, seed: int = 7) -> list[Mod]:
    """`n` models over a few provinces, their communes and no commune, with 0–3
    recognitions each (some twice in one year), some withdrawn, dates often on edges."""
    rng = random.Random(seed)
    g = gazetteer()
    communes = {
        p: sorted((c for c in g.communes.values() if c.province_code == p), key=lambda c: c.code)[
            :4
        ]
        for p in PROVINCES
    }
    models: list[Mod] = []
    for i in range(n):
        p = g.provinces[rng.choice(PROVINCES)]
        commune = rng.choice([*communes[p.code], None])
        registered_on = _day(rng, FIRST_DAY)
        m = Mod(
            code=f"T-{i:05d}",
            name=f"Mô hình số {i}",
            province=p.name,
            province_code=p.code,
            commune=commune.name if commune else None,
            commune_code=commune.code if commune else None,
            field=rng.choice(sorted(FIELDS)),
            sponsor=rng.choice(sorted(SPONSORS)),
            holder=rng.choice(sorted(HOLDERS)),
            registered_on=registered_on,
        )
        wanted = rng.choices((0, 1, 2, 3), weights=(45, 35, 15, 5))[0]
        for _ in range(wanted):
            rec = _recognition(rng, registered_on)
            # Once a year at one level: the registry refuses a second one.
            if rec is not None and (rec.year, rec.level) not in _levels(m):
                m.recognitions.append(rec)
        if m.recognitions and rng.random() < 0.1:  # recognised twice in one year
            first = m.recognitions[0]
            twin = Rec(first.year, "central" if first.level != "central" else "province", None)
            if (twin.year, twin.level) not in _levels(m):
                m.recognitions.append(twin)
        if rng.random() < 0.12:
            # After every decision (an undated one: from its year on): the registry
            # refuses a recognition dated after the withdrawal.
            decided = [r.decided_on or date(r.year, 1, 1) for r in m.recognitions]
            m.withdrawn_on = _day(rng, max([registered_on, *decided]))
        models.append(m)
    return models


HEADER = [
    "code",
    "name",
    "province",
    "commune",
    "locality_scheme",
    "field",
    "sponsor",
    "holder",
    "registered_on",
    "withdrawn_on",
    "withdrawn_reason",
    "recognition_year",
    "recognition_level",
    "decision_no",
    "decided_on",
    "recognized_by",
]


def import_rows(models: Iterable[Mod], seed: int = 1) -> list[dict[str, str]]:
    """The models as an import file: one row per recognition, spellings varied.

    The places are current units whatever the date (the row says so: otherwise a
    record dated before 2025-07-01 would name the old units, and province code 44
    would be the old Quảng Bình)."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    for m in models:
        base = {
            "code": m.code,
            "name": m.name,
            "province": rng.choice((m.province, str(m.province_code))),
            "commune": m.commune or "",
            "locality_scheme": rng.choice(("2025", "current", "mới")),
            "field": rng.choice(FIELDS[m.field]),
            "sponsor": rng.choice(SPONSORS[m.sponsor]),
            "holder": rng.choice(HOLDERS[m.holder]),
            "registered_on": rng.choice(
                (m.registered_on.isoformat(), m.registered_on.strftime("%d/%m/%Y"))
            ),
            "withdrawn_on": m.withdrawn_on.isoformat() if m.withdrawn_on else "",
            "withdrawn_reason": "giải thể" if m.withdrawn_on else "",
        }
        if not m.recognitions:
            out.append({**base})
        for i, r in enumerate(m.recognitions):
            out.append(
                {
                    **base,
                    "recognition_year": str(r.year),
                    "recognition_level": rng.choice(LEVELS[r.level]),
                    "decision_no": f"{i + 1}/QĐ-UBND",
                    "decided_on": r.decided_on.isoformat() if r.decided_on else "",
                    "recognized_by": "UBND",
                }
            )
    return out


def write_csv(path: Path, models: Iterable[Mod]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(import_rows(models))
    return path


# -- brute force ---------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: date | None = None
    end: date | None = None

    def __contains__(self, day: object) -> bool:
        assert isinstance(day, date)
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def status_at(m: Mod, end: date | None) -> str:
    if m.withdrawn_on is not None and (end is None or m.withdrawn_on <= end):
        return "withdrawn"
    if any(end is None or r.day <= end for r in m.recognitions):
        return "recognized"
    return "registered"


def _key(m: Mod, by: Sequence[str], *, year: int, level: str | None) -> tuple[Any, ...]:
    parts: list[Any] = []
    for dim in by:
        if dim == "province":
            parts.append(m.province)
        elif dim == "commune":
            parts.append((m.province, m.commune))
        elif dim == "year":
            parts.append(year)
        elif dim == "level":
            parts.append(level)
        else:
            parts.append(getattr(m, dim))
    return tuple(parts)


def row_key(row: dict[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
    """The same key, read from a row of `dandan tally --format json`."""
    return tuple((row["province"], row["commune"]) if d == "commune" else row[d] for d in by)


@dataclass
class Expected:
    rows: dict[tuple[Any, ...], dict[str, int]]
    total: dict[str, int]


def expected(
    models: Iterable[Mod],
    by: Sequence[str] = (),
    span: Span = Span(),
    *,
    recognitions: bool = False,
    statuses: Sequence[str] = (),
    levels: Sequence[str] = (),
    provinces: Sequence[str] = (),
    communes: Sequence[str] = (),
    fields: Sequence[str] = (),
    sponsors: Sequence[str] = (),
    holders: Sequence[str] = (),
) -> Expected:
    """What `dandan tally` must print, by looking at every model and recognition in turn."""
    measure = "recognitions" if recognitions else "recognized"
    with_registered = "level" not in by and not levels
    registered: dict[tuple[Any, ...], int] = defaultdict(int)
    recognised: dict[tuple[Any, ...], set[tuple[str, int]]] = defaultdict(set)
    total_registered = 0
    total_recognised: set[tuple[str, int]] = set()
    for m in models:
        if (provinces or communes) and (m.province not in provinces and m.commune not in communes):
            continue
        if (
            (fields and m.field not in fields)
            or (sponsors and m.sponsor not in sponsors)
            or (holders and m.holder not in holders)
        ):
            continue
        status = status_at(m, span.end)
        if statuses and status not in statuses:
            continue
        if not statuses and status == "withdrawn":
            continue
        if with_registered and m.registered_on in span:
            registered[_key(m, by, year=m.registered_on.year, level=None)] += 1
            total_registered += 1
        for i, r in enumerate(m.recognitions):
            if r.day in span and (not levels or r.level in levels):
                # A model counts once per group; a recognition counts once, full stop.
                item = (m.code, i if recognitions else 0)
                recognised[_key(m, by, year=r.day.year, level=r.level)].add(item)
                total_recognised.add(item)
    rows: dict[tuple[Any, ...], dict[str, int]] = {}
    for k in (registered.keys() | recognised.keys()) if by else ():  # no groups: a total
        values = {measure: len(recognised.get(k, ()))}
        if with_registered:
            values = {"registered": registered.get(k, 0), **values}
        rows[k] = values
    total = {measure: len(total_recognised)}
    if with_registered:
        total = {"registered": total_registered, **total}
    return Expected(rows, total)


def current_place(row: dict[str, str]) -> tuple[Province, Commune | None]:
    """The current province and commune a row's place means."""
    province, commune, _ = place(row)
    return province, commune


def place(row: dict[str, str]) -> tuple[Province, Commune | None, Province | None]:
    """The current province and commune a row's place means, and the old province.

    A row naming an old district (or saying `locality_scheme` 2024) is written in the
    units before 1 July 2025: its names are looked up among those, and its old
    commune counted under the current commune the official mapping sends it to (the
    default one where it was divided). Other rows name current units, whose old
    province is known only where everything the current unit was made of lay in one.
    The lookups are the gazetteers', not the importer's resolution by date, which is
    what the tallies built on these rows check."""
    g, moves = gazetteer(), reorganisation()
    commune = row["commune"].strip()
    if row.get("district", "").strip() or row.get("locality_scheme", "").strip() == "2024":
        old = legacy_gazetteer()
        p = old.province(row["province"])
        district = row.get("district", "").strip()
        d = old.district(district, p) if district else None
        if commune:
            now = g.communes[moves.commune(old.commune(commune, p, d).code)]
            return g.provinces[now.province_code], now, p
        if d is not None and d.code in moves.island_districts:  # no communes: a special zone
            now = g.communes[moves.island_districts[d.code]]
            return g.provinces[now.province_code], now, p
        return g.provinces[moves.province(p.code)], None, p
    q = g.province(row["province"])
    c = g.commune(commune, q) if commune else None
    origin = moves.origin(q.code, c.code if c else None).province
    return q, c, None if origin is None else legacy_gazetteer().provinces[origin]


def from_import_rows(rows: Iterable[dict[str, str]]) -> list[Mod]:
    """Models as the brute force reads them, from rows in the import schema (such as
    `dandan.synthetic`'s), placed in current units (`place`). Spellings are
    resolved with dandan's own parsers: what is checked here is the counting, not the
    reading."""
    from dandan.terms import Field, Holder, Level, Sponsor, parse_term
    from dandan.validation import parse_date

    models: dict[str, Mod] = {}
    for row in rows:
        m = models.get(row["code"])
        if m is None:
            p, c, old = place(row)
            m = models[row["code"]] = Mod(
                code=row["code"],
                name=row["name"],
                province=p.name,
                province_code=p.code,
                commune=c.name if c else None,
                commune_code=c.code if c else None,
                field=parse_term(Field, row["field"]).value,
                sponsor=parse_term(Sponsor, row["sponsor"]).value,
                holder=parse_term(Holder, row["holder"] or "collective").value,
                registered_on=parse_date(row["registered_on"], "registered_on"),
                withdrawn_on=(
                    parse_date(row["withdrawn_on"], "withdrawn_on") if row["withdrawn_on"] else None
                ),
                legacy_province=old.name if old else None,
            )
        if row["recognition_year"].strip():
            m.recognitions.append(
                Rec(
                    int(row["recognition_year"]),
                    parse_term(Level, row["recognition_level"]).value,
                    parse_date(row["decided_on"], "decided_on") if row["decided_on"] else None,
                )
            )
    return list(models.values())
