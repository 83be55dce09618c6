"""Which index each tally reads, as SQLite's planner reports it (EXPLAIN QUERY PLAN).

A tally without a filter names the covering index of its groups, so statistics from
a later ANALYZE cannot send it through a plain index and the table (one did: 0.82 s
at 408,000 models, 11.5 s at 4,080,000). Checked with the statistics an import
leaves, and with those of a national registry.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.dialects import sqlite

from dandan.database import add_collation
from dandan.filters import ModelFilter
from dandan.importing import ImportOptions, import_files
from dandan.registry import Registry
from dandan.synthetic import generate_rows
from dandan.tallies import Boundaries, Dimension, TallyQuery, Window, statements

pytestmark = pytest.mark.sqlite_only

ROWS = 3000


#: The statistics `dandan import` left on a registry of 408,000 synthetic models
#: (sampled: `PRAGMA analysis_limit`; taken before ix_models_commune led with the
#: commune), with which SQLite read every model to find recognitions.
NATIONAL = [
    ("recognitions", "ix_recognitions_year", "112475 1001"),
    ("recognitions", "ix_recognitions_model_id", "225128 1"),
    ("models", "ix_models_legacy", "489900 501 501 501 2 2 2"),
    ("models", "ix_models_holder", "415548 1001 67 29 3"),
    ("models", "ix_models_sponsor", "508544 1001 12 10 2"),
    ("models", "ix_models_field", "364408 1001 45 24 3"),
    ("models", "ix_models_commune", "461006 1001 112 1 1 1"),
    ("models", "ix_models_tally", "222784 1001 5 5 2 1 1 1 1"),
    ("models", "ix_models_registered_on", "429590 167 42 3"),
    ("models", "sqlite_autoindex_models_1", "443034 1"),
]


@pytest.fixture(scope="module", params=["as imported", "national"])
def registry_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry of synthetic models, analysed by the import that made it; or with
    the statistics of a national one."""
    folder = tmp_path_factory.mktemp("plans")
    source = folder / "rows.csv"
    rows = list(generate_rows(ROWS, seed=7))
    with source.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    db = folder / "registry.db"
    options = ImportOptions(today=date(2026, 11, 22))
    assert import_files(Registry(str(db)), [str(source)], options).committed
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    if request.param == "national":
        conn.execute("DELETE FROM sqlite_stat1")
        conn.executemany("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", NATIONAL)
        conn.commit()
    conn.close()
    return str(db)


def _plans(db: str, query: TallyQuery) -> Iterator[tuple[str, str]]:
    """Each statement of the tally, with its plan in one line."""
    conn = sqlite3.connect(db)
    try:
        for statement in statements(query):
            sql = str(
                statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
            )
            plan = " ; ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            yield sql, plan
    finally:
        conn.close()


CURRENT, LEGACY = Boundaries.current, Boundaries.legacy
WHOLE, BY_2023, IN_2024 = Window(), Window.parse(by_end_of=2023), Window.parse(year=2024)


@pytest.mark.parametrize(
    ("by", "boundaries", "window", "index", "ordered"),
    [
        ((), CURRENT, BY_2023, "ix_models_registered_on", True),
        (("province",), CURRENT, BY_2023, "ix_models_tally", True),
        (("province",), CURRENT, WHOLE, "ix_models_tally", True),
        (("commune",), CURRENT, BY_2023, "ix_models_commune", True),
        (("commune",), CURRENT, IN_2024, "ix_models_commune", True),
        (("field",), CURRENT, BY_2023, "ix_models_field", True),
        (("sponsor",), CURRENT, WHOLE, "ix_models_sponsor", True),
        (("holder",), CURRENT, BY_2023, "ix_models_holder", True),
        (("kind",), CURRENT, BY_2023, "ix_models_kind", True),
        (("kind",), CURRENT, IN_2024, "ix_models_kind", True),
        (("province", "kind"), CURRENT, BY_2023, "ix_models_tally", False),
        (("year",), CURRENT, WHOLE, "ix_models_registered_on", True),
        (("province", "year"), CURRENT, BY_2023, "ix_models_tally", True),
        (("year", "field"), CURRENT, WHOLE, "ix_models_field", True),
        (("commune", "year"), CURRENT, IN_2024, "ix_models_commune", True),
        (("province", "field"), CURRENT, BY_2023, "ix_models_tally", False),
        (("field", "sponsor"), CURRENT, IN_2024, "ix_models_tally", False),
        (("province",), LEGACY, BY_2023, "ix_models_legacy", True),
        (("district",), LEGACY, BY_2023, "ix_models_legacy", True),
        (("commune",), LEGACY, WHOLE, "ix_models_legacy", True),
    ],
)
def test_a_tally_reads_the_covering_index_of_its_groups(
    registry_db: str,
    by: tuple[str, ...],
    boundaries: Boundaries,
    window: Window,
    index: str,
    ordered: bool,
) -> None:
    """Each count over `models` reads one covering index; where it leads with the
    groups' columns (by year: with the registration date), in the groups' order,
    without sorting."""
    query = TallyQuery(by=tuple(Dimension(d) for d in by), window=window, boundaries=boundaries)
    plans = [plan for sql, plan in _plans(registry_db, query) if "recognitions" not in sql]
    assert plans
    for plan in plans:
        steps = plan.split(" ; ")
        reads = [i for i, step in enumerate(steps) if re.search(r"\bmodels\b", step)]
        assert len(reads) == 1, plan
        (read,) = reads
        assert re.match(f"(SCAN|SEARCH) models USING COVERING INDEX {index}\\b", steps[read]), plan
        sorted_after = steps[read + 1 : read + 2] == ["USE TEMP B-TREE FOR GROUP BY"]
        assert sorted_after is not ordered, plan


@pytest.mark.parametrize(
    ("by", "window"),
    [
        (("year",), WHOLE),
        (("level",), BY_2023),
        (("province", "year"), WHOLE),
        (("province",), IN_2024),
        (("commune",), IN_2024),
    ],
)
def test_recognitions_are_read_first_and_each_model_by_its_id(
    registry_db: str, by: tuple[str, ...], window: Window
) -> None:
    """Scanning every model for its recognitions took 1.5 s at 408,000 models; reading
    the recognitions, and each model by id, 0.35 s."""
    query = TallyQuery(by=tuple(Dimension(d) for d in by), window=window)
    of_recognitions = [plan for sql, plan in _plans(registry_db, query) if "recognitions" in sql]
    assert of_recognitions
    for plan in of_recognitions:
        assert "SEARCH models USING INTEGER PRIMARY KEY" in plan, plan
        assert "SCAN models" not in plan, plan


@pytest.mark.parametrize(
    "where",
    [
        ModelFilter(provinces=(44,)),
        ModelFilter(statuses=("withdrawn",)),
        ModelFilter(levels=("province",)),
        ModelFilter(search="kinh te"),
    ],
    ids=["place", "status", "level", "search"],
)
def test_a_filtered_tally_leaves_the_index_to_the_planner(
    registry_db: str, where: ModelFilter
) -> None:
    """A filter's column may have a better index than the groups' (a province's models
    are found by ix_models_tally, whatever the grouping), or none in the groups' index:
    `stats` counted withdrawn models through ix_models_registered_on and the table,
    1.1 s at 408,000 models instead of 0.15 s."""
    query = TallyQuery(by=(Dimension.year,), window=BY_2023, where=where)
    for sql, _plan in _plans(registry_db, query):
        assert "INDEXED BY" not in sql
        assert "CROSS JOIN" not in sql


def test_the_models_of_a_commune_are_found_by_its_index(registry_db: str) -> None:
    """`--in` a commune (a tally's filter, or `list`'s) reads ix_models_commune, which
    leads with the commune's code, rather than every model."""
    with sqlite3.connect(registry_db) as conn:
        (commune,) = conn.execute("SELECT commune_code FROM models LIMIT 1").fetchone()
    query = TallyQuery(
        by=(Dimension.field,), window=BY_2023, where=ModelFilter(communes=(commune,))
    )
    for _sql, plan in _plans(registry_db, query):
        assert "INDEX ix_models_commune (commune_code=?)" in plan, plan


def test_the_first_names_in_order_are_read_from_the_name_index(registry_db: str) -> None:
    """`list --sort name --limit 50` walks ix_models_name_order (the start of each
    name's sort key) and sorts only names that share it, rather than comparing every
    name with the `vi` collation (410,789 calls for 50 names of 408,000)."""
    registry = Registry(registry_db)
    asked: list[tuple[str, Any]] = []
    event.listen(
        registry.engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, parameters, *_: asked.append((statement, parameters)),
    )
    listed = registry.list_models(sort="name", limit=50)
    assert len(listed) == 50
    statement, parameters = next((s, p) for s, p in asked if "ORDER BY" in s)
    conn = sqlite3.connect(registry_db)
    add_collation(conn)
    plan = " ; ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters))
    conn.close()
    assert plan.startswith("SCAN models USING INDEX ix_models_name_order"), plan
    assert "RIGHT PART OF ORDER BY" in plan, plan
