"""`dandan history` and `dandan log`: the audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from dandan.commands.common import FormatOption, handle_errors, registry, show
from dandan.i18n import N_
from dandan.rendering import Column, Format, Table

COLUMNS = [
    Column("at", "At (UTC)"),
    Column("actor", "By"),
    Column("command", "Command"),
    Column("model", "Model"),
    Column("changes", "Changes"),
]


@handle_errors
def history(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show a model's story: every change to it, who made it and when, before and after."""
    from dandan.audit import for_people
    from dandan.audit import history as model_history

    events = model_history(registry(ctx), code)
    if fmt is Format.table:
        events = for_people(events)
    show(Table(COLUMNS, events, empty_message=N_("no recorded changes")), fmt)


@handle_errors
def log(
    ctx: typer.Context,
    # Not `since`: tally's and export's `--since` is a year, this one a day.
    since_day: Annotated[
        str | None,
        typer.Option("--since", help="From this day on (YYYY-MM-DD or DD/MM/YYYY)."),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Show at most this many (newest first).")] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Show the registry's changes, newest first: who changed what, and when."""
    from dandan.audit import for_people
    from dandan.audit import log as registry_log
    from dandan.validation import parse_date

    day = parse_date(since_day, "since") if since_day else None
    events = registry_log(registry(ctx), since=day, limit=limit)
    if fmt is Format.table:
        events = for_people(events)
    show(Table(COLUMNS, events, empty_message=N_("no recorded changes")), fmt)
