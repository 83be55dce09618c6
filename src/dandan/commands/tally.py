"""`dandan tally` and `dandan stats`: the figures analysts report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dandan.commands.common import (
    AsOfOption,
    BoundariesOption,
    ByEndOfOption,
    FieldOption,
    FormatOption,
    HolderOption,
    InOption,
    LevelOption,
    PeriodOption,
    SearchOption,
    SinceOption,
    SponsorOption,
    StatusOption,
    YearOption,
    handle_errors,
    show,
    store,
)
from dandan.rendering import Column, Format, Record, Table

if TYPE_CHECKING:
    from dandan.filters import ModelFilter
    from dandan.tallies import Stats, TallyResult, Window

Opt = typer.Option

#: What a person sees of each group; CSV and JSON also carry the codes.
GROUP_COLUMNS = {
    "province": [Column("province", "Province")],
    "district": [Column("district", "District"), Column("province", "Province")],
    "commune": [Column("commune", "Commune"), Column("province", "Province")],
    "year": [Column("year", "Year")],
    "field": [Column("field", "Field")],
    "sponsor": [Column("sponsor", "Sponsor")],
    "level": [Column("level", "Level")],
    "holder": [Column("holder", "Holder")],
}
MEASURE_COLUMNS = {
    "registered": Column("registered", "Registered", numeric=True),
    "recognized": Column("recognized", "Recognised", numeric=True),
    "recognitions": Column("recognitions", "Recognitions", numeric=True),
}


def selection(
    *,
    in_: list[str] | None,
    field: list[str] | None,
    sponsor: list[str] | None,
    level: list[str] | None,
    holder: list[str] | None,
    status: list[str] | None,
    search: str | None,
    year: str | None,
    by_end_of: str | None,
    since: str | None,
    as_of: str | None,
    period: str | None,
    legacy_first: bool = False,
) -> tuple[ModelFilter, Window]:
    """The models and days the options select, as tally, stats and export all read them."""
    from dandan.filters import ModelFilter
    from dandan.tallies import Window

    window = Window.parse(year=year, by_end_of=by_end_of, since=since, as_of=as_of, period=period)
    where = ModelFilter.parse(
        places=in_ or (),
        fields=field or (),
        sponsors=sponsor or (),
        levels=level or (),
        holders=holder or (),
        statuses=status or (),
        search=search,
        legacy_first=legacy_first,
    )
    return where, window


def tally_table(result: TallyResult, *, chart: bool) -> Table:
    from dandan.tallies import Boundaries, Dimension

    query = result.query
    legacy = query.boundaries is Boundaries.legacy
    columns = []
    for dim in query.by:
        if legacy and dim is Dimension.commune:  # old communes share names across districts
            columns += [Column("commune", "Commune"), *GROUP_COLUMNS["district"]]
        else:
            columns += GROUP_COLUMNS[dim.value]
    columns += [MEASURE_COLUMNS[m] for m in query.measures]
    groups = " and ".join(d.value for d in query.by) if query.by else None
    units = " (units before 2025-07-01)" if legacy and query.by else ""
    title = f"Models {'by ' + groups if groups else 'nationwide'}{units}, {query.window.label}"
    return Table(
        columns,
        result.rows,
        total=result.total,
        title=title,
        chart=query.measures[0] if chart and query.by else None,
        empty_message="no models match",
    )


@handle_errors
def tally(
    ctx: typer.Context,
    province: Annotated[bool, Opt("--province", help="One row per province.")] = False,
    commune: Annotated[bool, Opt("--commune", help="One row per commune.")] = False,
    by: Annotated[
        list[str] | None,
        Opt(
            "--by",
            help="Group by: province, district (with --boundaries 2024), commune, year, field, "
            "sponsor, level, holder (repeatable).",
        ),
    ] = None,
    boundaries: BoundariesOption = "current",
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
    status: StatusOption = None,
    search: SearchOption = None,
    count: Annotated[
        str,
        Opt(help="What the recognised column counts: models (each once) or recognitions."),
    ] = "models",
    sort: Annotated[
        str, Opt(help="count (largest first) or name (Vietnamese alphabetical order).")
    ] = "count",
    chart: Annotated[bool, Opt("--chart", help="Draw the first count as bars.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Count registered and recognised models per group, in a time window."""
    from dandan.tallies import Boundaries, TallyQuery, parse_boundaries
    from dandan.tallies import tally as run_tally

    units = parse_boundaries(boundaries)

    where, window = selection(
        in_=in_,
        field=field,
        sponsor=sponsor,
        level=level,
        holder=holder,
        status=status,
        search=search,
        year=year,
        by_end_of=by_end_of,
        since=since,
        as_of=as_of,
        period=period,
        legacy_first=units is Boundaries.legacy,
    )
    dims = [*(["province"] if province else []), *(["commune"] if commune else []), *(by or [])]
    query = TallyQuery.parse(
        by=dims, window=window, where=where, count=count, sort=sort, boundaries=units.value
    )
    show(tally_table(run_tally(store(ctx), query), chart=chart), fmt)


def stats_view(stats: Stats) -> Record:
    data: dict[str, Any] = stats.as_dict()
    return Record(
        data,
        labels={
            "registered": "Registered",
            "recognized": "Recognised",
            "recognitions": "Recognitions",
            "withdrawn": "Withdrawn",
            "provinces": "Provinces",
            "first_registered_on": "First registered on",
            "last_registered_on": "Last registered on",
            "by_year": "By year",
            "latest_on": "Latest decisions on",
            "latest_decisions": "Latest decisions",
            "latest_import": "Latest import",
        },
        nested={
            "by_year": [
                Column("year", "Year"),
                MEASURE_COLUMNS["registered"],
                MEASURE_COLUMNS["recognized"],
                MEASURE_COLUMNS["recognitions"],
            ],
            "latest_decisions": [
                Column("decided_on", "Decided on"),
                Column("decision", "Decision"),
                Column("by", "By"),
                Column("level", "Level"),
                Column("recognized", "Models", numeric=True),
            ],
            "latest_import": [
                Column("batch", "Batch", numeric=True),
                Column("file", "File"),
                Column("rows", "Rows", numeric=True),
                Column("inserted", "Inserted", numeric=True),
                Column("updated", "Updated", numeric=True),
                Column("by", "By"),
                Column("at", "At (UTC)"),
            ],
        },
        counts=("registered", "recognized", "recognitions", "withdrawn"),
    )


@handle_errors
def stats(
    ctx: typer.Context,
    in_: InOption = None,
    field: FieldOption = None,
    sponsor: SponsorOption = None,
    holder: HolderOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """A summary of the registry: totals, the trend by year, and the latest recognitions."""
    from dandan.filters import ModelFilter
    from dandan.tallies import summarize

    where = ModelFilter.parse(
        places=in_ or (), fields=field or (), sponsors=sponsor or (), holders=holder or ()
    )
    show(stats_view(summarize(store(ctx), where)), fmt)
