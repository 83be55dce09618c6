"""`dandan recognize`: the rules on dates, levels and duplicates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump


@pytest.fixture
def code(run: Run) -> str:
    return str(run(*REGISTER).stdout.strip())


def test_recognition_is_stored_and_status_follows(run: Run, registry: Registry, code: str) -> None:
    result = run(
        "recognize",
        code,
        "--year",
        "2023",
        "--level",
        "tỉnh",
        "--decision",
        "12/QĐ-UBND",
        "--decided-on",
        "15/06/2023",
        "--by",
        "UBND tỉnh Quảng Trị",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["recognitions"] == [
        {
            "year": 2023,
            "level": "province",
            "decision": "12/QĐ-UBND",
            "decided_on": "2023-06-15",
            "by": "UBND tỉnh Quảng Trị",
            "outstanding": False,
        }
    ]
    stored = registry.get(code)
    assert stored.status == "recognized"
    assert [(r.year, r.level) for r in stored.recognitions] == [(2023, "province")]


def test_same_model_at_several_levels(run: Run, registry: Registry, code: str) -> None:
    assert registry.get(code).recognitions == ()
    assert run("recognize", code, "--year", "2023", "--level", "xa").exit_code == 0
    assert run("recognize", code, "--year", "2024", "--level", "province").exit_code == 0
    assert run("recognize", code, "--year", "2025", "--level", "central").exit_code == 0
    levels = [r.level for r in registry.get(code).recognitions]
    assert levels == ["commune", "province", "central"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--year", "2022", "--level", "xã"),
            "--year: recognition year 2022 is before the model's registration",
        ),
        (
            ("--year", "2023", "--level", "xã", "--decided-on", "2023-02-01"),
            "--decided-on: recognition dated 2023-02-01 is before the model's registration",
        ),
        (
            ("--year", "2025", "--level", "huyện", "--decided-on", "2025-07-01"),
            "--level: district-level recognitions end on 2025-06-30",
        ),
        (("--year", "2026", "--level", "district"), "--level: district-level recognitions end"),
        (("--year", "2023", "--level", "galaxy"), "--level: unknown level 'galaxy'"),
        (
            ("--year", "2023", "--level", "xã", "--decided-on", "2021-05-05"),
            "does not belong to recognition year 2023",
        ),
        (("--year", "2999", "--level", "xã"), "--year: bad year"),
    ],
)
def test_refused_recognitions_change_nothing(
    run: Run, db: Path, code: str, args: tuple[str, ...], message: str
) -> None:
    before = dump(db)
    result = run("recognize", code, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert dump(db) == before


def test_district_level_before_the_reform_is_fine(run: Run, registry: Registry, code: str) -> None:
    result = run(
        "recognize", code, "--year", "2025", "--level", "huyện", "--decided-on", "2025-06-30"
    )
    assert result.exit_code == 0, result.stderr
    stored = registry.get(code)
    assert [(r.year, r.level, r.decided_on) for r in stored.recognitions] == [
        (2025, "district", date(2025, 6, 30))
    ]
    assert stored.status == "recognized"


def test_exact_duplicate_is_refused(run: Run, db: Path, code: str) -> None:
    args = ("recognize", code, "--year", "2023", "--level", "tỉnh", "--decision", "12/QĐ-UBND")
    assert run(*args).exit_code == 0
    before = dump(db)
    result = run(*args)
    assert result.exit_code == 1
    assert "already has this recognition" in result.stderr
    assert dump(db) == before


def test_unknown_code(run: Run, db: Path) -> None:
    run("db", "init")  # reading never makes a registry
    before = dump(db)
    result = run("recognize", "NOPE-1", "--year", "2023", "--level", "xã")
    assert result.exit_code == 1
    assert "no model with code 'NOPE-1'" in result.stderr
    assert dump(db) == before


def test_withdrawn_model_cannot_be_recognised(
    run: Run, registry: Registry, db: Path, code: str
) -> None:
    assert run("withdraw", code, "--reason", "trùng lặp").exit_code == 0
    before = dump(db)
    result = run("recognize", code, "--year", "2024", "--level", "xã")
    assert result.exit_code == 1
    assert "was withdrawn" in result.stderr
    stored = registry.get(code)
    assert (stored.status, stored.recognitions) == ("withdrawn", ())
    assert dump(db) == before


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Số 45/QĐ-UBND", "45/QĐ-UBND"),
        ("45/QĐ-UBND", None),
        ("45/QĐ-UBND", "46/QĐ-UBND"),
    ],
)
def test_a_second_recognition_at_one_level_in_one_year_is_refused(
    run: Run, registry: Registry, db: Path, code: str, first: str, second: str | None
) -> None:
    assert (
        run("recognize", code, "--year", "2023", "--level", "tỉnh", "--decision", first).exit_code
        == 0
    )
    again = ["recognize", code, "--year", "2023", "--level", "tinh"]
    if second is not None:
        again += ["--decision", second]
    before = dump(db)
    result = run(*again)
    assert result.exit_code == 1
    assert "already" in result.stderr
    assert dump(db) == before
    # Counted once by `tally --count recognitions`, whatever the spelling of the decision.
    assert len(registry.get(code).recognitions) == 1
    # Another level, or another year, is another recognition.
    assert run("recognize", code, "--year", "2023", "--level", "xã").exit_code == 0
    assert run("recognize", code, "--year", "2024", "--level", "tỉnh").exit_code == 0
    assert len(registry.get(code).recognitions) == 3
