"""`dandan db …`: where the registry is and how it is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dandan.commands.common import FormatOption, handle_errors, note, registry, show
from dandan.commands.core import DandanCommand, DandanGroup
from dandan.errors import InvalidInput
from dandan.i18n import N_, _, number
from dandan.rendering import Column, Format, Record, Text

if TYPE_CHECKING:
    from dandan import maintenance

app = typer.Typer(
    cls=DandanGroup, help="Where the registry lives and how it is kept.", no_args_is_help=True
)


#: The registry's tables, counted by `check` and `copy`, and what a person reads of them.
_COUNTS = ("import_batches", "models", "recognitions", "events", "contests")
_LABELS = {
    "registry": N_("Registry"),
    "schema": N_("Schema"),
    "from": N_("From"),
    "to": N_("To"),
    "import_batches": N_("Import batches"),
    "models": N_("Models"),
    "recognitions": N_("Recognitions"),
    "events": N_("Events"),
    "contests": N_("Contests"),
    "ok": N_("Sound"),
    "problems": N_("Problems"),
    "notes": N_("Not checked"),
    "reindexed": N_("Indexes rebuilt"),
    "statuses": N_("Statuses recounted"),
    "first_recognized_on": N_("First recognition dates recounted"),
    "triggers": N_("Triggers recreated"),
}
#: A problem and what repairs it, drawn as a table of their own.
_PROBLEMS = {"problems": [Column("problem", "Problem"), Column("repair", "Repair")]}


@app.command("path", cls=DandanCommand)
@handle_errors
def path(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Print the registry's location (a file path, or the URL without its password)."""
    from dandan import database

    url = database.resolve_url((ctx.find_root().obj or {}).get("db"))
    location = database.sqlite_path(url)
    shown = str(location) if location is not None else database.masked(url)
    show(
        Text(shown, {"url": database.masked(url), "path": str(location) if location else None}), fmt
    )


@app.command("upgrade", cls=DandanCommand)
@handle_errors
def upgrade(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Bring the registry's schema up to this version of dandan (SQLite: after a copy)."""
    from dandan import maintenance

    result = maintenance.upgrade((ctx.find_root().obj or {}).get("db"))
    if not result["changed"]:
        note(_("the registry is at schema {schema} already").format(schema=result["to"]))
    elif result["backup"]:
        note(
            _(
                "upgraded the registry from schema {old} to {new}; "
                "the registry as it was is in {backup}"
            ).format(old=result["from"], new=result["to"], backup=result["backup"])
        )
    else:
        note(
            _("upgraded the registry from schema {old} to {new}").format(
                old=result["from"], new=result["to"]
            )
        )
    labels = {
        **_LABELS,
        "from": N_("From schema"),
        "to": N_("To schema"),
        "changed": N_("Changed"),
        "backup": N_("Backup"),
    }
    show(Record(result, labels=labels), fmt)


@app.command("backup", cls=DandanCommand)
@handle_errors
def backup(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Where to write the copy (a new SQLite file).")],
    fmt: FormatOption = Format.table,
) -> None:
    """Copy a SQLite registry while it is in use (PostgreSQL: use pg_dump)."""
    from dandan import maintenance

    result = maintenance.backup(registry(ctx), file)
    note(
        _("backed up {models} models to {path}").format(
            models=number(result["models"]), path=result["backup"]
        )
    )
    show(Text(result["backup"], result), fmt)


@app.command("init", cls=DandanCommand)
@handle_errors
def init(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Make an empty registry where there is none (commands that only read never make one)."""
    from dandan import maintenance

    result = maintenance.init((ctx.find_root().obj or {}).get("db"))
    note(
        _("made an empty registry at {where} (schema {schema})").format(
            where=result["registry"], schema=result["schema"]
        )
    )
    show(Text(result["registry"], result), fmt)


@app.command("check", cls=DandanCommand)
@handle_errors
def check(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Check the registry: integrity, foreign keys, statuses, triggers, audit trail, schema."""
    from dandan import maintenance

    report = maintenance.check(registry(ctx))
    _show_report(report, fmt)
    _say_sound(report, _("the registry has {count} problem(s): {problem} (repair: {repair})"))


def _say_sound(report: maintenance.CheckReport, refusal: str) -> None:
    """Note a sound registry; refuse (exit 1) with the first problem and its repair."""
    if not report.ok:
        first = report.shown[0]
        raise InvalidInput(
            refusal.format(
                count=len(report.problems), problem=first["problem"], repair=first["repair"]
            )
        )
    note(_("the registry is sound"))


def _show_report(
    report: maintenance.CheckReport, fmt: Format, done: dict[str, object] | None = None
) -> None:
    data = {**(done or {}), **report.as_dict(shown=fmt is Format.table)}
    show(Record(data, labels=_LABELS, counts=_COUNTS, nested=_PROBLEMS), fmt)


@app.command("repair", cls=DandanCommand)
@handle_errors
def repair(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Rebuild indexes, recount statuses, recreate triggers: one transaction, in the audit trail."""
    from dandan import maintenance

    result, report = maintenance.repair(registry(ctx))
    note(
        _(
            "rebuilt the indexes, recounted {statuses} statuses and {dates} first recognition "
            "dates, recreated {triggers} triggers"
        ).format(
            statuses=number(result["statuses"]),
            dates=number(result["first_recognized_on"]),
            triggers=number(len(result["triggers"])),
        )
    )
    _show_report(report, fmt, result)
    _say_sound(report, _("the registry still has {count} problem(s): {problem} (repair: {repair})"))


@app.command("copy", cls=DandanCommand)
@handle_errors
def copy(
    ctx: typer.Context,
    to: Annotated[
        str, typer.Option("--to", help="An empty database: a SQLite path or a PostgreSQL URL.")
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Copy the whole registry into an empty database (SQLite ↔ PostgreSQL), counts checked."""
    from dandan import maintenance

    result = maintenance.copy(registry(ctx), to)
    note(
        _(
            "copied {models} models, {recognitions} recognitions and {batches} import batches "
            "to {to}"
        ).format(
            models=number(result["models"]),
            recognitions=number(result["recognitions"]),
            batches=number(result["import_batches"]),
            to=result["to"],
        )
    )
    show(Record(result, labels=_LABELS, counts=_COUNTS), fmt)
