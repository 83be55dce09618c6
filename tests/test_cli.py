"""The command line as a whole: help everywhere, documented, quick to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from dandan import __version__
from dandan.cli import app
from tests.conftest import Run, dump

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, object]]:
    """Every command path ("register", "db path") with its click command."""
    found: list[tuple[str, object]] = []
    root = get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    stack = [("", root)]
    while stack:
        prefix, group = stack.pop()
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            found.append((path, command))
            if isinstance(command, typer.core.TyperGroup):
                stack.append((path, command))
    return found


COMMANDS = _commands()


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_has_help_and_is_in_the_readme(path: str, command: object) -> None:
    assert getattr(command, "help", None), f"{path} has no help text"
    for param in getattr(command, "params", []):
        if param.param_type_name == "option":
            assert param.help, f"{path} {param.opts[0]} has no help text"
        if param.param_type_name == "argument":
            assert getattr(param, "help", None), f"{path} {param.name} has no help text"
    assert f"dandan {path}" in README or f"dandan --db demo.db {path}" in README, (
        f"README does not show `dandan {path}`"
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_option_value_is_a_word_in_the_help(lang: str, path: str, command: object) -> None:
    """An option's value reads as a word a person fills in (`--in PLACE`, `--in ĐỊA-BÀN`),
    not as a Python type (`<list[str]>`), and no bound nobody reaches is shown."""
    from dandan.commands.core import METAVARS

    for param in getattr(command, "params", []):
        if not getattr(param, "is_flag", False):
            assert param.metavar or param.name in METAVARS, (
                f"{path} {param.opts[0]}: no word for its value in commands.core.METAVARS"
            )
    done = CliRunner().invoke(app, ["--lang", lang, *path.split(), "--help"])
    assert done.exit_code == 0, done.output
    for typed in ("<str>", "<int", "<list[", "<path>", "{code}", "9223372036854775807"):
        assert typed not in done.output, f"{path} --help shows {typed}"


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("log", "--since DATE"),  # a day
        ("tally", "--since YEAR"),  # from 1 January of a year
        ("export", "--since YEAR"),
    ],
)
def test_an_option_of_one_name_is_told_by_what_it_takes(run: Run, command: str, shown: str) -> None:
    assert shown in " ".join(run(command, "--help").stdout.split())


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"dandan {__version__}"


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANDAN_DB": "/nonexistent/never-created.db"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_do_not_load_the_database_layer(flag: str) -> None:
    code = (
        "import sys\n"
        "from dandan.cli import app\n"
        f"try:\n    app([{flag!r}])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'openpyxl', 'pydantic', 'jinja2'))\n"
        "print('HEAVY', heavy)\n"
    )
    result = _python("-c", code)
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_python_dash_m_runs_the_cli() -> None:
    result = _python("-m", "dandan", "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"dandan {__version__}"


def test_exit_codes_are_documented() -> None:
    for line in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert line in README


def test_unexpected_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    # A directory where the registry file should be: SQLite cannot open it.
    result = _python("-m", "dandan", "--db", str(tmp_path), "list")
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: cannot use the registry")


# Found by tests/test_fuzz.py: click printed its usage block (four lines) for these.
@pytest.mark.parametrize(
    "args",
    [
        ("recognize", "QTR-2023-00001", "--year", ""),
        ("recognize", "QTR-2023-00001", "--year", "abc"),
        ("register", "--nope"),
        ("list", "--format", "xml"),
        ("show",),
        ("db", "backup"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(run: Run, args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert "--help`)" in result.stderr
    assert "Traceback" not in result.stderr


def test_dandan_alone_still_shows_the_help(run: Run) -> None:
    alone = CliRunner().invoke(app, [])
    assert "Usage:" in alone.stderr + alone.stdout
    assert "Commands" in alone.stderr + alone.stdout
    missing = run()  # --db PATH and no command
    assert missing.exit_code == 2
    assert missing.stderr.splitlines() == ["error: Missing command. (see `dandan --help`)"]


def test_errors_show_control_characters_escaped_on_one_line(run: Run, tmp_path: Path) -> None:
    # A newline in a file name, a right-to-left override in a code: escaped, not obeyed.
    missing = run("import", str(tmp_path / "a\nb.csv"))
    assert missing.exit_code == 1
    assert missing.stderr.splitlines() == [f"error: {tmp_path}/a\\nb.csv: no such file"]
    unknown = run("show", "QTR\u202e-2023")
    assert unknown.exit_code == 1
    assert len(unknown.stderr.splitlines()) == 1
    assert "\u202e" not in unknown.stderr


@pytest.mark.parametrize(
    ("args", "number"),
    [
        (("import", "a\x00b.csv"), 4),
        (("db", "backup", "x\x00.db"), 5),
        (("show", "\ud800"), 4),
        (("register", "T\udfff", "--province", "Huế"), 4),
    ],
)
def test_what_no_command_line_carries_is_a_usage_error(
    run: Run, db: Path, args: tuple[str, ...], number: int
) -> None:
    # Found by tests/test_fuzz.py: from Python (app([...])), a NUL in a file name was a
    # ValueError, a high surrogate a UnicodeEncodeError, both deep in the command.
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: argument {number} (")
    assert result.stderr.endswith(") is not text a command line can carry\n")
    assert not dump(db)
