"""`dandan localities`: what a place name resolves to."""

from __future__ import annotations

from typing import Annotated

import typer

from dandan.commands.common import FormatOption, handle_errors, show
from dandan.errors import NotFound
from dandan.i18n import _
from dandan.rendering import Column, Format, Table


@handle_errors
def localities(
    query: Annotated[
        str,
        typer.Argument(
            help="A province, district or commune name, current or from before 2025-07-01, "
            "or an official code."
        ),
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Show the official units a name resolves to, today's and those before 2025-07-01
    with what each became (case and diacritics ignored)."""
    from dandan.localities import for_people, lookup

    rows = lookup(query)
    if not rows:
        raise NotFound(_("no province, district or commune matches {query!r}").format(query=query))
    columns = [
        Column("kind", "Kind"),
        Column("name", "Name"),
        Column("code", "Code"),
        Column("valid", "Valid"),
        Column("district", "District"),
        Column("province", "Province"),
        Column("became", "Became on 2025-07-01"),
        Column("became_code", "Code"),
    ]
    if fmt is Format.table:
        rows = [for_people(row) for row in rows]
    show(Table(columns, rows), fmt)
