"""`dandan report`: the figures of a window as a web page to send up the chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dandan.commands.common import (
    AreaOption,
    AsOfOption,
    BoundariesOption,
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
    YearOption,
    handle_errors,
    note,
    registry,
    show,
)
from dandan.commands.tally import boundaries_given, selection
from dandan.i18n import _
from dandan.rendering import Format, Text
from dandan.text import as_text


@handle_errors
def report(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="The page to write, FILE.html: open it in a browser, print it from there.",
            show_default=False,
        ),
    ],
    year: YearOption = None,
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
    boundaries: BoundariesOption = "current",
) -> None:
    """Write the figures of a window as one web page: headline figures, tables and charts
    by province, field, level and year. It opens offline in any browser. There is no
    --pdf: print the page from the browser (Save as PDF), which lays it out for paper."""
    from dandan import reporting
    from dandan.tallies import Boundaries, parse_boundaries

    reg = registry(ctx)
    reporting.check_name(file, registry=reg.url)
    units = parse_boundaries(boundaries)
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
        legacy_first=units is Boundaries.legacy,
        scheme_given=boundaries_given(ctx),
    )
    figures = reporting.build_report(reg, where=where, window=window, boundaries=units)
    reporting.write(reporting.render_html(figures), file, registry=reg.url)
    shown = as_text(str(file))  # a name in another encoding than UTF-8 cannot be printed
    show(Text(shown), Format.table)
    note(
        _("report ({window}) written to {path}; open it in a browser").format(
            window=window.label, path=shown
        )
    )
