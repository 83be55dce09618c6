"""The README's console blocks and the CLI reference are what the commands print.

`scripts/gendocs.py`'s check runs every `$ dandan ...` command of README.md's console
blocks on fresh temporary registries and renders every command's help in English and
Vietnamese; it fails, with a diff, when README.md, docs/cli.md or docs/cli.vi.md
differ. `make docs` brings them up to date.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _gendocs() -> ModuleType:
    """scripts/gendocs.py, the module the README's cog snippets import (as `gendocs`)."""
    if "gendocs" not in sys.modules:
        spec = importlib.util.spec_from_file_location("gendocs", ROOT / "scripts" / "gendocs.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["gendocs"] = module
        spec.loader.exec_module(module)
    return sys.modules["gendocs"]


def test_readme_and_cli_reference_are_what_the_commands_print(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = _gendocs().check()
    assert status == 0, f"run `make docs`:\n{capsys.readouterr().out}"


# One block as README.md writes it, its output as the command prints it (or not).
BLOCK = """\
<!-- [[[cog
console("tour", cmd(
    '$ dandan register "Mô hình" --province "Quang Tru" --field kt --sponsor "phụ nữ"', exit=1
))
]]] -->
```console
$ dandan register "Mô hình" --province "Quang Tru" --field kt --sponsor "phụ nữ"
error: --province: unknown province 'Quang Tru'; did you mean Quảng Trị (44)?
```
<!-- [[[end]]] -->
"""


@pytest.mark.parametrize(
    ("edit", "fails"),
    [
        ((" ", " "), False),  # as printed
        (("Trị (44)?", "Trị (45)?"), True),  # one character of the output
        (("(44)?\n", "(44)?\n…\n"), True),  # an elision the block does not ask for
    ],
    ids=["as-printed", "a-digit", "an-elision"],
)
def test_a_block_differing_from_what_the_command_prints_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str], fails: bool
) -> None:
    readme = tmp_path / "README.md"
    old, new = edit
    assert old in BLOCK
    readme.write_text(BLOCK.replace(old, new, 1), encoding="utf-8")
    status = _gendocs().check(readme, pages=False)
    said = capsys.readouterr().out
    assert status == (1 if fails else 0), said
    if fails:
        assert "run `make docs`" in said
        assert "@@" in said  # with a diff of what the block would become
