"""`dandan show`, `list`, `edit` and `withdraw`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dandan.registry import ModelFilter, Registry
from tests.conftest import REGISTER, Run, dump


def _register(run: Run, name: str, province: str, **extra: str) -> str:
    args = [
        "register",
        name,
        "--province",
        province,
        "--field",
        extra.get("field", "kt"),
        "--sponsor",
        extra.get("sponsor", "phụ nữ"),
        "--registered-on",
        extra.get("on", "2024-01-10"),
    ]
    return str(run(*args).stdout.strip())


def test_show_unknown_code(run: Run) -> None:
    run("db", "init")  # reading never makes a registry
    result = run("show", "QTR-1999-00001")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no model with code")


def test_show_table_is_readable(run: Run) -> None:
    code = run(*REGISTER).stdout.strip()
    out = run("show", code).stdout
    assert "Tổ tự quản đường làng" in out
    assert "Phường Đông Hà" in out


def test_list_search_ignores_diacritics_and_case(run: Run) -> None:
    a = _register(run, "Tổ tự quản đường làng", "Quảng Trị")
    _register(run, "Camera an ninh khu phố", "Hà Nội")
    for query in ("duong lang", "ĐƯỜNG LÀNG", "to tu quan"):
        rows = json.loads(run("list", "--search", query, "--format", "json").stdout)
        assert [r["code"] for r in rows] == [a], query


def test_search_of_many_words(run: Run) -> None:
    # Found by tests/test_fuzz.py: 1,000 words made a query SQLite refuses (exit code 3).
    a = _register(run, "Tổ tự quản đường làng", "Quảng Trị")
    repeated = run("list", "--search", "Tổ tự quản " * 1000, "--format", "csv")
    assert repeated.exit_code == 0, repeated.stderr
    assert a in repeated.stdout
    for command in ("list", "tally", "export"):
        args = ["-"] if command == "export" else []
        words = " ".join(f"w{i}" for i in range(1000))
        result = run(command, *args, "--search", words)
        assert result.exit_code == 1, result.stderr
        assert result.stderr.startswith("error: --search: is 4,889 characters long")
        assert len(result.stderr.splitlines()) == 1


def test_list_filters(run: Run, registry: Registry) -> None:
    a = _register(run, "Mô hình A", "Quảng Trị", field="văn hóa xã hội")
    b = _register(run, "Mô hình B", "Hà Nội", sponsor="youth")
    c = _register(run, "Mô hình C", "Hà Nội", on="2022-05-05")
    run("withdraw", c, "--reason", "giải thể")

    def codes(*args: str) -> list[str]:
        result = run("list", *args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        return sorted(r["code"] for r in json.loads(result.stdout))

    assert codes("--in", "ha noi") == sorted([b, c])
    assert codes("--in", "Phường Hoàn Kiếm") == []
    assert codes("--field", "culture") == [a]
    assert codes("--sponsor", "Đoàn Thanh niên") == [b]
    assert codes("--status", "withdrawn") == [c]
    assert codes("--in", "Hà Nội", "--in", "quang tri", "--status", "registered") == sorted([a, b])
    assert len(registry.list_models(ModelFilter.parse(places=["Hà Nội"]))) == 2


def test_list_newest_first_with_limit_and_csv(run: Run) -> None:
    old = _register(run, "Cũ", "Huế", on="2021-01-01")
    new = _register(run, "Mới", "Huế", on="2024-01-01")
    rows = list(csv.DictReader(io.StringIO(run("list", "--format", "csv").stdout)))
    assert [r["code"] for r in rows] == [new, old]
    assert rows[0]["province_code"] == "46"
    limited = json.loads(run("list", "--limit", "1", "--format", "json").stdout)
    assert [r["code"] for r in limited] == [new]


def test_list_empty(run: Run) -> None:
    run("db", "init")  # reading never makes a registry
    result = run("list")
    assert result.exit_code == 0
    assert "no models match" in result.stdout
    assert json.loads(run("list", "--format", "json").stdout) == []


def test_list_unknown_place(run: Run) -> None:
    result = run("list", "--in", "Atlantis")
    assert result.exit_code == 1
    assert "unknown province 'Atlantis'" in result.stderr


def test_edit_changes_only_what_is_given(run: Run, registry: Registry) -> None:
    code = run(*REGISTER).stdout.strip()
    result = run(
        "edit",
        code,
        "--name",
        "Đường làng sáng, xanh",
        "--holder",
        "cá nhân",
        "--holder-name",
        "Nguyễn Văn An",
    )
    assert result.exit_code == 0, result.stderr
    stored = registry.get(code)
    assert (stored.name, stored.holder, stored.holder_name) == (
        "Đường làng sáng, xanh",
        "individual",
        "Nguyễn Văn An",
    )
    assert stored.commune == "Phường Đông Hà"
    assert stored.field == "economy"
    assert (stored.sponsor, stored.registered_on.isoformat()) == ("farmers", "2023-03-01")
    assert (stored.status, stored.province_code) == ("registered", 44)


def test_edit_province_clears_commune_unless_given(run: Run, registry: Registry) -> None:
    code = run(*REGISTER).stdout.strip()
    assert run("edit", code, "--province", "Huế").exit_code == 0
    stored = registry.get(code)
    assert (stored.province_code, stored.commune_code) == (46, None)
    assert run("edit", code, "--commune", "Phường Thuận Hóa").exit_code == 0
    stored = registry.get(code)
    assert (stored.province_code, stored.commune) == (46, "Phường Thuận Hóa")


def test_edit_refuses_registration_after_recognition(run: Run, db: Path) -> None:
    code = run(*REGISTER).stdout.strip()
    run("recognize", code, "--year", "2023", "--level", "xã", "--decided-on", "2023-05-01")
    before = dump(db)
    result = run("edit", code, "--registered-on", "2023-06-01")
    assert result.exit_code == 1
    assert "before the model's registration" in result.stderr
    assert dump(db) == before


def test_withdraw_keeps_the_model_with_its_reason(run: Run, registry: Registry, db: Path) -> None:
    code = run(*REGISTER).stdout.strip()
    result = run("withdraw", code, "--reason", "Đơn vị giải thể", "--on", "2024-02-01")
    assert result.exit_code == 0, result.stderr
    stored = registry.get(code)
    assert stored.status == "withdrawn"
    assert stored.withdrawn_reason == "Đơn vị giải thể"
    assert stored.withdrawn_on is not None and stored.withdrawn_on.isoformat() == "2024-02-01"
    assert [m.code for m in registry.list_models(ModelFilter.parse(statuses=["withdrawn"]))] == [
        code
    ]
    before = dump(db)
    again = run("withdraw", code, "--reason", "x")
    assert again.exit_code == 1
    assert "already withdrawn" in again.stderr
    assert dump(db) == before
    assert registry.get(code).withdrawn_reason == "Đơn vị giải thể"


def test_withdraw_needs_a_reason(run: Run, db: Path) -> None:
    code = run(*REGISTER).stdout.strip()
    before = dump(db)
    result = run("withdraw", code)
    assert result.exit_code == 2
    assert "missing --reason" in result.stderr
    assert dump(db) == before


@pytest.mark.parametrize("command", ["list", "imports"])
@pytest.mark.parametrize("limit", ["99999999999999999999", "-1"])
def test_limit_out_of_range_is_a_usage_error(run: Run, command: str, limit: str) -> None:
    # Found by tests/test_fuzz.py: a limit past 2**63 - 1 raised OverflowError in the driver.
    run("db", "init")
    result = run(command, "--limit", limit)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid value for '--limit'")
    assert len(result.stderr.splitlines()) == 1
    assert run(command, "--limit", str(2**63 - 1)).exit_code == 0
