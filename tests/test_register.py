"""`dandan register`: codes, normalisation, and refusals that leave the registry as it was."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump


def test_register_prints_code_and_show_returns_official_codes(run: Run, registry: Registry) -> None:
    result = run(*REGISTER)
    assert result.exit_code == 0, result.stderr
    code = result.stdout.strip()
    assert code == "QTR-2023-00001"
    assert "registered QTR-2023-00001" in result.stderr

    shown = json.loads(run("show", code, "--format", "json").stdout)
    assert shown["province"] == "Quảng Trị"
    assert shown["province_code"] == 44
    assert shown["commune"] == "Phường Đông Hà"
    assert shown["commune_code"] == 19333
    assert shown["field"] == "economy"
    assert shown["sponsor"] == "farmers"
    assert shown["holder"] == "collective"
    assert shown["registered_on"] == "2023-03-01"
    assert shown["status"] == "registered"
    assert shown["recognitions"] == []

    stored = registry.get(code)
    assert stored.name == "Tổ tự quản đường làng"
    assert (stored.province, stored.province_code, stored.locality_scheme) == (
        "Quảng Trị",
        44,
        "2025",
    )
    assert (stored.commune, stored.commune_code) == ("Phường Đông Hà", 19333)
    assert (stored.field, stored.sponsor, stored.holder) == ("economy", "farmers", "collective")
    assert (stored.registered_on, stored.status) == (date(2023, 3, 1), "registered")
    assert stored.recognitions == ()
    assert [m.code for m in registry.list_models()] == [code]


def test_names_are_stored_nfc(run: Run, registry: Registry) -> None:
    decomposed = unicodedata.normalize("NFD", "Tổ tự quản đường làng")
    args = list(REGISTER)
    args[1] = decomposed
    code = run(*args).stdout.strip()
    stored = registry.get(code)
    assert stored.name == unicodedata.normalize("NFC", decomposed)
    assert unicodedata.is_normalized("NFC", stored.name)


def test_codes_count_up_per_province_and_year(run: Run, registry: Registry) -> None:
    codes = [run(*REGISTER, "--allow-duplicate").stdout.strip() for _ in range(3)]
    assert codes == ["QTR-2023-00001", "QTR-2023-00002", "QTR-2023-00003"]
    other = run(
        "register",
        "Dân vận khéo",
        "--province",
        "Hanoi",
        "--field",
        "economy",
        "--sponsor",
        "youth",
        "--registered-on",
        "15/01/2024",
    )
    assert other.stdout.strip() == "HNO-2024-00001"
    stored = {m.code: m for m in registry.list_models()}
    assert sorted(stored) == ["HNO-2024-00001", *codes]
    assert (stored["HNO-2024-00001"].province_code, stored["HNO-2024-00001"].registered_on) == (
        1,
        date(2024, 1, 15),
    )
    assert {stored[c].province_code for c in codes} == {44}


def test_supplied_code_is_kept_upper_case(run: Run, registry: Registry) -> None:
    result = run(*REGISTER, "--code", "qtr-2023-00042")
    assert result.stdout.strip() == "QTR-2023-00042"
    assert registry.get("QTR-2023-00042").code == "QTR-2023-00042"


def test_register_json_output_is_the_record(run: Run, registry: Registry) -> None:
    result = run(*REGISTER, "--format", "json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["code"] == "QTR-2023-00001"
    assert shown == registry.get("QTR-2023-00001").as_dict()


@pytest.mark.parametrize(
    ("change", "message", "exit_code"),
    [
        (
            ("--province", "Quang Tru"),
            "--province: unknown province 'Quang Tru'; did you mean Quảng Trị",
            1,
        ),
        (("--commune", "Hoàn Kiếm"), "--commune: no commune 'Hoàn Kiếm' in Quảng Trị", 1),
        (("--registered-on", "2023-02-30"), "--registered-on: bad date '2023-02-30'", 1),
        (("--registered-on", "31-12"), "write it as YYYY-MM-DD or DD/MM/YYYY", 1),
        (("--registered-on", "2099-01-01"), "is in the future", 1),
        (("--field", "astronomy"), "--field: unknown field 'astronomy'", 1),
        (("--sponsor", "nobody"), "--sponsor: unknown sponsor 'nobody'", 1),
        (("--holder", "crowd"), "--holder: unknown holder type 'crowd'", 1),
        (("--code", "!!"), "--code: bad code '!!'", 1),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, db: Path, change: tuple[str, str], message: str, exit_code: int
) -> None:
    run(*REGISTER)
    before = dump(db)
    args = list(REGISTER)
    option, value = change
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    result = run(*args)
    assert result.exit_code == exit_code
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    assert dump(db) == before


# Found by tests/test_fuzz.py: bytes that are not UTF-8 (a terminal in another encoding;
# Python hands them over as lone surrogates) reached the database and died there.
@pytest.mark.parametrize("option", ["NAME", "--province", "--holder-name", "--description"])
def test_text_that_is_not_utf8_is_refused(run: Run, db: Path, option: str) -> None:
    run(*REGISTER)
    before = dump(db)
    args = list(REGISTER)
    if option == "NAME":
        args[1] = "Tổ \udcff"
    elif option in args:
        args[args.index(option) + 1] = "quang tri\udcff"
    else:
        args += [option, "Hội \udcff"]
    result = run(*args)
    assert result.exit_code == 1, result.stderr
    name = "--name" if option == "NAME" else option
    assert result.stderr.startswith(f"error: {name}: ")
    assert "not UTF-8" in result.stderr or "unknown province" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert dump(db) == before
    for command in (("show",), ("edit", "--name", "x"), ("withdraw", "--reason", "x")):
        looked_up = run(command[0], "QTR-2023-\udcff", *command[1:])
        assert looked_up.exit_code == 1
        assert looked_up.stderr.startswith("error: no model with code 'QTR-2023-\\udcff'")


def test_duplicate_code_is_refused(run: Run, db: Path) -> None:
    run(*REGISTER, "--code", "QTR-2023-00042")
    before = dump(db)
    result = run(*REGISTER, "--code", "QTR-2023-00042")
    assert result.exit_code == 1
    assert "--code: code QTR-2023-00042 is already registered" in result.stderr
    assert dump(db) == before


def test_missing_value_without_terminal_is_a_usage_error(run: Run, db: Path) -> None:
    result = run("register", "Mô hình", "--province", "Huế", "--field", "kinh tế")
    assert result.exit_code == 2
    assert "missing --sponsor (no terminal to ask on)" in result.stderr
    assert not dump(db)


def test_missing_value_is_prompted_on_a_terminal(
    run: Run, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dandan.commands.common.interactive", lambda: True)
    result = run(
        "register", "Mô hình", "--province", "Huế", "--field", "kinh tế", input="công an\n"
    )
    assert result.exit_code == 0, result.stderr
    code = result.stdout.strip().splitlines()[-1]
    assert registry.get(code).sponsor == "police"


def test_generated_numbers_go_past_five_digits(run: Run, registry: Registry) -> None:
    run(*REGISTER, "--code", "QTR-2023-99999")
    run(*REGISTER, "--code", "QTR-2023-NOTE", "--allow-duplicate")
    assert run(*REGISTER, "--allow-duplicate").stdout.strip() == "QTR-2023-100000"
    assert run(*REGISTER, "--allow-duplicate").stdout.strip() == "QTR-2023-100001"
    assert sorted(m.code for m in registry.list_models()) == [
        "QTR-2023-100000",
        "QTR-2023-100001",
        "QTR-2023-99999",
        "QTR-2023-NOTE",
    ]


@pytest.mark.parametrize(
    ("given", "recorded"),
    [("clerk\udcff", "clerk\ufffd"), ("\x9bclerk\u202e", "clerk"), ("\u200b", "unknown")],
)
def test_actor_of_any_bytes_is_recorded_as_text(
    run: Run, monkeypatch: pytest.MonkeyPatch, given: str, recorded: str
) -> None:
    # Found by tests/test_fuzz.py: --actor or DANDAN_ACTOR in bytes that are not UTF-8
    # made every change fail in the database driver (exit code 70).
    assert run("--actor", given, *REGISTER).exit_code == 0
    monkeypatch.setenv("DANDAN_ACTOR", given)
    assert run(*REGISTER, "--allow-duplicate").exit_code == 0
    log = run("log", "--format", "json")
    assert log.exit_code == 0, log.stderr
    assert [event["actor"] for event in json.loads(log.stdout)] == [recorded, recorded]


@pytest.mark.parametrize(
    "name",
    ["Tổ tự quản đường làng", "TỔ TỰ QUẢN  ĐƯỜNG LÀNG", "to tu quan duong lang"],
)
def test_a_likely_duplicate_is_refused_naming_the_registered_model(
    run: Run, registry: Registry, db: Path, name: str
) -> None:
    first = run(*REGISTER).stdout.strip()
    before = dump(db)
    again = ("register", name, *REGISTER[2:])
    result = run(*again)
    assert result.exit_code == 1
    assert f"{first} is registered with the same name, place and registration date" in result.stderr
    assert dump(db) == before
    insisted = run(*again, "--allow-duplicate")
    assert insisted.exit_code == 0, insisted.stderr
    assert registry.count() == 2


@pytest.mark.parametrize(
    "differs",
    [("--registered-on", "2023-03-02"), ("--commune", "cam lo"), ("--province", "ha noi")],
)
def test_the_same_name_elsewhere_or_another_day_is_another_model(
    run: Run, registry: Registry, differs: tuple[str, str]
) -> None:
    assert run(*REGISTER).exit_code == 0
    args = list(REGISTER)
    option, value = differs
    if option == "--province":
        args[args.index("--commune") : args.index("--commune") + 2] = []
    args[args.index(option) + 1] = value
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert registry.count() == 2
