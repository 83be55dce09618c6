"""Write data/seed_models.csv, the demo registry: deterministic and calibrated.

The seed is illustrative, not an official list. It is calibrated on one
published figure, so that the demo's tallies can be checked against it:
Quảng Trị had recognised 555 “Dân vận khéo” models by the end of 2023.

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

Run: python scripts/make_seed.py [OUTPUT]   (default data/seed_models.csv)
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
if (ROOT / "src").is_dir() and str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

from dandan.synthetic import COLUMNS, Place, RowMaker  # noqa: E402

SEED = 2024
OUTPUT = ROOT / "data" / "seed_models.csv"

QUANG_TRI = 44
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
    return old_qt, old_qb


def seed_rows() -> list[dict[str, str]]:
    maker = RowMaker(seed=SEED)
    plan = Random(SEED)
    old_qt, old_qb = old_quang_tri(maker)
    rows: list[dict[str, str]] = []

    # Old Quảng Trị, registered by 2023: exactly 555 recognised by the end of 2023.
    early = [True] * RECOGNISED_BY_2023 + [False] * (REGISTERED_BY_2023 - RECOGNISED_BY_2023)
    plan.shuffle(early)
    for recognised_early in early:
        place = old_qt[int(plan.random() * len(old_qt))]
        if recognised_early:
            rows += maker.model(
                place,
                registered=(START, date(2023, 11, 30)),
                recognised=True,
                first_decided=(None, END_2023),
                withdrawn=False,
            )
        else:
            rows += _not_recognised_by_2023(maker, plan, place)

    # Old Quảng Bình, registered 2021–2023, recognised (if at all) from 2024.
    for _ in range(OLD_QUANG_BINH_MODELS):
        rows += _not_recognised_by_2023(maker, plan, old_qb[int(plan.random() * len(old_qb))])

    # Quảng Trị from 2024 on, anywhere in today's province, at the usual rates.
    everywhere = old_qt + old_qb
    for _ in range(QUANG_TRI_LATER):
        place = everywhere[int(plan.random() * len(everywhere))]
        rows += maker.model(place, registered=(date(2024, 1, 1), None))

    for province, count in OTHER_PROVINCES.items():
        places = maker.places(province)
        for _ in range(count):
            rows += maker.model(places[int(plan.random() * len(places))])

    rows.sort(key=lambda row: row["code"])  # stable: a model's rows stay in date order
    return rows


def _not_recognised_by_2023(maker: RowMaker, plan: Random, place: Place) -> list[dict[str, str]]:
    return maker.model(
        place,
        registered=(START, END_2023),
        recognised=plan.random() < RECOGNISED_LATER,
        first_decided=(date(2024, 1, 1), None),
        withdrawn=False,
    )


def check(rows: list[dict[str, str]]) -> tuple[int, int, int, int]:
    """Recount the calibration from the rows; refuse to write a seed that misses it."""
    old_names = {p.commune.name for p in old_quang_tri(RowMaker(seed=SEED))[0]}
    registered: dict[str, set[str]] = {"old": set(), "new": set()}
    recognised: dict[str, set[str]] = {"old": set(), "new": set()}
    for row in rows:
        if row["code"][:3] != "QTR" or row["registered_on"] > END_2023.isoformat():
            continue
        scopes = ("old", "new") if row["commune"] in old_names else ("new",)
        for scope in scopes:
            registered[scope].add(row["code"])
            if row["decided_on"] and row["decided_on"] <= END_2023.isoformat():
                recognised[scope].add(row["code"])
    counts = (
        len(registered["old"]),
        len(recognised["old"]),
        len(registered["new"]),
        len(recognised["new"]),
    )
    expected = (
        REGISTERED_BY_2023,
        RECOGNISED_BY_2023,
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
    reg_old, rec_old, reg_new, rec_new = check(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    models = len({row["code"] for row in rows})
    print(
        f"wrote {args.output}: {len(rows)} rows, {models} models; Quảng Trị by 2023-12-31: "
        f"{reg_old} registered and {rec_old} recognised in the old province, "
        f"{reg_new} and {rec_new} in today's",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
