"""The rules every model and recognition passes, whichever way it arrives.

`dandan register`, `dandan recognize`, `dandan edit` and batch import all build
their records through these functions, so a row that the command line refuses
is refused by import too, with the same words.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import lru_cache
from typing import Any

from dandan.errors import Advice, InvalidInput
from dandan.i18n import _, day
from dandan.localities import (
    CURRENT_SCHEME,
    LEGACY_SCHEME,
    MERGER_DAY,
    Commune,
    District,
    Province,
    became_text,
    gazetteer,
    legacy_gazetteer,
    reorganisation,
)
from dandan.terms import Area, Award, Field, Holder, Kind, Level, Result, Sponsor, parse_term
from dandan.text import clean, fold, marks, not_text, undecodable

EARLIEST = date(1990, 1, 1)

MAX_LENGTHS = {
    "name": 300,
    "description": 4000,
    "objectives": 4000,
    "method": 4000,
    "target_group": 4000,
    "expected_results": 4000,
    "sustainability": 4000,
    "holder_name": 300,
    "decision": 100,
    "by": 300,
    "reason": 1000,
    "note": 1000,
    "province": 200,
    "district": 200,
    "commune": 200,
}

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{1,31}$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def text(value: str | None, field: str, *, required: bool = False) -> str | None:
    """Cleaned text (NFC, no control characters), length-checked; None when empty.

    Text holding bytes that are not UTF-8 (typed on a terminal in another encoding) is
    refused: the database could not store it, and the command died with a traceback.
    So is text holding a NUL or a noncharacter (U+FFFE, U+FFFF, …), the marks of a
    damaged file or a wrong encoding, rather than guessed at (see `text.not_text`).
    """
    if value and (found := not_text(value)) is not None:
        raise InvalidInput(
            _(
                "holds {character}, which is not a character of any text: the file may be "
                "damaged or read in the wrong encoding; remove it and try again"
            ).format(character="NUL (U+0000)" if found == "\x00" else f"U+{ord(found):04X}"),
            field=field,
        )
    cleaned = clean(value) if value else ""
    if not cleaned:
        if required:
            raise InvalidInput(_("must not be empty"), field=field)
        return None
    if undecodable(cleaned):
        raise InvalidInput(
            _("holds bytes that are not UTF-8 text; set the terminal (or the file) to UTF-8"),
            field=field,
        )
    limit = MAX_LENGTHS.get(field, 300)
    if len(cleaned) > limit:
        raise InvalidInput(
            _("is {length} characters long; the limit is {limit}").format(
                length=len(cleaned), limit=limit
            ),
            field=field,
        )
    return cleaned


def parse_date(value: str | date, field: str, *, today: date | None = None) -> date:
    """A calendar date from ISO (2023-12-31) or Vietnamese style (31/12/2023)."""
    parsed = value if isinstance(value, date) else _parse_date_text(value.strip(), field)
    if parsed < EARLIEST:
        raise InvalidInput(
            _("date {date} is before {year}").format(date=day(parsed), year=EARLIEST.year),
            field=field,
        )
    if today is not None and parsed > today:
        raise InvalidInput(_("date {date} is in the future").format(date=day(parsed)), field=field)
    return parsed


@lru_cache(maxsize=8192)
def _parse_date_text(raw: str, field: str) -> date:
    """Cached: a batch repeats the same few thousand dates hundreds of times."""
    parts: tuple[str, str, str] | None = None
    if m := _ISO.match(raw):
        parts = (m.group(1), m.group(2), m.group(3))
    elif m := _DMY.match(raw):
        parts = (m.group(3), m.group(2), m.group(1))
    if parts is None:
        raise InvalidInput(
            _("bad date {text!r}: write it as YYYY-MM-DD or DD/MM/YYYY").format(text=raw),
            field=field,
        )
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise InvalidInput(
            _("bad date {text!r}: no such day").format(text=raw), field=field
        ) from None


def parse_year(value: str | int, field: str = "year", *, today: date | None = None) -> int:
    raw = str(value).strip()
    if raw.endswith(".0"):  # spreadsheets hand years over as floats
        raw = raw[:-2]
    if not (raw.isascii() and raw.isdigit()) or not EARLIEST.year <= int(raw) <= 2100:
        raise InvalidInput(
            _("bad year {text!r}: write four digits, e.g. 2023").format(text=value), field=field
        )
    year = int(raw)
    if today is not None and year > today.year:
        raise InvalidInput(_("year {year} is in the future").format(year=year), field=field)
    return year


def parse_code(value: str) -> str:
    plain = value.isascii() and value.isprintable()
    code = (value.strip() if plain else clean(value)).upper()
    if not _CODE.match(code):
        raise InvalidInput(
            _("bad code {text!r}: use 2–32 letters, digits and '-', e.g. QTR-2023-00042").format(
                text=value
            ),
            field="code",
        )
    return code


@dataclass(frozen=True, slots=True)
class Locality:
    """Where a model runs: the units as recorded and the current units they are counted
    under.

    `scheme` says which units the clerk's names were resolved against ("2024": the
    old units before 2025-07-01; "2025": the current ones). `province` and `commune`
    are always current units; the `legacy_*` units are the old ones, as recorded, or,
    for a record in current units, the old unit it certainly lay in (None where the
    current unit spans several old ones: "not assignable" in a 2024 tally).
    """

    scheme: str
    province: Province
    commune: Commune | None
    legacy_province: Province | None
    legacy_district: District | None
    legacy_commune: Commune | None
    province_input: str
    district_input: str | None
    commune_input: str | None
    #: What the registry stores of this locality, in the order of the writer's columns
    #: (from `locality_scheme` to `legacy_commune_code`), and what two records of one
    #: model must agree on: made once per locality, which a batch shares between rows.
    stored: tuple[Any, ...] = dataclass_field(init=False, repr=False, compare=False)
    compared: tuple[Any, ...] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        province, commune = self.province, self.commune
        legacy = (
            self.legacy_province.code if self.legacy_province else None,
            self.legacy_district.code if self.legacy_district else None,
            self.legacy_commune.code if self.legacy_commune else None,
        )
        commune_code = commune.code if commune else None
        stored = (
            self.scheme, province.code, province.name, self.province_input, commune_code,
            commune.name if commune else None, self.commune_input, self.district_input, *legacy,
        )  # fmt: skip
        object.__setattr__(self, "stored", stored)
        object.__setattr__(self, "compared", (province.code, commune_code, self.scheme, *legacy))

    @property
    def recorded(self) -> tuple[Province, District | None, Commune | None]:
        """The units the clerk named, in their own scheme."""
        if self.scheme == LEGACY_SCHEME:
            assert self.legacy_province is not None
            return self.legacy_province, self.legacy_district, self.legacy_commune
        return self.province, None, self.commune


def stored_locality(
    scheme: str,
    province: int,
    commune: int | None,
    legacy: tuple[int | None, int | None, int | None],
    typed: tuple[str, str | None, str | None],
) -> Locality:
    """A stored model's locality, from its unit codes (current, then old) and what was
    typed (province, district, commune): the record as it is, for a change to the rest."""
    now, old = gazetteer(), legacy_gazetteer()
    legacy_province, legacy_district, legacy_commune = legacy
    return Locality(
        scheme,
        now.provinces[province],
        now.communes[commune] if commune is not None else None,
        old.provinces[legacy_province] if legacy_province is not None else None,
        old.districts[legacy_district] if legacy_district is not None else None,
        old.communes[legacy_commune] if legacy_commune is not None else None,
        *typed,
    )


#: Words for the two schemes: a `locality_scheme` column, `tally --boundaries`.
SCHEMES = {
    "2024": LEGACY_SCHEME,
    "legacy": LEGACY_SCHEME,
    "old": LEGACY_SCHEME,
    "cu": LEGACY_SCHEME,
    "truoc 2025": LEGACY_SCHEME,
    "2025": CURRENT_SCHEME,
    "current": CURRENT_SCHEME,
    "new": CURRENT_SCHEME,
    "today": CURRENT_SCHEME,
    "moi": CURRENT_SCHEME,
    "hien nay": CURRENT_SCHEME,
}


def parse_scheme(value: str | None) -> str | None:
    """ "2024"/"legacy"/"cũ" or "2025"/"current"/"mới"; None when empty."""
    if value is None or not value.strip():
        return None
    found = SCHEMES.get(fold(value))
    if found is None:
        raise InvalidInput(
            _(
                "unknown boundaries {text!r}: write 2024 (the units before 2025-07-01) "
                "or 2025 (the current units)"
            ).format(text=value),
            field="locality_scheme",
        )
    return found


def _resolve_locality(
    province: str | None,
    commune: str | None,
    district: str | None = None,
    *,
    before_merger: bool = False,
    scheme: str | None = None,
) -> Locality:
    """The units a record names, by its date: a record dated before 2025-07-01 names
    the old units (falling back to current names, which clerks entering old records
    today may use), a later one the current units; an explicit `scheme` wins.
    """
    province_text = text(province, "province", required=True)
    assert province_text is not None
    district_text = text(district, "district")
    commune_text = text(commune, "commune")
    inputs = (province_text, district_text, commune_text)
    if scheme == LEGACY_SCHEME:
        return _legacy(*inputs)
    if scheme == CURRENT_SCHEME or not before_merger:
        try:
            return _current(*inputs)
        except InvalidInput as current_error:
            if scheme is None:
                _refuse_old_names(inputs, current_error)
            raise
    try:
        found = _legacy(*inputs)
    except InvalidInput as legacy_error:
        if district_text is not None:
            raise
        try:
            return _current(*inputs)
        except InvalidInput as current_error:
            raise _closer(legacy_error, current_error, commune_text) from None
    if commune_text is not None and not _typed_as(commune_text, found.legacy_commune):
        # Folding made "Thuận Hóa" an old "Thuận Hòa": a current unit spelt exactly so wins.
        with contextlib.suppress(InvalidInput):
            current = _current(*inputs)
            if _typed_as(commune_text, current.commune):
                return current
    return found


#: Cached on the raw text: batches name the same places over and over. (Wrapped rather
#: than decorated so that the mutation run, which skips decorated functions, reaches it.)
resolve_locality = lru_cache(maxsize=32768)(_resolve_locality)


def _typed_as(typed: str, unit: Commune | None) -> bool:
    """Whether the text names the unit with its diacritics, not only once folded."""
    if unit is None:
        return False
    marked = {marks(unit.name), marks(unit.name[len(unit.division_type) :])}
    return marks(typed) in marked


def _closer(legacy: InvalidInput, current: InvalidInput, commune: str | None) -> InvalidInput:
    """Of two failed readings of an old record, the error about what the clerk meant:
    the one that got past the province, or the scheme that knows the commune's name."""
    if legacy.field == "province" and current.field != "province":
        return current
    if (
        commune is not None
        and current.field == "commune"
        and legacy.field == "commune"
        and not legacy_gazetteer().find_communes(commune)
        and gazetteer().find_communes(commune)
    ):
        return current
    return legacy


def _legacy(province_text: str, district_text: str | None, commune_text: str | None) -> Locality:
    old, r = legacy_gazetteer(), reorganisation()
    p = old.province(province_text)
    d = old.district(district_text, p) if district_text else None
    c = old.commune(commune_text, p, d) if commune_text else None
    if c is not None and d is None:
        d = old.districts[c.district_code] if c.district_code else None
    now = gazetteer()
    current_commune = None
    if c is not None:
        current_commune = now.communes[r.commune(c.code)]
    elif d is not None and d.code in r.island_districts:
        current_commune = now.communes[r.island_districts[d.code]]
    return Locality(
        LEGACY_SCHEME,
        now.provinces[r.province(p.code)],
        current_commune,
        p,
        d,
        c,
        province_text,
        district_text,
        commune_text,
    )


def _current(province_text: str, district_text: str | None, commune_text: str | None) -> Locality:
    now = gazetteer()
    p = now.province(province_text)
    if district_text is not None:
        now.district(district_text, p)  # raises: there are no districts any more
    c = now.commune(commune_text, p) if commune_text else None
    origin = reorganisation().origin(p.code, c.code if c else None)
    old = legacy_gazetteer()
    return Locality(
        CURRENT_SCHEME,
        p,
        c,
        old.provinces[origin.province] if origin.province is not None else None,
        old.districts[origin.district] if origin.district is not None else None,
        old.communes[origin.commune] if origin.commune is not None else None,
        province_text,
        None,
        commune_text,
    )


def _refuse_old_names(
    inputs: tuple[str, str | None, str | None], current_error: InvalidInput
) -> None:
    """A record dated after the merger that names old units: say what they became."""
    try:
        loc = _legacy(*inputs)
    except InvalidInput:
        return
    province, district, commune = loc.recorded
    old = legacy_gazetteer()
    unit = commune or (district if current_error.field == "district" else None) or province
    if current_error.field == "commune" and commune is None:
        return
    raise InvalidInput(
        _(
            "{became}; records dated from then on use the current units: "
            "write the current name, or record the old unit"
        ).format(became=became_text(old, unit)),
        field=type(unit).__name__.lower(),
        advice=Advice.record_old_units,
    ) from None


@dataclass(slots=True)
class ModelDraft:
    """A model that passed validation and is ready to store."""

    name: str
    locality: Locality
    field: Field
    sponsor: Sponsor
    holder: Holder
    holder_name: str | None
    registered_on: date
    description: str | None = None
    code: str | None = None
    kind: Kind = Kind.model
    #: The areas of work it serves, each once, in the vocabulary's order.
    areas: tuple[Area, ...] = ()
    #: The registration form's items (`FORM_FIELDS`), each optional.
    objectives: str | None = None
    method: str | None = None
    target_group: str | None = None
    expected_results: str | None = None
    sustainability: str | None = None
    #: The code of the model this one copies (nhân rộng), if any.
    replicates: str | None = None

    def form(self) -> tuple[str | None, ...]:
        """The form's items, in `FORM_FIELDS` order."""
        return (
            self.objectives, self.method, self.target_group, self.expected_results,
            self.sustainability,
        )  # fmt: skip


#: The registration form's items a model may hold (phiếu đăng ký mô hình): objectives,
#: content and method, target group and area, expected results, sustaining and replicating.
FORM_FIELDS = ("objectives", "method", "target_group", "expected_results", "sustainability")
#: What separates several areas in one option or cell: "GPMB; Chuyển đổi số".
AREA_SEPARATOR = ";"


def area_terms(values: str | Iterable[str] | None, field: str = "area") -> tuple[Area, ...]:
    """The areas of work given, in any spelling `parse_term` accepts, several in one
    value separated by ";": each once, in the vocabulary's order (so that two spellings
    of one set compare equal). Empty values name none."""
    if values is None:
        return ()
    given = [values] if isinstance(values, str) else list(values)
    found: set[Area] = set()
    for value in given:
        for part in value.split(AREA_SEPARATOR):
            if part.strip():
                try:
                    found.add(parse_term(Area, part.strip()))
                except InvalidInput as exc:
                    raise InvalidInput(exc.message, field=field) from None
    return tuple(a for a in Area if a in found)


def draft_model(
    *,
    name: str | None,
    province: str | None,
    commune: str | None = None,
    district: str | None = None,
    scheme: str | None = None,
    field: str | None,
    sponsor: str | None,
    holder: str | None = None,
    holder_name: str | None = None,
    registered_on: str | date | None = None,
    description: str | None = None,
    code: str | None = None,
    kind: str | None = None,
    areas: str | Iterable[str] | None = None,
    form: Mapping[str, str | None] | None = None,
    replicates: str | None = None,
    today: date,
) -> ModelDraft:
    """`scheme` ("2024" or "2025", see `parse_scheme`) forces the units the locality
    names; otherwise the registration date chooses them."""
    name_text = text(name, "name", required=True)
    assert name_text is not None
    if not field or not field.strip():
        raise InvalidInput(_("must not be empty"), field="field")
    if not sponsor or not sponsor.strip():
        raise InvalidInput(_("must not be empty"), field="sponsor")
    on = registration_date(registered_on, today)
    return ModelDraft(
        name=name_text,
        locality=resolve_locality(
            province, commune, district, before_merger=on < MERGER_DAY, scheme=scheme
        ),
        field=parse_term(Field, field),
        sponsor=parse_term(Sponsor, sponsor),
        holder=holder_term(holder),
        holder_name=text(holder_name, "holder_name"),
        registered_on=on,
        description=text(description, "description"),
        code=model_code(code),
        kind=kind_term(kind),
        areas=area_terms(areas),
        objectives=text((form or {}).get("objectives"), "objectives"),
        method=text((form or {}).get("method"), "method"),
        target_group=text((form or {}).get("target_group"), "target_group"),
        expected_results=text((form or {}).get("expected_results"), "expected_results"),
        sustainability=text((form or {}).get("sustainability"), "sustainability"),
        replicates=replicated_code(replicates, code),
    )


def registration_date(value: str | date | None, today: date) -> date:
    """The date a model was registered: today unless given."""
    return parse_date(value, "registered_on", today=today) if value not in (None, "") else today


def holder_term(value: str | None) -> Holder:
    """Who carries the model out: a collective unless given."""
    return parse_term(Holder, value) if value and value.strip() else Holder.collective


def kind_term(value: str | None) -> Kind:
    """What is registered: a model (a practice) unless given."""
    return parse_term(Kind, value) if value and value.strip() else Kind.model


def replicated_code(value: str | None, code: str | None = None) -> str | None:
    """The code of the model a model copies, if given: never its own."""
    if not value or not value.strip():
        return None
    try:
        source = parse_code(value)
    except InvalidInput as exc:
        exc.field = "replicates"
        raise
    if code and code.strip() and source == parse_code(code):
        raise InvalidInput(
            _("a model cannot replicate itself; name the model it copies"), field="replicates"
        )
    return source


def model_code(value: str | None) -> str | None:
    """The model's code, if given (otherwise the registry numbers it)."""
    return parse_code(value) if value and value.strip() else None


@dataclass(slots=True)
class RecognitionDraft:
    year: int
    level: Level
    decision_no: str | None
    decided_on: date | None
    body: str | None
    #: Named outstanding (tiêu biểu) among the models recognised.
    outstanding: bool = False


def draft_recognition(
    *,
    year: str | int | None,
    level: str | None,
    decision_no: str | None = None,
    decided_on: str | date | None = None,
    body: str | None = None,
    outstanding: bool | str | None = False,
    today: date,
) -> RecognitionDraft:
    y, lvl, on = recognition_terms(year, level, decided_on, today)
    return RecognitionDraft(
        year=y,
        level=lvl,
        decision_no=text(decision_no, "decision"),
        decided_on=on,
        body=text(body, "by"),
        outstanding=flag(outstanding, "outstanding"),
    )


_YES = frozenset({"1", "x", "true", "yes", "y", "co", "tieu bieu", "outstanding"})
_NO = frozenset({"", "0", "false", "no", "n", "khong"})


def flag(value: bool | str | None, field: str) -> bool:
    """A yes/no cell as clerks fill it: "x", "có", "1", "True" (an export's), or empty."""
    if value is None or isinstance(value, bool):
        return bool(value)
    folded = fold(value).strip()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise InvalidInput(
        _("{value!r} is not yes or no; write x (or có, 1) for yes, leave it empty for no").format(
            value=value
        ),
        field=field,
    )


def recognition_terms(
    year: str | int | None, level: str | None, decided_on: str | date | None, today: date
) -> tuple[int, Level, date | None]:
    """The year, level and decision date of a recognition, checked together (a batch
    checks each combination it meets once)."""
    if year is None or str(year).strip() == "":
        raise InvalidInput(_("must not be empty"), field="year")
    if not level or not level.strip():
        raise InvalidInput(_("must not be empty"), field="level")
    y = parse_year(year, today=today)
    lvl = parse_term(Level, level)
    on = parse_date(decided_on, "decided_on", today=today) if decided_on not in (None, "") else None
    if on is not None and on.year not in (y, y + 1):
        raise InvalidInput(
            _(
                "decision date {date} does not belong to recognition year {year} "
                "(it may fall in {year} or early {next_year})"
            ).format(date=day(on), year=y, next_year=y + 1),
            field="decided_on",
        )
    if lvl is Level.district and (
        (on is not None and on >= MERGER_DAY) or (on is None and y > 2025)
    ):
        raise InvalidInput(
            _(
                "district-level recognitions end on 2025-06-30: districts were abolished on "
                "2025-07-01; use commune or province level"
            ),
            field="level",
        )
    return y, lvl, on


@dataclass(slots=True)
class ContestDraft:
    """A contest whose values passed validation one by one; the rules that tie them
    together (`writing.check_contest`) are the writer's."""

    name: str
    locality: Locality
    level: Level
    held_on: date
    organiser: str | None = None
    teams: int | None = None
    entrants: int | None = None

    def columns(self) -> dict[str, Any]:
        """The stored columns, in the writer's order (`writing.CONTEST_COLUMNS`)."""
        names = (
            "locality_scheme", "province_code", "province_name", "province_input",
            "commune_code", "commune_name", "commune_input", "district_input",
            "legacy_province_code", "legacy_district_code", "legacy_commune_code",
        )  # fmt: skip
        return {
            "name": self.name,
            **dict(zip(names, self.locality.stored, strict=True)),
            "level": self.level.value,
            "held_on": self.held_on,
            "organiser": self.organiser,
            "teams": self.teams,
            "entrants": self.entrants,
        }


def count_value(value: str | int | None, field: str) -> int | None:
    """A number of teams or entrants as typed (a spreadsheet's 12.0 too); None when empty.
    Negative numbers pass here: the writer refuses them with the other contest rules."""
    if value is None or str(value).strip() == "":
        return None
    raw = str(value).strip()
    if raw.endswith(".0"):
        raw = raw[:-2]
    body = raw[1:] if raw.startswith("-") else raw
    if not (body.isascii() and body.isdigit()) or len(body) > 9:
        raise InvalidInput(
            _("bad number {text!r}: write a whole number, e.g. 12").format(text=value), field=field
        )
    return int(raw)


def draft_contest(
    *,
    name: str | None,
    province: str | None,
    commune: str | None = None,
    district: str | None = None,
    scheme: str | None = None,
    level: str | None,
    held_on: str | date | None,
    organiser: str | None = None,
    teams: str | int | None = None,
    entrants: str | int | None = None,
) -> ContestDraft:
    """A contest's values, each checked; its place resolved as a model's, by the day it
    was held (the old units before 2025-07-01), unless `scheme` says which."""
    name_text = text(name, "name", required=True)
    assert name_text is not None
    if not level or not level.strip():
        raise InvalidInput(_("must not be empty"), field="level")
    if held_on is None or (isinstance(held_on, str) and not held_on.strip()):
        raise InvalidInput(_("must not be empty"), field="held_on")
    on = parse_date(held_on, "held_on")
    return ContestDraft(
        name=name_text,
        locality=resolve_locality(
            province, commune, district, before_merger=on < MERGER_DAY, scheme=scheme
        ),
        level=parse_term(Level, level),
        held_on=on,
        organiser=text(organiser, "organiser"),
        teams=count_value(teams, "teams"),
        entrants=count_value(entrants, "entrants"),
    )


@dataclass(frozen=True, slots=True)
class CommendationDraft:
    year: int
    award: Award
    body: str
    decision_no: str | None
    decided_on: date | None


def draft_commendation(
    *,
    year: str | int | None,
    award: str | None,
    body: str | None,
    decision_no: str | None = None,
    decided_on: str | date | None = None,
    today: date,
) -> CommendationDraft:
    """A commendation as given: its year, the award from the controlled list, the body
    that gave it (required: an award says who gives it), and its decision, dated within
    its year (a commendation is an act of that year, unlike a recognition decided early
    the next)."""
    if year is None or str(year).strip() == "":
        raise InvalidInput(_("must not be empty"), field="year")
    if not award or not award.strip():
        raise InvalidInput(_("must not be empty"), field="award")
    y = parse_year(year, today=today)
    kind = parse_term(Award, award)
    given_by = text(body, "by", required=True)
    assert given_by is not None
    on = parse_date(decided_on, "decided_on", today=today) if decided_on not in (None, "") else None
    if on is not None and on.year != y:
        raise InvalidInput(
            _("decision date {date} is not in the commendation's year {year}").format(
                date=day(on), year=y
            ),
            field="decided_on",
        )
    return CommendationDraft(
        year=y, award=kind, body=given_by, decision_no=text(decision_no, "decision"), decided_on=on
    )


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    year: int
    result: Result
    note: str | None


def draft_review(
    *, year: str | int | None, result: str | None, note: str | None = None, today: date
) -> ReviewDraft:
    """A yearly review as given: its year (not in the future) and what it found."""
    if year is None or str(year).strip() == "":
        raise InvalidInput(_("must not be empty"), field="year")
    if not result or not result.strip():
        raise InvalidInput(_("must not be empty"), field="result")
    return ReviewDraft(
        year=parse_year(year, today=today),
        result=parse_term(Result, result),
        note=text(note, "note"),
    )
