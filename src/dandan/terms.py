"""The controlled vocabularies: fields, sponsoring blocs, levels, holder types, kinds
(model or exemplar), areas of mass-mobilisation work, statuses.

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


class Kind(StrEnum):
    """What is registered: a practice (mô hình), or a person or collective held up as an
    example (điển hình). Either may be held by a collective or an individual (`Holder`):
    the movement's reports count them side by side."""

    model = "model"
    exemplar = "exemplar"


class Area(StrEnum):
    """The areas of mass-mobilisation work a model serves (several may apply): the
    provinces' reports are organised by them ("models in ethnic-minority areas",
    "land-clearance models")."""

    ethnic_affairs = "ethnic_affairs"
    religious_affairs = "religious_affairs"
    grassroots_democracy = "grassroots_democracy"
    land_clearance = "land_clearance"
    state_agencies = "state_agencies"
    new_rural_areas = "new_rural_areas"
    digital_transformation = "digital_transformation"


class Award(StrEnum):
    """How an authority commends a model (khen thưởng): a certificate, or praise in public.
    Each is given by a numbered decision of a named body, kept beside the award."""

    certificate_of_merit = "certificate_of_merit"
    certificate_of_commendation = "certificate_of_commendation"
    public_praise = "public_praise"
    honouring = "honouring"


class Result(StrEnum):
    """What a yearly review (rà soát, đánh giá) found of a model: carried out effectively,
    weak and to be strengthened, or stopped."""

    effective = "effective"
    weak = "weak"
    stopped = "stopped"


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
            (
                "văn hoá xã hội",
                "vhxh",
                "culture",
                "society",
                "social",
                "van hoa",
                "xã hội",
                "vh",
                "văn hóa, xã hội",
            ),
        ),
        Term(
            "defence_security",
            "Quốc phòng – an ninh",
            "Defence–security",
            (
                "qpan",
                "defense security",
                "defense",
                "defence",
                "security",
                "an ninh",
                "quốc phòng",
                "an ninh quốc phòng",
                "anqp",
                "qp",
            ),
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
                "xd đảng",
                "xd htct",
                "htct",
                "xdđ và htct",
                "xd đảng và htct",
                "xây dựng đảng và htct",
                "xây dựng đảng, chính quyền",
            ),
        ),
    ),
    Sponsor: (
        Term(
            "party",
            "Cấp ủy Đảng",
            "Party committee",
            ("cấp ủy", "đảng ủy", "đảng", "party", "chi bộ", "ban dân vận", "bdv"),
        ),
        Term(
            "government",
            "Chính quyền",
            "Authorities",
            (
                "ủy ban nhân dân",
                "ubnd",
                "authority",
                "government",
                "chính quyền địa phương",
                "hđnd",
                "hội đồng nhân dân",
                "hđnd và ubnd",
            ),
        ),
        Term(
            "fatherland_front",
            "Mặt trận Tổ quốc",
            "Fatherland Front",
            (
                "mttq",
                "ủy ban mặt trận tổ quốc",
                "mặt trận",
                "front",
                "vietnam fatherland front",
                "ubmttq",
                "ủy ban mttq",
                "mttqvn",
                "mặt trận tổ quốc việt nam",
                "ban công tác mặt trận",
                "bctmt",
            ),
        ),
        Term(
            "women",
            "Hội Liên hiệp Phụ nữ",
            "Women's Union",
            (
                "hội phụ nữ",
                "phụ nữ",
                "hlhpn",
                "women",
                "womens union",
                "lhpn",
                "hội lhpn",
                "hội lh phụ nữ",
                "liên hiệp phụ nữ",
                "hội lhpn việt nam",
                "hpn",
                "pn",
                "chi hội phụ nữ",
            ),
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
                "đtn",
                "đoàn tn",
                "đoàn tncs",
                "đoàn tncs hcm",
                "tncs hcm",
                "tncs hồ chí minh",
                "chi đoàn",
            ),
        ),
        Term(
            "farmers",
            "Hội Nông dân",
            "Farmers' Union",
            ("nông dân", "hnd", "farmers", "farmer", "farmers union", "hội nd", "chi hội nông dân"),
        ),
        Term(
            "veterans",
            "Hội Cựu chiến binh",
            "Veterans' Association",
            ("cựu chiến binh", "ccb", "veterans", "veteran", "hội ccb", "hccb", "chi hội ccb"),
        ),
        Term(
            "trade_union",
            "Công đoàn",
            "Trade union",
            (
                "liên đoàn lao động",
                "ldld",
                "trade union",
                "union",
                "công đoàn cơ sở",
                "cđ",
                "cđcs",
            ),
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
                "qs",
                "bchqs",
                "ban chqs",
                "bộ chqs",
                "bđbp",
                "bộ đội",
            ),
        ),
        Term("police", "Công an", "Police", ("police", "công an nhân dân", "ca", "cand")),
        Term("other", "Khác", "Other", ("other", "others")),
    ),
    Level: (
        Term(
            "commune",
            "Cấp xã",
            "Commune",
            ("xã", "phường", "commune", "ward", "thị trấn", "cấp cơ sở", "cơ sở"),
        ),
        Term("district", "Cấp huyện", "District", ("huyện", "quận", "thị xã", "district", "tx")),
        Term("province", "Cấp tỉnh", "Province", ("tỉnh", "thành phố", "province", "provincial")),
        Term(
            "central",
            "Trung ương",
            "Central",
            ("cấp trung ương", "tw", "national", "central", "tư", "toàn quốc"),
        ),
    ),
    Holder: (
        Term("collective", "Tập thể", "Collective", ("collective", "group", "tt")),
        Term("individual", "Cá nhân", "Individual", ("individual", "person", "cn")),
    ),
    Kind: (
        Term("model", "Mô hình", "Model", ("model", "mh", "practice", "mô hình dân vận khéo")),
        Term(
            "exemplar",
            "Điển hình",
            "Exemplar",
            ("exemplar", "đh", "example", "gương điển hình", "điển hình dân vận khéo"),
        ),
    ),
    Area: (
        Term(
            "ethnic_affairs",
            "Công tác dân tộc",
            "Ethnic affairs",
            (
                "dân tộc",
                "ethnic",
                "vùng đồng bào dân tộc thiểu số",
                "đồng bào dân tộc",
                "dttt",
                "vùng dttt",
                "ctdt",
            ),
        ),
        Term(
            "religious_affairs",
            "Công tác tôn giáo",
            "Religious affairs",
            ("tôn giáo", "religious", "religion", "đồng bào tôn giáo", "cttg"),
        ),
        Term(
            "grassroots_democracy",
            "Thực hiện dân chủ ở cơ sở",
            "Grassroots democracy",
            (
                "dân chủ ở cơ sở",
                "dân chủ cơ sở",
                "dccs",
                "qcdc",
                "quy chế dân chủ",
                "quy chế dân chủ ở cơ sở",
                "thực hiện dân chủ cơ sở",
                "democracy",
            ),
        ),
        Term(
            "land_clearance",
            "Giải phóng mặt bằng",
            "Land clearance",
            (
                "gpmb",
                "giải phóng mặt bằng",
                "bồi thường giải phóng mặt bằng",
                "bt gpmb",
                "land",
                "site clearance",
            ),
        ),
        Term(
            "state_agencies",
            "Dân vận chính quyền",
            "Mass mobilisation in state agencies",
            (
                "dân vận chính quyền",
                "dvcq",
                "công tác dân vận chính quyền",
                "dân vận của chính quyền",
                "state agencies",
                "government mobilisation",
            ),
        ),
        Term(
            "new_rural_areas",
            "Nông thôn mới, đô thị văn minh",
            "New rural areas and civilised towns",
            (
                "nông thôn mới",
                "ntm",
                "đô thị văn minh",
                "nông thôn mới đô thị văn minh",
                "xây dựng nông thôn mới",
                "new rural areas",
                "civilised towns",
            ),
        ),
        Term(
            "digital_transformation",
            "Chuyển đổi số",
            "Digital transformation",
            ("cđs", "chuyển đổi số", "digital", "số hóa"),
        ),
    ),
    Award: (
        Term(
            "certificate_of_merit",
            "Bằng khen",
            "Certificate of Merit",
            ("certificate of merit", "merit", "bk"),
        ),
        Term(
            "certificate_of_commendation",
            "Giấy khen",
            "Certificate of Commendation",
            ("certificate of commendation", "gk"),
        ),
        Term("public_praise", "Biểu dương", "Public praise", ("praise", "public praise")),
        Term("honouring", "Tuyên dương", "Honouring", ("honoring", "honour", "honor")),
    ),
    Result: (
        Term(
            "effective",
            "Hiệu quả",
            "Effective",
            ("hieu qua", "triển khai hiệu quả", "có hiệu quả", "tốt", "hq"),
        ),
        Term("weak", "Yếu", "Weak", ("yếu kém", "cần củng cố", "kém", "chưa hiệu quả")),
        Term("stopped", "Dừng", "Stopped", ("dừng hoạt động", "ngừng", "ngừng hoạt động", "stop")),
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
    Kind: N_("kind"),
    Area: N_("area of work"),
    Award: N_("award"),
    Result: N_("review result"),
    Status: N_("status"),
}
#: The option or column a term is given in: an identifier, never translated.
_KIND_FIELDS: dict[type[StrEnum], str] = {
    Field: "field",
    Sponsor: "sponsor",
    Level: "level",
    Holder: "holder",
    Kind: "kind",
    Area: "area",
    Award: "award",
    Result: "result",
    Status: "status",
}


def _build_index() -> dict[type[StrEnum], dict[str, str]]:
    """Each kind's spellings by their key. A key two terms of a kind would share is a
    mistake in the table above, refused here: which term it means would be a guess."""
    index: dict[type[StrEnum], dict[str, str]] = {}
    for kind, terms in _TERMS.items():
        table: dict[str, str] = {}
        for term in terms:
            for spelling in (term.value, term.vi, term.en, *term.aliases):
                if table.setdefault(key(spelling), term.value) != term.value:
                    raise AssertionError(f"{kind.__name__}: {spelling!r} names two terms")
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
    "kind": Kind,
    "area": Area,
    "award": Award,
    "result": Result,
    "status": Status,
}


#: What a person reads for each field of a model (`dandan show`, the audit trail's
#: changes), in English; the catalog has them in Vietnamese.
COLUMN_LABELS: dict[str, str] = {
    "code": N_("Code"),
    "name": N_("Name"),
    "description": N_("Description"),
    "province": N_("Province"),
    "province_code": N_("Province code"),
    "commune": N_("Commune"),
    "commune_code": N_("Commune code"),
    "locality_scheme": N_("Recorded in units of"),
    "legacy": N_("Before 2025-07-01"),
    "field": N_("Field"),
    "sponsor": N_("Sponsor"),
    "holder": N_("Holder"),
    "holder_name": N_("Holder name"),
    "kind": N_("Kind"),
    "areas": N_("Areas of work"),
    "objectives": N_("Objectives"),
    "method": N_("Content and method"),
    "target_group": N_("Target group and area"),
    "expected_results": N_("Expected results"),
    "sustainability": N_("Sustaining and replicating"),
    "replicates": N_("Replicates"),
    "replicated_by": N_("Replicated by"),
    "registered_on": N_("Registered on"),
    "status": N_("Status"),
    "withdrawn_on": N_("Withdrawn on"),
    "withdrawn_reason": N_("Withdrawal reason"),
    "recognitions": N_("Recognitions"),
    "commendations": N_("Commendations"),
    "reviews": N_("Reviews"),
    "province_input": N_("Province as written"),
    "commune_input": N_("Commune as written"),
    "district_input": N_("District as written"),
    "legacy_province_code": N_("Province code before 2025-07-01"),
    "legacy_district_code": N_("District code before 2025-07-01"),
    "legacy_commune_code": N_("Commune code before 2025-07-01"),
}


def shown(column: str, value: object, lang: str) -> object:
    """What a person reads in `column`: a term's label in `lang`, other values as they
    are; a model's areas (a list) as their labels, separated by ";"; "none", the group
    of models serving no area, as words."""
    if column == "areas" and isinstance(value, list | tuple):
        return "; ".join(str(shown("area", v, lang)) for v in value)
    if column in ("area", "areas") and value == "none":
        return _("no area")
    kind = COLUMNS.get(column)
    if kind is None or not isinstance(value, str):
        return value
    return label(kind, value, lang)


#: The words that say at which level a sponsoring body sits ("UBND xã", "Hội LHPN
#: tỉnh", "Đoàn TN cấp huyện"), as keys: the body is the same at every level.
_UNIT_WORDS = tuple(
    key(word)
    for word in (
        "xã", "phường", "thị trấn", "huyện", "quận", "thị xã", "tỉnh", "thành phố",
        "cơ sở", "trung ương",
    )
)  # fmt: skip
_LEVEL_HEAD = key("cấp")


def _without_unit(kind: type[StrEnum], folded: str) -> str | None:
    """The term a sponsor's spelling means once a trailing unit word is set aside, if
    exactly one: two readings (none is known today) would be a guess, refused."""
    table = _INDEX[kind]
    found = set()
    for word in _UNIT_WORDS:
        if folded.endswith(word) and len(folded) > len(word):
            body = folded[: -len(word)]
            if body.endswith(_LEVEL_HEAD):
                body = body[: -len(_LEVEL_HEAD)]
            if body in table:
                found.add(table[body])
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=4096)
def _lookup(kind: type[StrEnum], text: str) -> StrEnum | None:
    folded = key(text)
    found = _INDEX[kind].get(folded)
    if found is None and kind is Sponsor:
        found = _without_unit(kind, folded)
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
