"""The controlled vocabularies: fields, sponsoring blocs, levels, holder types, statuses.

Each term has a stable English identifier (stored in the database and printed in
JSON/CSV), a Vietnamese label, and the spellings clerks actually use. Parsing
accepts any of them regardless of case, diacritics and punctuation.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar, cast

from dandan.errors import InvalidInput
from dandan.i18n import N_, _
from dandan.text import key


class Field(StrEnum):
    economy = "economy"
    culture_society = "culture_society"
    defence_security = "defence_security"
    party_building = "party_building"


class Sponsor(StrEnum):
    party = "party"
    government = "government"
    fatherland_front = "fatherland_front"
    women = "women"
    youth = "youth"
    farmers = "farmers"
    veterans = "veterans"
    trade_union = "trade_union"
    army = "army"
    police = "police"
    other = "other"


class Level(StrEnum):
    commune = "commune"
    district = "district"
    province = "province"
    central = "central"


class Holder(StrEnum):
    collective = "collective"
    individual = "individual"


class Status(StrEnum):
    registered = "registered"
    recognized = "recognized"
    withdrawn = "withdrawn"


@dataclass(frozen=True)
class Term:
    value: str
    vi: str
    en: str
    aliases: tuple[str, ...] = ()


_TERMS: dict[type[StrEnum], tuple[Term, ...]] = {
    Field: (
        Term("economy", "Kinh tế", "Economy", ("kt", "economic", "kinh te")),
        Term(
            "culture_society",
            "Văn hóa – xã hội",
            "Culture–society",
            ("văn hoá xã hội", "vhxh", "culture", "society", "social", "van hoa", "xã hội"),
        ),
        Term(
            "defence_security",
            "Quốc phòng – an ninh",
            "Defence–security",
            ("qpan", "defense security", "defense", "defence", "security", "an ninh", "quốc phòng"),
        ),
        Term(
            "party_building",
            "Xây dựng Đảng và hệ thống chính trị",
            "Building the Party and political system",
            (
                "xây dựng đảng",
                "xây dựng hệ thống chính trị",
                "xây dựng đảng, hệ thống chính trị",
                "party",
                "political system",
                "xdd",
                "hệ thống chính trị",
            ),
        ),
    ),
    Sponsor: (
        Term(
            "party",
            "Cấp ủy Đảng",
            "Party committee",
            ("cấp ủy", "đảng ủy", "đảng", "party", "chi bộ", "ban dân vận"),
        ),
        Term(
            "government",
            "Chính quyền",
            "Authorities",
            ("ủy ban nhân dân", "ubnd", "authority", "government", "chính quyền địa phương"),
        ),
        Term(
            "fatherland_front",
            "Mặt trận Tổ quốc",
            "Fatherland Front",
            ("mttq", "ủy ban mặt trận tổ quốc", "mặt trận", "front", "vietnam fatherland front"),
        ),
        Term(
            "women",
            "Hội Liên hiệp Phụ nữ",
            "Women's Union",
            ("hội phụ nữ", "phụ nữ", "hlhpn", "women", "womens union"),
        ),
        Term(
            "youth",
            "Đoàn Thanh niên",
            "Youth Union",
            (
                "đoàn tncs hồ chí minh",
                "đoàn thanh niên cộng sản hồ chí minh",
                "thanh niên",
                "youth",
                "đoàn",
            ),
        ),
        Term(
            "farmers",
            "Hội Nông dân",
            "Farmers' Union",
            ("nông dân", "hnd", "farmers", "farmer", "farmers union"),
        ),
        Term(
            "veterans",
            "Hội Cựu chiến binh",
            "Veterans' Association",
            ("cựu chiến binh", "ccb", "veterans", "veteran"),
        ),
        Term(
            "trade_union",
            "Công đoàn",
            "Trade union",
            ("liên đoàn lao động", "ldld", "trade union", "union", "công đoàn cơ sở"),
        ),
        Term(
            "army",
            "Quân đội",
            "Army",
            (
                "quân sự",
                "bộ chỉ huy quân sự",
                "ban chỉ huy quân sự",
                "army",
                "military",
                "bộ đội biên phòng",
                "biên phòng",
            ),
        ),
        Term("police", "Công an", "Police", ("police", "công an nhân dân")),
        Term("other", "Khác", "Other", ("other", "others")),
    ),
    Level: (
        Term("commune", "Cấp xã", "Commune", ("xã", "phường", "commune", "ward")),
        Term("district", "Cấp huyện", "District", ("huyện", "quận", "thị xã", "district")),
        Term("province", "Cấp tỉnh", "Province", ("tỉnh", "thành phố", "province", "provincial")),
        Term("central", "Trung ương", "Central", ("cấp trung ương", "tw", "national", "central")),
    ),
    Holder: (
        Term("collective", "Tập thể", "Collective", ("collective", "group", "tt")),
        Term("individual", "Cá nhân", "Individual", ("individual", "person", "cn")),
    ),
    Status: (
        Term("registered", "Đã đăng ký", "Registered", ("đăng ký", "registered")),
        Term("recognized", "Đã công nhận", "Recognised", ("công nhận", "recognised", "recognized")),
        Term("withdrawn", "Đã rút", "Withdrawn", ("rút", "thu hồi", "withdrawn")),
    ),
}

E = TypeVar("E", bound=StrEnum)

#: What a term is called in messages, translated when said.
_KIND_NAMES: dict[type[StrEnum], str] = {
    Field: N_("field"),
    Sponsor: N_("sponsor"),
    Level: N_("level"),
    Holder: N_("holder type"),
    Status: N_("status"),
}
#: The option or column a term is given in: an identifier, never translated.
_KIND_FIELDS: dict[type[StrEnum], str] = {
    Field: "field",
    Sponsor: "sponsor",
    Level: "level",
    Holder: "holder",
    Status: "status",
}


def _build_index() -> dict[type[StrEnum], dict[str, str]]:
    index: dict[type[StrEnum], dict[str, str]] = {}
    for kind, terms in _TERMS.items():
        table: dict[str, str] = {}
        for term in terms:
            for spelling in (term.value, term.vi, term.en, *term.aliases):
                # Also accept a Vietnamese label without its "Cấp"/"Hội" head word.
                table.setdefault(key(spelling), term.value)
        index[kind] = table
    return index


_INDEX = _build_index()


def terms_of(kind: type[StrEnum]) -> tuple[Term, ...]:
    return _TERMS[kind]


def label(kind: type[StrEnum], value: str, lang: str = "en") -> str:
    for term in _TERMS[kind]:
        if term.value == value:
            return term.vi if lang == "vi" else term.en
    return value


#: The columns of tables and records that hold a term, by the name scripts know them by.
COLUMNS: dict[str, type[StrEnum]] = {
    "field": Field,
    "sponsor": Sponsor,
    "level": Level,
    "holder": Holder,
    "status": Status,
}


def shown(column: str, value: object, lang: str) -> object:
    """What a person reads in `column`: a term's label in `lang`, other values as they are."""
    kind = COLUMNS.get(column)
    if kind is None or not isinstance(value, str):
        return value
    return label(kind, value, lang)


@lru_cache(maxsize=4096)
def _lookup(kind: type[StrEnum], text: str) -> StrEnum | None:
    found = _INDEX[kind].get(key(text))
    return kind(found) if found is not None else None


def parse_term(kind: type[E], text: str) -> E:
    """The term a clerk meant, or an error listing the accepted spellings."""
    found = _lookup(kind, text)
    if found is not None:
        return cast(E, found)
    table = _INDEX[kind]
    names = ", ".join(f"{t.vi} ({t.value})" for t in _TERMS[kind])
    close = difflib.get_close_matches(key(text), list(table), n=1, cutoff=0.75)
    if close:
        message = _("unknown {kind} {text!r}; did you mean {suggestion}? use one of: {names}")
    else:
        message = _("unknown {kind} {text!r}; use one of: {names}")
    raise InvalidInput(
        message.format(
            kind=_(_KIND_NAMES[kind]),
            text=text,
            suggestion=label(kind, table[close[0]], "vi") if close else "",
            names=names,
        ),
        field=_KIND_FIELDS[kind],
    )
