"""The `dandan` command line: options in, one library call, rendered result out.

Only Typer is imported at start-up; each command imports the library pieces it
needs, so `dandan --help` and `dandan --version` stay instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from dandan import __version__, i18n
from dandan.commands import (
    audit,
    contest,
    corrections,
    db,
    export,
    imports,
    localities,
    models,
    report,
    tally,
    template,
)
from dandan.commands.common import one_line
from dandan.commands.core import DandanCommand, RootGroup
from dandan.i18n import N_, _

app = typer.Typer(
    name="dandan",
    cls=RootGroup,
    help=N_("Registry of “Dân vận khéo” models: register, recognise, import, count."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _check_lang(value: str | None) -> str | None:
    """The language itself was chosen before parsing (RootGroup.main); here an unknown
    one, from --lang or DANDAN_LANG, is refused rather than ignored."""
    if value is not None and i18n.parse(value) is None:
        raise typer.BadParameter(
            _("unknown language {value!r}; use one of: {choices}").format(
                value=value, choices=", ".join(i18n.LANGUAGES)
            )
        )
    return value


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
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="DANDAN_LANG",
            help="Language of messages, help and tables: vi or en "
            "(default: vi when the locale, LANG or LC_ALL, is Vietnamese).",
            show_envvar=True,
            callback=_check_lang,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version.")),
    ] = False,
) -> None:
    """Registry of “Dân vận khéo” models."""
    ctx.obj = {"db": db_, "actor": actor}


COMMANDS: dict[str, Callable[..., Any]] = {
    "register": models.register,
    "recognize": models.recognize,
    "commend": models.commend,
    "review": models.review,
    "show": models.show_model,
    "list": models.list_models,
    "edit": models.edit,
    "withdraw": models.withdraw,
    "unrecognize": corrections.unrecognize,
    "reinstate": corrections.reinstate,
    "import": imports.import_,
    "imports": imports.imports,
    "template": template.template,
    "localities": localities.localities,
    "tally": tally.tally,
    "stats": tally.stats,
    "export": export.export,
    "report": report.report,
    "history": audit.history,
    "log": audit.log,
}
for name, function in COMMANDS.items():
    app.command(name, cls=DandanCommand)(function)
app.add_typer(db.app, name="db")
app.add_typer(contest.app, name="contest")


def main() -> None:
    """Console entry point: a last guard so users never see a traceback."""
    try:
        app()
    except Exception as exc:  # a bug of ours: say so in one line, not a traceback
        first = one_line((str(exc).strip().splitlines() or [""])[0][:200])
        typer.echo(
            _("internal error: {kind}: {message} (please report it)").format(
                kind=type(exc).__name__, message=first
            ),
            err=True,
        )
        sys.exit(70)
