"""Stored and typed text is shown as written: never read as Rich markup, never able to
drive the terminal; and text that is no text at all (a NUL, U+FFFF) is refused.

A model named `[/]` made `list`, `show`, `history` and `log` die with "internal error:
MarkupError" for every user of the registry, and `edit` and `recognize` write the
change and then die; a name `[link=…]click[/link]` was shown as a bare "click".
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from dandan.audit import history
from dandan.registry import Registry
from dandan.rendering import Column, Format, Record, Table, Text, render
from tests.conftest import REGISTER, Run, dump

MARKUP = ["[/]", "[link=https://example.com]click[/link]", "[bold red]x[/] \\[y]\\", ":red_circle:"]
#: What a registry written by an older dandan or by another program may hold: a screen
#: clear, a hyperlink (OSC 8), a C1 "CSI", a bidi override, a newline, a bell.
HOSTILE = "\x1b[2J\x1b]8;;https://example.com\x07click\x1b]8;;\x07 \x9b31m\u202eevil\nline\x7f"
DRIVES_A_TERMINAL = ("\x1b", "\x07", "\x9b", "\u202e", "\x7f")


@pytest.fixture
def code(run: Run) -> str:
    result = run(*REGISTER)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout.strip())


def shows(run: Run, value: str, *args: str) -> None:
    result = run(*args)
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    assert value in result.stdout, f"{args}: {value!r} not shown in\n{result.stdout}"


# -- markup -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", MARKUP)
def test_register_stores_and_every_view_shows_markup_as_written(
    run: Run, registry: Registry, value: str
) -> None:
    result = run(
        "--actor", value, "register", value, "--province", "quang tri", "--field", "kinh te",
        "--sponsor", "phu nu", "--holder-name", value, "--registered-on", "2023-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    code = result.stdout.strip()
    stored = registry.get(code)
    assert (stored.name, stored.holder_name) == (value, value)
    assert history(registry, code)[0]["actor"] == value
    for args in (("list",), ("show", code), ("history", code), ("log",)):
        shows(run, value, *args)


@pytest.mark.parametrize("value", MARKUP)
def test_recognize_stores_and_shows_markup_as_written(
    run: Run, registry: Registry, code: str, value: str
) -> None:
    args = ("recognize", code, "--year", "2023", "--level", "xa", "--decision", value)
    result = run(*args, "--by", value)
    assert result.exit_code == 0, result.stderr
    assert value in result.stdout
    recognition = registry.get(code).recognitions[-1]
    assert (recognition.decision, recognition.by) == (value, value)
    shows(run, value, "show", code)


@pytest.mark.parametrize("value", MARKUP)
def test_edit_stores_and_shows_markup_as_written(
    run: Run, registry: Registry, code: str, value: str
) -> None:
    result = run("--actor", value, "edit", code, "--name", value, "--holder-name", value)
    assert result.exit_code == 0, result.stderr
    assert value in result.stdout
    stored = registry.get(code)
    assert (stored.name, stored.holder_name) == (value, value)
    shows(run, value, "history", code)
    shows(run, value, "log")


@pytest.mark.parametrize("value", MARKUP)
def test_withdraw_stores_and_shows_markup_as_written(
    run: Run, registry: Registry, code: str, value: str
) -> None:
    result = run("withdraw", code, "--reason", value, "--on", "2024-01-01")
    assert result.exit_code == 0, result.stderr
    assert value in result.stdout
    assert registry.get(code).withdrawn_reason == value


@pytest.mark.parametrize("value", MARKUP)
def test_import_stores_and_shows_markup_as_written(
    run: Run, registry: Registry, tmp_path: Path, value: str
) -> None:
    batch = tmp_path / "batch.csv"
    with batch.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(
            [
                ["name", "province", "field", "sponsor", "holder_name", "registered_on",
                 "recognition_year", "recognition_level", "decision_no", "recognized_by"],
                [value, "quang tri", "kt", "phu nu", value, "2023-03-01", "2023", "xa", value,
                 value],
            ]
        )  # fmt: skip
    result = run("import", str(batch))
    assert result.exit_code == 0, result.stderr
    (model,) = registry.list_models()
    assert (model.name, model.holder_name) == (value, value)
    assert (model.recognitions[0].decision, model.recognitions[0].by) == (value, value)
    for args in (("list",), ("show", model.code), ("imports",)):
        shows(run, value if args[0] != "imports" else "batch.csv", *args)


def test_a_file_name_is_not_markup_in_the_progress_bar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dandan.commands.imports import _progress
    from dandan.sources import SourceInfo

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress() as update:
        assert update is not None
        update(SourceInfo("[/]\x1b[2J.csv", size=100, bytes_read=50), 3)
    assert "[/]\\x1b[2J.csv" in terminal.getvalue()


# -- control characters -------------------------------------------------------------------


class Terminal(io.StringIO):
    """Standard output or error on a terminal."""

    def isatty(self) -> bool:
        return True


def stored_by_another_writer(registry: Registry, code: str) -> None:
    """`HOSTILE` in a model's text columns, as `dandan` itself never stores it."""
    from sqlalchemy import text

    with registry.engine.begin() as conn:
        conn.execute(
            text("UPDATE models SET name = :v, holder_name = :v, withdrawn_reason = :v"),
            {"v": HOSTILE},
        )
        conn.execute(text("UPDATE recognitions SET decision_no = :v, body = :v"), {"v": HOSTILE})


def test_control_characters_in_a_stored_value_are_shown_escaped(
    run: Run, registry: Registry, code: str
) -> None:
    assert run("recognize", code, "--year", "2023", "--level", "xa").exit_code == 0
    stored_by_another_writer(registry, code)
    escaped = ["\\x1b[2J", "\\x07click", "\\x9b31m\\u202eevil\\nline\\x7f"]
    for args in (("show", code), ("list",)):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert not [ch for ch in DRIVES_A_TERMINAL if ch in result.stdout], result.stdout
        assert [e for e in escaped if e in result.stdout] == escaped, result.stdout
    # JSON says them as escapes, which read back as the value itself.
    result = run("show", code, "--format", "json")
    assert not [ch for ch in DRIVES_A_TERMINAL if ch in result.stdout]
    shown = json.loads(result.stdout)
    assert shown["name"] == shown["recognitions"][0]["by"] == HOSTILE
    # CSV into a pipe or a file is data: exact.
    rows = list(csv.DictReader(io.StringIO(run("list", "--format", "csv").stdout)))
    assert rows[0]["name"] == HOSTILE


def test_csv_and_bare_values_are_escaped_on_a_terminal_only() -> None:
    table = Table([Column("name", "Name")], [{"name": HOSTILE, "count": 1}])
    terminal, pipe = Terminal(), io.StringIO()
    render(table, Format.csv, terminal)
    render(table, Format.csv, pipe)
    assert not [ch for ch in DRIVES_A_TERMINAL if ch in terminal.getvalue()]
    assert "\\x1b[2J" in terminal.getvalue()
    assert list(csv.reader(io.StringIO(pipe.getvalue())))[1] == [HOSTILE, "1"]
    terminal, pipe = Terminal(), io.StringIO()
    render(Text(HOSTILE), Format.table, terminal)
    render(Text(HOSTILE), Format.table, pipe)
    assert terminal.getvalue() == HOSTILE.encode("unicode_escape").decode() + "\n"
    assert pipe.getvalue() == HOSTILE + "\n"


def test_labels_titles_and_headers_are_not_markup_either() -> None:
    out = io.StringIO()
    render(Record({"[/]": "[/]", "rows": []}, nested={"rows": [Column("[b]", "[/b]")]}), out=out)
    render(Table([Column("[/]", "[/]")], [], empty_message="[/]"), out=out)
    render(Table([Column("a", "[/]")], [{"a": "[/]"}], title="[/]"), out=out)
    assert out.getvalue().count("[/]") == 6


def test_an_internal_error_is_one_line_whatever_it_quotes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dandan import cli

    def broken() -> None:
        raise RuntimeError("\x1b[2Jcleared\u202e")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 70
    assert capsys.readouterr().err == (
        "internal error: RuntimeError: \\x1b[2Jcleared\\u202e (please report it)\n"
    )


# -- what is no text: a NUL, a noncharacter -------------------------------------------------

NONCHARACTERS = ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff"]


@pytest.mark.parametrize("character", NONCHARACTERS)
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("edit", "{code}", "--name", "Tổ{c}tự"), "--name"),
        (("edit", "{code}", "--holder-name", "Tổ{c}tự"), "--holder-name"),
        (("edit", "{code}", "--description", "{c}"), "--description"),
        (("edit", "{code}", "--province", "Quảng Trị{c}"), "--province"),
        (("edit", "{code}", "--commune", "Đông Hà{c}"), "--commune"),
        (("recognize", "{code}", "--year", "2023", "--level", "xa", "--decision", "1{c}"),
         "--decision"),
        (("recognize", "{code}", "--year", "2023", "--level", "xa", "--by", "UBND{c}"), "--by"),
        (("withdraw", "{code}", "--reason", "{c}"), "--reason"),
        (("register", "Tổ{c}tự", *REGISTER[2:]), "--name"),
    ],
)  # fmt: skip
def test_a_noncharacter_is_refused_naming_the_field(
    run: Run, db: Path, code: str, args: tuple[str, ...], option: str, character: str
) -> None:
    before = dump(db)
    result = run(*(a.format(code=code, c=character) for a in args))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {option}: holds U+{ord(character):04X}, which is not a character of any "
        "text: the file may be damaged or read in the wrong encoding; remove it and try "
        "again\n"
    )
    assert dump(db) == before


@pytest.mark.parametrize("character", ["\x00", "\uffff"])
@pytest.mark.parametrize(
    "column",
    ["name", "province", "commune", "holder_name", "description", "decision_no",
     "recognized_by", "withdrawn_reason"],
)  # fmt: skip
def test_an_import_refuses_a_nul_or_a_noncharacter_naming_row_and_column(
    run: Run, db: Path, code: str, tmp_path: Path, column: str, character: str
) -> None:
    row = {
        "name": "Tổ tự quản", "province": "quang tri", "commune": "dong ha", "field": "kt",
        "sponsor": "phu nu", "holder_name": "Ông Ba", "description": "Đường làng",
        "registered_on": "2023-03-01", "recognition_year": "2023", "recognition_level": "xa",
        "decision_no": "12/QĐ", "recognized_by": "UBND", "withdrawn_on": "2024-01-01",
        "withdrawn_reason": "Sáp nhập",
    }  # fmt: skip
    row[column] = row[column][:2] + character + row[column][2:]
    batch = tmp_path / "batch.csv"
    with batch.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([list(row), list(row.values())])
    before = dump(db)
    result = run("import", str(batch))
    assert result.exit_code == 1
    said = "NUL (U+0000)" if character == "\x00" else "U+FFFF"
    assert result.stderr.splitlines()[0] == (
        f"error: batch.csv:2: column {column}: holds {said}, which is not a character of any "
        "text: the file may be damaged or read in the wrong encoding; remove it and try again"
    )
    assert dump(db) == before  # "Tổ\x00 tự" was stored as "Tổtự"


def test_a_noncharacter_in_the_actor_is_dropped_like_a_control(
    run: Run, registry: Registry
) -> None:
    # The actor is no field of a record: its controls have always been dropped.
    result = run("--actor", "clerk\uffff\u202e", *REGISTER)
    assert result.exit_code == 0, result.stderr
    assert history(registry, result.stdout.strip())[0]["actor"] == "clerk"
