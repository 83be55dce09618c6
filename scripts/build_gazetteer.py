"""Build the pre-July-2025 gazetteer and the 2025 old→new mapping as package data.

Writes three minified JSON files under src/dandan/data/ (see its README.md):

* legacy_units.json       63 provinces, their 696 districts and 10,035 communes as
                          they stood on 30 June 2025, with General Statistics Office
                          (GSO) codes;
* reorganisation_2025.json old→new province mapping (all 63, Resolution
                          202/2025/QH15), old→new commune mapping, the five island
                          districts that had no communes → the special zones that
                          replaced them, and metadata (sources, licences, coverage);
* current_units.json      the 34 provinces and 3,321 communes in force since
                          1 July 2025 with their official codes, from the same
                          source, so the mapping's targets can be checked.

Source (MIT, per its setup.py classifier): the PyPI package
``onflow-location-platform`` 1.1.2. Its data are read straight from the wheel
(or sdist) given on the command line; nothing is downloaded here and only the
standard library is used. No GPL-licensed code or data is read: the
``vietnam-provinces`` releases 2026.x are GPL-3.0-or-later and are not used.

The province mapping is written below as data, from Resolution 202/2025/QH15 of
the National Assembly (12 June 2025), and cross-checked against the source's own
province table and against its commune mapping; any disagreement stops the build.

Run (the exact command used to produce the shipped files):

    python3 -m venv /tmp/gz
    /tmp/gz/bin/pip download --no-deps -d /tmp/dl onflow-location-platform==1.1.2
    python3 scripts/build_gazetteer.py \\
        --onflow /tmp/dl/onflow_location_platform-1.1.2-py3-none-any.whl

Optionally ``--check-current WHEEL`` compares the current communes with those of
another package's nested-divisions.json (e.g. the vietnam-provinces wheel used at
run time) and prints the differences; nothing from it is written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "dandan" / "data"

SOURCE_NAME = "onflow-location-platform"
SOURCE_VERSION = "1.1.2"
SOURCE_LICENCE = (
    "MIT, as declared by the classifier 'License :: OSI Approved :: MIT License' in the "
    "package's setup.py / PKG-INFO; the package ships no LICENSE file (its README says so)"
)
SOURCE_HOME = "https://github.com/N-H-Logistics/onflow-location-platform"

RESOLUTION_PROVINCES = (
    "Resolution 202/2025/QH15 of the National Assembly (12 June 2025) on the arrangement "
    "of provincial-level administrative units, in force 12 June 2025; the new provinces "
    "operate from 1 July 2025"
)
RESOLUTIONS_COMMUNES = (
    "the 34 resolutions of the National Assembly Standing Committee of 16 June 2025 on the "
    "arrangement of the commune-level administrative units of each province (e.g. "
    "1656/NQ-UBTVQH15 for Hà Nội), in force 1 July 2025; district level abolished on "
    "1 July 2025"
)
CODES_BASIS = (
    "codes of the General Statistics Office (now National Statistics Office) list of "
    "administrative units; current codes as issued for 1 July 2025 (Prime Minister's "
    "Decision 19/2025/QĐ-TTg)"
)

# Resolution 202/2025/QH15: old province code → current province code.
# Codes were reused: old 44 was Quảng Bình, current 44 is Quảng Trị (old 44 + 45);
# old 15 was Yên Bái, current 15 is Lào Cai (old 10 + 15); and so on.
PROVINCE_MAP: dict[int, int] = {
    1: 1,  # Hà Nội (unchanged)
    2: 8,  # Hà Giang → Tuyên Quang
    4: 4,  # Cao Bằng (unchanged)
    6: 19,  # Bắc Kạn → Thái Nguyên
    8: 8,  # Tuyên Quang
    10: 15,  # Lào Cai → Lào Cai (new code 15)
    11: 11,  # Điện Biên (unchanged)
    12: 12,  # Lai Châu (unchanged)
    14: 14,  # Sơn La (unchanged)
    15: 15,  # Yên Bái → Lào Cai
    17: 25,  # Hòa Bình → Phú Thọ
    19: 19,  # Thái Nguyên
    20: 20,  # Lạng Sơn (unchanged)
    22: 22,  # Quảng Ninh (unchanged)
    24: 24,  # Bắc Giang → Bắc Ninh (new code 24)
    25: 25,  # Phú Thọ
    26: 25,  # Vĩnh Phúc → Phú Thọ
    27: 24,  # Bắc Ninh → Bắc Ninh (new code 24)
    30: 31,  # Hải Dương → Hải Phòng
    31: 31,  # Hải Phòng
    33: 33,  # Hưng Yên
    34: 33,  # Thái Bình → Hưng Yên
    35: 37,  # Hà Nam → Ninh Bình
    36: 37,  # Nam Định → Ninh Bình
    37: 37,  # Ninh Bình
    38: 38,  # Thanh Hóa (unchanged)
    40: 40,  # Nghệ An (unchanged)
    42: 42,  # Hà Tĩnh (unchanged)
    44: 44,  # Quảng Bình → Quảng Trị (new code 44)
    45: 44,  # Quảng Trị → Quảng Trị (new code 44)
    46: 46,  # Huế (unchanged)
    48: 48,  # Đà Nẵng
    49: 48,  # Quảng Nam → Đà Nẵng
    51: 51,  # Quảng Ngãi
    52: 52,  # Bình Định → Gia Lai (new code 52)
    54: 66,  # Phú Yên → Đắk Lắk
    56: 56,  # Khánh Hòa
    58: 56,  # Ninh Thuận → Khánh Hòa
    60: 68,  # Bình Thuận → Lâm Đồng
    62: 51,  # Kon Tum → Quảng Ngãi
    64: 52,  # Gia Lai → Gia Lai (new code 52)
    66: 66,  # Đắk Lắk
    67: 68,  # Đắk Nông → Lâm Đồng
    68: 68,  # Lâm Đồng
    70: 75,  # Bình Phước → Đồng Nai
    72: 80,  # Tây Ninh → Tây Ninh (new code 80)
    74: 79,  # Bình Dương → Hồ Chí Minh
    75: 75,  # Đồng Nai
    77: 79,  # Bà Rịa - Vũng Tàu → Hồ Chí Minh
    79: 79,  # Hồ Chí Minh
    80: 80,  # Long An → Tây Ninh (new code 80)
    82: 82,  # Tiền Giang → Đồng Tháp (new code 82)
    83: 86,  # Bến Tre → Vĩnh Long
    84: 86,  # Trà Vinh → Vĩnh Long
    86: 86,  # Vĩnh Long
    87: 82,  # Đồng Tháp → Đồng Tháp (new code 82)
    89: 91,  # An Giang → An Giang (new code 91)
    91: 91,  # Kiên Giang → An Giang
    92: 92,  # Cần Thơ
    93: 92,  # Hậu Giang → Cần Thơ
    94: 92,  # Sóc Trăng → Cần Thơ
    95: 96,  # Bạc Liêu → Cà Mau
    96: 96,  # Cà Mau
}

_PREFIX_FIX = (("Thị Xã ", "Thị xã "), ("Thành Phố ", "Thành phố "), ("Thị Trấn ", "Thị trấn "))
_COMMUNE_TYPES = (
    ("Thị trấn ", "thị trấn"),
    ("Phường ", "phường"),
    ("Xã ", "xã"),
    ("Đặc khu ", "đặc khu"),
)
_DISTRICT_TYPES = (
    ("Thành phố ", "thành phố"),
    ("Thị xã ", "thị xã"),
    ("Quận ", "quận"),
    ("Huyện ", "huyện"),
)


def clean_name(name: str) -> str:
    """NFC, single spaces, and the type prefix in the GSO's capitalisation."""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    for wrong, right in _PREFIX_FIX:
        if name.startswith(wrong):
            name = right + name[len(wrong) :]
    return name


def type_of(name: str, table: tuple[tuple[str, str], ...]) -> str:
    for prefix, kind in table:
        if name.startswith(prefix):
            return kind
    raise SystemExit(f"no division type for {name!r}")


def province_type(name: str) -> str:
    if name.startswith("Thành phố "):
        return "thành phố trung ương"
    if name.startswith("Tỉnh "):
        return "tỉnh"
    raise SystemExit(f"no division type for {name!r}")


def codename(name: str) -> str:
    s = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def short_province(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


# --------------------------------------------------------------------------- source


class Source:
    """The data files of onflow-location-platform, read from its wheel or sdist."""

    WANTED = ("dataset.db", "parser_legacy.json", "parser_from_2025.json", "converter_2025.json")

    def __init__(self, archive: Path, workdir: Path) -> None:
        self.archive = archive
        self.sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()
        found: dict[str, bytes] = {}
        if archive.suffix == ".whl" or zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for n in z.namelist():
                    base = n.rsplit("/", 1)[-1]
                    if "onflow_location_platform/data/" in n and base in self.WANTED:
                        found[base] = z.read(n)
        else:
            with tarfile.open(archive) as t:
                for m in t.getmembers():
                    base = m.name.rsplit("/", 1)[-1]
                    if "onflow_location_platform/data/" in m.name and base in self.WANTED:
                        f = t.extractfile(m)
                        assert f is not None
                        found[base] = f.read()
        missing = set(self.WANTED) - set(found)
        if missing:
            raise SystemExit(f"{archive}: missing {sorted(missing)}")
        (workdir / "dataset.db").write_bytes(found["dataset.db"])
        self.db = sqlite3.connect(workdir / "dataset.db")
        self.legacy = json.loads(found["parser_legacy.json"])
        self.new = json.loads(found["parser_from_2025.json"])
        self.converter = json.loads(found["converter_2025.json"])


# --------------------------------------------------------------------------- build


def build_legacy(src: Source) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    provinces: dict[int, dict[str, Any]] = {}
    districts: dict[int, dict[str, Any]] = {}
    communes: dict[int, tuple[str, int]] = {}
    rows = src.db.execute(
        "select province, provinceCode, district, districtCode, ward, wardCode "
        "from admin_units_legacy"
    )
    for pname, pcode, dname, dcode, wname, wcode in rows:
        p, d = int(pcode), int(dcode)
        provinces.setdefault(p, {"name": clean_name(pname)})
        districts.setdefault(d, {"name": clean_name(dname), "province": p})
        if districts[d]["province"] != p:
            raise SystemExit(f"district {d} in two provinces")
        if wcode:
            w = int(wcode)
            if w in communes and communes[w] != (clean_name(wname), d):
                raise SystemExit(f"commune {w} listed twice, differently")
            communes[w] = (clean_name(wname), d)
    out_provinces = []
    for p in sorted(provinces):
        name = provinces[p]["name"]
        out_provinces.append(
            {
                "code": p,
                "name": name,
                "division_type": province_type(name),
                "codename": codename(name),
                "districts": [
                    {
                        "code": d,
                        "name": districts[d]["name"],
                        "division_type": type_of(districts[d]["name"], _DISTRICT_TYPES),
                    }
                    for d in sorted(districts)
                    if districts[d]["province"] == p
                ],
            }
        )
    rows_out = [
        [w, name, type_of(name, _COMMUNE_TYPES), d] for w, (name, d) in sorted(communes.items())
    ]
    legacy = {
        "provinces": out_provinces,
        "communes": {
            "fields": ["code", "name", "division_type", "district_code"],
            "rows": rows_out,
        },
    }
    index = {
        w: {"name": n, "district": d, "province": districts[d]["province"]}
        for w, (n, d) in communes.items()
    }
    return legacy, index


def build_current(src: Source) -> tuple[dict[str, Any], dict[int, dict[str, Any]], dict[int, str]]:
    provinces: dict[int, str] = {}
    communes: dict[int, tuple[str, int]] = {}
    for pname, pcode, wname, wcode in src.db.execute(
        "select province, provinceCode, ward, wardCode from admin_units"
    ):
        p, w = int(pcode), int(wcode)
        provinces.setdefault(p, clean_name(pname))
        if w in communes:
            raise SystemExit(f"current commune {w} listed twice")
        communes[w] = (clean_name(wname), p)
    current = {
        "provinces": [
            {
                "code": p,
                "name": provinces[p],
                "division_type": province_type(provinces[p]),
                "codename": codename(short_province(provinces[p])),
            }
            for p in sorted(provinces)
        ],
        "communes": {
            "fields": ["code", "name", "division_type", "province_code"],
            "rows": [
                [w, n, type_of(n, _COMMUNE_TYPES), p] for w, (n, p) in sorted(communes.items())
            ],
        },
    }
    index = {w: {"name": n, "province": p} for w, (n, p) in communes.items()}
    return current, index, provinces


def _lookup(tables: list[dict[str, Any]], *keys: str) -> dict[str, Any] | None:
    for table in tables:
        node: Any = table
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            return node
    return None


def build_commune_map(
    src: Source,
) -> tuple[dict[int, set[int]], dict[int, int], list[str], dict[str, int], dict[str, int]]:
    """Old commune code → new commune codes, from the source's name-keyed converter."""
    L, N, C = src.legacy, src.new, src.converter
    old_tables = [
        L["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"],
        L["DICT_PROVINCE_DISTRICT_WARD_ACCENTED"],
        L["DICT_PROVINCE_DISTRICT_WARD_SHORT_ACCENTED"],
    ]
    new_tables = [
        N["DICT_PROVINCE_WARD_NO_ACCENTED"],
        N["DICT_PROVINCE_WARD_ACCENTED"],
        N["DICT_PROVINCE_WARD_SHORT_ACCENTED"],
    ]

    def old_code(full_key: str) -> int | None:
        parts = full_key.split("_")
        if len(parts) != 3 or not parts[2]:
            return None
        hit = _lookup(old_tables, *parts)
        return int(hit["wardCode"]) if hit else None

    def new_code(prov_key: str, ward_key: str) -> int:
        hit = _lookup(new_tables, prov_key, ward_key)
        if not hit:
            raise SystemExit(f"unknown new commune key {prov_key}/{ward_key}")
        return int(hit["wardCode"])

    mapping: dict[int, set[int]] = defaultdict(set)
    default: dict[int, int] = {}
    districts_only: list[str] = []  # old keys naming a district that had no communes
    for prov_key, wards in C["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            nc = new_code(prov_key, ward_key)
            for o in olds:
                oc = old_code(o)
                if oc is None:
                    if o.endswith("_"):
                        districts_only.append(o)
                        continue
                    raise SystemExit(f"unknown old commune key {o}")
                mapping[oc].add(nc)
    for prov_key, olds in C["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, news in olds.items():
            oc = old_code(o)
            if oc is None:
                raise SystemExit(f"unknown old commune key {o}")
            defaults = [n for n in news if n.get("isDefaultNewWard")]
            for n in news:
                mapping[oc].add(new_code(prov_key, n["newWardKey"]))
            if len(defaults) == 1:
                default[oc] = new_code(prov_key, defaults[0]["newWardKey"])
    old_prov_keys = {k: int(v["provinceCode"]) for k, v in L["DICT_PROVINCE"].items()}
    new_prov_keys = {k: int(v["provinceCode"]) for k, v in N["DICT_PROVINCE"].items()}
    return dict(mapping), default, districts_only, old_prov_keys, new_prov_keys


def island_districts(
    legacy: dict[str, Any],
    old_index: dict[int, dict[str, Any]],
    new_index: dict[int, dict[str, Any]],
) -> dict[int, int]:
    """Districts without communes → the special zone of the same name in the new province."""
    with_communes = {v["district"] for v in old_index.values()}
    out: dict[int, int] = {}
    for p in legacy["provinces"]:
        for d in p["districts"]:
            if d["code"] in with_communes:
                continue
            bare = d["name"].split(" ", 1)[1]
            hits = [
                w
                for w, v in new_index.items()
                if v["province"] == PROVINCE_MAP[p["code"]] and v["name"] == f"Đặc khu {bare}"
            ]
            if len(hits) != 1:
                raise SystemExit(f"no special zone for district {d['code']} {d['name']}")
            out[d["code"]] = hits[0]
    return out


def check_province_map(
    src: Source,
    mapping: dict[int, set[int]],
    old_index: dict[int, dict[str, Any]],
    new_index: dict[int, dict[str, Any]],
    old_names: dict[int, str],
    new_names: dict[int, str],
    old_prov_keys: dict[str, int],
    new_prov_keys: dict[str, int],
) -> list[str]:
    problems: list[str] = []
    if set(PROVINCE_MAP) != set(old_names):
        problems.append(
            "province map keys ≠ the source's 63 old provinces: "
            f"{sorted(set(PROVINCE_MAP) ^ set(old_names))}"
        )
    if set(PROVINCE_MAP.values()) != set(new_names):
        problems.append("some current province is the image of no old one")
    # 1. The source's own province table (keyed by names).
    for new_key, old_keys in src.converter["DICT_PROVINCE"].items():
        for ok in old_keys:
            if PROVINCE_MAP.get(old_prov_keys[ok]) != new_prov_keys[new_key]:
                problems.append(f"source province table: {ok} → {new_key}")
    # 2. Every old commune's new communes lie in the mapped province.
    for oc, ncs in mapping.items():
        want = PROVINCE_MAP[old_index[oc]["province"]]
        for nc in ncs:
            if new_index[nc]["province"] != want:
                problems.append(f"commune {oc} → {nc} leaves province {want}")
    return problems


def check_current(path: Path, new_index: dict[int, dict[str, Any]]) -> None:
    """Print how another package's current communes differ from ours (nothing is written)."""
    data = None
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.endswith("data/nested-divisions.json"):
                data = json.loads(z.read(n))
    if data is None:
        raise SystemExit(f"{path}: no data/nested-divisions.json")
    theirs = {w["code"]: (clean_name(w["name"]), p["code"]) for p in data for w in p["wards"]}

    def fold(s: str) -> str:
        s = unicodedata.normalize("NFD", s.lower().replace("đ", "d").replace("’", "'"))
        return " ".join(
            "".join(c for c in s if unicodedata.category(c) != "Mn").replace("-", " ").split()
        )

    ours = {w: (v["name"], v["province"]) for w, v in new_index.items()}
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    renamed = [w for w in ours if w in theirs and fold(ours[w][0]) != fold(theirs[w][0])]
    print(f"check-current {path.name}: {len(theirs)} communes there, {len(ours)} here")
    print(f"  codes only here: {len(only_ours)}; only there: {len(only_theirs)}")
    print(f"  same code, different commune name: {len(renamed)}")
    for w in renamed[:20]:
        print(f"    {w}: here {ours[w][0]!r}, there {theirs[w][0]!r}")


def dump(obj: Any, path: Path) -> int:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
    return len(text.encode("utf-8")) + 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--onflow", type=Path, required=True, help="onflow-location-platform 1.1.2 wheel or sdist"
    )
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    ap.add_argument(
        "--check-current", type=Path, help="a wheel with data/nested-divisions.json to compare with"
    )
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        src = Source(args.onflow, Path(tmp))
        legacy, old_index = build_legacy(src)
        current, new_index, new_names = build_current(src)
        mapping, default, districts_only, old_prov_keys, new_prov_keys = build_commune_map(src)
        src.db.close()

    old_names = {p["code"]: p["name"] for p in legacy["provinces"]}
    n_districts = sum(len(p["districts"]) for p in legacy["provinces"])
    n_old, n_new = len(old_index), len(new_index)

    unknown_old = set(mapping) - set(old_index)
    unknown_new = {n for ns in mapping.values() for n in ns} - set(new_index)
    if unknown_old or unknown_new:
        raise SystemExit(
            f"mapping names unknown codes: old {sorted(unknown_old)[:5]}, "
            f"new {sorted(unknown_new)[:5]}"
        )
    problems = check_province_map(
        src, mapping, old_index, new_index, old_names, new_names, old_prov_keys, new_prov_keys
    )
    if problems:
        raise SystemExit("province mapping check failed:\n  " + "\n  ".join(problems[:30]))
    islands = island_districts(legacy, old_index, new_index)
    if len(islands) != len(districts_only):
        raise SystemExit(f"island districts: {sorted(islands)} vs source keys {districts_only}")

    split = {oc for oc, ns in mapping.items() if len(ns) > 1}
    missing_default = sorted(split - set(default))
    if missing_default:
        raise SystemExit(f"split communes without a default: {missing_default[:10]}")
    reached = {n for ns in mapping.values() for n in ns} | set(islands.values())
    # GSO reused the code of one constituent commune for most new communes.
    reused = [w for w in new_index if w in old_index]
    reused_consistent = [w for w in reused if w in mapping.get(w, set())]
    targets = Counter(len(ns) for ns in mapping.values())

    coverage = {
        "old_communes": n_old,
        "old_communes_mapped": len(mapping),
        "old_communes_mapped_percent": round(100 * len(mapping) / n_old, 2),
        "old_communes_to_one_new": targets.get(1, 0),
        "old_communes_split": len(split),
        "old_districts_without_communes_mapped": len(islands),
        "new_communes": n_new,
        "new_communes_reached": len(reached),
        "new_communes_reusing_an_old_code": len(reused),
        "of_which_mapping_includes_that_old_commune": len(reused_consistent),
    }

    reorganisation = {
        "meta": {
            "effective_date": "2025-07-01",
            "old_scheme": "63 provinces, districts, communes (in force until 30 June 2025)",
            "new_scheme": "34 provinces, communes, no districts (from 1 July 2025)",
            "legal_basis": {
                "provinces": RESOLUTION_PROVINCES,
                "communes": RESOLUTIONS_COMMUNES,
                "codes": CODES_BASIS,
            },
            "province_mapping_source": (
                "written from Resolution 202/2025/QH15 in scripts/build_gazetteer.py; checked "
                "against the source package's province table and commune mapping"
            ),
            "commune_mapping_source": (
                f"{SOURCE_NAME} {SOURCE_VERSION}, converter_2025.json (name-keyed), resolved to "
                "codes through the same package's parser_legacy.json / parser_from_2025.json"
            ),
            "source": {
                "package": SOURCE_NAME,
                "version": SOURCE_VERSION,
                "file": args.onflow.name,
                "sha256": src.sha256,
                "licence": SOURCE_LICENCE,
                "homepage": SOURCE_HOME,
            },
            "coverage": coverage,
            "generated_by": "scripts/build_gazetteer.py",
        },
        "provinces": [
            {
                "old_code": o,
                "old_name": old_names[o],
                "new_code": PROVINCE_MAP[o],
                "new_name": new_names[PROVINCE_MAP[o]],
            }
            for o in sorted(PROVINCE_MAP)
        ],
        # old commune code → sorted new commune codes; several = the old commune was split
        "communes": {str(o): sorted(mapping[o]) for o in sorted(mapping)},
        # for split communes: the new commune the source names as the default one
        "split_default": {str(o): default[o] for o in sorted(split)},
        # districts that had no communes (islands) → the special zone that replaced them
        "districts_without_communes": {str(d): islands[d] for d in sorted(islands)},
    }

    legacy_out = {
        "meta": {
            "scheme": "pre-2025: provinces, districts, communes as they stood on 30 June 2025",
            "codes": "General Statistics Office (GSO) codes",
            "counts": {"provinces": len(old_names), "districts": n_districts, "communes": n_old},
            "source": f"{SOURCE_NAME} {SOURCE_VERSION} (dataset.db, table admin_units_legacy)",
            "licence": SOURCE_LICENCE,
            "generated_by": "scripts/build_gazetteer.py",
        },
        **legacy,
    }
    current_out = {
        "meta": {
            "scheme": "from 1 July 2025: provinces and communes (no districts)",
            "codes": CODES_BASIS,
            "counts": {"provinces": len(new_names), "communes": n_new},
            "source": f"{SOURCE_NAME} {SOURCE_VERSION} (dataset.db, table admin_units)",
            "licence": SOURCE_LICENCE,
            "generated_by": "scripts/build_gazetteer.py",
        },
        **current,
    }

    args.out.mkdir(parents=True, exist_ok=True)
    sizes = {
        "legacy_units.json": dump(legacy_out, args.out / "legacy_units.json"),
        "reorganisation_2025.json": dump(reorganisation, args.out / "reorganisation_2025.json"),
        "current_units.json": dump(current_out, args.out / "current_units.json"),
    }
    print(f"old: {len(old_names)} provinces, {n_districts} districts, {n_old} communes")
    print(f"new: {len(new_names)} provinces, {n_new} communes")
    print("coverage:", json.dumps(coverage, ensure_ascii=False))
    for name, size in sizes.items():
        print(f"wrote {args.out / name} ({size:,} bytes)")
    if args.check_current:
        check_current(args.check_current, new_index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
