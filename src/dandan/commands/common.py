"""What every command shares: the registry from `--db`, `--format`, prompting, and the
one error path that turns a `DandanError` into a stderr line and its exit code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from dandan.errors import Advice, DandanError, UsageError
from dandan.i18n import N_, _
from dandan.rendering import BY_SUFFIX, Format, Output, Renderable, render
from dandan.text import visible

if TYPE_CHECKING:
    from dandan.registry import Registry

P = ParamSpec("P")
R = TypeVar("R")

#: The largest `--limit`: a LIMIT is a signed 64-bit integer in SQLite and PostgreSQL;
#: a larger one failed in the driver ("Python int too large to convert to SQLite INTEGER").
MAX_LIMIT = 2**63 - 1

FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output: table for people, csv or json for scripts, xlsx for Excel "
        "(tally, list and stats, with --output).",
    ),
]

# -- writing to a file, for Excel: the options of the commands whose tables go in reports --

OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write CSV, JSON or XLSX to FILE rather than standard output, whole or not at "
        "all; without --format, FILE's ending (.csv, .json, .xlsx) chooses.",
    ),
]
BomOption = Annotated[
    bool,
    typer.Option(
        "--bom", help="CSV: begin with a UTF-8 byte-order mark, so that Excel shows diacritics."
    ),
]
ExcelOption = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="CSV as Excel opens it in the reader's language: a byte-order mark, and ';' "
        "between values in Vietnamese (where ',' is the decimal mark), ',' in English.",
    ),
]


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """The single error path of the command line: one line on stderr, a stable exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DandanError as exc:
            typer.echo(_("error: {message}").format(message=describe(exc)), err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo(_("interrupted: the registry was left as it was"), err=True)
            raise typer.Exit(130) from None

    return wrapper


#: How the command line carries out the library's advice (`errors.Advice`): the
#: command or option to use, appended to the library's message after "; ".
ADVICE: dict[Advice, str] = {
    Advice.find_code: N_("`dandan list --search` finds codes"),
    Advice.find_contest: N_("`dandan contest list` shows the contests' ids"),
    Advice.create_registry: N_(
        "`dandan db init` makes an empty one there (or the first `dandan register` or "
        "`dandan import`)"
    ),
    Advice.upgrade_schema: N_("`dandan db upgrade` upgrades it"),
    Advice.import_template: N_("see `dandan import --template`"),
    Advice.choose_encoding: N_("--encoding names it"),
    Advice.record_old_units: N_("--legacy records the old units"),
    Advice.count_old_units: N_("--boundaries 2024 counts in them"),
    Advice.choose_boundaries: N_(
        "or say which with --boundaries 2024 (the old unit) or --boundaries current (today's)"
    ),
    Advice.resolve_conflict: N_("use --on-conflict skip or update"),
    Advice.restore_backup: N_("restore the newest `dandan db backup` copy"),
    Advice.group_rows: N_("add --by GROUP (or --province)"),
    Advice.count_recognised: N_("--measure recognized counts the recognised models"),
}


def describe(exc: DandanError) -> str:
    """The error with the option the user typed in front (`--province: unknown …`) and
    the command or option that carries out the library's advice at the end."""
    message = exc.message
    if exc.advice is not None:
        message = f"{message}; {_(ADVICE[exc.advice])}"
    if exc.field:
        return one_line(f"--{exc.field.replace('_', '-')}: {message}")
    return one_line(message)


def one_line(message: str) -> str:
    """A message with its control and invisible characters escaped (a newline in a file
    name becomes `\\n`, a right-to-left override `\\u202e`), so that an error stays one
    line on stderr and shows what was typed, in the order it was typed: `text.visible`,
    as tables show stored values."""
    return visible(message)


def registry(ctx: typer.Context) -> Registry:
    from dandan.registry import Registry

    obj = ctx.find_root().obj or {}
    return Registry(obj.get("db"), notify=note, actor=obj.get("actor"))


def interactive() -> bool:
    """Whether a person is at the keyboard to answer prompts."""
    return sys.stdin.isatty()


def need(value: str | None, option: str, question: str) -> str:
    """A required value: asked for on a terminal, refused when input is not a person.
    `question` is already in the reader's language (the caller says `_(...)`)."""
    if value is not None and value.strip():
        return value
    if interactive():
        answer: str = typer.prompt(question)
        return answer
    raise UsageError(_("missing {option} (no terminal to ask on)").format(option=option))


def output(
    ctx: typer.Context, fmt: Format, path: str | None, *, bom: bool = False, excel: bool = False
) -> tuple[Format, Output]:
    """The format and destination that `--format`, `--output`, `--bom` and `--excel` say
    together, refused before anything is read when they disagree or the file is the
    registry's. `--output -` is standard output. A file without `--format` takes its
    format from its name (.csv, .json, .xlsx), since a table is drawn for a terminal;
    a workbook needs a file."""
    if path == "-":
        path = None
    if path is not None and not path.strip():
        raise UsageError(_("name the file to write, e.g. tally.xlsx"), field="output")
    if path is not None and fmt is Format.table:
        found = BY_SUFFIX.get(Path(path).suffix.lower())
        if found is None:
            raise UsageError(
                _(
                    "FILE {path}: a table is drawn for the terminal; add --format csv, "
                    "json or xlsx, or name a .csv, .json or .xlsx file"
                ).format(path=path),
                field="output",
            )
        fmt = found
    if fmt is Format.xlsx and path is None:
        raise UsageError(
            _("xlsx is a workbook, not text: name its file with --output FILE"), field="format"
        )
    if (bom or excel) and fmt is not Format.csv:
        raise UsageError(
            _("applies to CSV only; add --format csv"), field="bom" if bom else "excel"
        )
    if path is None:
        return fmt, Output(bom=bom, excel=excel)
    from dandan.files import check_output

    url = registry(ctx).url
    check_output(path, registry=url, field="output")
    return fmt, Output(path, bom=bom, excel=excel, registry=url)


def show(result: Renderable, fmt: Format, to: Output | None = None) -> None:
    if fmt is Format.xlsx and (to is None or to.path is None):
        raise UsageError(
            _("xlsx is written by tally, list and stats, with --output FILE"), field="format"
        )
    render(result, fmt, to=to)


def note(message: str) -> None:
    """A message for the person, on stderr, so stdout stays clean data; one line, even
    when it repeats a file's name or header that holds a newline."""
    typer.echo(one_line(message), err=True)


# -- selecting models: the filters and time window shared by tally, stats and export -------

InOption = Annotated[
    list[str] | None,
    typer.Option(
        "--in",
        help="Province, district or commune, name or code, current or before 2025-07-01 "
        "(repeatable).",
    ),
]
FieldOption = Annotated[list[str] | None, typer.Option(help="Field (repeatable).")]
SponsorOption = Annotated[list[str] | None, typer.Option(help="Sponsoring bloc (repeatable).")]
LevelOption = Annotated[
    list[str] | None,
    typer.Option(help="Recognition level: commune, district, province, central (repeatable)."),
]
HolderOption = Annotated[list[str] | None, typer.Option(help="collective or individual.")]
KindOption = Annotated[
    list[str] | None, typer.Option(help="model (mô hình) or exemplar (điển hình) (repeatable).")
]
StatusOption = Annotated[
    list[str] | None,
    typer.Option(help="registered, recognized or withdrawn, at the end of the window."),
]
AreaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--area",
        help="Area of work: ethnic_affairs (dân tộc), religious_affairs (tôn giáo), "
        "grassroots_democracy (DCCS), land_clearance (GPMB), state_agencies (dân vận chính "
        "quyền), new_rural_areas (NTM), digital_transformation (CĐS), or none; models "
        "serving any of those given (repeatable).",
    ),
]
SearchOption = Annotated[
    str | None,
    typer.Option(
        "--search",
        "-s",
        help="Words in the name or the registration form's items, diacritics optional.",
    ),
]
YearOption = Annotated[str | None, typer.Option("--year", help="That calendar year only.")]
ByEndOfOption = Annotated[
    str | None, typer.Option("--by-end-of", help="Everything up to 31 December of that year.")
]
SinceOption = Annotated[str | None, typer.Option("--since", help="From 1 January of that year on.")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Everything up to that day (YYYY-MM-DD).")
]
PeriodOption = Annotated[
    str | None,
    typer.Option("--period", help="An emulation period, first and last year: 2021-2025."),
]
BoundariesOption = Annotated[
    str,
    typer.Option(
        help="current: today's 34 provinces and communes; 2024: the 63 provinces, "
        "districts and communes before 2025-07-01 (records that cannot be placed in "
        "them are counted as 'not assignable').",
    ),
]


# -- the units a locality names: by its date, unless the clerk says ------------------------

DistrictOption = Annotated[
    str | None,
    typer.Option(
        help="District (huyện/quận/thị xã) of a record in the units before 2025-07-01, "
        "e.g. 'huyện Vĩnh Linh'; tells apart communes of one name."
    ),
]
UnitsOption = Annotated[
    bool | None,
    typer.Option(
        "--legacy/--current",
        help="Names are the units before 2025-07-01 (63 provinces, districts) or the current "
        "ones; default: by the registration date.",
    ),
]


def boundaries(legacy: bool | None) -> str | None:
    """`--legacy`/`--current` as the scheme it forces (None: decide by date)."""
    if legacy is None:
        return None
    return "2024" if legacy else "2025"
