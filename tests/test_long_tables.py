"""Tables longer than `LONG_TABLE` rows are drawn as plain aligned columns (Rich's
layout took three seconds for the 3,321 communes): the same cells, headers and total,
aligned by their width on screen, every value made visible."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from dandan.importing import import_files
from dandan.registry import Registry
from dandan.rendering import LONG_TABLE, Column, Format, Table, render
from dandan.synthetic import COLUMNS, generate_rows
from tests.conftest import Run

COUNTS = [Column("name", "Name"), Column("count", "Count", numeric=True)]


def _table(rows: list[dict[str, object]], **extra: object) -> str:
    out = io.StringIO()
    render(Table(COUNTS, rows, **extra), Format.table, out=out)  # type: ignore[arg-type]
    return out.getvalue()


def _rows(n: int) -> list[dict[str, object]]:
    return [{"name": f"Xã số {i}", "count": i * 1000} for i in range(1, n + 1)]


def test_a_table_up_to_the_limit_is_drawn_by_rich() -> None:
    assert "┃" in _table(_rows(LONG_TABLE))


def test_a_longer_table_is_aligned_text_with_its_total() -> None:
    lines = _table(
        _rows(LONG_TABLE + 1), total={"count": 5_151_000}, title="By commune"
    ).splitlines()
    assert lines[0] == "By commune"
    assert lines[1].split() == ["Name", "Count"]
    assert set(lines[2]) == {"─", " "}
    # Columns 9 and 9 wide ("Xã số 101", "5,151,000"), two spaces apart.
    assert lines[3] == "Xã số 1" + " " * 8 + "1,000"
    assert lines[103] == "Xã số 101" + " " * 4 + "101,000"
    assert lines[104] == lines[2] == "─" * 9 + "  " + "─" * 9
    assert lines[105] == "Total" + " " * 6 + "5,151,000"
    # Numbers end where their header ends.
    assert {len(line) for line in lines[1:104] if line != lines[2]} == {len(lines[1])}
    assert len(lines) == 106


def test_wide_characters_are_aligned_by_their_width_on_screen() -> None:
    rows = [*_rows(LONG_TABLE), {"name": "東京", "count": 7}]
    lines = _table(rows).splitlines()
    assert lines[-1] == "東京" + " " * 13 + "7"  # 東京 takes four of the name's nine columns
    assert len(lines[-2]) == len(lines[-1]) + 2


def test_hostile_values_are_shown_not_obeyed() -> None:
    rows = [*_rows(LONG_TABLE), {"name": "\x1b[31mđỏ\x1b]8;;http://x\x07", "count": 1}]
    text = _table(rows)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31mđỏ" in text


def test_tally_by_commune_shows_what_json_says(run: Run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(generate_rows(400))
    assert import_files(Registry(str(db)), [str(path)]).committed
    data = json.loads(run("tally", "--commune", "--format", "json").stdout)
    assert len(data["rows"]) > LONG_TABLE
    lines = run("tally", "--commune").stdout.splitlines()
    shown = [re.split(r"\s{2,}", line.strip()) for line in lines[3 : 3 + len(data["rows"])]]
    assert [(r[0], r[-2], r[-1]) for r in shown] == [
        (r["commune"], f"{r['registered']:,}", f"{r['recognized']:,}") for r in data["rows"]
    ]
    assert re.split(r"\s{2,}", lines[-1]) == [
        "Total",
        f"{data['total']['registered']:,}",
        f"{data['total']['recognized']:,}",
    ]
