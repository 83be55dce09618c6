"""`dandan stats`: totals, the trend by year and the latest batch, against brute force."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dandan.cli import app
from dandan.registry import ModelFilter, Registry
from dandan.tallies import summarize
from tests.conftest import Run
from tests.generated import Mod, expected, generate, write_csv

MODELS = generate(300, seed=5)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stats")
    db = folder / "registry.db"
    result = CliRunner().invoke(
        app, ["--db", str(db), "import", str(write_csv(folder / "rows.csv", MODELS))]
    )
    assert result.exit_code == 0, result.stderr
    return db


def stats_json(db: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["--db", str(db), "stats", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _brute(models: list[Mod]) -> dict[str, Any]:
    active = [m for m in models if m.withdrawn_on is None]
    by_year = expected(models, ["year"]).rows
    per_year = expected(models, ["year"], recognitions=True).rows
    years = sorted(set(by_year) | set(per_year))
    # The latest decision date; undated recognitions only when no decision is dated.
    latest = max(
        (r.decided_on for m in active for r in m.recognitions if r.decided_on), default=None
    )
    batch: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for m in active:
        for i, r in enumerate(m.recognitions):
            if r.decided_on is not None and r.decided_on == latest:
                batch[(r.decided_on, r.year, f"{i + 1}/QĐ-UBND", r.level)].add(m.code)
    return {
        "registered": len(active),
        "recognized": sum(1 for m in active if m.recognitions),
        "recognitions": sum(len(m.recognitions) for m in active),
        "withdrawn": sum(1 for m in models if m.withdrawn_on is not None),
        "provinces": len({m.province for m in active}),
        "first_registered_on": min(m.registered_on for m in active).isoformat(),
        "last_registered_on": max(m.registered_on for m in active).isoformat(),
        "by_year": [
            {
                "year": y[0],
                "registered": by_year.get(y, {}).get("registered", 0),
                "recognized": by_year.get(y, {}).get("recognized", 0),
                "recognitions": per_year.get(y, {}).get("recognitions", 0),
            }
            for y in years
        ],
        "latest_on": latest.isoformat() if latest else None,
        "latest_decisions": sorted(
            (on.isoformat() if on else None, year, decision, level, len(codes))
            for (on, year, decision, level), codes in batch.items()
        ),
    }


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("latest_import")
    batch = data.pop("latest_decisions")
    assert data.pop("latest_decisions_count") == len(batch)  # none left out here
    data["latest_decisions"] = sorted(
        (b["decided_on"], b["year"], b["decision"], b["level"], b["recognized"]) for b in batch
    )
    return data


def test_stats_match_brute_force(seeded: Path) -> None:
    assert _comparable(stats_json(seeded, "--limit", "1000")) == _brute(MODELS)


def test_latest_decisions_are_capped_most_models_first(run: Run, tmp_path: Path) -> None:
    """A national registry's last day held some 860 decisions: `stats` shows those with
    the most models (ten, or `--limit`), and says how many there were."""
    from datetime import date

    from tests.generated import Rec

    day = date(2024, 6, 1)
    models = generate(3, seed=3)
    for m, levels in zip(models, (["commune", "province", "central"], ["commune", "province"],
                                  ["commune"]), strict=True):  # fmt: skip
        m.withdrawn_on = None
        m.registered_on = date(2022, 1, 1)
        m.recognitions = [Rec(2024, level, day) for level in levels]
    assert run("import", str(write_csv(tmp_path / "rows.csv", models))).exit_code == 0
    data = json.loads(run("stats", "--limit", "2", "--format", "json").stdout)
    assert data["latest_decisions_count"] == 3
    # The n-th recognition of a generated model is decision "n/QĐ-UBND".
    assert [(d["decision"], d["recognized"]) for d in data["latest_decisions"]] == [
        ("1/QĐ-UBND", 3), ("2/QĐ-UBND", 2),
    ]  # fmt: skip
    every = json.loads(run("stats", "--format", "json").stdout)["latest_decisions"]
    assert [d["recognized"] for d in every] == [3, 2, 1]


def test_latest_import_is_the_last_file(seeded: Path) -> None:
    latest = stats_json(seeded)["latest_import"]
    rows = sum(max(1, len(m.recognitions)) for m in MODELS)
    assert {k: latest[k] for k in ("batch", "file", "rows", "inserted", "updated")} == {
        "batch": 1,
        "file": "rows.csv",
        "rows": rows,
        "inserted": rows,
        "updated": 0,
    }


def test_stats_filtered_by_place(seeded: Path) -> None:
    hue_models = [m for m in MODELS if m.province == "Huế"]
    assert _comparable(stats_json(seeded, "--in", "Hue")) == _brute(hue_models)


def test_library_and_command_agree(seeded: Path) -> None:
    stats = summarize(Registry(str(seeded)), ModelFilter.parse(places=["Hà Nội"]))
    data = stats_json(seeded, "--in", "ha noi")
    assert stats.registered == data["registered"]
    assert stats.by_year == data["by_year"]


def test_stats_table_for_people(seeded: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(seeded), "stats"])
    assert result.exit_code == 0, result.stderr
    for text in ("Registered", "Withdrawn", "By year", "Latest decisions", "Latest import", "2023"):
        assert text in result.stdout


def test_stats_of_an_empty_registry(run: Run) -> None:
    run("db", "init")  # reading never makes a registry
    result = run("stats", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["registered"] == data["recognized"] == data["withdrawn"] == 0
    assert data["by_year"] == [] and data["latest_decisions"] == [] and data["latest_on"] is None
    assert data["latest_import"] is None
    assert run("stats").exit_code == 0


def test_undated_recognitions_make_a_batch_only_when_nothing_is_dated(
    run: Run, tmp_path: Path
) -> None:
    from datetime import date

    from tests.generated import Rec

    models = generate(3, seed=1)
    for m in models:
        m.withdrawn_on = None
        m.registered_on = date(2022, 1, 1)
        m.recognitions = [Rec(2024, "commune", None)]
    models[0].recognitions.append(Rec(2023, "province", date(2023, 12, 31)))
    assert run("import", str(write_csv(tmp_path / "rows.csv", models))).exit_code == 0
    data = json.loads(run("stats", "--format", "json").stdout)
    assert data["latest_on"] == "2023-12-31"
    assert [(b["level"], b["recognized"]) for b in data["latest_decisions"]] == [("province", 1)]
    assert data["recognitions"] == 4
