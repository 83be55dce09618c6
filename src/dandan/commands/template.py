"""`dandan template`: the workbook a clerk fills in for `dandan import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dandan.commands.common import handle_errors, note, registry
from dandan.i18n import _


@handle_errors
def template(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="The workbook to write, FILE.xlsx.", show_default=False),
    ],
    province: Annotated[
        str | None,
        typer.Option(
            help="The province the sheet is for: its column offers only it, and the "
            "commune column its current communes."
        ),
    ] = None,
) -> None:
    """Write an .xlsx workbook for clerks to fill in and import: the Vietnamese headers,
    drop-down lists of the accepted fields, sponsors, holder types and levels (and, with
    --province, of its communes), date cells, and instructions in Vietnamese. `dandan
    import --template` still prints the bare header row for scripts."""
    from dandan.templates import write_template

    summary = write_template(file, province, registry=registry(ctx).url)
    if summary.province is None:
        note(_("template written to {file}").format(file=summary.path))
    else:
        note(
            _("template for {province} ({communes} communes) written to {file}").format(
                province=summary.province, communes=summary.communes, file=summary.path
            )
        )
