"""Corrections a clerk makes: `unrecognize`, `reinstate`, and `edit` checked as a whole
record. Each is in the audit trail; each refusal leaves the registry as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dandan.audit import history
from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump


@pytest.fixture
def code(run: Run) -> str:
    result = run(*REGISTER)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout.strip())


def _recognize(run: Run, code: str, *args: str) -> None:
    result = run("recognize", code, *args)
    assert result.exit_code == 0, result.stderr


# -- edit: the record as it will be ------------------------------------------------


def test_edit_refuses_a_registration_after_the_withdrawal(
    run: Run, registry: Registry, db: Path
) -> None:
    """The issue's example: accepted before, and the registry's own export then did not
    import back."""
    registered = run(*REGISTER[:-1], "2025-08-01")
    assert registered.exit_code == 0, registered.stderr
    code = registered.stdout.strip()
    assert run("withdraw", code, "--on", "2025-09-01", "--reason", "Giải thể").exit_code == 0
    before = dump(db)
    result = run("edit", code, "--registered-on", "2025-10-01")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr == (
        "error: --registered-on: withdrawal date 2025-09-01 is before the registration "
        "on 2025-10-01\n"
    )
    assert dump(db) == before
    assert registry.get(code).registered_on == date(2025, 8, 1)


def test_edit_refuses_a_registration_after_a_recognition(
    run: Run, registry: Registry, db: Path, code: str
) -> None:
    _recognize(run, code, "--year", "2023", "--level", "xã", "--decided-on", "2023-06-01")
    before = dump(db)
    result = run("edit", code, "--registered-on", "2023-07-01")
    assert result.exit_code == 1
    assert "--registered-on: recognition dated 2023-06-01 is before" in result.stderr
    assert dump(db) == before


def test_edit_with_nothing_to_change_says_so_and_writes_nothing(
    run: Run, registry: Registry, db: Path, code: str
) -> None:
    before = dump(db)
    result = run("edit", code, "--name", "Tổ tự quản đường làng", "--field", "kinh tế")
    assert result.exit_code == 0, result.stderr
    assert f"nothing to change: {code} already has these details" in result.stderr
    assert dump(db) == before
    assert [e["command"] for e in history(registry, code)] == ["register"]


def test_edit_of_one_field_records_only_that_field(run: Run, registry: Registry, code: str) -> None:
    result = run("edit", code, "--holder-name", "Chi hội Nông dân thôn 3")
    assert result.exit_code == 0, result.stderr
    assert f"updated {code}" in result.stderr
    assert registry.get(code).holder_name == "Chi hội Nông dân thôn 3"
    edited = history(registry, code)[-1]
    assert (edited["before"], edited["after"]) == (
        {"holder_name": None},
        {"holder_name": "Chi hội Nông dân thôn 3"},
    )


# -- unrecognize ---------------------------------------------------------------------


def test_unrecognize_removes_one_recognition_and_the_status_follows(
    run: Run, registry: Registry, code: str
) -> None:
    _recognize(run, code, "--year", "2023", "--level", "tỉnh", "--decision", "12/QĐ-UBND")
    _recognize(run, code, "--year", "2024", "--level", "xã")
    result = run("unrecognize", code, "--year", "2024", "--level", "xa", "--reason", "Ghi nhầm năm")
    assert result.exit_code == 0, result.stderr
    stored = registry.get(code)
    assert [(r.year, r.level) for r in stored.recognitions] == [(2023, "province")]
    assert stored.status == "recognized"

    last = run("unrecognize", code, "--year", "2023", "--level", "tinh", "--reason", "Nhầm")
    assert last.exit_code == 0, last.stderr
    stored = registry.get(code)
    assert (stored.recognitions, stored.status) == ((), "registered")
    removed = history(registry, code)[-1]
    assert removed["command"] == "unrecognize"
    assert removed["before"]["status"] == "recognized"
    assert removed["before"]["recognition"]["decision"] == "12/QĐ-UBND"
    assert removed["after"] == {"status": "registered", "reason": "Nhầm"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--year", "2022", "--level", "tỉnh"), "has no recognition at province level in 2022"),
        (("--year", "2023", "--level", "xã"), "has no recognition at commune level in 2023"),
        (("--year", "2023", "--level", "tỉnh", "--decision", "99/QĐ"), "has no recognition"),
    ],
)
def test_unrecognize_refuses_what_does_not_match(
    run: Run, db: Path, code: str, args: tuple[str, ...], message: str
) -> None:
    _recognize(run, code, "--year", "2023", "--level", "tỉnh", "--decision", "12/QĐ-UBND")
    before = dump(db)
    result = run("unrecognize", code, *args, "--reason", "Nhầm")
    assert result.exit_code == 1
    assert message in result.stderr
    assert dump(db) == before


def test_unrecognize_refuses_an_ambiguous_match_listing_the_decisions(
    run: Run, registry: Registry, db: Path, code: str
) -> None:
    _recognize(run, code, "--year", "2023", "--level", "tỉnh", "--decision", "12/QĐ-UBND")
    _recognize(
        run, code, "--year", "2023", "--level", "tỉnh", "--decision", "40/QĐ-UBND",
        "--allow-duplicate",
    )  # fmt: skip
    before = dump(db)
    result = run("unrecognize", code, "--year", "2023", "--level", "tỉnh", "--reason", "Trùng")
    assert result.exit_code == 1
    assert "2 recognitions at province level in 2023" in result.stderr
    assert "12/QĐ-UBND; 40/QĐ-UBND" in result.stderr
    assert dump(db) == before
    # Named by its decision, as a clerk may write it ("Số 40/QĐ-UBND"), one goes.
    chosen = run(
        "unrecognize", code, "--year", "2023", "--level", "tỉnh", "--decision", "Số 40/QĐ-UBND",
        "--reason", "Trùng",
    )  # fmt: skip
    assert chosen.exit_code == 0, chosen.stderr
    assert [r.decision for r in registry.get(code).recognitions] == ["12/QĐ-UBND"]


def test_unrecognize_needs_a_reason(run: Run, db: Path, code: str) -> None:
    _recognize(run, code, "--year", "2023", "--level", "tỉnh")
    before = dump(db)
    result = run("unrecognize", code, "--year", "2023", "--level", "tỉnh")
    assert result.exit_code == 2
    assert "--reason" in result.stderr
    assert dump(db) == before


# -- reinstate -----------------------------------------------------------------------


def test_reinstate_reverses_a_withdrawal(run: Run, registry: Registry, code: str) -> None:
    _recognize(run, code, "--year", "2023", "--level", "tỉnh")
    assert run("withdraw", code, "--on", "2024-01-10", "--reason", "Giải thể").exit_code == 0
    result = run("reinstate", code, "--reason", "Rút nhầm mô hình")
    assert result.exit_code == 0, result.stderr
    stored = registry.get(code)
    assert (stored.status, stored.withdrawn_on, stored.withdrawn_reason) == (
        "recognized", None, None,
    )  # fmt: skip
    reinstated = history(registry, code)[-1]
    assert reinstated["command"] == "reinstate"
    assert reinstated["before"] == {
        "status": "withdrawn", "withdrawn_on": "2024-01-10", "withdrawn_reason": "Giải thể",
    }  # fmt: skip
    assert reinstated["after"] == {
        "status": "recognized", "withdrawn_on": None, "withdrawn_reason": None,
        "reason": "Rút nhầm mô hình",
    }  # fmt: skip
    # Recognised again as any model is: the withdrawal no longer stands in the way.
    _recognize(run, code, "--year", "2025", "--level", "xã")


def test_reinstate_refuses_a_model_that_is_not_withdrawn(run: Run, db: Path, code: str) -> None:
    before = dump(db)
    result = run("reinstate", code, "--reason", "Nhầm")
    assert result.exit_code == 1
    assert f"model {code} is not withdrawn" in result.stderr
    assert dump(db) == before


def test_a_withdrawn_model_gets_no_new_recognition_until_reinstated(
    run: Run, db: Path, code: str
) -> None:
    assert run("withdraw", code, "--on", "2024-01-10", "--reason", "Giải thể").exit_code == 0
    before = dump(db)
    result = run("recognize", code, "--year", "2023", "--level", "xã")
    assert result.exit_code == 1
    assert "was withdrawn on 2024-01-10; reinstate it" in result.stderr
    assert dump(db) == before
