"""The `dandan` command line: options in, one library call, rendered result out.

Only Typer is imported at start-up; each command imports the library pieces it
needs, so `dandan --help` and `dandan --version` stay instant.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dandan import __version__
from dandan.commands import audit, db, export, imports, localities, models, tally

app = typer.Typer(
    name="dandan",
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
