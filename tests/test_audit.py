"""The audit trail: who changed what and when, append-only, on every path of change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from dandan.audit import history, log
from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump

HEADER = "code,name,province,commune,field,sponsor,registered_on,"
ROWS = (
    HEADER
    + """recognition_year,recognition_level,decided_on
QTR-2024-00001,Đường hoa,Quảng Trị,Phường Đông Hà,kinh tế,phụ nữ,2025-08-01,,,
QTR-2024-00002,Sân chơi,Quảng Trị,Phường Đông Hà,kinh tế,phụ nữ,2025-08-01,2025,tỉnh,2025-12-01
"""
)


def test_history_tells_register_edit_recognize_withdraw_with_before_and_after(
    run: Run, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(*REGISTER)
    code = result.stdout.strip()
    assert run("edit", code, "--name", "Đường làng xanh", "--holder", "cá nhân").exit_code == 0
    assert run("recognize", code, "--year", "2023", "--level", "tỉnh",
               "--decided-on", "2023-11-15").exit_code == 0  # fmt: skip
    assert run("withdraw", code, "--reason", "Giải thể", "--on", "2024-02-01").exit_code == 0

    events = history(registry, code)
    assert [e["command"] for e in events] == ["register", "edit", "recognize", "withdraw"]
    registered, edited, recognised, withdrawn = events
    assert registered["before"] is None
    assert registered["after"]["name"] == "Tổ tự quản đường làng"
    assert registered["after"]["status"] == "registered"
    assert edited["before"] == {"name": "Tổ tự quản đường làng", "holder": "collective"}
    assert edited["after"] == {"name": "Đường làng xanh", "holder": "individual"}
    assert recognised["before"] == {"status": "registered"}
    assert recognised["after"]["status"] == "recognized"
    assert recognised["after"]["recognition"]["level"] == "province"
    assert recognised["after"]["recognition"]["decided_on"] == "2023-11-15"
    assert withdrawn["before"] == {
        "status": "recognized", "withdrawn_on": None, "withdrawn_reason": None,
    }  # fmt: skip
    assert withdrawn["after"] == {
        "status": "withdrawn", "withdrawn_on": "2024-02-01", "withdrawn_reason": "Giải thể",
    }  # fmt: skip

    shown = run("history", code, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert [e["command"] for e in json.loads(shown.stdout)] == [e["command"] for e in events]
    table = run("history", code).stdout
    assert "holder: collective → individual" in table
    assert "recognised at province level (2023)" in table
    # In Vietnamese, the fields, terms and dates as a Vietnamese reader writes them;
    # JSON keeps identifiers whatever the language.
    monkeypatch.setenv("COLUMNS", "400")  # one line per event
    table = run("--lang", "vi", "history", code).stdout
    assert "Tên: Tổ tự quản đường làng → Đường làng xanh; Chủ thể: Tập thể → Cá nhân" in table
    assert (
        "Trạng thái: Đã công nhận → Đã rút; Ngày rút: — → 01/02/2024; Lý do rút: — → Giải thể"
        in (table)
    )
    assert json.loads(run("--lang", "vi", "history", code, "--format", "json").stdout) == (
        json.loads(shown.stdout)
    )


def test_an_edit_of_place_names_is_recorded_as_entered_with_codes_and_names(
    run: Run, registry: Registry
) -> None:
    code = run(*REGISTER).stdout.strip()
    # The same unit, spelled otherwise: only what was typed changes, and is recorded.
    assert run("edit", code, "--commune", "Phường Đông Hà").exit_code == 0
    assert run("edit", code, "--province", "Hà Nội", "--commune", "hoan kiem").exit_code == 0
    events = history(registry, code)
    assert [e["command"] for e in events] == ["register", "edit", "edit"]
    registered, respelled, moved = events
    assert registered["after"]["province_input"] == "quang tri"
    assert registered["after"]["commune_input"] == "dong ha"
    assert respelled["before"] == {"commune_input": "dong ha"}
    assert respelled["after"] == {"commune_input": "Phường Đông Hà"}
    assert moved["before"]["province_input"] == "quang tri"
    assert moved["after"]["province_input"] == "Hà Nội"
    assert moved["after"]["province"] == "Hà Nội"
    assert moved["after"]["province_code"] == 1
    assert moved["after"]["commune_input"] == "hoan kiem"
    assert moved["after"]["commune"] == "Phường Hoàn Kiếm"
    assert "commune_input: dong ha → Phường Đông Hà" in run("history", code).stdout
    assert registry.get(code).commune == "Phường Hoàn Kiếm"


def test_the_actor_comes_from_the_option_the_environment_or_the_user(
    run: Run, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run("--actor", "Nguyễn Thị Lan", *REGISTER).stdout.strip()
    monkeypatch.setenv("DANDAN_ACTOR", "cán bộ xã")
    second = run(*[*REGISTER[:-1], "2023-03-02"]).stdout.strip()
    monkeypatch.delenv("DANDAN_ACTOR")
    third = run(*[*REGISTER[:-1], "2023-03-03"]).stdout.strip()
    actors = [history(registry, c)[0]["actor"] for c in (first, second, third)]
    import getpass

    assert actors == ["Nguyễn Thị Lan", "cán bộ xã", getpass.getuser()]


def test_imports_are_in_the_trail_as_batches_and_as_changes_to_registered_models(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(ROWS, encoding="utf-8")
    assert run("--actor", "tỉnh", "import", str(first)).exit_code == 0
    created = history(registry, "QTR-2024-00001")
    assert [(e["command"], e["actor"]) for e in created] == [("import", "tỉnh")]
    assert created[0]["after"]["file"] == "first.csv"
    assert created[0]["after"]["inserted"] == 2

    second = tmp_path / "second.csv"
    second.write_text(
        ROWS.replace("Đường hoa", "Đường hoa xanh").replace(
            "2025-08-01,,,", "2025-08-01,2025,xã,2025-11-20"
        ),
        encoding="utf-8",
    )
    result = run("import", str(second), "--on-conflict", "update")
    assert result.exit_code == 0, result.stderr
    events = history(registry, "QTR-2024-00001")
    assert [e["command"] for e in events] == ["import", "import"]
    assert events[1]["before"] == {"name": "Đường hoa", "status": "registered"}
    assert events[1]["after"]["name"] == "Đường hoa xanh"
    assert events[1]["after"]["status"] == "recognized"
    assert events[1]["after"]["recognitions"] == [
        {"year": 2025, "level": "commune", "decision": None, "decided_on": "2025-11-20", "by": None}
    ]
    unchanged = history(registry, "QTR-2024-00002")
    assert len(unchanged) == 1  # only the batch that created it: the second changed nothing


def test_refused_changes_leave_no_event(run: Run, db: Path, registry: Registry) -> None:
    code = run(*REGISTER).stdout.strip()
    before = dump(db)
    assert run("recognize", code, "--year", "2020", "--level", "tỉnh").exit_code == 1
    assert run("edit", code, "--province", "Atlantis").exit_code == 1
    assert run("edit", code).exit_code == 0  # nothing to change: nothing recorded
    assert dump(db) == before
    assert len(history(registry, code)) == 1


def test_events_cannot_be_changed_or_deleted(run: Run, registry: Registry) -> None:
    run(*REGISTER)
    for statement in ("UPDATE events SET actor = 'someone else'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), registry.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert len(log(registry)) == 1


def test_log_lists_the_registrys_changes_newest_first(run: Run, tmp_path: Path) -> None:
    codes = [run(*[*REGISTER[:-1], f"2023-03-0{d}"]).stdout.strip() for d in (1, 2, 3)]
    result = run("log", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [e["model"] for e in json.loads(result.stdout)] == codes[::-1]
    assert len(json.loads(run("log", "--limit", "2", "--format", "json").stdout)) == 2
    assert json.loads(run("log", "--since", "2999-01-01", "--format", "json").stdout) == []
    assert run("log", "--since", "tomorrow").exit_code == 1
    assert run("history", "NOPE-0001").exit_code == 1


def test_history_says_what_an_unrecognize_removed_and_no_status_that_stayed(
    run: Run, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = run(*REGISTER).stdout.strip()
    for year, level in (("2023", "tỉnh"), ("2024", "xã")):
        assert run("recognize", code, "--year", year, "--level", level).exit_code == 0
    removed = run(
        "unrecognize", code, "--year", "2024", "--level", "xã", "--reason", "Ghi nhầm năm"
    )
    assert removed.exit_code == 0, removed.stderr

    monkeypatch.setenv("COLUMNS", "400")  # one line per event
    said = [e["changes"] for e in json.loads(run("history", code, "--format", "json").stdout)]
    assert said[-2:] == [
        "recognised at commune level (2024)",
        "removed the recognition at commune level (2024); reason: Ghi nhầm năm",
    ]
    table = run("--lang", "vi", "history", code).stdout
    assert "bỏ công nhận cấp xã (2024); Lý do: Ghi nhầm năm" in table
    assert "Đã công nhận → Đã công nhận" not in table
