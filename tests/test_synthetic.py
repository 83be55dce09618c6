"""`dandan.synthetic` and the demo seed: places written in the units of their date.

A row dated before 2025-07-01 names the old province, district and commune, and
must still mean the current commune the generator drew, since the brute-force
tallies and the seed's calibration are computed from the drawn places. These
tests read the rows back with the gazetteers and the official mapping
(`tests.generated.current_place`), not with the importer.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from dandan.localities import MERGER_DAY, legacy_gazetteer, reorganisation
from dandan.synthetic import COLUMNS, RowMaker, generate_rows
from tests.conftest import Run
from tests.generated import current_place

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed_models.csv"
#: Quảng Trị, and the provinces of the island special zones and of Phường Yên Sở.
PLACES_ON_THE_EDGE = (44, 1, 31, 48, 51, 79)
BEFORE = (None, date(2025, 6, 30))
AFTER = (MERGER_DAY, None)


def test_every_row_has_every_column() -> None:
    assert {"district", "locality_scheme"} <= set(COLUMNS)
    for row in generate_rows(300, seed=5):
        assert set(row) == set(COLUMNS)


def test_rows_name_the_units_of_their_date_and_mean_the_drawn_commune() -> None:
    """Every current commune, written once before the merger and once after."""
    maker = RowMaker(seed=11)
    written = Counter[str]()
    for province in PLACES_ON_THE_EDGE:
        for place in maker.places(province):
            (before,) = maker.model(place, registered=BEFORE, recognised=False)
            (after,) = maker.model(place, registered=AFTER, recognised=False)
            assert current_place(before)[1] == place.commune, before
            assert current_place(after)[1] == place.commune, after
            assert (after["district"], after["locality_scheme"]) == ("", "")
            if before["district"]:
                assert before["locality_scheme"] == ""
                (old,) = legacy_gazetteer().find_provinces(before["province"])
                assert old.code in {o.province.code for o in place.olds}
                written["old commune" if before["commune"] else "island district"] += 1
            else:  # no old unit is counted under it: current names, and it says so
                assert not place.olds and before["locality_scheme"] == "2025"
                written["current"] += 1
    assert written["island district"] == 5  # Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo
    assert written["current"] == 1  # Phường Yên Sở, Hà Nội
    assert sum(written.values()) == sum(len(maker.places(p)) for p in PLACES_ON_THE_EDGE)


def test_old_communes_are_drawn_among_all_counted_under_the_place() -> None:
    moves = reorganisation()
    place = next(p for p in RowMaker().places(44) if p.commune.name == "Phường Đông Hà")
    assert {o.commune.code for o in place.olds if o.commune} == {
        code for code in moves.communes if moves.commune(code) == place.commune.code
    }
    maker = RowMaker(seed=3)
    rows = [maker.model(place, registered=BEFORE, recognised=False)[0] for _ in range(200)]
    assert len({row["commune"] for row in rows}) == len(place.olds)
    # "Phường 1" is also a ward of Thị xã Quảng Trị: the district tells them apart.
    assert {row["district"] for row in rows} == {"Thành phố Đông Hà", "TP. Đông Hà"}
    assert len(legacy_gazetteer().find_communes("Phường 1", legacy_gazetteer().provinces[45])) == 2


def test_old_units_are_drawn_apart_from_the_models() -> None:
    """The old commune and the district's spelling come from a stream of their own, so
    writing old names left the models of a seed (codes, dates, terms, decisions and
    current places) as they were: the seed's figures did not move."""
    models = ("code", "registered_on", "withdrawn_on", "field", "sponsor", "holder")
    decisions = ("recognition_year", "recognition_level", "decision_no", "decided_on")

    def drawn(maker: RowMaker) -> list[tuple[object, ...]]:
        rows = [row for _ in range(400) for row in maker.model()]
        return [(*(r[k] for k in models + decisions), current_place(r)) for r in rows]

    with_old, without = RowMaker(seed=8), RowMaker(seed=8)
    without._places = tuple(dataclasses.replace(p, olds=()) for p in without._places)
    assert drawn(with_old) == drawn(without)


def test_the_seed_file_is_what_the_script_writes(tmp_path: Path) -> None:
    """The script recounts its calibration (old and current boundaries) before writing."""
    out = tmp_path / "seed.csv"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_seed.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "old Quảng Trị 1204 and 555, old Quảng Bình 150 and 0" in done.stderr
    assert out.read_bytes() == SEED.read_bytes()
    contests = SEED.parent / "seed_contests.csv"
    assert (tmp_path / "seed_contests.csv").read_bytes() == contests.read_bytes()


def test_the_seed_shows_what_the_movement_records(run: Run, tmp_path: Path) -> None:
    """`make demo` has exemplars beside models, areas of work and contests at every
    level, in the proportions reports give (about one exemplar to three models)."""
    assert run("import", str(SEED)).exit_code == 0
    assert run("contest", "import", str(SEED.parent / "seed_contests.csv")).exit_code == 0
    kinds = json.loads(run("tally", "--by", "kind", "--format", "json").stdout)["rows"]
    counted = {row["kind"]: row["registered"] for row in kinds}
    assert 0.2 < counted["exemplar"] / (counted["model"] + counted["exemplar"]) < 0.35
    areas = json.loads(run("tally", "--by", "area", "--format", "json").stdout)["rows"]
    assert {row["area"] for row in areas} >= {"land_clearance", "ethnic_affairs", "none"}
    levels = json.loads(run("contest", "tally", "--by", "level", "--format", "json").stdout)
    assert {row["level"] for row in levels["rows"]} == {"commune", "district", "province"}


@pytest.mark.parametrize(
    ("boundaries", "want"),
    [
        ("current", {"Quảng Trị": (1354, 555)}),
        ("2024", {"Quảng Trị": (1204, 555), "Quảng Bình": (150, 0)}),
    ],
)
def test_the_seed_imports_whole_and_gives_the_figures_in_both_boundaries(
    run: Run, boundaries: str, want: dict[str, tuple[int, int]]
) -> None:
    result = run("import", str(SEED))
    assert result.exit_code == 0, result.stderr
    assert "3,197 inserted" in result.stdout + result.stderr
    out = run(
        "tally", "--province", "--by-end-of", "2023", "--boundaries", boundaries,
        "--format", "json",
    )  # fmt: skip
    assert out.exit_code == 0, out.stderr
    rows = {
        r["province"]: (r["registered"], r["recognized"]) for r in json.loads(out.stdout)["rows"]
    }
    assert {name: rows[name] for name in want} == want
    assert "not assignable" not in rows  # every record's old province is known
