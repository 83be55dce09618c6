"""`list` of a national registry streams: models are read a few hundred at a time and
CSV and JSON rows are written as they come, byte for byte what the whole list gives."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from dandan.importing import import_files
from dandan.registry import Registry
from dandan.rendering import Column, Format, Table, render
from tests.conftest import Run

scalars = st.one_of(st.none(), st.integers(), st.text(), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
rows = st.lists(
    st.fixed_dictionaries({"code": st.text(), "count": st.integers()}, optional={"more": values}),
    max_size=5,
)


def _rendered(table: Table, fmt: Format) -> str:
    out = io.StringIO()
    render(table, fmt, out=out)
    return out.getvalue()


COLUMNS = [Column("code", "Code"), Column("count", "Count", numeric=True)]


@given(rows)
def test_json_of_rows_as_they_come_is_that_of_the_list(found: list[dict[str, Any]]) -> None:
    whole = _rendered(Table(COLUMNS, found), Format.json)
    assert _rendered(Table(COLUMNS, iter(found)), Format.json) == whole
    assert json.loads(whole) == found


@given(rows)
def test_csv_of_rows_as_they_come_is_that_of_the_list(found: list[dict[str, Any]]) -> None:
    assert _rendered(Table(COLUMNS, iter(found)), Format.csv) == _rendered(
        Table(COLUMNS, found), Format.csv
    )


def _many(db: Path, tmp_path: Path, count: int = 1500) -> Registry:
    """A registry of `count` models, the odd ones recognised."""
    path = tmp_path / "many.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "name", "province", "commune", "field", "sponsor",
                      "registered_on", "recognition_year", "recognition_level"])  # fmt: skip
        for i in range(1, count + 1):
            year, level = ("2024", "xã") if i % 2 else ("", "")
            out.writerow([f"QTR-2024-{i:05d}", f"Mô hình {i}", "Quảng Trị", "Đông Hà",
                          "kinh tế", "phụ nữ", "2024-03-01", year, level])  # fmt: skip
    registry = Registry(str(db))
    assert import_files(registry, [str(path)]).committed
    return registry


@pytest.mark.sqlite_only
def test_list_of_more_models_than_one_statement_may_bind(db: Path, tmp_path: Path) -> None:
    """`list` of a national registry failed with "too many SQL variables": every id was
    bound into one statement. Here the connection binds 999 values at most (SQLite's
    limit when built with older defaults), and 1,500 models (half of them recognised)
    are listed, each with its own recognitions."""
    registry = _many(db, tmp_path)
    engine = registry.engine
    event.listen(
        engine,
        "connect",
        lambda conn, _record: conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999),
    )
    engine.dispose()  # connections made from now on bind 999 values at most
    models = registry.list_models(sort="code")
    assert len(models) == 1500
    assert [m.code for m in models[:2]] == ["QTR-2024-00001", "QTR-2024-00002"]
    assert [len(m.recognitions) for m in models[:4]] == [1, 0, 1, 0]
    assert [r.year for r in models[1498].recognitions] == [2024]


def test_models_are_read_as_they_are_listed(db: Path, tmp_path: Path) -> None:
    """The first model comes after the recognitions of the first few hundred are read,
    not of all of them: what is listed is not held in memory all at once."""
    registry = _many(db, tmp_path)
    asked: list[str] = []
    event.listen(
        registry.engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_: asked.append(statement),
    )
    models = registry.iter_models(sort="code")
    first = next(models)
    assert first.code == "QTR-2024-00001" and len(first.recognitions) == 1
    of_recognitions = [s for s in asked if "FROM recognitions" in s]
    assert len(of_recognitions) == 1
    assert [m.code for m in models][-1] == "QTR-2024-01500"
    assert len([s for s in asked if "FROM recognitions" in s]) == 2


def test_list_writes_what_it_reads(run: Run, db: Path, tmp_path: Path) -> None:
    _many(db, tmp_path)
    listed = json.loads(run("list", "--sort", "code", "--format", "json").stdout)
    assert len(listed) == 1500
    assert [(m["code"], m["recognized"]) for m in listed[:2]] == [
        ("QTR-2024-00001", 1), ("QTR-2024-00002", 0),
    ]  # fmt: skip
    lines = run("list", "--sort", "code", "--format", "csv").stdout.splitlines()
    assert len(lines) == 1501 and lines[1].startswith("QTR-2024-00001,Mô hình 1,")
