"""Write data/seed_models.csv, the demo registry: deterministic and calibrated.

The seed is illustrative, not an official list. It is calibrated on one
published figure, so that the demo's tallies can be checked against it:
Quảng Trị had recognised 555 “Dân vận khéo” models by the end of 2023.

Rows are written as clerks wrote them on the registration date: a model
registered before 1 July 2025 names the old province, district and commune
("Quảng Trị", "Thành phố Đông Hà", "Phường 1"; "Quảng Bình", …), a later one the
current units (see `dandan.synthetic`). Models are placed in current communes,
and the old commune written is one the official mapping counts under it.

Today's Quảng Trị (since 1 July 2025) joined the old Quảng Trị and the old
Quảng Bình, and its communes kept codes of the old ones: those from the old
Quảng Trị have codes from 19333 (Phường Đông Hà) up, those from the old Quảng
Bình lie below. The published figures are about the old province, so:

* 1,204 models registered by 2023-12-31 lie in communes of the old Quảng Trị,
  555 of them recognised (decided) by 2023-12-31, none withdrawn;
* 150 models in communes of the old Quảng Bình are registered 2021–2023 but
  recognised, if at all, only from 2024, so "recognised by the end of 2023"
  is 555 under the old boundaries and the new ones alike (registered by the
  end of 2023 is 1,204 under the old, 1,354 under the new);
* 300 more Quảng Trị models are registered 2024–2026, anywhere in the province;
* ten other provinces get 60–200 models each, drawn at the generator's usual
  rates (every field, sponsor, holder type and level; a few withdrawn).

`check` recounts these figures from the rows' names, in the old boundaries
(`dandan tally --boundaries 2024`) and today's, and checks that every row dated
before the merger names old units that resolve to exactly one old commune (or
island district) and so to the current commune it was drawn in.

Run: python scripts/make_seed.py [OUTPUT]   (default data/seed_models.csv)
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if (ROOT / "src").is_dir() and str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

from dandan.errors import InvalidInput  # noqa: E402
from dandan.localities import (  # noqa: E402
    CURRENT_SCHEME,
    MERGER_DAY,
    gazetteer,
    legacy_gazetteer,
    reorganisation,
)
from dandan.synthetic import COLUMNS, Place, RowMaker  # noqa: E402
from dandan.terms import Field, Holder, Level, parse_term  # noqa: E402

SEED = 2024
OUTPUT = ROOT / "data" / "seed_models.csv"

QUANG_TRI = 44  # current code
OLD_QUANG_TRI, OLD_QUANG_BINH = 45, 44  # codes before 2025-07-01
#: Communes of today's Quảng Trị with codes from here up came from the old Quảng Trị.
OLD_QUANG_TRI_FROM = 19333
#: The same communes by name (from the 2025 merger lists), to check the code cut.
OLD_QUANG_TRI_COMMUNES = frozenset(
    {
        "Phường Đông Hà", "Phường Nam Đông Hà", "Phường Quảng Trị", "Xã Vĩnh Linh",
        "Xã Cửa Tùng", "Xã Vĩnh Hoàng", "Xã Vĩnh Thủy", "Xã Bến Quan", "Xã Cồn Tiên",
        "Xã Cửa Việt", "Xã Gio Linh", "Xã Bến Hải", "Xã Cam Lộ", "Xã Hiếu Giang",
        "Xã La Lay", "Xã Tà Rụt", "Xã Đakrông", "Xã Ba Lòng", "Xã Hướng Hiệp",
        "Xã Hướng Lập", "Xã Hướng Phùng", "Xã Khe Sanh", "Xã Tân Lập", "Xã Lao Bảo",
        "Xã Lìa", "Xã A Dơi", "Xã Triệu Phong", "Xã Ái Tử", "Xã Triệu Bình", "Xã Triệu Cơ",
        "Xã Nam Cửa Việt", "Xã Diên Sanh", "Xã Mỹ Thủy", "Xã Hải Lăng", "Xã Nam Hải Lăng",
        "Xã Vĩnh Định", "Đặc khu Cồn Cỏ",
    }
)  # fmt: skip

START = date(2021, 1, 1)
END_2023 = date(2023, 12, 31)
REGISTERED_BY_2023 = 1204  # in the old Quảng Trị
RECOGNISED_BY_2023 = 555  # the published figure
OLD_QUANG_BINH_MODELS = 150
QUANG_TRI_LATER = 300
#: Models per province (current codes): Hà Nội, Hồ Chí Minh, Đà Nẵng, Huế, Nghệ An,
#: Gia Lai, Cần Thơ, An Giang, Lào Cai, Hà Tĩnh.
OTHER_PROVINCES = {
    1: 200, 79: 180, 48: 130, 46: 120, 40: 110, 52: 90, 92: 80, 91: 70, 15: 60, 42: 60,
}  # fmt: skip
#: Share of the Quảng Trị models not recognised by 2023 that were recognised later.
RECOGNISED_LATER = 0.35


def old_quang_tri(maker: RowMaker) -> tuple[list[Place], list[Place]]:
    """Today's Quảng Trị communes split by origin: (old Quảng Trị, old Quảng Bình)."""
    places = maker.places(QUANG_TRI)
    old_qt = [p for p in places if p.commune.code >= OLD_QUANG_TRI_FROM]
    old_qb = [p for p in places if p.commune.code < OLD_QUANG_TRI_FROM]
    if {p.commune.name for p in old_qt} != OLD_QUANG_TRI_COMMUNES:
        raise SystemExit("the gazetteer's Quảng Trị communes no longer split at code 19333")
    # Rows dated before the merger name old units counted under the place: those
    # must lie in the same old province as the place's code says.
    for part, old in ((old_qt, OLD_QUANG_TRI), (old_qb, OLD_QUANG_BINH)):
        if any(o.province.code != old for p in part for o in p.olds):
            raise SystemExit(f"a Quảng Trị commune has old units outside old province {old}")
    return old_qt, old_qb


def seed_rows() -> list[dict[str, str]]:
    maker = RowMaker(seed=SEED)
    plan = Random(SEED)
    old_qt, old_qb = old_quang_tri(maker)
    rows: list[dict[str, str]] = []

    def model(place: Place, **constraints: Any) -> list[dict[str, str]]:
        made = maker.model(place, **constraints)
        if where(made[0])[2] != place.commune.code:
            raise SystemExit(f"{made[0]['code']} does not name {place.commune.name}: {made[0]}")
        return made

    # Old Quảng Trị, registered by 2023: exactly 555 recognised by the end of 2023.
    early = [True] * RECOGNISED_BY_2023 + [False] * (REGISTERED_BY_2023 - RECOGNISED_BY_2023)
    plan.shuffle(early)
    for recognised_early in early:
        place = old_qt[int(plan.random() * len(old_qt))]
        if recognised_early:
            rows += model(
                place,
                registered=(START, date(2023, 11, 30)),
                recognised=True,
                first_decided=(None, END_2023),
                withdrawn=False,
            )
        else:
            rows += _not_recognised_by_2023(model, plan, place)

    # Old Quảng Bình, registered 2021–2023, recognised (if at all) from 2024.
    for _ in range(OLD_QUANG_BINH_MODELS):
        rows += _not_recognised_by_2023(model, plan, old_qb[int(plan.random() * len(old_qb))])

    # Quảng Trị from 2024 on, anywhere in today's province, at the usual rates.
    everywhere = old_qt + old_qb
    for _ in range(QUANG_TRI_LATER):
        place = everywhere[int(plan.random() * len(everywhere))]
        rows += model(place, registered=(date(2024, 1, 1), None))

    for province, count in OTHER_PROVINCES.items():
        places = maker.places(province)
        for _ in range(count):
            rows += model(places[int(plan.random() * len(places))])

    rows.sort(key=lambda row: row["code"])  # stable: a model's rows stay in date order
    movement(rows)
    return rows


#: Areas of work a model of each field most often serves (Vietnamese, as clerks write).
AREAS_BY_FIELD = {
    Field.economy: ("giải phóng mặt bằng", "nông thôn mới", "chuyển đổi số", "dân tộc"),
    Field.culture_society: ("nông thôn mới", "công tác dân tộc", "tôn giáo", "chuyển đổi số"),
    Field.defence_security: ("công tác dân tộc", "công tác tôn giáo", "dân chủ ở cơ sở"),
    Field.party_building: ("dân chủ ở cơ sở", "dân vận chính quyền", "chuyển đổi số"),
}
#: The registration form's items, for a share of the models (what offices fill in).
FORM = {
    "objectives": (
        "Phát huy vai trò của Nhân dân trong xây dựng quê hương",
        "Nâng cao thu nhập, ổn định đời sống cho hội viên",
        "Giữ vững an ninh trật tự trên địa bàn",
    ),
    "method": (
        "Vận động từng hộ, họp dân công khai, làm trước để dân làm theo",
        "Tổ chức tổ hợp tác, chia sẻ kinh nghiệm, hỗ trợ vốn và giống",
    ),
    "target_group": (
        "Hộ dân trong thôn",
        "Hội viên phụ nữ",
        "Đoàn viên thanh niên",
        "Đồng bào dân tộc thiểu số",
    ),
    "expected_results": (
        "100% hộ tham gia",
        "Giảm hộ nghèo, tăng hộ khá",
        "Không có vụ việc phức tạp",
    ),
    "sustainability": ("Nhân rộng ra các thôn lân cận", "Đưa vào hương ước, quy ước của thôn"),
}


def movement(rows: list[dict[str, str]]) -> None:
    """What the movement records beside a model's registration, drawn per model from a
    generator of its own (seeded by its code), so that the draws of the rows, and the
    calibrated figures, stay as they were: about one in four an exemplar (more among
    individuals), most serving one or two areas of work, a third with the form's items."""
    by_code: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_code[row["code"]].append(row)
    for code, own in by_code.items():
        draw = Random(f"{SEED}/{code}")
        first = own[0]
        individual = parse_term(Holder, first["holder"]) is Holder.individual
        extra: dict[str, str] = {}
        if draw.random() < (0.6 if individual else 0.15):
            extra["kind"] = "Điển hình"
        choices = AREAS_BY_FIELD[parse_term(Field, first["field"])]
        served = [a for a in choices if draw.random() < 0.3]
        if served:
            extra["areas"] = "; ".join(served[:2])
        if draw.random() < 0.33:
            for item, texts in FORM.items():
                extra[item] = texts[int(draw.random() * len(texts))]
        for row in own:
            row.update(extra)
    _recorded_later(rows, by_code)


#: What yearly reviews found (reports: "2.071 đăng ký, trong đó 1.808 triển khai hiệu quả").
REVIEW_RESULTS = (("hiệu quả", 0.87), ("yếu", 0.09), ("dừng", 0.04))
#: Nothing recorded after the seed's last day.
LAST_DAY = date(2026, 11, 22)


def _recorded_later(rows: list[dict[str, str]], by_code: dict[str, list[dict[str, str]]]) -> None:
    """A model's life after its registration, drawn per model as `movement` draws: its
    2025 review (most reviewed, most of them effective), outstanding recognitions (about
    four in nine at province or central level: "123 công nhận → 55 tiêu biểu"), a
    commendation for one recognised model in five (a row of its own), and, among models
    registered from 2024, one in twenty copying an earlier model of its province."""
    earlier: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, own in sorted(by_code.items(), key=lambda item: item[1][0]["registered_on"]):
        first = own[0]
        draw = Random(f"{SEED}/later/{code}")
        registered = date.fromisoformat(first["registered_on"])
        prefix = code.split("-")[0]
        model: dict[str, str] = {}
        if not first["withdrawn_on"] and registered < date(2025, 7, 1) and draw.random() < 0.8:
            roll, result = draw.random(), REVIEW_RESULTS[-1][0]
            for name, share in REVIEW_RESULTS:
                if roll < share:
                    result = name
                    break
                roll -= share
            model.update(review_year="2025", review_result=result)
        sources = [c for on, c in earlier[prefix] if on < first["registered_on"]]
        if registered >= date(2024, 1, 1) and sources and draw.random() < 0.05:
            model["replicates"] = sources[int(draw.random() * len(sources))]
        earlier[prefix].append((first["registered_on"], code))
        for row in own:
            row.update(model)
            level = row["recognition_level"]
            if level and parse_term(Level, level) in (Level.province, Level.central):
                row["outstanding"] = "x" if draw.random() < 0.45 else ""
        decided = [r for r in own if r["decided_on"]]
        if decided and draw.random() < 0.2:
            recognised = decided[-1]
            on = date.fromisoformat(recognised["decided_on"]) + timedelta(
                days=30 + int(draw.random() * 90)
            )
            if on > LAST_DAY:
                continue
            high = parse_term(Level, recognised["recognition_level"]) in (
                Level.province, Level.central,
            )  # fmt: skip
            place = first["province"] if high else first["district"] or first["commune"]
            commended = {k: "" for k in first if k.startswith("recognition_")}
            commended.update(
                decision_no="", decided_on="", recognized_by="", outstanding="",
                commendation_year=str(on.year),
                commendation_award="Bằng khen" if high else "Giấy khen",
                commendation_by=f"UBND {place}" if high else f"Chủ tịch UBND {place}",
                commendation_decision=f"{100 + int(draw.random() * 2900)}/QĐ-UBND",
                commendation_decided_on=on.isoformat(),
            )  # fmt: skip
            rows.insert(rows.index(own[-1]) + 1, {**own[-1], **commended})


#: The contests' file, beside the models' (`make demo` imports both).
CONTESTS_NAME = "seed_contests.csv"
CONTEST_HEADERS = (
    "Tên hội thi", "Tỉnh", "Huyện", "Xã", "Cấp", "Ngày tổ chức", "Đơn vị tổ chức", "Số đội",
    "Số thí sinh",
)  # fmt: skip
#: A district's Party committee, by the district's type.
_DISTRICT_COMMITTEE = {
    "huyện": "Huyện ủy",
    "quận": "Quận ủy",
    "thị xã": "Thị ủy",
    "thành phố": "Thành ủy",
}


def seed_contests() -> list[tuple[str, ...]]:
    """Contests (hội thi "Dân vận khéo") in the seed's provinces, as offices list them:
    a provincial contest every other year in each old province, district contests before
    2025-07-01, commune contests after, and one contest per new province in 2026 (by the
    merged "Ban Tuyên giáo và Dân vận"). Nationally 971 by November 2024, about one for
    400 models: the demo has more, so that each level and year shows."""
    draw = Random(f"{SEED}/contests")
    current, old, mapping = gazetteer(), legacy_gazetteer(), reorganisation()
    rows: list[tuple[str, ...]] = []

    def day(year: int, first_month: int = 3, last_month: int = 11) -> str:
        month = first_month + int(draw.random() * (last_month - first_month + 1))
        return date(year, month, 1 + int(draw.random() * 28)).isoformat()

    def teams() -> tuple[str, str]:
        n = 6 + int(draw.random() * 15)
        return str(n), str(n * (3 + int(draw.random() * 3)))

    for code in (QUANG_TRI, *OTHER_PROVINCES):
        for old_code in mapping.legacy_provinces(code):
            province = old.provinces[old_code]
            for year in (2022, 2024):
                rows.append((
                    f"Hội thi “Dân vận khéo” {_spoken(province.full_name)} năm {year}",
                    province.name, "", "", "cấp tỉnh", day(year),
                    f"Ban Dân vận {_committee(province.division_type)} {province.name}", *teams(),
                ))  # fmt: skip
            districts = sorted(
                (
                    d
                    for d in old.districts.values()
                    if d.province_code == old_code and d.code not in mapping.island_districts
                ),
                key=lambda d: d.code,
            )
            for year in (2021, 2022, 2023, 2024):
                for _ in range(2 if code == QUANG_TRI else 1):
                    if draw.random() < 0.5:
                        continue
                    district = districts[int(draw.random() * len(districts))]
                    kind = district.division_type.lower()
                    bare = district.name[len(kind) + 1 :]
                    committee = _DISTRICT_COMMITTEE.get(kind, "Huyện ủy")
                    rows.append((
                        f"Hội thi “Dân vận khéo” {district.name} năm {year}", province.name,
                        district.name, "", "cấp huyện", day(year, last_month=12),
                        f"Ban Dân vận {committee} {bare}", *teams(),
                    ))  # fmt: skip
        province = current.provinces[code]
        communes = sorted(
            (c for c in current.communes.values() if c.province_code == code), key=lambda c: c.code
        )
        for _ in range(4 if code == QUANG_TRI else 1):
            commune = communes[int(draw.random() * len(communes))]
            year = 2025 if draw.random() < 0.5 else 2026
            rows.append((
                f"Hội thi “Dân vận khéo” {commune.name}", province.name, "", commune.name,
                "cấp xã", day(year, 8 if year == 2025 else 3, 10), f"Đảng ủy {commune.name}",
                *teams(),
            ))  # fmt: skip
        rows.append((
            f"Hội thi “Dân vận khéo” {_spoken(province.full_name)} năm 2026", province.name, "",
            "", "cấp tỉnh", day(2026, 3, 10),
            f"Ban Tuyên giáo và Dân vận {_committee(province.division_type)} {province.name}",
            *teams(),
        ))  # fmt: skip
    rows.sort(key=lambda row: (row[5], row[0]))
    return rows


def _committee(division_type: str) -> str:
    """A province's Party committee: a city's is the Thành ủy."""
    return "Thành ủy" if division_type.lower().startswith("thành phố") else "Tỉnh ủy"


def _spoken(full_name: str) -> str:
    """A unit's name inside a sentence: "tỉnh Quảng Trị", "thành phố Hà Nội"."""
    return full_name[:1].lower() + full_name[1:]


def _not_recognised_by_2023(
    model: Callable[..., list[dict[str, str]]], plan: Random, place: Place
) -> list[dict[str, str]]:
    return model(
        place,
        registered=(START, END_2023),
        recognised=plan.random() < RECOGNISED_LATER,
        first_decided=(date(2024, 1, 1), None),
        withdrawn=False,
    )


def where(row: dict[str, str]) -> tuple[int | None, int, int | None]:
    """(old province, current province, current commune) that a row's names mean.

    Read with the gazetteers and the official mapping alone, not with dandan's
    import: a row naming a district is in the old units (its commune counted under
    the current commune the mapping sends it to, the island districts under their
    special zones); any other in the current units, whose old province is known
    only where the current commune lay wholly in one. A name that does not pick
    out exactly one unit raises InvalidInput, and so does an old district with
    communes named without one (the seed always names the commune).
    """
    now, moves = gazetteer(), reorganisation()
    if row["district"]:
        old = legacy_gazetteer()
        p = old.province(row["province"])
        d = old.district(row["district"], p)
        if row["commune"]:
            commune = moves.commune(old.commune(row["commune"], p, d).code)
        elif d.code in moves.island_districts:  # no communes: now a special zone
            commune = moves.island_districts[d.code]
        else:
            raise InvalidInput(f"no commune in {d.name}", field="commune")
        return p.code, now.communes[commune].province_code, commune
    q = now.province(row["province"])
    c = now.commune(row["commune"], q) if row["commune"] else None
    return moves.origin(q.code, c.code if c else None).province, q.code, c.code if c else None


def check(rows: list[dict[str, str]]) -> tuple[int, ...]:
    """Recount the calibration from the rows; refuse to write a seed that misses it.

    Counted as `dandan tally --province --by-end-of 2023` counts, with and without
    `--boundaries 2024`: models registered by 2023-12-31 and not withdrawn by then,
    and of those the ones with a recognition decided by then. Also refuses a row
    dated before the merger that does not name old units (only a current commune no
    old unit is counted under may be written with its current name, and the row must
    say so), or a later row that does.
    """
    end = END_2023.isoformat()
    merger = MERGER_DAY.isoformat()
    moves = reorganisation()
    # Current communes some old unit is counted under: rows there name old units.
    counted_under = {moves.commune(code) for code in moves.communes}
    counted_under |= set(moves.island_districts.values())
    registered: dict[tuple[str, int], set[str]] = defaultdict(set)
    recognised: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in rows:
        try:
            old_province, province, commune = where(row)
        except InvalidInput as exc:
            raise SystemExit(f"{row['code']}: {exc}: {row}") from None
        if row["registered_on"] < merger:
            if not row["district"] and (
                row["locality_scheme"] != CURRENT_SCHEME or commune in counted_under
            ):
                raise SystemExit(f"{row['code']} is dated before the merger: {row}")
        elif row["district"] or row["locality_scheme"]:
            raise SystemExit(f"{row['code']} is dated after the merger: {row}")
        if row["registered_on"] > end or (row["withdrawn_on"] and row["withdrawn_on"] <= end):
            continue
        decided = row["decided_on"] or (
            f"{row['recognition_year']}-12-31" if row["recognition_year"] else ""
        )
        groups = [("2025", province)]
        if old_province is not None:  # else "not assignable" in old boundaries
            groups.append(("2024", old_province))
        for group in groups:
            registered[group].add(row["code"])
            if decided and decided <= end:
                recognised[group].add(row["code"])
    counts = tuple(
        len(counted[group])
        for group in (("2024", OLD_QUANG_TRI), ("2024", OLD_QUANG_BINH), ("2025", QUANG_TRI))
        for counted in (registered, recognised)
    )
    expected = (
        REGISTERED_BY_2023,
        RECOGNISED_BY_2023,
        OLD_QUANG_BINH_MODELS,
        0,
        REGISTERED_BY_2023 + OLD_QUANG_BINH_MODELS,
        RECOGNISED_BY_2023,
    )
    if counts != expected:
        raise SystemExit(f"calibration missed: {counts} instead of {expected}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT)
    args = parser.parse_args()
    rows = seed_rows()
    qt_reg, qt_rec, qb_reg, qb_rec, reg_now, rec_now = check(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    contests = seed_contests()
    with (args.output.parent / CONTESTS_NAME).open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(CONTEST_HEADERS)
        out.writerows(contests)
    models = len({row["code"] for row in rows})
    print(
        f"wrote {args.output}: {len(rows)} rows, {models} models; by 2023-12-31, registered "
        f"and recognised: old Quảng Trị {qt_reg} and {qt_rec}, old Quảng Bình {qb_reg} and "
        f"{qb_rec}, today's Quảng Trị {reg_now} and {rec_now}; {len(contests)} contests",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
