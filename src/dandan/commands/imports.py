"""`dandan import` and `dandan imports`: batches in, and the record of them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, cast

import typer

from dandan import i18n
from dandan.commands.common import (
    ADVICE,
    MAX_LIMIT,
    FormatOption,
    UnitsOption,
    boundaries,
    handle_errors,
    note,
    registry,
    show,
)
from dandan.errors import InvalidInput, UsageError
from dandan.i18n import N_, _
from dandan.rendering import Column, Format, Record, Table

if TYPE_CHECKING:
    from dandan.importing import ImportSummary
    from dandan.sources import SourceInfo
    from dandan.writing import OnConflict

Opt = typer.Option

#: The summary's keys are its labels in English, as the table has always shown them.
SUMMARY_LABELS = {
    "inserted": N_("inserted"),
    "updated": N_("updated"),
    "skipped": N_("skipped"),
    "invalid": N_("invalid"),
    "not_records": N_("not records"),
    # False for a dry run or a refused import: its counts were not written.
    "written": N_("written"),
}


@handle_errors
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(help="CSV, TSV or .xlsx files; '-' reads standard input."),
    ] = None,
    skip_invalid: Annotated[
        bool, Opt("--skip-invalid", help="Import the valid rows and report the others.")
    ] = False,
    on_conflict: Annotated[
        str, Opt(help="A registered code with different details: fail, skip or update.")
    ] = "fail",
    dry_run: Annotated[bool, Opt("--dry-run", help="Check everything, write nothing.")] = False,
    errors: Annotated[
        Path | None, Opt("--errors", help="Write every rejected row, with its reason, to this CSV.")
    ] = None,
    encoding: Annotated[
        str | None, Opt(help="Force the encoding (utf-8, utf-16, cp1258); detected by default.")
    ] = None,
    sheet: Annotated[
        list[str] | None,
        Opt(help="Sheet of an .xlsx workbook (default: the first); repeatable."),
    ] = None,
    all_sheets: Annotated[
        bool, Opt("--all-sheets", help="Read every sheet of the workbooks, each on its own.")
    ] = False,
    header_row: Annotated[
        int | None,
        Opt(
            "--header-row",
            min=1,
            help="The header's row (1-based; of a two-row header, the first): "
            "instead of finding it among the top rows.",
        ),
    ] = None,
    set_values: Annotated[
        list[str] | None,
        Opt(
            "--set",
            help="COLUMN=VALUE: fill a column for every row that leaves it empty, e.g. "
            '--set province="Quảng Trị" (repeatable; COLUMN by its English or Vietnamese header).',
        ),
    ] = None,
    template: Annotated[
        bool, Opt("--template", help="Print an empty import file (the header row) and exit.")
    ] = False,
    aliases: Annotated[
        Path | None,
        Opt(
            "--aliases",
            help="CSV of the office's own spellings (column,alias,value), added to the "
            "aliases.csv of the config folder.",
        ),
    ] = None,
    legacy: UnitsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import models and recognitions from CSV/xlsx files: all rows or none."""
    from dandan.aliases import load as load_aliases
    from dandan.importing import ImportOptions, import_files
    from dandan.sources import Layout, sheet_values
    from dandan.sources import template as empty_template
    from dandan.writing import OnConflict

    if template:
        sys.stdout.write(empty_template())
        return
    if not files:
        raise UsageError(_("give at least one FILE (or '-' for standard input), or --template"))
    try:
        policy = OnConflict(on_conflict.strip().lower())
    except ValueError:
        raise UsageError(
            _("--on-conflict: {value!r} is not one of fail, skip, update").format(value=on_conflict)
        ) from None
    options = ImportOptions(
        on_conflict=policy,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        encoding=encoding,
        sheets=tuple(sheet or ()),
        all_sheets=all_sheets,
        boundaries=boundaries(legacy),
        layout=Layout(header_row=header_row, values=sheet_values(set_values or ())),
        aliases=load_aliases(aliases),
    )
    reg = registry(ctx)
    with _errors_file(errors, reg.url, files) as errors_out, _progress() as progress:
        summary = import_files(reg, files, options, errors_out=errors_out, progress=progress)
    _report(summary, policy, dry_run, errors)
    show(Record(summary.as_dict(), labels=SUMMARY_LABELS), fmt)
    if summary.invalid and not skip_invalid:
        if errors:
            refusal = _("nothing imported: {count} invalid row(s), --skip-invalid imports the rest")
        else:
            refusal = _(
                "nothing imported: {count} invalid row(s); --errors FILE lists them all, "
                "--skip-invalid imports the rest"
            )
        raise InvalidInput(refusal.format(count=i18n.number(summary.invalid)))


def _report(summary: ImportSummary, policy: OnConflict, dry_run: bool, errors: Path | None) -> None:
    from dandan.sources import listed

    n = i18n.number
    for info in summary.sources:  # how each was read, then what was wrong in it
        _report_layout(info, dry_run)
        if info.unknown_columns:
            note(
                _("{file}: ignored unknown column(s): {columns}").format(
                    file=info.name, columns=listed(info.unknown_columns)
                )
            )
    for error in summary.errors:
        said = str(error) if error.advice is None else f"{error}; {_(ADVICE[error.advice])}"
        note(_("error: {message}").format(message=said))
    if summary.invalid > len(summary.errors):
        more = summary.invalid - len(summary.errors)
        note(_("… and {count} more invalid row(s)").format(count=n(more)))
    if len(summary.by_source) > 1:
        for name, made in summary.by_source:
            note(
                _("{file}: {inserted} inserted, {updated} updated, {skipped} unchanged, "
                  "{invalid} invalid, {not_records} not records").format(
                    file=name, **{k: n(v) for k, v in made.items()}
                )
            )  # fmt: skip
    if summary.not_records:
        note(
            _("{count} row(s) passed over as totals, headings or empty rows").format(
                count=n(summary.not_records)
            )
        )
    counts = _("{inserted} inserted, {updated} updated, {skipped} unchanged, {invalid} invalid")
    counts = counts.format(
        inserted=n(summary.inserted),
        updated=n(summary.updated),
        skipped=n(summary.skipped),
        invalid=n(summary.invalid),
    )
    if dry_run:
        note(_("dry run: {counts}; nothing was written").format(counts=counts))
    elif summary.committed and not summary.inserted and not summary.updated:
        note(
            _("nothing changed: every row is already in the registry ({counts})").format(
                counts=counts
            )
        )
    elif summary.committed:
        note(counts)
    if errors is not None and summary.invalid:
        note(_("rejected rows written to {file}").format(file=errors))


def _report_layout(info: SourceInfo, dry_run: bool) -> None:
    """How a sheet was read, where detection did more than skip title rows (and always
    on a dry run, so that a clerk fixes a sheet without reading the source): which
    row is the header, what each header was taken for, the values taken for the
    whole sheet."""
    if info.header_row is not None and (dry_run or info.header_rows > 1):
        where = (
            _("{file}: header read from row {row}")
            if info.header_rows == 1
            else _("{file}: header read from rows {row} and {next}")
        )
        note(where.format(file=info.name, row=info.header_row, next=info.header_row + 1))
    if dry_run and info.headers:
        mapping = ", ".join(f"{header} → {column}" for column, header in info.headers.items())
        note(_("{file}: columns: {mapping}").format(file=info.name, mapping=mapping))
    for column, (value, row) in info.title_values.items():
        note(
            _("{file}: {column} {value!r} for every row, from the title (row {row})").format(
                file=info.name, column=column, value=value, row=row
            )
        )
    if dry_run:
        for column, value in info.values.items():
            if column not in info.title_values:
                note(
                    _("{file}: {column} {value!r} for every row that leaves it empty").format(
                        file=info.name, column=column, value=value
                    )
                )


@contextmanager
def _errors_file(path: Path | None, registry: str, inputs: list[str]) -> Iterator[TextIO | None]:
    """Where the rejected rows go: refused up front over the registry or an input; made
    owner-only, whole, and only when a row is rejected (`files.written_into_place`)."""
    if path is None:
        yield None
        return
    from dandan.files import written_into_place

    with written_into_place(
        path,
        encoding="utf-8-sig",
        newline="",
        keep_empty=False,
        registry=registry,
        inputs=inputs,
        field="errors",
    ) as handle:
        yield cast(TextIO, handle)


@contextmanager
def _progress() -> Iterator[Callable[[SourceInfo, int], None] | None]:
    """A progress bar (rows, rate, time left) on a terminal; nothing when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from dandan.text import visible

    bar = Progress(  # file names are not Rich markup: `[/].csv` is a name like another
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        # TRANSLATORS: {rows} is the number of rows read so far, drawn by the progress bar.
        TextColumn(_("{rows} rows").format(rows="{task.fields[rows]:,}"), markup=False),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(info: SourceInfo, rows: int) -> None:
        if info.name not in tasks:
            tasks[info.name] = bar.add_task(visible(info.name), total=info.size, rows=0)
        bar.update(tasks[info.name], completed=info.bytes_read, rows=rows)

    with bar:
        yield update


@handle_errors
def imports(
    ctx: typer.Context,
    limit: Annotated[
        int | None,
        Opt(min=0, max=MAX_LIMIT, help="Show at most this many (newest first)."),
    ] = 20,
    fmt: FormatOption = Format.table,
) -> None:
    """List imported batches: file, checksum, counts, when and by whom."""
    from dandan.importing import list_batches

    rows = list_batches(registry(ctx), limit)
    columns = [
        Column("id", "Batch", numeric=True),
        Column("source", "File"),
        Column("rows", "Rows", numeric=True),
        Column("inserted", "Inserted", numeric=True),
        Column("updated", "Updated", numeric=True),
        Column("skipped", "Unchanged", numeric=True),
        Column("invalid", "Invalid", numeric=True),
        Column("actor", "By"),
        Column("finished_at", "At (UTC)"),
    ]
    show(Table(columns, rows, empty_message=N_("no batches imported yet")), fmt)
