"""`dandan export`: the selected models and their recognitions, ready to re-import."""

from __future__ import annotations

from typing import Annotated

import typer

from dandan.commands.common import (
    AreaOption,
    AsOfOption,
    ByEndOfOption,
    FieldOption,
    HolderOption,
    InOption,
    KindOption,
    LevelOption,
    PeriodOption,
    SearchOption,
    SinceOption,
    SponsorOption,
    StatusOption,
    handle_errors,
    note,
    registry,
)
from dandan.commands.tally import selection
from dandan.i18n import _, number


@handle_errors
def export(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="Where to write: FILE.csv, FILE.xlsx, FILE.json, or - for stdout.")
    ],
    year: Annotated[str | None, typer.Option("--year", help="Models registered that year.")] = None,
    by_end_of: ByEndOfOption = None,
    since: SinceOption = None,
    as_of: AsOfOption = None,
    period: PeriodOption = None,
    in_: InOption = None,
    field: FieldOption = None,
    sponsor: SponsorOption = None,
    level: LevelOption = None,
    holder: HolderOption = None,
    kind: KindOption = None,
    area: AreaOption = None,
    status: StatusOption = None,
    search: SearchOption = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="csv or json for - (standard output)."),
    ] = None,
    headers: Annotated[
        str,
        typer.Option(
            "--headers",
            help="The header row of CSV and XLSX: en, the column identifiers scripts read, "
            "or vi, the columns' Vietnamese names; dandan import reads both. JSON keys "
            "stay the identifiers.",
        ),
    ] = "en",
) -> None:
    """Write models and their recognitions in the import schema (one row per recognition)."""
    from dandan.exporting import export as run_export

    where, window = selection(
        in_=in_,
        field=field,
        sponsor=sponsor,
        level=level,
        holder=holder,
        kind=kind,
        area=area,
        status=status,
        search=search,
        year=year,
        by_end_of=by_end_of,
        since=since,
        as_of=as_of,
        period=period,
    )
    summary = run_export(registry(ctx), file, where=where, window=window, fmt=fmt, headers=headers)
    place = _("standard output") if file == "-" else file
    note(
        _("exported {models} models and {recognitions} recognitions to {place}").format(
            models=number(summary.models), recognitions=number(summary.recognitions), place=place
        )
    )
