"""The gazetteers of official administrative units, and matching clerks' spellings to them.

Two schemes, both from the package data in `dandan/data/` (source, date and
licence in its README):

- the current units (scheme "2025"): 34 provinces and 3,321 communes since
  1 July 2025, no districts;
- the old units (scheme "2024"): 63 provinces, 696 districts and 10,035 communes
  as they stood on 30 June 2025, which every record of 2021–2025 was written in;

and the official mapping from each old unit to the current one it became
(`Reorganisation`). Codes were reused in 2025 (44 was Quảng Bình and is now
Quảng Trị, whose old code was 45), so a code means nothing without its scheme.

Names match regardless of case, diacritics, spacing, type prefixes ("Tỉnh",
"TP.", "Xã", "Phường", "huyện") and common English forms, so "quang tri",
"Tỉnh Quảng Trị" and "Quang Tri province" all mean current province 44.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from importlib import resources
from typing import Any

from dandan.errors import Advice, InvalidInput
from dandan.i18n import N_, _
from dandan.text import fold, marks, sort_key

#: Codes were reused in 2025 (44 was Quảng Bình, is now Quảng Trị), so every code
#: travels with the scheme it belongs to: "2025" for the units since 1 July 2025,
#: "2024" for the 63-province units before (as they stood on 30 June 2025).
CURRENT_SCHEME = "2025"
LEGACY_SCHEME = "2024"
#: The day the 34 provinces and 3,321 communes took over and districts ended.
MERGER_DAY = date(2025, 7, 1)

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
_COMMUNE_TYPES = ("xa ", "phuong ", "thi tran ", "dac khu ", "p ", "tt ")
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
    # Huế was the province of Thừa Thiên Huế until it became a city on 1 January 2025.
    "thua thien hue": "hue",
    "tt hue": "hue",
    "brvt": "ba ria vung tau",
}


#: The first of `_PREFIXES` (in their order) that a folded name starts with, a space and
#: more after it: one C-level match where a loop took a tenth of a command's time.
_PREFIX = re.compile("(?:" + "|".join(map(re.escape, _PREFIXES)) + ") (?=.)", re.DOTALL)
_SUFFIX_ENDINGS = tuple(" " + suffix for suffix in _SUFFIXES)


def strip_type(folded: str) -> str:
    """Remove one leading type word (and English trailing ones) from a folded name."""
    if folded.endswith(_SUFFIX_ENDINGS):
        words = folded.split(" ")
        while len(words) > 1 and words[-1] in _SUFFIXES:
            words.pop()
        folded = " ".join(words)
    found = _PREFIX.match(folded)
    return folded[found.end() :] if found else folded


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
class District:
    """A district (huyện, quận, thị xã, provincial city) of the old scheme only."""

    code: int
    name: str  # with its type: "Huyện Vĩnh Linh", "Thành phố Đông Hà"
    division_type: str
    province_code: int
    scheme: str = LEGACY_SCHEME


@dataclass(frozen=True, slots=True)
class Commune:
    code: int
    name: str  # with its type, as officially written: "Phường Đông Hà"
    division_type: str
    province_code: int
    scheme: str = CURRENT_SCHEME
    district_code: int | None = None  # old scheme only


Unit = Province | District | Commune


def _short_province_name(name: str, division_type: str) -> str:
    for head in ("Thành phố ", "Tỉnh "):
        if name.startswith(head):
            return name[len(head) :]
    return name


#: How many lookups a gazetteer remembers before it starts again (a few MB).
_REMEMBERED = 1 << 15


class Gazetteer:
    """The official units of one scheme with indexes for forgiving lookup. Build once
    per process (`gazetteer()`, `legacy_gazetteer()`)."""

    def __init__(
        self,
        provinces: list[Province],
        communes: list[Commune],
        districts: list[District] | None = None,
        scheme: str = CURRENT_SCHEME,
    ) -> None:
        self.scheme = scheme
        #: Lookups made, by kind and arguments: a batch names the same places over and
        #: over (see `_remembered`).
        self._found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._commune_indexes: dict[int, tuple[dict[str, list[Commune]], ...]] = {}
        self.provinces = {p.code: p for p in provinces}
        self.communes = {c.code: c for c in communes}
        self.districts = {d.code: d for d in districts or []}
        self._district_keys: dict[int, dict[str, list[District]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._district_all: dict[str, list[District]] = defaultdict(list)
        for d in self.districts.values():
            folded = fold(d.name)
            for k in {_compact(folded), _compact(strip_type(folded))}:
                self._district_keys[d.province_code][k].append(d)
                self._district_all[k].append(d)
        self._province_keys: dict[str, list[Province]] = defaultdict(list)
        for p in provinces:
            for spelling in {p.name, p.full_name, p.codename.replace("_", " ")}:
                self._add(self._province_keys, spelling, p)
        for alias, target in _PROVINCE_ALIASES.items():
            for p in self._province_keys.get(_compact(target), []):
                if p not in self._province_keys[_compact(alias)]:
                    self._province_keys[_compact(alias)].append(p)

    @cached_property
    def _communes_of(self) -> dict[int, list[Commune]]:
        grouped: dict[int, list[Commune]] = defaultdict(list)
        for c in self.communes.values():
            grouped[c.province_code].append(c)
        return grouped

    def _commune_index(self, province: int) -> tuple[dict[str, list[Commune]], ...]:
        """A province's communes indexed by full name ("xa an phu") and by bare name
        ("an phu"); the full key lets a typed prefix settle xã-versus-phường. Built on
        the province's first lookup: a command naming one place indexes one province,
        not all 13,000 communes (a tenth of a second a command), and a tally none."""
        index = self._commune_indexes.get(province)
        if index is None:
            full: dict[str, list[Commune]] = defaultdict(list)
            bare: dict[str, list[Commune]] = defaultdict(list)
            for c in self._communes_of.get(province, ()):
                folded = fold(c.name)
                full[_compact(folded)].append(c)
                bare[_compact(strip_type(folded))].append(c)
            index = self._commune_indexes[province] = (full, bare)
        return index

    @cached_property
    def _commune_bare_all(self) -> dict[str, list[Commune]]:
        """Every commune by bare name, for a name given without its province."""
        bare_all: dict[str, list[Commune]] = defaultdict(list)
        for code in sorted(self._communes_of):
            for bare, found in self._commune_index(code)[1].items():
                bare_all[bare] += found
        return bare_all

    @staticmethod
    def _add(index: dict[str, list[Province]], spelling: str, p: Province) -> None:
        for k in {_compact(fold(spelling)), _compact(strip_type(fold(spelling)))}:
            if p not in index[k]:
                index[k].append(p)

    # -- provinces -------------------------------------------------------------

    def _remembered(self, key: tuple[Any, ...], find: Callable[[], list[Any]]) -> list[Any]:
        """The result of a lookup, made once per distinct text and place (a new list
        each time: callers may change it). At most `_REMEMBERED` are kept."""
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= _REMEMBERED:
                self._found.clear()
            found = self._found[key] = tuple(find())
        return list(found)

    def find_provinces(self, text: str) -> list[Province]:
        """Every province the text may mean (empty if none, several if ambiguous)."""
        return self._remembered(("p", text), lambda: self._find_provinces(text))

    def _find_provinces(self, text: str) -> list[Province]:
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
                _("{text!r} is ambiguous: {names}; give the full name or the code").format(
                    text=text, names=_names(found)
                ),
                field="province",
            )
        close = self._suggest(text, self._province_keys)
        if close:
            message = _("unknown province {text!r}; did you mean {names}?").format(
                text=text, names=_names(close)
            )
        else:
            message = _("unknown province {text!r}").format(text=text)
        raise InvalidInput(message, field="province")

    # -- districts (old scheme) -------------------------------------------------

    def find_districts(self, text: str, province: Province | None = None) -> list[District]:
        return self._remembered(("d", text, province), lambda: self._find_districts(text, province))

    def _find_districts(self, text: str, province: Province | None) -> list[District]:
        stripped = text.strip()
        if stripped.isascii() and stripped.isdigit():
            d = self.districts.get(int(stripped))
            if d and (province is None or d.province_code == province.code):
                return [d]
            return []
        folded = fold(text)
        if folded.startswith(_COMMUNE_TYPES):  # "Phường Đông Hà" is no district
            return []
        index = self._district_all if province is None else self._district_keys[province.code]
        for k in (_compact(folded), _compact(strip_type(folded))):
            if k in index:
                return list(index[k])
        return []

    def district(self, text: str, province: Province) -> District:
        """The one district of `province` meant, or an error with the closest candidates."""
        found = self.find_districts(text, province)
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInput(
                _(
                    "{text!r} is ambiguous in {province}: {names}; "
                    "write the type (huyện/thị xã/thành phố) or the code"
                ).format(text=text, province=province.name, names=self.names(found)),
                field="district",
            )
        if not self.districts:
            raise InvalidInput(
                _(
                    "districts were abolished on 2025-07-01; leave the district out, "
                    "or record the old units"
                ),
                field="district",
                advice=Advice.record_old_units,
            )
        close = self._suggest(text, self._district_keys[province.code])
        if close:
            message = _("unknown district {text!r} in {province}; did you mean {names}?").format(
                text=text, province=province.name, names=_names(close)
            )
        else:
            message = _("unknown district {text!r} in {province}").format(
                text=text, province=province.name
            )
        raise InvalidInput(message, field="district")

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
        by_full, by_bare = self._commune_index(province.code)
        for index, k in ((by_full, full), (by_bare, full), (by_bare, bare)):
            if k in index:
                return list(index[k])
        return []

    @staticmethod
    def _prefer_exact(text: str, found: list[Commune]) -> list[Commune]:
        """Among names that fold alike ("Văn Lăng", "Văn Lang"), the one typed with its marks."""
        if len(found) < 2:
            return found

        typed = marks(text)
        exact = [
            c for c in found if typed in (marks(c.name), marks(c.name[len(c.division_type) :]))
        ]
        return exact or found

    def find_commune(
        self, text: str, province: Province, district: District | None = None
    ) -> list[Commune]:
        """The communes `text` may mean in `province` (and `district`), fewest first:
        the same as `commune` but without building an error."""
        return self._remembered(
            ("c", text, province, district),
            lambda: self._find_commune(text, province, district),
        )

    def _find_commune(
        self, text: str, province: Province, district: District | None
    ) -> list[Commune]:
        found = self.find_communes(text, province)
        if district is not None:
            found = [c for c in found if c.district_code == district.code]
        return self._prefer_exact(text, found)

    def commune(self, text: str, province: Province, district: District | None = None) -> Commune:
        found = self.find_commune(text, province, district)
        if len(found) == 1:
            return found[0]
        where = f"{district.name}, {province.name}" if district else province.name
        if found:
            if len({c.district_code for c in found}) > 1:
                ambiguous = _(
                    "{text!r} is ambiguous in {place}: {names}; "
                    "give the district (huyện/quận/thị xã) or the code"
                )
            else:
                ambiguous = _(
                    "{text!r} is ambiguous in {place}: {names}; "
                    "write the type (Xã/Phường) or the code"
                )
            raise InvalidInput(
                ambiguous.format(text=text, place=where, names=self.names(found)),
                field="commune",
            )
        if district is not None:
            others = [c.district_code for c in self.find_communes(text, province)]
            districts = [self.districts[code] for code in others if code in self.districts]
            if districts:
                raise InvalidInput(
                    _("no commune {text!r} in {place}; {province} has one in {districts}").format(
                        text=text,
                        place=where,
                        province=province.name,
                        districts=self.names(districts),
                    ),
                    field="commune",
                )
        elsewhere = self.find_communes(text)
        if elsewhere:
            provinces = ", ".join(
                sorted({self.provinces[c.province_code].name for c in elsewhere}, key=sort_key)
            )
            raise InvalidInput(
                _(
                    "no commune {text!r} in {province}; a commune of that name is in {provinces}"
                ).format(text=text, province=province.name, provinces=provinces),
                field="commune",
            )
        close = self._suggest(text, self._commune_index(province.code)[1])
        if close:
            message = _("unknown commune {text!r} in {province}; did you mean {names}?").format(
                text=text, province=province.name, names=_names(close)
            )
        else:
            message = _("unknown commune {text!r} in {province}").format(
                text=text, province=province.name
            )
        raise InvalidInput(message, field="commune")

    # -- shared ----------------------------------------------------------------

    def names(self, units: Sequence[Unit]) -> str:
        """Units as an error names them; old communes with their district, since an old
        province often had several "Phường 1"."""
        shown = []
        for u in units:
            if isinstance(u, Commune) and u.district_code in self.districts:
                shown.append(_label(u, self.districts[u.district_code].name))
            else:
                shown.append(_label(u))
        return ", ".join(shown)

    @staticmethod
    def _suggest(text: str, index: Mapping[str, Sequence[Unit]]) -> list[Unit]:
        """At most three units whose names are close to the text, for "did you mean"."""
        wanted = _compact(strip_type(fold(text)))
        close = difflib.get_close_matches(wanted, list(index), n=3, cutoff=0.6)
        units: list[Unit] = []
        for k in close:
            for unit in index[k]:
                if unit not in units:
                    units.append(unit)
        return units[:3]

    def exact(self, text: str) -> list[Unit]:
        """Every unit whose name (or code) the text is, provinces first."""
        return [*self.find_provinces(text), *self.find_districts(text), *self.find_communes(text)]

    def close(self, text: str) -> list[Unit]:
        """Units with a name close to the text, for "did you mean"."""
        found: list[Unit] = []
        wanted = _compact(strip_type(fold(text)))
        indexes: tuple[tuple[Mapping[str, Sequence[Unit]], int, float], ...] = (
            (self._province_keys, 3, 0.7),
            (self._district_all, 3, 0.8),
            (self._commune_bare_all, 5, 0.8),
        )
        for index, n, cutoff in indexes:
            for k in difflib.get_close_matches(wanted, list(index), n=n, cutoff=cutoff):
                found.extend(u for u in index[k] if u not in found)
        return found


def _names(units: Sequence[Unit]) -> str:
    return ", ".join(_label(u) for u in units)


def _label(unit: Unit, district: str | None = None) -> str:
    """A unit's name and code, the code marked when it is an old one (codes were reused),
    after its district when one is given."""
    if unit.scheme == LEGACY_SCHEME:
        if district:
            label = _("{name} ({district}, old code {code})")
        else:
            label = _("{name} (old code {code})")
    else:
        label = "{name} ({district}, {code})" if district else "{name} ({code})"
    return label.format(name=unit.name, district=district, code=unit.code)


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("dandan").joinpath(f"data/{name}").read_text(encoding="utf-8")
    )
    return data


def _provinces(data: dict[str, Any], scheme: str) -> list[Province]:
    return [
        Province(
            code=p["code"],
            name=_short_province_name(p["name"], p["division_type"]),
            full_name=p["name"],
            division_type=p["division_type"],
            codename=p["codename"],
            scheme=scheme,
        )
        for p in data["provinces"]
    ]


@cache
def legacy_gazetteer() -> Gazetteer:
    """The old units (63 provinces, 696 districts, 10,035 communes as on 30 June 2025),
    loaded only when a record or a tally needs them."""
    data = _load("legacy_units.json")
    provinces = _provinces(data, LEGACY_SCHEME)
    districts = [
        District(d["code"], d["name"], d["division_type"], p["code"])
        for p in data["provinces"]
        for d in p["districts"]
    ]
    province_of = {d.code: d.province_code for d in districts}
    communes = [
        Commune(code, name, kind, province_of[district], LEGACY_SCHEME, district)
        for code, name, kind, district in data["communes"]["rows"]
    ]
    return Gazetteer(provinces, communes, districts, LEGACY_SCHEME)


@dataclass(frozen=True, slots=True)
class Origin:
    """The old units a current unit certainly lies in; None where it spans several."""

    province: int | None
    district: int | None
    commune: int | None


class Reorganisation:
    """The official mapping of 1 July 2025 from old units to current ones, both ways.

    Provinces map completely (Resolution 202/2025/QH15). An old commune maps to one
    current commune, or was divided among several; a record in a divided commune is
    counted under the one the source names as the default. Backwards, a current unit
    has one old province (or district, or commune) only when everything it was made
    of lay in that one.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.provinces: dict[int, int] = {p["old_code"]: p["new_code"] for p in data["provinces"]}
        self.communes: dict[int, tuple[int, ...]] = {
            int(old): tuple(new) for old, new in data["communes"].items()
        }
        self.split_default: dict[int, int] = {
            int(old): new for old, new in data["split_default"].items()
        }
        #: Island districts that had no communes, and the special zone each became.
        self.island_districts: dict[int, int] = {
            int(old): new for old, new in data["districts_without_communes"].items()
        }

    def province(self, old_code: int) -> int:
        return self.provinces[old_code]

    def commune(self, old_code: int) -> int:
        """The one current commune a record in old commune `old_code` is counted under."""
        targets = self.communes[old_code]
        return targets[0] if len(targets) == 1 else self.split_default[old_code]

    def legacy_provinces(self, new_code: int) -> list[int]:
        return sorted(old for old, new in self.provinces.items() if new == new_code)

    @cached_property
    def _origins(self) -> dict[int, Origin]:
        return self._map_origins()

    def _map_origins(self) -> dict[int, Origin]:
        """`_origins`, worked out (undecorated, so that the mutation run reaches it)."""
        old = legacy_gazetteer()
        parts: dict[int, list[Commune | District]] = defaultdict(list)
        for old_code, targets in self.communes.items():
            for new_code in targets:
                parts[new_code].append(old.communes[old_code])
        for district_code, new_code in self.island_districts.items():
            parts[new_code].append(old.districts[district_code])

        def only(values: set[int | None]) -> int | None:
            return values.pop() if len(values) == 1 else None

        origins = {}
        for new_code, units in parts.items():
            communes = [u for u in units if isinstance(u, Commune)]
            origins[new_code] = Origin(
                province=only({u.province_code for u in units}),
                district=only(
                    {u.district_code if isinstance(u, Commune) else u.code for u in units}
                ),
                commune=communes[0].code if len(units) == 1 and communes else None,
            )
        return origins

    def origin(self, province: int, commune: int | None) -> Origin:
        """Where a record placed in current units lay before 2025-07-01, as far as known."""
        if commune is not None and commune in self._origins:
            return self._origins[commune]
        olds = self.legacy_provinces(province)
        return Origin(olds[0] if len(olds) == 1 else None, None, None)


@cache
def reorganisation() -> Reorganisation:
    return Reorganisation(_load("reorganisation_2025.json"))


@cache
def gazetteer() -> Gazetteer:
    """The current gazetteer (34 provinces, 3,321 communes), loaded on first use.

    It comes from the package data `data/current_units.json`, which carries the
    official codes of 1 July 2025; the `vietnam-provinces` 2025 releases carry the
    draft codes, which differ for 121 communes (see `data/README.md`).
    """
    data = _load("current_units.json")
    provinces = _provinces(data, CURRENT_SCHEME)
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


#: Words before a province's name in a title: "TỈNH QUẢNG TRỊ", "THÀNH PHỐ HUẾ", "TP. HCM",
#: and its Party committee's ("TỈNH ỦY QUẢNG TRỊ"), longest first.
_TITLE_TYPES = ("tinh uy", "thanh uy", "thanh pho", "tinh", "tp")
#: A type word, and the (up to four) words after it, not consumed: "tỉnh A và tỉnh B".
_TITLE_WORDS = re.compile(r"\b(?:" + "|".join(_TITLE_TYPES) + r") (?=((?:\w+ ?){1,4}))")


def provinces_named_in(title: str) -> list[str]:
    """The provinces a title names after a type word ("DANH SÁCH MÔ HÌNH … TỈNH QUẢNG
    TRỊ NĂM 2023"), today's or those before 2025-07-01, by their short names: the
    longest name at each place, each province once."""
    found: list[str] = []
    for match in _TITLE_WORDS.finditer(fold(title)):
        words = match.group(1).split()
        for n in range(len(words), 0, -1):
            spelled = " ".join(words[:n])
            if spelled.isdigit():  # a year, not a province's code
                continue
            # Today's name first: "Thừa Thiên Huế" is the city of Huế, one province.
            names = {p.name for p in gazetteer().find_provinces(spelled)} or {
                p.name for p in legacy_gazetteer().find_provinces(spelled)
            }
            if names:
                found += sorted(names - set(found))
                break
    return found


def lookup(query: str) -> list[dict[str, object]]:
    """What a name may resolve to, as rows for `dandan localities`: current units
    first, then old ones with the current unit each became. Exact matches in either
    scheme hide the merely close ones."""
    schemes = (gazetteer(), legacy_gazetteer())
    found = [(g, u) for g in schemes for u in g.exact(query)]
    if not found:
        found = [(g, u) for g in schemes for u in g.close(query)]
    kinds = (Province, District, Commune)
    found.sort(key=lambda gu: (kinds.index(type(gu[1])), gu[0].scheme != CURRENT_SCHEME))
    return [describe(g, u) for g, u in found]


#: The kinds of unit `describe` names, as a person reads them (`for_people`).
KINDS = {"province": N_("province"), "district": N_("district"), "commune": N_("commune")}


def describe(g: Gazetteer, unit: Unit) -> dict[str, object]:
    """A unit with its place and, for an old one, what it became on 2025-07-01.

    The row is data, the same in every language (JSON and CSV): its kind an identifier,
    its validity in English; `for_people` puts them in the reader's words for a table."""
    legacy = g.scheme == LEGACY_SCHEME
    province = g.provinces[unit.province_code] if not isinstance(unit, Province) else unit
    district = (
        g.districts.get(unit.district_code)
        if isinstance(unit, Commune) and unit.district_code
        else None
    )
    row: dict[str, object] = {
        "kind": type(unit).__name__.lower(),
        "name": unit.full_name if isinstance(unit, Province) else unit.name,
        "code": unit.code,
        "scheme": unit.scheme,
        "valid": N_("until 2025-06-30") if legacy else N_("since 2025-07-01"),
        "district": district.name if district else None,
        "province": province.name,
        "province_code": province.code,
        "became": None,
        "became_code": None,
    }
    if legacy:
        now, r = gazetteer(), reorganisation()
        new_province = now.provinces[r.province(province.code)]
        became: Province | Commune = new_province
        if isinstance(unit, Commune):
            became = now.communes[r.commune(unit.code)]
        elif isinstance(unit, District) and unit.code in r.island_districts:
            became = now.communes[r.island_districts[unit.code]]
        name = became.name if isinstance(became, Commune) else became.full_name
        if isinstance(became, Commune):
            name = f"{name}, {new_province.name}"
        row["became"], row["became_code"] = name, became.code
    return row


def for_people(row: dict[str, object]) -> dict[str, object]:
    """A `describe` row as a table shows it: its kind and validity in the reader's language."""
    kind, valid = str(row["kind"]), str(row["valid"])
    return {**row, "kind": _(KINDS.get(kind, kind)), "valid": _(valid)}


def became_text(g: Gazetteer, unit: Unit) -> str:
    """'Quảng Bình (code 44 before 2025-07-01) became Quảng Trị (code 44) on 2025-07-01',
    in the reader's language, for messages."""
    row = describe(g, unit)
    if isinstance(unit, District) and unit.code not in reorganisation().island_districts:
        return _(
            "{name} (code {code}) was a district until 2025-07-01; districts were abolished "
            "and its communes are now in {became} (code {became_code})"
        ).format(
            name=unit.name, code=unit.code, became=row["became"], became_code=row["became_code"]
        )
    return _(
        "{name} (code {code} before 2025-07-01) became {became} (code {became_code}) on 2025-07-01"
    ).format(
        name=row["name"], code=row["code"], became=row["became"], became_code=row["became_code"]
    )
