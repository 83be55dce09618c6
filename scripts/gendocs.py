"""The documentation the commands write themselves: `make docs`.

README.md's console blocks are generated with cog: each block sits between
`<!-- [[[cog ... ]]] -->` and `<!-- [[[end]]] -->` markers whose code calls `console()`,
which runs the block's `$ dandan ...` commands for real and writes them with what a
terminal would show (stdout and stderr, in the order they were written). The
`docs/cli.md` and `docs/cli.vi.md` reference pages are the help of every command, in
English and in Vietnamese.

    python scripts/gendocs.py           # rewrite README.md and docs/cli*.md in place
    python scripts/gendocs.py --check   # exit 1, with a diff, when one is out of date

The output must not depend on the machine or the day, so that `--check` (run by
`tests/test_docs.py`) compares like with like:

- the commands run in-process (Typer's `CliRunner`) in a temporary folder, on a
  registry of their own per story ("tour": empty at first; "demo": `make demo`'s, the
  seed file imported; "import": empty), never the user's;
- the environment is fixed: English unless a command says otherwise, no colour, a
  terminal of 80 columns for help (tables are drawn 160 wide when not on a terminal),
  `DANDAN_ACTOR=lan`, an empty config folder;
- the registry's clock (the audit trail's and the import batches' times) reads
  2026-11-23 09:00 UTC at a story's first command, one minute later at each next one;
  the examples give every date the commands would otherwise take from today.
"""

from __future__ import annotations

import difflib
import io
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from unittest.mock import patch

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SEED = ROOT / "data" / "seed_models.csv"
CONTESTS = ROOT / "data" / "seed_contests.csv"
REFERENCE = {"en": ROOT / "docs" / "cli.md", "vi": ROOT / "docs" / "cli.vi.md"}

#: The registry's clock at a story's first command; each next command runs a minute later.
CLOCK = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
#: The environment every command runs in (None: unset), whatever the machine's.
ENVIRONMENT: dict[str, str | None] = {
    "LANG": "C.UTF-8",
    "LC_ALL": None,
    "LC_MESSAGES": None,
    "LANGUAGE": None,
    "DANDAN_LANG": None,
    "DANDAN_ACTOR": "lan",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "COLUMNS": "80",
    "LINES": "24",
}

#: cog's arguments: the snippets call `console` and `cmd` without importing them.
COG_ARGS = ["-I", str(ROOT / "scripts"), "-p", "from gendocs import cmd, console"]


@dataclass(frozen=True)
class Command:
    """One `$ dandan ...` line of a block (with its continuation lines), and how much of
    its output the block shows: `head` first lines and `tail` last ones, the rest
    elided as one "…" line, the same way at every run."""

    text: str
    head: int | None = None
    tail: int = 0
    exit: int = 0
    env: Mapping[str, str | None] = field(default_factory=dict)


def cmd(
    text: str,
    *,
    head: int | None = None,
    tail: int = 0,
    exit: int = 0,
    env: Mapping[str, str | None] | None = None,
) -> Command:
    """A command whose output is cut (`head`, `tail`), that is expected to fail (`exit`),
    or that needs an environment of its own that the reader does not see (`env`)."""
    return Command(text.strip("\n"), head, tail, exit, dict(env or {}))


@dataclass
class Story:
    """A registry and a folder that a sequence of blocks works on, in README order."""

    folder: Path
    steps: int = 0

    @property
    def db(self) -> Path:
        return self.folder / "registry.db"


_stories: dict[str, Story] = {}
_tmp: tempfile.TemporaryDirectory[str] | None = None


def reset() -> None:
    """Forget every story (their folders are removed): the next run starts afresh."""
    global _tmp
    _stories.clear()
    if _tmp is not None:
        _tmp.cleanup()
    _tmp = None


def story(name: str) -> Story:
    """The story's registry, made on first use: "demo" is `make demo`'s (the seed file
    imported, as batch 1), any other starts empty."""
    global _tmp
    if name in _stories:
        return _stories[name]
    if _tmp is None:
        _tmp = tempfile.TemporaryDirectory(prefix="dandan-docs-")
    folder = Path(_tmp.name) / name
    (folder / "data").mkdir(parents=True)
    (folder / "config").mkdir()
    shutil.copyfile(SEED, folder / "data" / SEED.name)
    shutil.copyfile(CONTESTS, folder / "data" / CONTESTS.name)
    made = _stories[name] = Story(folder)
    if name == "demo":  # as `make demo` makes it
        for command in (
            ["import", f"data/{SEED.name}"],
            ["contest", "import", f"data/{CONTESTS.name}"],
        ):
            done = _invoke(made, command, {})
            if done.exit_code != 0:
                raise RuntimeError(f"the demo registry could not be made: {done.output}")
    return made


@contextmanager
def _fixed(at: datetime) -> Iterator[None]:
    """For the length of one command: the registry's timestamps (`writing.utc_now`,
    also imported by `importing`) read `at`, and the user's data and config folders are
    `$XDG_DATA_HOME/dandan` and `$XDG_CONFIG_HOME/dandan` on every system (platformdirs
    would take the real user's on macOS and Windows)."""

    def now() -> datetime:
        return at

    def data(appname: str | None = None, *args: Any, **kwargs: Any) -> Path:
        return Path(os.environ["XDG_DATA_HOME"]) / (appname or "")

    def config(appname: str | None = None, *args: Any, **kwargs: Any) -> Path:
        return Path(os.environ["XDG_CONFIG_HOME"]) / (appname or "")

    with ExitStack() as stack:
        for target, value in (
            ("dandan.writing.utc_now", now),
            ("dandan.importing.utc_now", now),
            ("platformdirs.user_data_path", data),
            ("platformdirs.user_config_path", config),
        ):
            stack.enter_context(patch(target, value))
        yield


def _dandan() -> Any:
    """The command line as click runs it (`dandan.cli.app`), built afresh as at every
    run of `dandan`: showing help translates the command objects in place."""
    import typer.main

    from dandan.cli import app

    return typer.main.get_command(app)


@cache
def _dandan_in(lang: str) -> Any:
    """One command line for all the help pages of one language (building it is most of
    the time a help page takes): translating its help again in that language is a no-op."""
    return _dandan()


def _invoke(where: Story, args: list[str], env: Mapping[str, str | None]) -> Any:
    """Run `dandan ARGS` in the story's folder, on its registry, at its clock's time."""
    from click.testing import CliRunner

    environment = {
        **ENVIRONMENT,
        "DANDAN_DB": str(where.db),
        "XDG_CONFIG_HOME": str(where.folder / "config"),  # no aliases.csv
        "XDG_DATA_HOME": str(where.folder / "share"),
        **env,
    }
    at = CLOCK + timedelta(minutes=where.steps)
    where.steps += 1
    before = Path.cwd()
    os.chdir(where.folder)
    try:
        with _fixed(at):
            return CliRunner().invoke(_dandan(), args, env=environment, color=False)
    finally:
        os.chdir(before)


def _parse(text: str) -> tuple[dict[str, str], list[str], int | None]:
    """`$ [NAME=VALUE ...] dandan ARGS [| head -n N]` as the shell reads it."""
    line = text.replace("\\\n", " ")
    assert line.startswith("$ "), f"a command starts with '$ ': {text!r}"
    words = shlex.split(line[2:], comments=True)
    env: dict[str, str] = {}
    while words and "=" in words[0] and not words[0].startswith("-"):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    head = None
    if "|" in words:
        at = words.index("|")
        pipe = words[at + 1 :]
        if pipe[:2] != ["head", "-n"] or len(pipe) != 3:
            raise ValueError(f"only `| head -n N` is understood after a pipe: {text!r}")
        head = int(pipe[2])
        words = words[:at]
    if words[:1] != ["dandan"]:
        raise ValueError(f"not a dandan command: {text!r}")
    return env, words[1:], head


def _commands(items: tuple[str | Command, ...]) -> Iterator[Command]:
    """Each command of the arguments: a `Command`, or a text of one or more commands."""
    for item in items:
        if isinstance(item, Command):
            yield item
            continue
        current: list[str] = []
        for line in item.strip("\n").splitlines():
            if current and not current[-1].endswith("\\"):
                yield Command("\n".join(current))
                current = []
            current.append(line)
        if current:
            yield Command("\n".join(current))


def transcript(name: str, *items: str | Command) -> str:
    """The commands run on story `name`, each followed by what it printed."""
    where = story(name)
    lines: list[str] = []
    for command in _commands(items):
        env, args, piped = _parse(command.text)
        done = _invoke(where, args, {**env, **command.env})
        if done.exception is not None and not isinstance(done.exception, SystemExit):
            raise RuntimeError(f"{command.text}: {done.exception!r}") from done.exception
        if done.exit_code != command.exit:
            raise RuntimeError(
                f"{command.text}: exit {done.exit_code}, expected {command.exit}:\n{done.output}"
            )
        out = done.output.splitlines()
        if piped is not None:  # `| head -n N` keeps stderr whole, and N lines of stdout
            out = done.stderr.splitlines() + done.stdout.splitlines()[:piped]
        if command.head is not None and len(out) > command.head + command.tail:
            out = [*out[: command.head], "…", *(out[-command.tail :] if command.tail else [])]
        lines += [*command.text.splitlines(), *out]
    return "\n".join(lines) + "\n"


def console(name: str, *items: str | Command, indent: int = 0) -> None:
    """Write a ```console block of the commands run on story `name` (in a cog snippet)."""
    import cog  # type: ignore[import-not-found]  # only there while cog runs

    margin = " " * indent
    block = ["```console", *transcript(name, *items).splitlines(), "```"]
    cog.out("".join(f"{margin}{line}".rstrip() + "\n" for line in block))


# The command-line reference.

TITLES = {
    "en": (
        "# Command-line reference\n\n"
        "The help of every `dandan` command, as `dandan COMMAND --help` prints it. "
        "Generated by `make docs` from the commands themselves: do not edit by hand. "
        "[Tiếng Việt](cli.vi.md)\n"
    ),
    "vi": (
        "# Tra cứu dòng lệnh\n\n"
        "Trợ giúp của mọi lệnh `dandan`, như `dandan --lang vi LỆNH --help` in ra. "
        "Do `make docs` sinh ra từ chính các lệnh: đừng sửa bằng tay. "
        "[English](cli.md)\n"
    ),
}


def _tree() -> list[list[str]]:
    """Every command path (`[]` for dandan itself, `["db", "path"]`), in the order the
    command line lists them."""
    found: list[list[str]] = []

    def visit(command: Any, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            visit(sub, [*path, name])

    visit(_dandan_in("en"), [])
    return found


def reference(lang: str) -> str:
    """The reference page in `lang`: each command's `--help`, 80 columns wide."""
    from click.testing import CliRunner

    parts = [TITLES[lang]]
    for path in _tree():
        done = CliRunner().invoke(
            _dandan_in(lang),
            ["--lang", lang, *path, "--help"],
            env={**ENVIRONMENT, "DANDAN_DB": None},
            color=False,
        )
        if done.exit_code != 0:
            raise RuntimeError(f"dandan {' '.join(path)} --help: {done.output}")
        title = " ".join(["dandan", *path])
        parts.append(f"\n## {title}\n\n```text\n{done.output.rstrip()}\n```\n")
    return "".join(parts)


def _cog(readme: Path, *args: str) -> tuple[int, str]:
    """Run cog on `readme` with our arguments; its exit status and what it said."""
    from cogapp import Cog  # type: ignore[import-untyped]

    reset()
    said = io.StringIO()
    runner = Cog()
    runner.set_output(stdout=said, stderr=said)
    try:
        status = runner.main(["cog", *COG_ARGS, *args, str(readme)])
    finally:
        reset()
    return status, said.getvalue()


def write(readme: Path = README, *, pages: bool = True) -> None:
    """Bring the console blocks of `readme` and (`pages`) docs/cli*.md up to date."""
    status, said = _cog(readme, "-r")
    if status != 0:
        sys.exit(said)
    if pages:
        for lang, path in REFERENCE.items():
            path.parent.mkdir(exist_ok=True)
            path.write_text(reference(lang), encoding="utf-8")


def check(readme: Path = README, *, pages: bool = True) -> int:
    """0 when `readme` and (`pages`) docs/cli*.md are what the commands print; else 1,
    with a diff of what they would become."""
    status, said = _cog(readme, "--check", "--diff", "--check-fail-msg=run `make docs`")
    failed = status != 0
    if failed:
        print(said)
    for lang, path in REFERENCE.items() if pages else ():
        want = reference(lang)
        have = path.read_text(encoding="utf-8") if path.exists() else ""
        if have != want:
            failed = True
            rel = str(path.relative_to(ROOT))
            print(f"{rel} is out of date: run `make docs`")
            sys.stdout.writelines(
                difflib.unified_diff(
                    have.splitlines(keepends=True),
                    want.splitlines(keepends=True),
                    f"{rel} (as it is)",
                    f"{rel} (as the commands print it)",
                )
            )
    return 1 if failed else 0


def main() -> None:
    """`gendocs.py [--check] [FILE]`: README.md and the reference pages, or only FILE."""
    args = sys.argv[1:]
    files = [Path(a) for a in args if not a.startswith("--")]
    readme, pages = (files[0], False) if files else (README, True)
    if "--check" in args:
        sys.exit(check(readme, pages=pages))
    write(readme, pages=pages)


if __name__ == "__main__":
    main()
