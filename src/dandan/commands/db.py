"""`dandan db …`: where the registry is and how it is kept."""

from __future__ import annotations

from typing import Annotated

import typer

from dandan.commands.common import FormatOption, handle_errors, note, registry, show
from dandan.commands.core import DandanCommand, DandanGroup
from dandan.errors import InvalidInput
from dandan.rendering import Format, Record, Text

app = typer.Typer(
    cls=DandanGroup, help="Where the registry lives and how it is kept.", no_args_is_help=True
)


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
        note(f"the registry is at schema {result['to']} already")
    else:
        saved = f"; the registry as it was is in {result['backup']}" if result["backup"] else ""
        note(f"upgraded the registry from schema {result['from']} to {result['to']}{saved}")
    show(Record(result, labels={"from": "From schema", "to": "To schema"}), fmt)


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
    note(f"backed up {result['models']:,} models to {result['backup']}")
    show(Text(result["backup"], result), fmt)


@app.command("check", cls=DandanCommand)
@handle_errors
def check(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Check the registry: integrity, foreign keys, derived columns, schema version."""
    from dandan import maintenance

    report = maintenance.check(registry(ctx))
    show(
        Record(report.as_dict(), counts=("import_batches", "models", "recognitions", "events")), fmt
    )
    if not report.ok:
        raise InvalidInput(
            f"the registry has {len(report.problems)} problem(s): {report.problems[0]}"
        )
    note("the registry is sound")


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
        f"copied {result['models']:,} models, {result['recognitions']:,} recognitions and "
        f"{result['import_batches']:,} import batches to {result['to']}"
    )
    show(Record(result, counts=("import_batches", "models", "recognitions", "events")), fmt)
