"""The rules every model and recognition passes, whichever way it arrives.

`dandan register`, `dandan recognize`, `dandan edit` and batch import all build
their records through these functions, so a row that the command line refuses
is refused by import too, with the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from dandan.errors import InvalidInput
from dandan.localities import Commune, Province, gazetteer
from dandan.terms import Field, Holder, Level, Sponsor, parse_term
from dandan.text import clean

#: The date districts were abolished: no district-level recognition from then on.
DISTRICTS_ABOLISHED = date(2025, 7, 1)
EARLIEST = date(1990, 1, 1)

MAX_LENGTHS = {
    "name": 300,
    "description": 4000,
    "holder_name": 300,
    "decision": 100,
    "by": 300,
    "reason": 1000,
    "province": 200,
    "commune": 200,
}

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{1,31}$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def text(value: str | None, field: str, *, required: bool = False) -> str | None:
    """Cleaned text (NFC, no control characters), length-checked; None when empty."""
    cleaned = clean(value) if value else ""
    if not cleaned:
        if required:
            raise InvalidInput("must not be empty", field=field)
        return None
    limit = MAX_LENGTHS.get(field, 300)
    if len(cleaned) > limit:
        raise InvalidInput(f"is {len(cleaned)} characters long; the limit is {limit}", field=field)
    return cleaned


def parse_date(value: str | date, field: str, *, today: date | None = None) -> date:
    """A calendar date from ISO (2023-12-31) or Vietnamese style (31/12/2023)."""
    parsed = value if isinstance(value, date) else _parse_date_text(value.strip(), field)
    if parsed < EARLIEST:
        raise InvalidInput(f"date {parsed.isoformat()} is before {EARLIEST.year}", field=field)
    if today is not None and parsed > today:
        raise InvalidInput(f"date {parsed.isoformat()} is in the future", field=field)
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
        raise InvalidInput(f"bad date {raw!r}: write it as YYYY-MM-DD or DD/MM/YYYY", field=field)
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise InvalidInput(f"bad date {raw!r}: no such day", field=field) from None


def parse_year(value: str | int, field: str = "year", *, today: date | None = None) -> int:
    raw = str(value).strip()
    if raw.endswith(".0"):  # spreadsheets hand years over as floats
        raw = raw[:-2]
    if not (raw.isascii() and raw.isdigit()) or not EARLIEST.year <= int(raw) <= 2100:
        raise InvalidInput(f"bad year {value!r}: write four digits, e.g. 2023", field=field)
    year = int(raw)
    if today is not None and year > today.year:
        raise InvalidInput(f"year {year} is in the future", field=field)
    return year


def parse_code(value: str) -> str:
    plain = value.isascii() and value.isprintable()
    code = (value.strip() if plain else clean(value)).upper()
    if not _CODE.match(code):
        raise InvalidInput(
            f"bad code {value!r}: use 2–32 letters, digits and '-', e.g. QTR-2023-00042",
            field="code",
        )
    return code


@dataclass(frozen=True, slots=True)
class Locality:
    province: Province
    commune: Commune | None
    province_input: str
    commune_input: str | None


@lru_cache(maxsize=32768)
def resolve_locality(province: str | None, commune: str | None) -> Locality:
    """Cached on the raw text: batches name the same places over and over."""
    province_text = text(province, "province", required=True)
    assert province_text is not None
    p = gazetteer().province(province_text)
    commune_text = text(commune, "commune")
    c = gazetteer().commune(commune_text, p) if commune_text else None
    return Locality(p, c, province_text, commune_text)


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


def draft_model(
    *,
    name: str | None,
    province: str | None,
    commune: str | None = None,
    field: str | None,
    sponsor: str | None,
    holder: str | None = None,
    holder_name: str | None = None,
    registered_on: str | date | None = None,
    description: str | None = None,
    code: str | None = None,
    today: date,
) -> ModelDraft:
    name_text = text(name, "name", required=True)
    assert name_text is not None
    if not field or not field.strip():
        raise InvalidInput("must not be empty", field="field")
    if not sponsor or not sponsor.strip():
        raise InvalidInput("must not be empty", field="sponsor")
    return ModelDraft(
        name=name_text,
        locality=resolve_locality(province, commune),
        field=parse_term(Field, field),
        sponsor=parse_term(Sponsor, sponsor),
        holder=parse_term(Holder, holder) if holder and holder.strip() else Holder.collective,
        holder_name=text(holder_name, "holder_name"),
        registered_on=(
            parse_date(registered_on, "registered_on", today=today)
            if registered_on not in (None, "")
            else today
        ),
        description=text(description, "description"),
        code=parse_code(code) if code and code.strip() else None,
    )


@dataclass(slots=True)
class RecognitionDraft:
    year: int
    level: Level
    decision_no: str | None
    decided_on: date | None
    body: str | None


def draft_recognition(
    *,
    year: str | int | None,
    level: str | None,
    decision_no: str | None = None,
    decided_on: str | date | None = None,
    body: str | None = None,
    today: date,
) -> RecognitionDraft:
    if year is None or str(year).strip() == "":
        raise InvalidInput("must not be empty", field="year")
    if not level or not level.strip():
        raise InvalidInput("must not be empty", field="level")
    y = parse_year(year, today=today)
    lvl = parse_term(Level, level)
    on = parse_date(decided_on, "decided_on", today=today) if decided_on not in (None, "") else None
    if on is not None and on.year not in (y, y + 1):
        raise InvalidInput(
            f"decision date {on.isoformat()} does not belong to recognition year {y} "
            f"(it may fall in {y} or early {y + 1})",
            field="decided_on",
        )
    if lvl is Level.district and (
        (on is not None and on >= DISTRICTS_ABOLISHED) or (on is None and y > 2025)
    ):
        raise InvalidInput(
            "district-level recognitions end on 2025-06-30: districts were abolished on "
            "2025-07-01; use commune or province level",
            field="level",
        )
    return RecognitionDraft(
        year=y,
        level=lvl,
        decision_no=text(decision_no, "decision"),
        decided_on=on,
        body=text(body, "by"),
    )


def check_recognition_dates(registered_on: date, draft: RecognitionDraft) -> None:
    """A model cannot be recognised before it was registered."""
    if draft.decided_on is not None and draft.decided_on < registered_on:
        raise InvalidInput(
            f"recognition dated {draft.decided_on.isoformat()} is before the model's "
            f"registration on {registered_on.isoformat()}",
            field="decided_on",
        )
    if draft.year < registered_on.year:
        raise InvalidInput(
            f"recognition year {draft.year} is before the model's registration "
            f"on {registered_on.isoformat()}",
            field="year",
        )
