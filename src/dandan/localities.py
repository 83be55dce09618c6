"""The gazetteer of official administrative units, and matching clerks' spellings to it.

Current units (34 provinces, 3,321 communes since 1 July 2025, official codes)
come from the package data in `dandan/data/` (source and licence in its README).
Names match regardless of case, diacritics, spacing, type prefixes ("Tỉnh",
"TP.", "Xã", "Phường") and common English forms, so "quang tri", "Tỉnh Quảng Trị"
and "Quang Tri province" all mean province 44.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

from dandan.errors import InvalidInput
from dandan.text import clean, fold, sort_key

_NON_WORD = re.compile(r"[\W_]+")

#: Codes were reused in 2025 (44 was Quảng Bình, is now Quảng Trị), so every code
#: travels with the scheme it belongs to.
CURRENT_SCHEME = "2025"

# Type words that may precede a name, longest first so "thành phố" wins over "phố".
_PREFIXES = (
    "thanh pho truc thuoc trung uong",
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "xa",
    "tp",
    "tx",
    "tt",
    "p",
    "q",
    "h",
)
_SUFFIXES = ("province", "city", "commune", "ward", "town", "district")
# English and everyday names that folding alone cannot reach.
_PROVINCE_ALIASES = {
    "hcm": "ho chi minh",
    "hcmc": "ho chi minh",
    "tphcm": "ho chi minh",
    "saigon": "ho chi minh",
    "sai gon": "ho chi minh",
    "tp ho chi minh": "ho chi minh",
    "hn": "ha noi",
}


def strip_type(folded: str) -> str:
    """Remove one leading type word (and English trailing ones) from a folded name."""
    words = folded.split(" ")
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    folded = " ".join(words)
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " ") and len(folded) > len(prefix) + 1:
            return folded[len(prefix) + 1 :]
    return folded


def _compact(folded: str) -> str:
    return folded.replace(" ", "")


@dataclass(frozen=True, slots=True)
class Province:
    code: int
    name: str  # short official name: "Quảng Trị", "Hà Nội"
    full_name: str  # with its type: "Tỉnh Quảng Trị", "Thành phố Hà Nội"
    division_type: str
    codename: str
    scheme: str = CURRENT_SCHEME


@dataclass(frozen=True, slots=True)
class Commune:
    code: int
    name: str  # with its type, as officially written: "Phường Đông Hà"
    division_type: str
    province_code: int
    scheme: str = CURRENT_SCHEME


def _short_province_name(name: str, division_type: str) -> str:
    for head in ("Thành phố ", "Tỉnh "):
        if name.startswith(head):
            return name[len(head) :]
    return name


class Gazetteer:
    """Official units with indexes for forgiving lookup. Build once per process."""

    def __init__(self, provinces: list[Province], communes: list[Commune]) -> None:
        self.provinces = {p.code: p for p in provinces}
        self.communes = {c.code: c for c in communes}
        self._province_keys: dict[str, list[Province]] = defaultdict(list)
        for p in provinces:
            for spelling in {p.name, p.full_name, p.codename.replace("_", " ")}:
                self._add(self._province_keys, spelling, p)
        for alias, target in _PROVINCE_ALIASES.items():
            for p in self._province_keys.get(_compact(target), []):
                if p not in self._province_keys[_compact(alias)]:
                    self._province_keys[_compact(alias)].append(p)

    @cached_property
    def _commune_indexes(
        self,
    ) -> tuple[
        dict[int, dict[str, list[Commune]]],
        dict[int, dict[str, list[Commune]]],
        dict[str, list[Commune]],
    ]:
        """Communes indexed per province by full name ("xa an phu") and by bare name
        ("an phu"); the full key lets a typed prefix settle xã-versus-phường. Built on
        first lookup: a tally only needs names by code."""
        full: dict[int, dict[str, list[Commune]]] = defaultdict(lambda: defaultdict(list))
        bare_index: dict[int, dict[str, list[Commune]]] = defaultdict(lambda: defaultdict(list))
        bare_all: dict[str, list[Commune]] = defaultdict(list)
        for c in self.communes.values():
            folded = fold(c.name)
            full[c.province_code][_compact(folded)].append(c)
            bare = _compact(strip_type(folded))
            bare_index[c.province_code][bare].append(c)
            bare_all[bare].append(c)
        return full, bare_index, bare_all

    @property
    def _commune_full(self) -> dict[int, dict[str, list[Commune]]]:
        return self._commune_indexes[0]

    @property
    def _commune_bare(self) -> dict[int, dict[str, list[Commune]]]:
        return self._commune_indexes[1]

    @property
    def _commune_bare_all(self) -> dict[str, list[Commune]]:
        return self._commune_indexes[2]

    @staticmethod
    def _add(index: dict[str, list[Province]], spelling: str, p: Province) -> None:
        for k in {_compact(fold(spelling)), _compact(strip_type(fold(spelling)))}:
            if p not in index[k]:
                index[k].append(p)

    # -- provinces -------------------------------------------------------------

    def find_provinces(self, text: str) -> list[Province]:
        """Every province the text may mean (empty if none, several if ambiguous)."""
        stripped = text.strip()
        if stripped.isascii() and stripped.isdigit():
            p = self.provinces.get(int(stripped))
            return [p] if p else []
        folded = fold(text)
        for k in (_compact(folded), _compact(strip_type(folded))):
            if k in self._province_keys:
                return list(self._province_keys[k])
        return []

    def province(self, text: str) -> Province:
        """The one province meant, or an error with the closest candidates."""
        found = self.find_provinces(text)
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInput(
                f"{text!r} is ambiguous: {_names(found)}; give the full name or the code",
                field="province",
            )
        hint = self._hint(text, self._province_keys)
        raise InvalidInput(f"unknown province {text!r}{hint}", field="province")

    # -- communes --------------------------------------------------------------

    def find_communes(self, text: str, province: Province | None = None) -> list[Commune]:
        stripped = text.strip()
        if stripped.isascii() and stripped.isdigit():
            c = self.communes.get(int(stripped))
            if c and (province is None or c.province_code == province.code):
                return [c]
            return []
        folded = fold(text)
        full = _compact(folded)
        bare = _compact(strip_type(folded))
        # A name may itself begin with a type word ("Xã Quan Hóa"), so the text is
        # tried whole before its first word is taken for a prefix.
        if province is None:
            for k in (full, bare):
                matches = self._commune_bare_all.get(k, [])
                exact = [c for c in matches if _compact(fold(c.name)) == full]
                if matches:
                    return exact or list(matches)
            return []
        for index, k in (
            (self._commune_full[province.code], full),
            (self._commune_bare[province.code], full),
            (self._commune_bare[province.code], bare),
        ):
            if k in index:
                return list(index[k])
        return []

    @staticmethod
    def _prefer_exact(text: str, found: list[Commune]) -> list[Commune]:
        """Among names that fold alike ("Văn Lăng", "Văn Lang"), the one typed with its marks."""
        if len(found) < 2:
            return found

        def marked(value: str) -> str:  # like `key`, but keeping the diacritics
            return _NON_WORD.sub("", clean(value).casefold())

        typed = marked(text)
        exact = [
            c for c in found if typed in (marked(c.name), marked(c.name[len(c.division_type) :]))
        ]
        return exact or found

    def commune(self, text: str, province: Province) -> Commune:
        found = self._prefer_exact(text, self.find_communes(text, province))
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInput(
                f"{text!r} is ambiguous in {province.name}: {_names(found)}; "
                "write the type (Xã/Phường) or the code",
                field="commune",
            )
        elsewhere = self.find_communes(text)
        if elsewhere:
            where = ", ".join(
                sorted({self.provinces[c.province_code].name for c in elsewhere}, key=sort_key)
            )
            raise InvalidInput(
                f"no commune {text!r} in {province.name}; a commune of that name is in {where}",
                field="commune",
            )
        hint = self._hint(text, self._commune_bare[province.code], strip=True)
        raise InvalidInput(f"unknown commune {text!r} in {province.name}{hint}", field="commune")

    # -- shared ----------------------------------------------------------------

    @staticmethod
    def _hint(
        text: str, index: dict[str, list[Province]] | dict[str, list[Commune]], strip: bool = True
    ) -> str:
        folded = fold(text)
        wanted = _compact(strip_type(folded) if strip else folded)
        close = difflib.get_close_matches(wanted, list(index), n=3, cutoff=0.6)
        units: list[Province | Commune] = []
        for k in close:
            for unit in index[k]:
                if unit not in units:
                    units.append(unit)
        return f"; did you mean {_names(units[:3])}?" if units else ""

    def search(self, text: str) -> list[Province | Commune]:
        """Everything a query may name: exact matches first, then close ones."""
        found: list[Province | Commune] = [*self.find_provinces(text), *self.find_communes(text)]
        if found:
            return found
        wanted = _compact(strip_type(fold(text)))
        for k in difflib.get_close_matches(wanted, list(self._province_keys), n=3, cutoff=0.7):
            found.extend(p for p in self._province_keys[k] if p not in found)
        for k in difflib.get_close_matches(wanted, list(self._commune_bare_all), n=5, cutoff=0.8):
            found.extend(c for c in self._commune_bare_all[k] if c not in found)
        return found


def _names(units: list[Province] | list[Commune] | list[Province | Commune]) -> str:
    return ", ".join(f"{u.name} ({u.code})" for u in units)


@cache
def gazetteer() -> Gazetteer:
    """The current gazetteer (34 provinces, 3,321 communes), loaded on first use.

    It comes from the package data `data/current_units.json`, which carries the
    official codes of 1 July 2025; the `vietnam-provinces` 2025 releases carry the
    draft codes, which differ for 121 communes (see `data/README.md`).
    """
    data = json.loads(
        resources.files("dandan").joinpath("data/current_units.json").read_text(encoding="utf-8")
    )
    provinces = [
        Province(
            code=p["code"],
            name=_short_province_name(p["name"], p["division_type"]),
            full_name=p["name"],
            division_type=p["division_type"],
            codename=p["codename"],
        )
        for p in data["provinces"]
    ]
    fields = data["communes"]["fields"]
    communes = [Commune(**dict(zip(fields, row, strict=True))) for row in data["communes"]["rows"]]
    return Gazetteer(provinces, communes)


#: Three-letter prefixes of generated model codes ("QTR-2023-00042"), by current
#: province code. Fixed here rather than derived so published codes never change.
CODE_PREFIXES: dict[int, str] = {
    1: "HNO",
    4: "CBA",
    8: "TQU",
    11: "DBI",
    12: "LCH",
    14: "SLA",
    15: "LCA",
    19: "TNG",
    20: "LSO",
    22: "QNI",
    24: "BNI",
    25: "PTH",
    31: "HPH",
    33: "HYE",
    37: "NBI",
    38: "THO",
    40: "NAN",
    42: "HTI",
    44: "QTR",
    46: "HUE",
    48: "DNG",
    51: "QNG",
    52: "GLA",
    56: "KHO",
    66: "DLA",
    68: "LDO",
    75: "DNI",
    79: "HCM",
    80: "TNI",
    82: "DTH",
    86: "VLO",
    91: "AGI",
    92: "CTH",
    96: "CMA",
}


def lookup(query: str) -> list[dict[str, object]]:
    """What a name may resolve to, as rows for `dandan localities`."""
    g = gazetteer()
    rows: list[dict[str, object]] = []
    for unit in g.search(query):
        if isinstance(unit, Province):
            rows.append(
                {
                    "kind": "province",
                    "name": unit.full_name,
                    "code": unit.code,
                    "scheme": unit.scheme,
                    "province": unit.name,
                    "province_code": unit.code,
                }
            )
        else:
            parent = g.provinces[unit.province_code]
            rows.append(
                {
                    "kind": "commune",
                    "name": unit.name,
                    "code": unit.code,
                    "scheme": unit.scheme,
                    "province": parent.name,
                    "province_code": parent.code,
                }
            )
    return rows
