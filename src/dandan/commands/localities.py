"""`dandan localities`: what a place name resolves to."""

from __future__ import annotations

from typing import Annotated

import typer

from dandan.commands.common import FormatOption, handle_errors, show
from dandan.errors import NotFound
from dandan.rendering import Column, Format, Table


@handle_errors
def localities(
    query: Annotated[str, typer.Argument(help="A province or commune name, or an official code.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show the official units a name resolves to (case and diacritics ignored)."""
    from dandan.localities import lookup

    rows = lookup(query)
    if not rows:
        raise NotFound(f"no province or commune matches {query!r}")
    columns = [
        Column("kind", "Kind"),
        Column("name", "Name"),
        Column("code", "Code"),
        Column("province", "Province"),
        Column("scheme", "Units of"),
    ]
    show(Table(columns, rows), fmt)
