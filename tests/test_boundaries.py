"""The 2025 reorganisation: old and current units, resolved by date, counted both ways."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dandan.errors import InvalidInput
from dandan.localities import gazetteer, legacy_gazetteer, reorganisation
from dandan.registry import ModelFilter, Registry
from dandan.tallies import TallyQuery, Window, tally
from dandan.text import fold
from dandan.validation import resolve_locality
from tests.conftest import Run, dump

OLD = legacy_gazetteer()
NOW = gazetteer()
MAP = reorganisation()

OLD_QUANG_BINH, OLD_QUANG_TRI, QUANG_TRI = 44, 45, 44


def register(run: Run, *args: str, on: str = "2023-03-01") -> str:
    result = run(
        "register", "Mô hình", *args, "--field", "kinh te", "--sponsor", "phu nu",
        "--registered-on", on, "--allow-duplicate",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return str(result.stdout.strip())


# -- the data ------------------------------------------------------------------------


def test_every_old_province_maps_to_one_current_province() -> None:
    assert len(OLD.provinces) == 63
    assert set(MAP.provinces) == set(OLD.provinces)
    assert set(MAP.provinces.values()) == set(NOW.provinces)  # each current one is an image
    assert len(NOW.provinces) == 34
    assert MAP.province(OLD_QUANG_BINH) == QUANG_TRI
    assert MAP.province(OLD_QUANG_TRI) == QUANG_TRI


def test_every_old_commune_maps_within_its_new_province() -> None:
    for code, commune in OLD.communes.items():
        target = NOW.communes[MAP.commune(code)]
        assert target.province_code == MAP.province(commune.province_code)
    images = {MAP.commune(code) for code in OLD.communes} | set(MAP.island_districts.values())
    split_targets = {new for targets in MAP.communes.values() for new in targets}
    assert split_targets | set(MAP.island_districts.values()) == set(NOW.communes)
    assert len(images) <= len(NOW.communes)


# -- resolving by date -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "district", "commune", "old_codes"),
    [
        ("Quảng Bình", None, None, (44, None, None)),
        ("quang binh", None, None, (44, None, None)),
        ("Tỉnh Quảng Bình", None, None, (44, None, None)),
        ("Hà Giang", None, None, (2, None, None)),
        ("ha giang", None, None, (2, None, None)),
        ("Thừa Thiên Huế", None, None, (46, None, None)),
        ("thua thien hue", None, None, (46, None, None)),
        ("Quảng Trị", "huyện Vĩnh Linh", None, (45, 464, None)),
        ("quang tri", "Huyen Vinh Linh", None, (45, 464, None)),
        ("Quảng Trị", "H. Vĩnh Linh", None, (45, 464, None)),
        ("Quảng Trị", "TP. Đông Hà", "Phường 1", (45, 461, 19333)),
        ("quang tri", "thanh pho dong ha", "phuong 1", (45, 461, 19333)),
        ("45", "461", "19333", (45, 461, 19333)),
        ("Quảng Trị", "Thị xã Quảng Trị", "P. 1", (45, 462, 19357)),
    ],
)
def test_old_names_resolve_before_the_merger(
    province: str, district: str | None, commune: str | None, old_codes: tuple[int, ...]
) -> None:
    loc = resolve_locality(province, commune, district, before_merger=True)
    assert loc.scheme == "2024"
    recorded = (
        loc.legacy_province.code if loc.legacy_province else None,
        loc.legacy_district.code if loc.legacy_district else None,
        loc.legacy_commune.code if loc.legacy_commune else None,
    )
    assert recorded == old_codes
    assert loc.province.code == MAP.province(old_codes[0])
    if old_codes[2] is not None:
        assert loc.commune is not None and loc.commune.code == MAP.commune(old_codes[2])


@pytest.mark.parametrize(
    ("province", "district", "commune", "became"),
    [
        ("Quảng Bình", None, None, "became Tỉnh Quảng Trị (code 44)"),
        ("Hà Giang", None, None, "became Tỉnh Tuyên Quang (code 8)"),
        ("Quảng Trị", "huyện Vĩnh Linh", None, "its communes are now in Tỉnh Quảng Trị"),
        ("Quảng Bình", None, "Xã Hải Ninh", "became Xã Ninh Châu, Quảng Trị"),
    ],
)
def test_an_old_name_after_the_merger_names_what_it_became(
    run: Run, db: Path, province: str, district: str | None, commune: str | None, became: str
) -> None:
    args = ["--province", province]
    args += ["--district", district] if district else []
    args += ["--commune", commune] if commune else []
    before = dump(db)
    result = run(
        "register", "Mô hình", *args, "--field", "kinh te", "--sponsor", "phu nu",
        "--registered-on", "2025-07-01",
    )  # fmt: skip
    assert result.exit_code == 1
    assert became in result.stderr
    assert "--legacy" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(db) == before


def test_legacy_and_current_flags_win_over_the_date(run: Run, registry: Registry) -> None:
    late = register(run, "--province", "Quảng Bình", "--legacy", on="2025-08-01")
    assert registry.get(late).locality_scheme == "2024"
    assert registry.get(late).legacy == {
        "province": "Quảng Bình", "province_code": 44, "district": None,
        "district_code": None, "commune": None, "commune_code": None,
    }  # fmt: skip
    # "Quảng Trị" in 2023 is the old province (45) unless --current says otherwise.
    early = register(run, "--province", "Quảng Trị", on="2023-03-01")
    assert registry.get(early).legacy["province_code"] == OLD_QUANG_TRI  # type: ignore[index]
    current = register(run, "--province", "44", "--current", on="2023-03-01")
    assert registry.get(current).locality_scheme == "2025"
    assert registry.get(current).province == "Quảng Trị"
    assert registry.get(current).legacy is None  # today's Quảng Trị spans two old provinces


def test_a_code_means_the_unit_of_its_scheme(run: Run, registry: Registry) -> None:
    """Codes were reused: 44 was Quảng Bình and is now Quảng Trị."""
    old = registry.get(register(run, "--province", "44", on="2024-05-05"))
    new = registry.get(register(run, "--province", "44", on="2025-07-01"))
    assert old.legacy is not None and old.legacy["province"] == "Quảng Bình"
    assert (old.province, new.province, new.locality_scheme) == ("Quảng Trị", "Quảng Trị", "2025")


def test_ambiguous_old_commune_asks_for_the_district(run: Run, registry: Registry) -> None:
    result = run(
        "register", "Mô hình", "--province", "Quảng Trị", "--commune", "Phường 1",
        "--field", "kinh te", "--sponsor", "phu nu", "--registered-on", "2023-03-01",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "give the district" in result.stderr
    assert "Thành phố Đông Hà" in result.stderr and "Thị xã Quảng Trị" in result.stderr
    assert registry.list_models() == []


def test_a_current_name_spelt_exactly_beats_an_old_one_folded_alike() -> None:
    """Old Huế had "Phường Thuận Hòa"; today's has "Phường Thuận Hóa": both fold alike."""
    loc = resolve_locality("Huế", "Phường Thuận Hóa", before_merger=True)
    assert (loc.scheme, loc.commune and loc.commune.name) == ("2025", "Phường Thuận Hóa")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(OLD.communes)), st.booleans())
def test_every_old_commune_resolves_by_its_names(code: int, marks: bool) -> None:
    commune = OLD.communes[code]
    assert commune.district_code is not None
    district = OLD.districts[commune.district_code]
    province = OLD.provinces[commune.province_code]
    names = [province.name, district.name, commune.name]
    if not marks:
        names = [fold(n) for n in names]
    try:
        loc = resolve_locality(names[0], names[2], names[1], scheme="2024")
    except InvalidInput as exc:
        # Only names that differ by their diacritics alone may stay ambiguous without them.
        assert not marks and "ambiguous" in exc.message
        return
    assert loc.legacy_commune is not None and loc.legacy_commune.code == code


# -- counting both ways ------------------------------------------------------------------


@pytest.fixture
def mixed(run: Run, registry: Registry) -> Registry:
    """Old Quảng Bình and old Quảng Trị in 2023, and today's Quảng Trị after the merger."""
    register(run, "--province", "Quảng Bình", on="2023-02-01")
    register(run, "--province", "quang tri", "--district", "TP. Đông Hà", "--commune", "Phường 1")
    register(run, "--province", "Quảng Trị", "--commune", "Phường Đồng Hới", on="2025-09-01")
    register(run, "--province", "Quảng Trị", on="2025-09-02")  # spans two old provinces
    register(run, "--province", "Hà Nội", on="2026-01-05")  # one old province: assignable
    return registry


def test_old_quang_binh_counts_under_quang_binh_in_2024_and_quang_tri_today(
    run: Run, mixed: Registry
) -> None:
    today = json.loads(run("tally", "--province", "--format", "json").stdout)
    assert {r["province"]: r["registered"] for r in today["rows"]} == {"Quảng Trị": 4, "Hà Nội": 1}
    assert {r["locality_scheme"] for r in today["rows"]} == {"2025"}

    old = json.loads(run("tally", "--province", "--boundaries", "2024", "--format", "json").stdout)
    by_name = {(r["province"], r["province_code"]): r["registered"] for r in old["rows"]}
    assert by_name == {
        ("Quảng Bình", OLD_QUANG_BINH): 2,  # the 2023 record, and a ward of old Đồng Hới
        ("Quảng Trị", OLD_QUANG_TRI): 1,
        ("Hà Nội", 1): 1,
        ("not assignable", None): 1,
    }
    assert old["rows"][-1]["province"] == "not assignable"
    assert old["total"] == today["total"]


def test_tallies_in_both_views_sum_to_the_same_national_total(mixed: Registry) -> None:
    window = Window.parse(by_end_of="2026")
    for dims in (("province",), ("commune",), ("district",), ("field", "province")):
        legacy = tally(mixed, TallyQuery.parse(by=dims, window=window, boundaries="2024"))
        national = tally(mixed, TallyQuery.parse(window=window))
        assert sum(r["registered"] for r in legacy.rows) == national.total["registered"]
        assert legacy.total == national.total


def test_district_rows_and_the_in_filter_read_old_units(run: Run, mixed: Registry) -> None:
    result = run("tally", "--by", "district", "--boundaries", "2024", "--format", "json")
    rows = json.loads(result.stdout)["rows"]
    districts = {
        (r["district"], r["district_code"], r["province_code"]): r["registered"] for r in rows
    }
    assert districts[("Thành phố Đông Hà", 461, OLD_QUANG_TRI)] == 1
    assert districts[("Thành phố Đồng Hới", 450, OLD_QUANG_BINH)] == 1
    refused = run("tally", "--by", "district")
    assert refused.exit_code == 2
    assert "--boundaries 2024" in refused.stderr

    in_old = json.loads(run("tally", "--in", "Quảng Bình", "--format", "json").stdout)
    assert in_old["total"]["registered"] == 2
    in_district = json.loads(run("tally", "--in", "TP. Đông Hà", "--format", "json").stdout)
    assert in_district["total"]["registered"] == 1
    assert mixed.list_models(ModelFilter.parse(places=["huyện Lệ Thủy"])) == []


def test_not_assignable_is_never_dropped_at_district_or_commune_level(
    run: Run, mixed: Registry
) -> None:
    for group in (["--by", "district"], ["--commune"]):
        result = run("tally", *group, "--boundaries", "2024", "--format", "json")
        data = json.loads(result.stdout)
        assert sum(r["registered"] for r in data["rows"]) == 5 == data["total"]["registered"]


# -- the locality command, import and export ----------------------------------------------


def test_localities_shows_old_and_current_with_their_schemes(run: Run) -> None:
    rows = json.loads(run("localities", "Quảng Bình", "--format", "json").stdout)
    old = next(r for r in rows if r["kind"] == "province")
    assert (old["name"], old["code"], old["scheme"], old["valid"]) == (
        "Tỉnh Quảng Bình", 44, "2024", "until 2025-06-30",
    )  # fmt: skip
    assert (old["became"], old["became_code"]) == ("Tỉnh Quảng Trị", 44)
    district = json.loads(run("localities", "huyện Vĩnh Linh", "--format", "json").stdout)
    assert any(r["kind"] == "district" and r["province_code"] == 45 for r in district)


def test_import_reads_old_units_with_vietnamese_headers(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Tên mô hình", "Tỉnh", "Quận/Huyện", "Xã/Phường", "Lĩnh vực",
                         "Đơn vị chủ trì", "Ngày đăng ký"])  # fmt: skip
        writer.writerow(["A", "Quảng Trị", "TP. Đông Hà", "Phường 1", "Kinh tế", "Phụ nữ",
                         "01/03/2023"])  # fmt: skip
        writer.writerow(["B", "Quảng Bình", "", "", "Kinh tế", "Phụ nữ", "2024-12-31"])
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    stored = {m.name: m for m in registry.list_models()}
    assert stored["A"].legacy is not None and stored["A"].legacy["commune_code"] == 19333
    assert stored["B"].province_code == QUANG_TRI
    assert stored["B"].legacy is not None and stored["B"].legacy["province_code"] == 44


def test_export_writes_old_units_with_their_scheme_and_reimports_them(
    run: Run, mixed: Registry, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    assert run("export", str(out)).exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["code"]: r for r in csv.DictReader(handle)}
    old = next(r for r in rows.values() if r["district"])
    assert (old["province"], old["province_code"], old["locality_scheme"]) == (
        "Quảng Trị",
        "45",
        "2024",
    )
    assert (old["district_code"], old["commune"], old["commune_code"]) == (
        "461",
        "Phường 1",
        "19333",
    )
    copy = tmp_path / "copy.db"
    from typer.testing import CliRunner

    from dandan.cli import app

    result = CliRunner().invoke(app, ["--db", str(copy), "import", str(out)])
    assert result.exit_code == 0, result.stderr
    assert [m.as_dict() for m in Registry(str(copy)).list_models()] == [
        m.as_dict() for m in mixed.list_models()
    ]


def test_edit_moves_a_model_within_the_old_units(run: Run, registry: Registry) -> None:
    code = register(
        run, "--province", "Quảng Trị", "--district", "TP. Đông Hà", "--commune", "Phường 1"
    )
    result = run("edit", code, "--district", "Thị xã Quảng Trị", "--commune", "Phường 1")
    assert result.exit_code == 0, result.stderr
    legacy = registry.get(code).legacy
    assert legacy is not None and (legacy["district_code"], legacy["commune_code"]) == (462, 19357)
    assert registry.get(code).commune == NOW.communes[MAP.commune(19357)].name


@pytest.mark.parametrize("district", [None, "Gio Linh"])
def test_an_old_commune_named_without_its_district_records_its_district(
    run: Run, registry: Registry, district: str | None
) -> None:
    """Xã Gio Mỹ (19510) lay in Huyện Gio Linh (466) of Quảng Trị (45), by the official
    list of 2024: a record of 2023 that names the commune alone still records the
    district, as one that names it does."""
    given = ("--district", district) if district else ()
    code = register(run, "--province", "Quảng Trị", *given, "--commune", "Gio Mỹ")
    legacy = registry.get(code).legacy
    assert legacy is not None
    assert (legacy["province_code"], legacy["district_code"], legacy["commune_code"]) == (
        45, 466, 19510,
    )  # fmt: skip
    assert legacy["district"] == "Huyện Gio Linh"


def test_an_old_island_district_is_counted_in_the_special_zone_it_became(
    run: Run, registry: Registry
) -> None:
    """Huyện Cồn Cỏ (471, Quảng Trị) had no communes; since 2025-07-01 it is Đặc khu
    Cồn Cỏ (19742), a commune-level unit of Quảng Trị (44): by reorganisation_2025.json
    (`districts_without_communes`) and current_units.json, read by hand."""
    code = register(run, "--province", "Quảng Trị", "--district", "Cồn Cỏ")
    model = registry.get(code)
    assert (model.province_code, model.commune_code, model.commune) == (
        44, 19742, "Đặc khu Cồn Cỏ",
    )  # fmt: skip
    assert model.legacy is not None
    assert (model.legacy["district_code"], model.legacy["commune_code"]) == (471, None)


def test_an_old_record_keeps_what_the_clerk_wrote_and_names_no_commune_it_lacks() -> None:
    """The units as typed are kept beside the official ones (they are the record's
    evidence); a record naming an old province alone has no commune at all. Xã Gio Mỹ
    (19510) became part of Xã Gio Linh (19495): reorganisation_2025.json, by hand."""
    loc = resolve_locality("quang tri", "gio my", "gio linh", before_merger=True)
    assert (loc.province_input, loc.district_input, loc.commune_input) == (
        "quang tri", "gio linh", "gio my",
    )  # fmt: skip
    assert loc.commune is not None and (loc.commune.code, loc.commune.name) == (
        19495,
        "Xã Gio Linh",
    )
    only = resolve_locality("Quảng Trị", None, None, before_merger=True)
    assert only.commune is None and only.recorded[1:] == (None, None)


def test_a_current_record_keeps_the_commune_as_the_clerk_wrote_it() -> None:
    """As an old record does: the text typed beside the official unit it resolved to
    (Xã Gio Linh, 19495 in Quảng Trị, 44: current_units.json, by hand)."""
    loc = resolve_locality("quang tri", "gio linh", before_merger=False)
    assert (loc.province_input, loc.district_input, loc.commune_input) == (
        "quang tri", None, "gio linh",
    )  # fmt: skip
    assert loc.commune is not None and (loc.commune.code, loc.province.code) == (19495, 44)


# -- the mapping, pinned by hand (the mutation run's survivors) ------------------------
# Expected values are read by hand from src/dandan/data/reorganisation_2025.json (the
# official texts as the project records them), never from the code; `reorganisation()`
# is called inside each test, so that no cached mapping hides a change.

HA_NOI, TUYEN_QUANG, HAI_PHONG = 1, 8, 31


@pytest.mark.parametrize(
    ("old_commune", "new_commune"),
    [
        (22, 8),  # Phường Đội Cấn, divided: Ba Đình (4), Ngọc Hà (8); default Ngọc Hà
        (28, 8),  # Phường Kim Mã, divided among 4, 8, 25; default Ngọc Hà
        (40, 70),  # Phường Đồng Xuân, divided: Ba Đình (4), Hoàn Kiếm (70); default Hoàn Kiếm
        (859, 859),  # Xã Ngọc Long (Hà Giang): one current commune of the same code
    ],
)
def test_a_divided_old_commune_counts_under_the_default_the_source_names(
    old_commune: int, new_commune: int
) -> None:
    assert reorganisation().commune(old_commune) == new_commune


def test_a_record_in_a_divided_old_commune_is_placed_in_the_default() -> None:
    found = resolve_locality("Hà Nội", "Phường Đội Cấn", "Quận Ba Đình", before_merger=True)
    assert found.commune is not None and found.commune.code == 8  # Phường Ngọc Hà


@pytest.mark.parametrize(
    ("province", "commune", "origin"),
    [
        (TUYEN_QUANG, 859, (2, 28, 859)),  # Xã Ngọc Long: one old commune, Yên Minh, Hà Giang
        (HA_NOI, 118, (1, 4, None)),  # Phường Bồ Đề: old communes of Quận Long Biên only
        (HA_NOI, 4, (1, None, None)),  # Phường Ba Đình: parts of several old districts
        (HAI_PHONG, 10804, (None, None, None)),  # Xã Kim Thành: parts of more than one old province
        (HAI_PHONG, 11948, (31, 318, None)),  # Đặc khu Bạch Long Vĩ: the island district
        (HA_NOI, None, (1, None, None)),  # a province made of one old province
        (QUANG_TRI, None, (None, None, None)),  # old Quảng Bình and old Quảng Trị
    ],
)
def test_the_old_units_a_current_unit_certainly_lies_in(
    province: int, commune: int | None, origin: tuple[int | None, int | None, int | None]
) -> None:
    found = reorganisation().origin(province, commune)
    assert (found.province, found.district, found.commune) == origin


def test_a_record_in_current_units_carries_the_old_units_it_lay_in() -> None:
    found = resolve_locality("Tuyên Quang", "Xã Ngọc Long")
    assert found.legacy_province is not None and found.legacy_province.code == 2  # Hà Giang
    assert found.legacy_district is not None and found.legacy_district.code == 28  # Yên Minh
    assert found.legacy_commune is not None and found.legacy_commune.code == 859


def test_a_record_is_read_in_the_current_units_unless_dated_before_the_merger() -> None:
    # Phường Ngọc Hà is both an old ward of Quận Ba Đình (16) and a current ward (8).
    now = resolve_locality("Hà Nội", "Phường Ngọc Hà")
    assert (now.scheme, now.commune and now.commune.code) == ("2025", 8)
    old = resolve_locality("Hà Nội", "Phường Ngọc Hà", before_merger=True)
    assert old.scheme == "2024"
    assert old.legacy_commune is not None and old.legacy_commune.code == 16


@pytest.mark.parametrize("field", ["commune", "district"])
def test_a_bad_place_name_is_refused_naming_its_field(field: str) -> None:
    names = {"commune": "Phường Ngọc Hà", "district": "Quận Ba Đình", field: "Ngọc\x00Hà"}
    with pytest.raises(InvalidInput) as refused:
        resolve_locality("Hà Nội", names["commune"], names["district"], before_merger=True)
    assert refused.value.field == field
