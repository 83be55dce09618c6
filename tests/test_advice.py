"""The library speaks in the registry's words; the command line names the flag.

A script calling `Registry.get` on an unknown code was told to run
"`dandan list --search`"; now the error carries an `errors.Advice`, and only the
command line turns it into a command or option (translated, appended to the line).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dandan.commands.common import ADVICE
from dandan.errors import Advice, NotFound, RegistryUnavailable
from dandan.registry import Registry
from tests.conftest import REGISTER, Run

SOURCE = Path(__file__).resolve().parents[1] / "src" / "dandan"

#: Messages still naming the command line, where they are not errors: the repairs that
#: `db check` reports as data (its "repair" column), and the import writer's conflict,
#: whose module is being rewritten (it takes `Advice.resolve_conflict` next).
PENDING = {
    ("maintenance.py", "`dandan db repair`"),
    ("maintenance.py", "cannot be repaired in place: restore the newest `dandan db backup` copy"),
    (
        "maintenance.py",
        "deleted events cannot be restored: compare with a `dandan db backup` copy; "
        "`dandan db repair` records the finding",
    ),
    ("maintenance.py", "`dandan db upgrade`"),
    (
        "maintenance.py",
        "`dandan db repair` rebuilds damaged indexes; if it cannot, restore the newest "
        "`dandan db backup` copy",
    ),
    ("maintenance.py", "`dandan db repair` recounts them"),
    ("maintenance.py", "`dandan db repair` recreates it"),
}


def _messages() -> list[tuple[str, str]]:
    """Every message the library (all but the command line) marks for translation."""
    found = []
    for path in sorted(SOURCE.glob("*.py")):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((path.name, node.args[0].value))
    return found


def test_library_messages_name_no_command_or_option() -> None:
    speaking = {
        (module, message)
        for module, message in _messages()
        if " --" in message or message.startswith("--") or "`dandan" in message
    }
    assert speaking - PENDING == set()


def test_every_advice_has_its_words_on_the_command_line() -> None:
    assert set(ADVICE) == set(Advice)


def test_a_script_hears_the_registry_s_words_and_the_advice_apart(registry: Registry) -> None:
    with pytest.raises(NotFound) as raised:
        registry.get("QTR-2023-99999")
    assert str(raised.value) == "no model with code 'QTR-2023-99999'"
    assert raised.value.advice is Advice.find_code


def test_a_missing_registry_advises_making_one(tmp_path: Path) -> None:
    with pytest.raises(RegistryUnavailable) as raised:
        Registry(str(tmp_path / "none.db")).engine  # noqa: B018
    assert "`dandan" not in str(raised.value)
    assert raised.value.advice is Advice.create_registry


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            ("show", "QTR-2023-99999"),
            "error: no model with code 'QTR-2023-99999'; `dandan list --search` finds codes",
            id="unknown-code",
        ),
        pytest.param(
            ("history", "QTR-2023-99999"),
            "error: no model with code 'QTR-2023-99999'; `dandan list --search` finds codes",
            id="unknown-code-history",
        ),
        pytest.param(
            ("tally", "--by", "district"),
            "error: --by: districts were abolished on 2025-07-01; count by them in the units "
            "before that day; --boundaries 2024 counts in them",
            id="districts-today",
        ),
    ],
)
def test_the_command_line_appends_the_advice(run: Run, args: tuple[str, ...], line: str) -> None:
    assert run(*REGISTER).exit_code == 0
    result = run(*args)
    assert result.exit_code != 0
    assert result.stderr.strip() == line


def test_the_advice_is_said_in_vietnamese(run: Run) -> None:
    assert run(*REGISTER).exit_code == 0
    result = run("--lang", "vi", "show", "QTR-2023-99999")
    assert result.stderr.strip() == (
        "lỗi: không có mô hình nào mang mã 'QTR-2023-99999'; dùng `dandan list --search` để tìm mã"
    )
