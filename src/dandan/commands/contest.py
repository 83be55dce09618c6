"""`dandan contest …`: the contests (hội thi, cuộc thi "Dân vận khéo") commissions hold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dandan.commands.common import (
    MAX_LIMIT,
    BomOption,
    BoundariesOption,
    ByEndOfOption,
    DistrictOption,
    ExcelOption,
    FormatOption,
    OutputOption,
    PeriodOption,
    SinceOption,
    UnitsOption,
    YearOption,
    handle_errors,
    note,
    output,
    registry,
    show,
)
from dandan.commands.common import boundaries as units_of
from dandan.commands.core import DandanCommand, DandanGroup
from dandan.i18n import N_, _, number
from dandan.rendering import Column, Format, Record, Table, Text
from dandan.terms import COLUMN_LABELS

if TYPE_CHECKING:
    from dandan.contests import ContestTally

Opt = typer.Option

app = typer.Typer(
    cls=DandanGroup,
    help="Contests (hội thi, cuộc thi “Dân vận khéo”): record, list, count.",
    no_args_is_help=True,
)

IdArgument = Annotated[int, typer.Argument(min=1, max=MAX_LIMIT, help="The contest's id.")]
NameOption = Annotated[str | None, Opt("--name", help="The contest's name.")]
ProvinceOption = Annotated[
    str | None, Opt("--province", help="Province (tỉnh/thành phố), name or code.")
]
CommuneOption = Annotated[str | None, Opt("--commune", help="Commune, ward (xã/phường).")]
LevelOption = Annotated[
    str | None,
    Opt("--level", help="commune, district (before 2025-07-01), province or central."),
]
HeldOnOption = Annotated[
    str | None, Opt("--held-on", help="The day it was held (YYYY-MM-DD or DD/MM/YYYY).")
]
OrganiserOption = Annotated[
    str | None, Opt("--organiser", help="The body that organised it, e.g. Ban Dân vận Tỉnh ủy.")
]
TeamsOption = Annotated[str | None, Opt("--teams", help="How many teams took part.")]
EntrantsOption = Annotated[str | None, Opt("--entrants", help="How many entrants took part.")]

LABELS = {
    **COLUMN_LABELS,
    "id": N_("Id"),
    "name": N_("Name"),
    "province": N_("Province"),
    "commune": N_("Commune"),
    "level": N_("Level"),
    "held_on": N_("Held on"),
    "organiser": N_("Organiser"),
    "teams": N_("Teams"),
    "entrants": N_("Entrants"),
}
LIST_COLUMNS = [
    Column("id", "Id"),
    Column("name", "Name"),
    Column("province", "Province"),
    Column("commune", "Commune"),
    Column("level", "Level"),
    Column("held_on", "Held on"),
    Column("teams", "Teams", numeric=True),
    Column("entrants", "Entrants", numeric=True),
]


def _view(contest: dict[str, Any]) -> dict[str, Any]:
    """A contest as people and scripts read it: the current units by name, with codes."""
    return {
        "id": contest["id"],
        "name": contest["name"],
        "province": contest["province_name"],
        "province_code": contest["province_code"],
        "commune": contest["commune_name"],
        "commune_code": contest["commune_code"],
        "locality_scheme": contest["locality_scheme"],
        "legacy_province_code": contest["legacy_province_code"],
        "legacy_district_code": contest["legacy_district_code"],
        "legacy_commune_code": contest["legacy_commune_code"],
        "level": contest["level"],
        "held_on": contest["held_on"],
        "organiser": contest["organiser"],
        "teams": contest["teams"],
        "entrants": contest["entrants"],
    }


def _record(contest: dict[str, Any]) -> Record:
    return Record(_view(contest), labels=LABELS, counts=("teams", "entrants"))


@app.command("add", cls=DandanCommand)
@handle_errors
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The contest's name.")],
    province: ProvinceOption = None,
    commune: CommuneOption = None,
    district: DistrictOption = None,
    legacy: UnitsOption = None,
    level: LevelOption = None,
    held_on: HeldOnOption = None,
    organiser: OrganiserOption = None,
    teams: TeamsOption = None,
    entrants: EntrantsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a contest held by a mass-mobilisation commission and print its id."""
    from dandan import contests

    found = contests.add(
        registry(ctx),
        name=name,
        province=province,
        commune=commune,
        district=district,
        boundaries=units_of(legacy),
        level=level,
        held_on=held_on,
        organiser=organiser,
        teams=teams,
        entrants=entrants,
    )
    note(_("contest {id} recorded").format(id=found["id"]))
    # The id alone on stdout, as `register` prints the code: `id=$(dandan contest add …)`.
    show(Text(str(found["id"]), _view(found)), fmt)


@app.command("list", cls=DandanCommand)
@handle_errors
def list_(
    ctx: typer.Context,
    limit: Annotated[int | None, Opt(min=0, max=MAX_LIMIT, help="Show at most this many.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the contests, in the order they were held."""
    from dandan import contests

    rows = [_view(c) for c in contests.iter_contests(registry(ctx), limit=limit)]
    show(Table(LIST_COLUMNS, rows, empty_message=N_("no contests recorded")), fmt)


@app.command("show", cls=DandanCommand)
@handle_errors
def show_(ctx: typer.Context, contest_id: IdArgument, fmt: FormatOption = Format.table) -> None:
    """Show one contest."""
    from dandan import contests

    show(_record(contests.get(registry(ctx), contest_id)), fmt)


@app.command("edit", cls=DandanCommand)
@handle_errors
def edit(
    ctx: typer.Context,
    contest_id: IdArgument,
    name: NameOption = None,
    province: ProvinceOption = None,
    commune: CommuneOption = None,
    district: DistrictOption = None,
    legacy: UnitsOption = None,
    level: LevelOption = None,
    held_on: HeldOnOption = None,
    organiser: OrganiserOption = None,
    teams: TeamsOption = None,
    entrants: EntrantsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Change part of a contest; the whole record is checked as it will be."""
    from dandan import contests

    found, changed = contests.edit(
        registry(ctx),
        contest_id,
        name=name,
        province=province,
        commune=commune,
        district=district,
        boundaries=units_of(legacy),
        level=level,
        held_on=held_on,
        organiser=organiser,
        teams=teams,
        entrants=entrants,
    )
    if not changed:
        note(_("contest {id} unchanged").format(id=contest_id))
    show(_record(found), fmt)


@app.command("remove", cls=DandanCommand)
@handle_errors
def remove(
    ctx: typer.Context,
    contest_id: IdArgument,
    reason: Annotated[
        str | None, Opt("--reason", help="Why it is removed (kept in the audit trail).")
    ] = None,
) -> None:
    """Remove a contest recorded by mistake; the audit trail keeps it, with the reason."""
    from dandan import contests

    contests.remove(registry(ctx), contest_id, reason=reason)
    note(_("contest {id} removed").format(id=contest_id))


@app.command("import", cls=DandanCommand)
@handle_errors
def import_(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="A CSV or XLSX file with the columns Tên hội thi, Tỉnh, Xã, Cấp, Ngày tổ "
            "chức, Đơn vị tổ chức, Số đội, Số thí sinh (or the export's identifiers), or - "
            "for stdin."
        ),
    ],
    encoding: Annotated[
        str | None, Opt("--encoding", help="The file's encoding (default: detected).")
    ] = None,
) -> None:
    """Add the contests of a CSV or XLSX file, all or none."""
    from dandan import contests

    count = contests.import_file(registry(ctx), file, encoding=encoding)
    note(_("imported {count} contests from {file}").format(count=number(count), file=file))


@app.command("export", cls=DandanCommand)
@handle_errors
def export(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="Where to write: FILE.csv, FILE.json, or - for stdout.")
    ] = "-",
    fmt: Annotated[
        str | None, Opt("--format", "-f", help="csv or json (default: by FILE's ending).")
    ] = None,
    headers: Annotated[
        str,
        Opt(
            "--headers",
            help="The CSV header row: en, the column identifiers, or vi, the Vietnamese "
            "names; contest import reads both.",
        ),
    ] = "en",
) -> None:
    """Write the contests as contest import reads them."""
    import sys

    from dandan import contests

    chosen = fmt or ("json" if file.lower().endswith(".json") else "csv")
    reg = registry(ctx)
    if file == "-":
        count = contests.export(reg, sys.stdout, fmt=chosen, headers=headers)
    else:
        from pathlib import Path

        from dandan.files import check_output, written_into_place

        check_output(file, registry=reg.url, field="file")
        with written_into_place(
            Path(file).expanduser(), binary=False, newline="", registry=reg.url, field="file"
        ) as handle:
            count = contests.export(reg, handle, fmt=chosen, headers=headers)
    place = _("standard output") if file == "-" else file
    note(_("exported {count} contests to {place}").format(count=number(count), place=place))


def tally_table(result: ContestTally, fmt: Format) -> Table:
    from dandan.commands.tally import for_people, group_columns, script_title

    query = result.query.groups
    columns = group_columns(query)
    rows = for_people(result.rows, query, columns, fmt)
    columns += [
        Column("contests", "Contests", numeric=True),
        Column("teams", "Teams", numeric=True),
        Column("entrants", "Entrants", numeric=True),
    ]
    return Table(
        columns,
        rows,
        total=result.total,
        title=result.query.title,
        script_title=script_title(result.query),
        empty_message=N_("no contests match"),
        as_of=query.window.end,
    )


@app.command("tally", cls=DandanCommand)
@handle_errors
def tally(
    ctx: typer.Context,
    province: Annotated[bool, Opt("--province", help="One row per province.")] = False,
    commune: Annotated[bool, Opt("--commune", help="One row per commune.")] = False,
    by: Annotated[
        list[str] | None,
        Opt(
            "--by",
            help="Group by: province, district (with --boundaries 2024), commune, year, "
            "level (repeatable).",
        ),
    ] = None,
    boundaries: BoundariesOption = "current",
    year: YearOption = None,
    by_end_of: ByEndOfOption = None,
    since: SinceOption = None,
    period: PeriodOption = None,
    sort: Annotated[
        str,
        Opt(help="natural (years ascending, levels from the commune up), count or name."),
    ] = "natural",
    fmt: FormatOption = Format.table,
    path: OutputOption = None,
    bom: BomOption = False,
    excel: ExcelOption = False,
) -> None:
    """Count the contests held per group, with their teams and entrants, in a time window."""
    from dandan import contests
    from dandan.tallies import Window

    fmt, to = output(ctx, fmt, path, bom=bom, excel=excel)
    window = Window.parse(year=year, by_end_of=by_end_of, since=since, period=period)
    dims = [*(["province"] if province else []), *(["commune"] if commune else []), *(by or [])]
    query = contests.ContestQuery.parse(by=dims, window=window, boundaries=boundaries, sort=sort)
    show(tally_table(contests.tally(registry(ctx), query), fmt), fmt, to)
