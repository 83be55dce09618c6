"""`dandan tally` and `dandan stats`: the figures analysts report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

from dandan.commands.common import (
    MAX_LIMIT,
    AreaOption,
    AsOfOption,
    BomOption,
    BoundariesOption,
    ByEndOfOption,
    ExcelOption,
    FieldOption,
    FormatOption,
    HolderOption,
    InOption,
    KindOption,
    LevelOption,
    OutputOption,
    PeriodOption,
    SearchOption,
    SinceOption,
    SponsorOption,
    StatusOption,
    YearOption,
    handle_errors,
    output,
    registry,
    show,
)
from dandan.errors import UsageError
from dandan.i18n import N_, _
from dandan.rendering import Column, Format, Record, Table

if TYPE_CHECKING:
    from dandan.filters import ModelFilter
    from dandan.tallies import CrossTable, Stats, TallyQuery, TallyResult, Window

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
    "kind": [Column("kind", "Kind")],
    "area": [Column("area", "Area of work")],
}
MEASURE_COLUMNS = {
    "registered": Column("registered", "Registered", numeric=True),
    "recognized": Column("recognized", "Recognised", numeric=True),
    "recognitions": Column("recognitions", "Recognitions", numeric=True),
    "commendations": Column("commendations", "Commendations", numeric=True),
    "outstanding": Column("outstanding", "Outstanding", numeric=True),
    "replications": Column("replications", "Replicated", numeric=True),
    "effective": Column("effective", "Effective", numeric=True),
    "weak": Column("weak", "Weak", numeric=True),
    "stopped": Column("stopped", "Stopped", numeric=True),
    "not_reviewed": Column("not_reviewed", "Not reviewed", numeric=True),
}


def boundaries_given(ctx: typer.Context) -> bool:
    """Whether the user chose the boundaries, so that a name that is an old unit and a
    current one may be read in them rather than refused (see `filters.resolve_place`)."""
    source = ctx.get_parameter_source("boundaries")
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


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
    kind: list[str] | None = None,
    area: list[str] | None = None,
    legacy_first: bool = False,
    scheme_given: bool | None = None,
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
        kinds=kind or (),
        areas=area or (),
        legacy_first=legacy_first,
        scheme_given=scheme_given,
    )
    return where, window


def tally_title(query: TallyQuery) -> str:
    """The title of a tally: the whole selection, as the query says it."""
    return query.title


class _Titled(Protocol):
    """What says its selection in words: a tally's query, a cross-table, a contests' query."""

    @property
    def title(self) -> str: ...


def script_title(source: _Titled) -> str:
    """The title in JSON: in English, as JSON is the same in every language."""
    from dandan.i18n import speaking

    with speaking("en"):
        return source.title


def group_columns(query: TallyQuery) -> list[Column]:
    """The columns a person reads the groups of `query` by."""
    from dandan.tallies import Boundaries, Dimension

    legacy = query.boundaries is Boundaries.legacy
    columns = []
    for dim in query.by:
        if legacy and dim is Dimension.commune:  # old communes share names across districts
            columns += [Column("commune", "Commune"), *GROUP_COLUMNS["district"]]
        else:
            columns += GROUP_COLUMNS[dim.value]
    return columns


def for_people(
    rows: list[dict[str, Any]], query: TallyQuery, columns: list[Column], fmt: Format
) -> list[dict[str, Any]]:
    """The rows as a person reads them (a table, a workbook): the row `--top` folds the
    rest into named in their language. In a table, so is the group of models the old
    units cannot place; scripts get both as the stable "other" and "not assignable"."""
    from dandan.tallies import NOT_ASSIGNABLE, OTHER, Boundaries

    if fmt in (Format.table, Format.xlsx) and query.top is not None and columns:
        first, other = columns[0].key, _(OTHER)
        rows = [{**row, first: other} if row.get(first) == OTHER else row for row in rows]
    if fmt is Format.table and query.boundaries is Boundaries.legacy:
        shown = _(NOT_ASSIGNABLE)
        rows = [
            {**row, "province": shown} if row.get("province") == NOT_ASSIGNABLE else row
            for row in rows
        ]
    return rows


def tally_table(result: TallyResult, *, chart: bool, fmt: Format = Format.table) -> Table:
    """The tally as a table; for people (`fmt` table) the group of models the old units
    cannot place is named in their language, for scripts as the stable "not assignable"."""
    from dandan.tallies import counts_again

    query = result.query
    columns = group_columns(query)
    rows = for_people(result.rows, query, columns, fmt)
    columns += [MEASURE_COLUMNS[m] for m in query.measures]
    return Table(
        columns,
        rows,
        total=result.total,
        total_label=N_("Total (distinct models)") if counts_again(query) else N_("Total"),
        title=tally_title(query),
        script_title=script_title(query),
        chart=query.measures[0] if chart and query.by else None,
        empty_message=N_("no models match"),
        as_of=query.window.end,
    )


def cross_table(result: CrossTable, *, chart: bool, fmt: Format = Format.table) -> Table:
    """The cross-table: the groups, a column per value across (headed by its year, its
    term's label or its place's name), and the total of each row; its total row."""
    from dandan.tallies import NOT_ASSIGNABLE, Dimension

    query = result.query
    columns = group_columns(query)
    rows = for_people(result.rows, query, columns, fmt)
    places = (Dimension.province, Dimension.district, Dimension.commune)
    for described in result.columns:
        name = described.get(result.across.value)
        if result.across in places and name is None:
            name = NOT_ASSIGNABLE if described.get("province") == NOT_ASSIGNABLE else None
        term = None if result.across in places or result.across is Dimension.year else name
        columns.append(
            Column(
                described["key"],
                N_("unknown") if name is None else str(name),
                numeric=True,
                term=result.across.value if term is not None else None,
            )
        )
    columns.append(Column("total", "Total", numeric=True))
    return Table(
        columns,
        rows,
        total=result.totals,
        title=result.title,
        script_title=script_title(result),
        chart="total" if chart else None,
        empty_message=N_("no models match"),
        as_of=query.window.end,
        across=result.columns,
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
            "sponsor, level, holder, kind, area (repeatable; by area a model counts once in "
            "each area it serves, and the total counts distinct models).",
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
    kind: KindOption = None,
    area: AreaOption = None,
    status: StatusOption = None,
    search: SearchOption = None,
    count: Annotated[
        str,
        Opt(
            help="What the second column counts: models (each recognised model once), "
            "recognitions, commendations (each commendation dated in the window: its "
            "decision date, else 31 December of its year), outstanding (each model with "
            "a recognition named outstanding, tiêu biểu, dated in the window, once), or "
            "replications (each model copied, nhân rộng, by at least one model registered "
            "in the window, once, in the groups of the model copied)."
        ),
    ] = "models",
    sort: Annotated[
        str,
        Opt(
            help="natural (years ascending, levels from the commune up, other groups as "
            "count), count (largest first) or name (Vietnamese alphabetical order)."
        ),
    ] = "natural",
    across: Annotated[
        str | None,
        Opt(
            "--across",
            help="A cross-table: the groups of --by (or --province) as rows, one column per "
            "year, level, field, sponsor, holder or place, with the total of each row and "
            "column. It counts the models registered; the recognitions with --count "
            "recognitions; the models recognised when grouped or filtered by level.",
        ),
    ] = None,
    measure: Annotated[
        str | None,
        Opt(
            "--measure",
            help="The count a cross-table shows and --top ranks by: registered or "
            "recognized (the models recognised, or the recognitions with --count "
            "recognitions).",
        ),
    ] = None,
    top: Annotated[
        int | None,
        Opt(
            "--top",
            help="Keep the N largest groups (by the count a cross-table shows) and add "
            "up the rest in one row, 'other'; the totals stay the same.",
        ),
    ] = None,
    reviewed: Annotated[
        int | None,
        Opt(
            "--reviewed",
            help="Count the models by what their review of this year found: effective, "
            "weak, stopped; and not_reviewed, the models registered by the end of the year "
            "and not withdrawn by then that have no review of it.",
        ),
    ] = None,
    chart: Annotated[bool, Opt("--chart", help="Draw the first count as bars.")] = False,
    fmt: FormatOption = Format.table,
    path: OutputOption = None,
    bom: BomOption = False,
    excel: ExcelOption = False,
) -> None:
    """Count registered and recognised models per group, in a time window."""
    from dandan.tallies import Boundaries, TallyQuery, cross_tally, parse_across, parse_boundaries
    from dandan.tallies import tally as run_tally

    fmt, to = output(ctx, fmt, path, bom=bom, excel=excel)
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
    dims = [*(["province"] if province else []), *(["commune"] if commune else []), *(by or [])]
    query = TallyQuery.parse(
        by=dims,
        window=window,
        where=where,
        count=count,
        sort=sort,
        boundaries=units.value,
        top=top,
        measure=measure,
        reviewed=reviewed,
    )
    if across is not None:
        if reviewed is not None:
            raise UsageError(_("--reviewed makes a table of its own; leave out --across"))
        spread = parse_across(query, across)
        show(cross_table(cross_tally(registry(ctx), query, spread), chart=chart, fmt=fmt), fmt, to)
        return
    show(tally_table(run_tally(registry(ctx), query), chart=chart, fmt=fmt), fmt, to)


def stats_view(stats: Stats) -> Record:
    data: dict[str, Any] = stats.as_dict()
    return Record(
        data,
        labels={
            "registered": N_("Registered"),
            "recognized": N_("Recognised"),
            "recognitions": N_("Recognitions"),
            "withdrawn": N_("Withdrawn"),
            "provinces": N_("Provinces"),
            "first_registered_on": N_("First registered on"),
            "last_registered_on": N_("Last registered on"),
            "by_year": N_("By year"),
            "latest_on": N_("Latest decisions on"),
            "latest_decisions_count": N_("Decisions that day"),
            "latest_decisions": N_("Latest decisions"),
            "latest_import": N_("Latest import"),
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
                Column("by", "Recognised by"),
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
        counts=("registered", "recognized", "recognitions", "withdrawn", "latest_decisions_count"),
    )


@handle_errors
def stats(
    ctx: typer.Context,
    in_: InOption = None,
    field: FieldOption = None,
    sponsor: SponsorOption = None,
    holder: HolderOption = None,
    kind: KindOption = None,
    area: AreaOption = None,
    limit: Annotated[
        int,
        Opt(
            min=0,
            max=MAX_LIMIT,
            help="Show this many of the latest decisions, those with the most models first.",
        ),
    ] = 10,
    fmt: FormatOption = Format.table,
    path: OutputOption = None,
    bom: BomOption = False,
    excel: ExcelOption = False,
) -> None:
    """A summary of the registry: totals, the trend by year, and the latest recognitions."""
    from dandan.filters import ModelFilter
    from dandan.tallies import summarize

    fmt, to = output(ctx, fmt, path, bom=bom, excel=excel)
    where = ModelFilter.parse(
        places=in_ or (),
        fields=field or (),
        sponsors=sponsor or (),
        holders=holder or (),
        kinds=kind or (),
        areas=area or (),
    )
    show(stats_view(summarize(registry(ctx), where, decisions=limit)), fmt, to)
