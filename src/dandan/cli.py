"""The `dandan` command line: options in, one library call, rendered result out.

Only Typer is imported at start-up; each command imports the library pieces it
needs, so `dandan --help` and `dandan --version` stay instant.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from dandan import __version__
from dandan.commands import audit, db, export, imports, localities, models, tally
from dandan.commands.common import one_line


class OneLineErrors(TyperGroup):
    """The root command: a malformed or unknown option is one line on stderr, like every
    other error ("error: Invalid value for '--year': …", exit code 2), not click's block
    of usage, hint and message, which scripts reading stderr would take for several
    errors. `dandan` alone still prints the help."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        given = kwargs.get("args", args[0] if args else None)
        if given is not None and (bad := _impossible(given)):
            typer.echo(f"error: {bad}", err=True)
            sys.exit(2)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except typer.Abort:
            typer.echo("error: aborted; nothing was written", err=True)
            sys.exit(1)
        except Exception as exc:
            # click's errors (typer's own copy of click, or click itself, by version):
            # known by what they carry rather than by a class of one or the other.
            message = getattr(exc, "format_message", None)
            exit_code = getattr(exc, "exit_code", None)
            if not callable(message) or not isinstance(exit_code, int):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()  # type: ignore[attr-defined]
                sys.exit(exit_code)
            ctx = getattr(exc, "ctx", None)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            typer.echo(f"error: {one_line(message())}{hint}", err=True)
            sys.exit(exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _impossible(args: Sequence[str]) -> str | None:
    """What no command line can carry, when the arguments come from Python (`app([…])`):
    a NUL, or a lone surrogate other than those Python makes of bytes that are not UTF-8
    (U+DC80 to U+DCFF). Each failed deep down (ValueError, UnicodeEncodeError) as a
    traceback; the argument is named instead."""
    for number, arg in enumerate(args, 1):
        if arg.isprintable():
            continue
        if "\x00" in arg or re.search("[\ud800-\udc7f\udd00-\udfff]", arg):
            return f"argument {number} ({one_line(arg[:40])}) is not text a command line can carry"
    return None


app = typer.Typer(
    name="dandan",
    cls=OneLineErrors,
    help="Registry of “Dân vận khéo” models: register, recognise, import, count.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dandan {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db_: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="DANDAN_DB",
            help="Registry: a SQLite file path or a database URL (default: your data folder).",
            show_envvar=True,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="DANDAN_ACTOR",
            help="Who makes the changes, for the audit trail (default: your user name).",
            show_envvar=True,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Registry of “Dân vận khéo” models."""
    ctx.obj = {"db": db_, "actor": actor}


app.command("register")(models.register)
app.command("recognize")(models.recognize)
app.command("show")(models.show_model)
app.command("list")(models.list_models)
app.command("edit")(models.edit)
app.command("withdraw")(models.withdraw)
app.command("import")(imports.import_)
app.command("imports")(imports.imports)
app.command("localities")(localities.localities)
app.command("tally")(tally.tally)
app.command("stats")(tally.stats)
app.command("export")(export.export)
app.command("history")(audit.history)
app.command("log")(audit.log)
app.add_typer(db.app, name="db")


def main() -> None:
    """Console entry point: a last guard so users never see a traceback."""
    try:
        app()
    except Exception as exc:  # a bug of ours: say so in one line, not a traceback
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        typer.echo(f"internal error: {type(exc).__name__}: {first} (please report it)", err=True)
        sys.exit(70)
