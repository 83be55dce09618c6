"""A report to send up the chain: one web page with a window's figures.

Figures go to the provincial and central committees as a document, not as a terminal
screen. The page is built from the tallies `dandan tally` prints (`build_report` calls
`dandan.tallies.tally`), so its numbers are the command's numbers.

This module decides what the page says; how it looks is a Jinja2 template anyone can
restyle without reading Python: `report/report.html.j2` (the markup) and
`report/report.css` (the styles, screen and print), shipped in the package. `view`
hands the template ready words and numbers in the reader's language (`_`, `i18n`), and
the charts' geometry as shapes with coordinates; the template only lays them out, and
escapes every value it writes (autoescaping on), so stored text is never markup.

Styles are inline and charts are SVG, so the file opens offline in any browser,
attached to an e-mail or copied onto a USB stick: no JavaScript, no font, image or
address to fetch. A PDF is the browser's to make (its print dialog); the page has print
styles for that, so no PDF library is needed.

Each count in a table carries its value for machines (`data-key="registered"
data-value="1354"`) next to its text for people (1.354), so the page can be checked
against `dandan tally --format json`, and read back by a script.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dandan import __version__, i18n, terms
from dandan.errors import UsageError
from dandan.files import check_output, written_into_place
from dandan.filters import ModelFilter, area_text
from dandan.filters import filter_terms as _filters
from dandan.i18n import N_, _
from dandan.localities import MERGER_DAY, gazetteer, legacy_gazetteer
from dandan.tallies import (
    NOT_ASSIGNABLE,
    Boundaries,
    Counting,
    Dimension,
    Sort,
    TallyQuery,
    TallyResult,
    Window,
    tally,
)

if TYPE_CHECKING:
    import jinja2

    from dandan.registry import Registry

#: The names a report may take: it is a web page.
SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class Report:
    """The figures of one window and area, as `dandan tally` counts them."""

    window: Window
    where: ModelFilter
    boundaries: Boundaries
    #: The last day the figures cover: the window's end, or the day the report was made.
    as_of: date
    made_on: date
    #: No groups: the national (or the area's) totals.
    total: TallyResult
    recognitions: int
    by_province: TallyResult
    by_field: TallyResult
    by_level: TallyResult
    #: Years in order; `recognitions_by_year` counts each recognition, not each model.
    by_year: TallyResult
    recognitions_by_year: dict[int, int] = field(default_factory=dict)

    @property
    def measures(self) -> tuple[str, ...]:
        """`registered` and `recognized`, or only `recognized` under a level filter."""
        return self.total.query.measures

    @property
    def provinces(self) -> int:
        """Provinces with a model counted in the window (the old units' "not
        assignable" group is no province)."""
        return sum(
            1
            for row in self.by_province.rows
            if row["province_code"] is not None and any(row[m] for m in self.measures)
        )


def build_report(
    store: Registry,
    *,
    where: ModelFilter | None = None,
    window: Window | None = None,
    boundaries: Boundaries = Boundaries.current,
    today: date | None = None,
) -> Report:
    """The figures of the report: the tallies an analyst would run one by one
    (`--province`, `--by field`, `--by level`, `--by year`), on the same selection."""
    where = where or ModelFilter()
    window = window or Window()
    made_on = today or date.today()

    def count(
        *by: Dimension, counting: Counting = Counting.models, sort: Sort = Sort.natural
    ) -> TallyResult:
        query = TallyQuery(
            by=by, window=window, where=where, count=counting, sort=sort, boundaries=boundaries
        )
        return tally(store, query)

    recognitions = count(counting=Counting.recognitions).total["recognitions"]
    per_year = count(Dimension.year, counting=Counting.recognitions, sort=Sort.by_name)
    return Report(
        window=window,
        where=where,
        boundaries=boundaries,
        as_of=window.end or made_on,
        made_on=made_on,
        total=count(),
        recognitions=recognitions,
        by_province=count(Dimension.province),
        by_field=count(Dimension.field),
        by_level=count(Dimension.level),
        by_year=count(Dimension.year, sort=Sort.by_name),
        recognitions_by_year={
            int(row["year"]): row["recognitions"]
            for row in per_year.rows
            if row["year"] is not None
        },
    )


# -- words ---------------------------------------------------------------------------------


def boundaries_text(boundaries: Boundaries) -> str:
    if boundaries is Boundaries.legacy:
        return _(
            "units before {day}: {provinces} provinces and cities, with their districts"
        ).format(day=i18n.day(MERGER_DAY), provinces=len(legacy_gazetteer().provinces))
    return _("current units: {provinces} provinces and cities").format(
        provinces=len(gazetteer().provinces)
    )


def title(report: Report) -> str:
    return _("“Dân vận khéo” models, {window}").format(window=report.window.label)


#: What each count is called in tables, charts and headline figures.
HEADERS = {
    "registered": N_("Registered"),
    "recognized": N_("Recognised"),
    "recognitions": N_("Recognitions"),
}
FIGURES = {
    "registered": N_("models registered"),
    "recognized": N_("models recognised"),
    "recognitions": N_("recognitions"),
    "provinces": N_("provinces and cities with models"),
}


# -- what the page shows: ready words and numbers, handed to the template ------------------
#
# The markup and the styles are in `report/report.html.j2` and `report/report.css`, for
# anyone to read and restyle; what follows decides what the page says. Every text is
# here in the reader's language (`_`, `i18n.number`, `i18n.day`), so the template has
# nothing to translate or format, and the catalog's messages stay in Python for
# `scripts/messages.py` to find. The template escapes everything it writes
# (autoescaping); nothing is marked safe.

#: Where the template and its styles are, inside the package.
TEMPLATES = "report"
TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class Count:
    """A count for machines (`data-key`, `data-value`) and for people (`text`)."""

    key: str
    value: int
    text: str


def _count(key: str, value: int) -> Count:
    return Count(key, value, i18n.number(value))


@dataclass(frozen=True)
class Row:
    """A table row: its name, the attribute naming it for scripts (`data-province-code`
    and the code), and its counts."""

    label: str
    attribute: str
    mark: object
    counts: list[Count]


@dataclass(frozen=True)
class Table:
    key: str
    column: str
    headers: list[str]
    rows: list[Row]
    total_label: str
    total: list[Count]


# Charts: the geometry is computed here, as numbers; the template draws one SVG element
# per shape (`kind`). Coordinates are rounded to a tenth of a pixel.


@dataclass(frozen=True)
class Rect:
    kind: ClassVar[str] = "rect"
    cls: str
    x: float
    y: float
    width: float
    height: float
    #: Rounded corners: a legend's swatch, not a bar.
    rx: float | None = None


@dataclass(frozen=True)
class Label:
    """A text of a chart; `tooltip` is its whole text when the one shown is shortened."""

    kind: ClassVar[str] = "text"
    cls: str | None
    x: float
    y: float
    text: str
    anchor: str | None = None
    tooltip: str | None = None


@dataclass(frozen=True)
class Line:
    kind: ClassVar[str] = "line"
    cls: str
    x1: float
    x2: float
    y1: float
    y2: float


Shape = Rect | Label | Line


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label: str
    shapes: list[Shape]


@dataclass(frozen=True)
class Section:
    """One dimension's part of the page: a chart and a table, or `empty` when no model
    is counted."""

    id: str
    heading: str
    note: str
    chart: Chart | None
    table: Table | None
    empty: str


@dataclass(frozen=True)
class About:
    """A line of the page's description; `key`/`value` for machines, when it has them."""

    label: str
    text: str
    key: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Figure:
    key: str
    value: int
    text: str
    label: str


@dataclass(frozen=True)
class View:
    """Everything the template shows, in the reader's language."""

    lang: str
    version: str
    title: str
    about: list[About]
    figures_heading: str
    figures: list[Figure]
    sections: list[Section]
    notes_heading: str
    notes: list[str]
    made: str
    print_hint: str


@dataclass(frozen=True)
class _Group:
    """One dimension's section: how its rows are named and marked."""

    key: str
    heading: str
    column: str
    #: The row's attribute for scripts (`data-province-code`) and its value.
    attribute: str
    value: Callable[[dict[str, Any]], object]
    label: Callable[[dict[str, Any]], str]


def _province_label(row: dict[str, Any]) -> str:
    if row["province_code"] is None:
        return _(NOT_ASSIGNABLE) if row["province"] == NOT_ASSIGNABLE else _("unknown")
    return str(row["province"])


def _term_label(column: str) -> Callable[[dict[str, Any]], str]:
    def label(row: dict[str, Any]) -> str:
        value = row[column]
        return _("unknown") if value is None else str(terms.shown(column, value, i18n.language()))

    return label


def _groups() -> dict[str, _Group]:
    return {
        "province": _Group(
            "province",
            _("By province"),
            _("Province"),
            "data-province-code",
            lambda row: "" if row["province_code"] is None else row["province_code"],
            _province_label,
        ),
        "field": _Group(
            "field",
            _("By field"),
            _("Field"),
            "data-field",
            lambda row: row["field"] or "",
            _term_label("field"),
        ),
        "level": _Group(
            "level",
            _("By level of recognition"),
            _("Level"),
            "data-level",
            lambda row: row["level"] or "",
            _term_label("level"),
        ),
        "year": _Group(
            "year",
            _("Registrations and recognitions by year"),
            _("Year"),
            "data-year",
            lambda row: "" if row["year"] is None else row["year"],
            lambda row: _("unknown") if row["year"] is None else str(row["year"]),
        ),
    }


def _table(
    group: _Group, rows: Sequence[dict[str, Any]], total: dict[str, int], measures: Sequence[str]
) -> Table:
    return Table(
        key=group.key,
        column=group.column,
        headers=[_(HEADERS[m]) for m in measures],
        rows=[
            Row(
                label=group.label(row),
                attribute=group.attribute,
                mark=group.value(row),
                counts=[_count(m, int(row.get(m, 0))) for m in measures],
            )
            for row in rows
        ],
        total_label=_("Total"),
        total=[_count(m, total[m]) for m in measures if m in total],
    )


def _section(
    group: _Group, chart: Chart | None = None, table: Table | None = None, note: str = ""
) -> Section:
    return Section(group.key, group.heading, note, chart, table, _("no models match"))


def view(report: Report) -> View:
    """What the page says, in the current language: the words and numbers the template
    lays out."""
    measures = report.measures
    groups = _groups()
    about = [
        About(_("Area"), area_text(report.where)),
        *(About(label, text) for label, text in _filters(report.where)),
        About(_("Figures as of"), i18n.day(report.as_of), "as_of", report.as_of.isoformat()),
        About(
            _("Boundaries"),
            boundaries_text(report.boundaries),
            "boundaries",
            report.boundaries.value,
        ),
    ]
    figures = [(m, report.total.total[m]) for m in measures]
    figures += [("recognitions", report.recognitions), ("provinces", report.provinces)]
    sections: list[Section] = []
    for key, result, note in (
        ("province", report.by_province, ""),
        ("field", report.by_field, ""),
        (
            "level",
            report.by_level,
            _("Models recognised at each level; a model recognised at two levels counts at both."),
        ),
    ):
        group = groups[key]
        rows = result.rows
        if not rows:
            sections.append(_section(group, note=note))
            continue
        series = result.query.measures
        chart = bar_chart(
            [(group.label(row), [int(row.get(m, 0)) for m in series]) for row in rows],
            [_(HEADERS[m]) for m in series],
            title=group.heading,
        )
        sections.append(_section(group, chart, _table(group, rows, result.total, series), note))
    sections.append(_year_section(report, groups["year"]))
    notes = [
        _(
            "A registration is dated by its registration date; a recognition by its decision "
            "date, or 31 December of its year when that date is unknown."
        ),
        _(
            "Recognised: models with at least one recognition in the window, each counted once "
            "(once in each group, and once in the total); recognitions counts every decision."
        ),
        _(
            "Models withdrawn by the end of the window are not counted, unless a status "
            "is asked for."
        ),
    ]
    if report.boundaries is Boundaries.legacy:
        notes.append(
            _(
                "Not assignable: models recorded after {day} in a commune made of parts of "
                "several old provinces."
            ).format(day=i18n.day(MERGER_DAY))
        )
    return View(
        lang=i18n.language(),
        version=__version__,
        title=title(report),
        about=about,
        figures_heading=_("Headline figures"),
        figures=[Figure(key, value, i18n.number(value), _(FIGURES[key])) for key, value in figures],
        sections=sections,
        notes_heading=_("How the figures are counted"),
        notes=notes,
        made=_("Made by dandan {version} on {day}.").format(
            version=__version__, day=i18n.day(report.made_on)
        ),
        print_hint=_("To make a PDF, print this page from the browser and choose “Save as PDF”."),
    )


def _year_section(report: Report, group: _Group) -> Section:
    """Registered and recognised models by year, with the recognitions beside them."""
    years = report.by_year.rows
    if not years:
        return _section(group)
    measures = [*report.measures, "recognitions"]
    rows = [
        {**row, "recognitions": report.recognitions_by_year.get(row["year"], 0)} for row in years
    ]
    total = {**report.by_year.total, "recognitions": report.recognitions}
    chart = column_chart(
        [(str(row["year"]), [int(row.get(m, 0)) for m in report.measures]) for row in rows],
        [_(HEADERS[m]) for m in report.measures],
        title=group.heading,
    )
    note = _("Registrations by the year of registration; recognitions by the year of decision.")
    return _section(group, chart, _table(group, rows, total, measures), note)


def _environment() -> jinja2.Environment:
    """The report's templates, read from the package (they ship in the wheel)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("dandan", TEMPLATES),
        # Every value is escaped where it is written: names, places and searches are
        # stored text, and a `{{ … }}` in them is text, never template code.
        autoescape=True,
        # A name the view does not have (a restyled template's typo) stops the report,
        # rather than leaving a blank where a figure should be.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(report: Report) -> str:
    """The report as one HTML document, in the current language."""
    return _environment().get_template(TEMPLATE).render(page=view(report))


# -- charts: SVG geometry computed here, drawn by the template -----------------------------

_WIDTH = 900
_LEGEND = 26


def _at(value: float) -> float:
    """A coordinate to a tenth of a pixel."""
    return round(value, 1)


def _legend(series: Sequence[str], x: float = 0) -> list[Shape]:
    shapes: list[Shape] = []
    for i, name in enumerate(series):
        left = x + i * 170
        shapes.append(Rect(f"s{i}", left, 6, 12, 12, rx=2))
        shapes.append(Label(None, left + 18, 16, name))
    return shapes


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], *, title: str
) -> Chart:
    """Horizontal bars, one group per row and one bar per series, for names that are
    long (provinces, fields) and many (63 provinces in the old units)."""
    label_width, value_width, bar, gap, spacing = 250, 64, 14, 2, 10
    area = _WIDTH - label_width - value_width
    per_row = len(series) * bar + (len(series) - 1) * gap + spacing
    peak = max((v for _name, values in rows for v in values), default=0)
    legend = _LEGEND if len(series) > 1 else 0
    height = legend + len(rows) * per_row + 4
    shapes = _legend(series, label_width) if legend else []
    for i, (name, values) in enumerate(rows):
        top = legend + i * per_row
        middle = top + (per_row - spacing) / 2
        shapes.append(
            Label("name", label_width - 8, _at(middle + 4), _short(name), "end", tooltip=name)
        )
        for j, value in enumerate(values):
            y = top + j * (bar + gap)
            length = value / peak * area if peak else 0
            if value and length < 1:
                length = 1
            shapes.append(Rect(f"s{j}", label_width, y, _at(length), bar))
            shapes.append(
                Label("value", _at(label_width + length + 4), y + bar - 3, i18n.number(value))
            )
    return Chart(_WIDTH, round(height), title, shapes)


def _ticks(peak: int, count: int = 4) -> list[int]:
    """Round steps (1, 2 or 5 times a power of ten) from 0 up to at least `peak`."""
    if peak <= 0:
        return [0, 1]
    raw = peak / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    top = math.ceil(peak / step) * step
    return list(range(0, top + 1, step))


def column_chart(
    columns: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], *, title: str
) -> Chart:
    """Vertical bars side by side per year, over a scale with round steps."""
    left, right, bottom, height = 64, 12, 28, 300
    plot_top, plot_bottom = _LEGEND + 12, height - bottom
    plot_height = plot_bottom - plot_top
    area = _WIDTH - left - right
    ticks = _ticks(max((v for _name, values in columns for v in values), default=0))
    top = ticks[-1]
    shapes = _legend(series, left)
    for tick in ticks:
        y = plot_bottom - tick / top * plot_height
        shapes.append(Line("grid", left, _WIDTH - right, _at(y), _at(y)))
        shapes.append(Label("axis", left - 6, _at(y + 4), i18n.number(tick), "end"))
    slot = area / max(len(columns), 1)
    width = min(34.0, slot * 0.8 / max(len(series), 1))
    labelled = len(columns) * len(series) <= 24
    for i, (name, values) in enumerate(columns):
        start = left + i * slot + (slot - width * len(series)) / 2
        for j, value in enumerate(values):
            bar_height = value / top * plot_height
            x, y = start + j * width, plot_bottom - bar_height
            shapes.append(Rect(f"s{j}", _at(x), _at(y), _at(width - 2), _at(bar_height)))
            if labelled:
                shapes.append(
                    Label(
                        "value", _at(x + (width - 2) / 2), _at(y - 4), i18n.number(value), "middle"
                    )
                )
        shapes.append(Label("axis", _at(left + (i + 0.5) * slot), plot_bottom + 18, name, "middle"))
    shapes.append(Line("axis-line", left, _WIDTH - right, plot_bottom, plot_bottom))
    return Chart(_WIDTH, height, title, shapes)


# -- the file ------------------------------------------------------------------------------


def check_name(path: str | Path, *, registry: str | None = None) -> Path:
    """A report is a web page: a name without .html is refused before anything is
    counted (a `report.pdf` asked for a PDF, which the browser prints), as is the
    registry's file (its URL, `registry`) under any name."""
    target = Path(path).expanduser()
    if target.suffix.lower() not in SUFFIXES:
        raise UsageError(
            _(
                "FILE {path}: the report is a web page; name it .html (for a PDF, open it "
                "in a browser and print it)"
            ).format(path=path)
        )
    check_output(target, registry=registry)
    return target


def write(page: str, path: str | Path, *, registry: str | None = None) -> Path:
    """Write the page beside its final name and rename it into place, so a failure
    leaves no half page, and an old report stays whole until the new one is; never
    over the registry (its URL, `registry`) or its journal."""
    target = check_name(path)
    # Figures, not people's details: readable like any file the user makes.
    with written_into_place(target, newline="\n", private=False, registry=registry) as handle:
        handle.write(page)
    return target
