"""`dandan import`: load models and recognitions from CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dandan.commands.common import FormatOption, handle_errors, note, registry, show
from dandan.rendering import Format, Record


@handle_errors
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV file in the import schema (see README).")],
    fmt: FormatOption = Format.table,
) -> None:
    """Import models and their recognitions from a CSV file, all rows or none."""
    from dandan.importing import import_csv

    summary = import_csv(registry(ctx), file)
    note(f"{file.name}: {summary.inserted} inserted, {summary.skipped} already registered")
    show(Record(summary.as_dict()), fmt)
