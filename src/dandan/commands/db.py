"""`dandan db …`: where the registry is and how it is kept."""

from __future__ import annotations

import typer

from dandan.commands.common import FormatOption, handle_errors, show
from dandan.rendering import Format, Text

app = typer.Typer(help="Where the registry lives and how it is kept.", no_args_is_help=True)


@app.command("path")
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
