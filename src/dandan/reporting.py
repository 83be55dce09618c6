"""A report to send up the chain: one web page with a window's figures.

Figures go to the provincial and central committees as a document, not as a terminal
screen. The page is built from the tallies `dandan tally` prints (`build_report` calls
`dandan.tallies.tally`), so its numbers are the command's numbers. Styles are inline
and charts are SVG drawn here, so the file opens offline in any browser, attached to
an e-mail or copied onto a USB stick: no JavaScript, no font, image or address to
fetch. A PDF is the browser's to make (its print dialog); the page has print styles
for that, so no PDF library is needed.

Each count in a table carries its value for machines next to its text for people
(`<td data-key="registered" data-value="1354">1.354</td>`), so the page can be
checked against `dandan tally --format json`, and read back by a script.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


# -- the page ------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _count(key: str, value: int, tag: str = "td") -> str:
    return f'<{tag} data-key="{key}" data-value="{value}">{_e(i18n.number(value))}</{tag}>'


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
) -> str:
    head = "".join(f'<th scope="col" class="num">{_e(_(HEADERS[m]))}</th>' for m in measures)
    lines = [
        f'<table data-table="{group.key}">',
        f'<thead><tr><th scope="col">{_e(group.column)}</th>{head}</tr></thead>',
        "<tbody>",
    ]
    for row in rows:
        cells = "".join(_count(m, int(row.get(m, 0))) for m in measures)
        lines.append(
            f'<tr {group.attribute}="{_e(group.value(row))}">'
            f'<th scope="row">{_e(group.label(row))}</th>{cells}</tr>'
        )
    lines.append("</tbody>")
    cells = "".join(_count(m, total[m]) for m in measures if m in total)
    total_label = _e(_("Total"))
    lines.append(f'<tfoot><tr data-total="true"><th scope="row">{total_label}</th>{cells}</tr>')
    lines.append("</tfoot></table>")
    return "\n".join(lines)


def _section(group: _Group, chart: str, table: str, note: str = "") -> str:
    parts = [f'<section id="{group.key}">', f"<h2>{_e(group.heading)}</h2>"]
    if note:
        parts.append(f'<p class="note">{_e(note)}</p>')
    parts += [chart, table, "</section>"]
    return "\n".join(parts)


def _empty() -> str:
    text = _e(_("no models match"))
    return f'<p class="empty">{text}</p>'


def render_html(report: Report) -> str:
    """The report as one HTML document, in the current language."""
    lang = i18n.language()
    measures = report.measures
    groups = _groups()
    heading = title(report)
    about = [
        (_("Area"), area_text(report.where), ""),
        *((label, text, "") for label, text in _filters(report.where)),
        (
            _("Figures as of"),
            i18n.day(report.as_of),
            f' data-key="as_of" data-value="{report.as_of.isoformat()}"',
        ),
        (
            _("Boundaries"),
            boundaries_text(report.boundaries),
            f' data-key="boundaries" data-value="{report.boundaries.value}"',
        ),
    ]
    about_html = "\n".join(
        f"<div><dt>{_e(label)}</dt><dd{attrs}>{_e(text)}</dd></div>" for label, text, attrs in about
    )
    figures = [(m, report.total.total[m]) for m in measures]
    figures += [("recognitions", report.recognitions), ("provinces", report.provinces)]
    figures_html = "\n".join(
        f'<div class="figure" data-figure="{key}" data-value="{value}">'
        f'<span class="value">{_e(i18n.number(value))}</span>'
        f'<span class="label">{_e(_(FIGURES[key]))}</span></div>'
        for key, value in figures
    )
    sections: list[str] = []
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
            sections.append(_section(group, _empty(), "", note))
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
    made = _("Made by dandan {version} on {day}.").format(
        version=__version__, day=i18n.day(report.made_on)
    )
    notes_html = "\n".join(f"<li>{_e(n)}</li>" for n in notes)
    figures_heading = _("Headline figures")
    notes_heading = _("How the figures are counted")
    print_hint = _("To make a PDF, print this page from the browser and choose “Save as PDF”.")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="dandan {_e(__version__)}">',
            f"<title>{_e(heading)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<header>",
            f"<h1>{_e(heading)}</h1>",
            f'<dl class="about">\n{about_html}\n</dl>',
            "</header>",
            '<section id="figures">',
            f"<h2>{_e(figures_heading)}</h2>",
            f'<div class="figures">\n{figures_html}\n</div>',
            "</section>",
            *sections,
            "<footer>",
            f"<h2>{_e(notes_heading)}</h2>",
            f"<ul>\n{notes_html}\n</ul>",
            f'<p class="note">{_e(made)}</p>',
            f'<p class="note screen-only">{_e(print_hint)}</p>',
            "</footer>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _year_section(report: Report, group: _Group) -> str:
    """Registered and recognised models by year, with the recognitions beside them."""
    years = report.by_year.rows
    if not years:
        return _section(group, _empty(), "")
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


# -- charts: SVG drawn here, so the page needs nothing else ----------------------------------

_WIDTH = 900
_LEGEND = 26


def _legend(series: Sequence[str], x: float = 0) -> list[str]:
    parts: list[str] = []
    for i, name in enumerate(series):
        left = x + i * 170
        parts.append(f'<rect class="s{i}" x="{left}" y="6" width="12" height="12" rx="2"/>')
        parts.append(f'<text x="{left + 18}" y="16">{_e(name)}</text>')
    return parts


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return "\n".join(
        [
            f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" width="{width}" '
            f'height="{height:.0f}" role="img" aria-label="{_e(label)}">',
            f"<title>{_e(label)}</title>",
            *body,
            "</svg>",
        ]
    )


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], *, title: str
) -> str:
    """Horizontal bars, one group per row and one bar per series, for names that are
    long (provinces, fields) and many (63 provinces in the old units)."""
    label_width, value_width, bar, gap, spacing = 250, 64, 14, 2, 10
    area = _WIDTH - label_width - value_width
    per_row = len(series) * bar + (len(series) - 1) * gap + spacing
    peak = max((v for _name, values in rows for v in values), default=0)
    legend = _LEGEND if len(series) > 1 else 0
    height = legend + len(rows) * per_row + 4
    body = _legend(series, label_width) if legend else []
    for i, (name, values) in enumerate(rows):
        top = legend + i * per_row
        middle = top + (per_row - spacing) / 2
        body.append(
            f'<text class="name" x="{label_width - 8}" y="{middle + 4:.1f}" text-anchor="end">'
            f"<title>{_e(name)}</title>{_e(_short(name))}</text>"
        )
        for j, value in enumerate(values):
            y = top + j * (bar + gap)
            length = value / peak * area if peak else 0
            if value and length < 1:
                length = 1
            body.append(
                f'<rect class="s{j}" x="{label_width}" y="{y}" width="{length:.1f}" '
                f'height="{bar}"/>'
            )
            body.append(
                f'<text class="value" x="{label_width + length + 4:.1f}" y="{y + bar - 3}">'
                f"{_e(i18n.number(value))}</text>"
            )
    return _svg(_WIDTH, height, title, body)


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
) -> str:
    """Vertical bars side by side per year, over a scale with round steps."""
    left, right, bottom, height = 64, 12, 28, 300
    plot_top, plot_bottom = _LEGEND + 12, height - bottom
    plot_height = plot_bottom - plot_top
    area = _WIDTH - left - right
    ticks = _ticks(max((v for _name, values in columns for v in values), default=0))
    top = ticks[-1]
    body = _legend(series, left)
    for tick in ticks:
        y = plot_bottom - tick / top * plot_height
        body.append(
            f'<line class="grid" x1="{left}" x2="{_WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        body.append(
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_e(i18n.number(tick))}</text>"
        )
    slot = area / max(len(columns), 1)
    width = min(34.0, slot * 0.8 / max(len(series), 1))
    labelled = len(columns) * len(series) <= 24
    for i, (name, values) in enumerate(columns):
        start = left + i * slot + (slot - width * len(series)) / 2
        for j, value in enumerate(values):
            bar_height = value / top * plot_height
            x, y = start + j * width, plot_bottom - bar_height
            body.append(
                f'<rect class="s{j}" x="{x:.1f}" y="{y:.1f}" width="{width - 2:.1f}" '
                f'height="{bar_height:.1f}"/>'
            )
            if labelled:
                body.append(
                    f'<text class="value" x="{x + (width - 2) / 2:.1f}" y="{y - 4:.1f}" '
                    f'text-anchor="middle">{_e(i18n.number(value))}</text>'
                )
        body.append(
            f'<text class="axis" x="{left + (i + 0.5) * slot:.1f}" y="{plot_bottom + 18}" '
            f'text-anchor="middle">{_e(name)}</text>'
        )
    body.append(
        f'<line class="axis-line" x1="{left}" x2="{_WIDTH - right}" '
        f'y1="{plot_bottom}" y2="{plot_bottom}"/>'
    )
    return _svg(_WIDTH, height, title, body)


STYLE = """
:root { --ink: #1b2330; --muted: #5b6576; --line: #d9dee6; --s0: #1f5fa8; --s1: #c8472b;
  --s2: #d99a1e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 62rem; padding: 2rem 1.5rem 3rem; color: var(--ink);
  font-family: "Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans",
  sans-serif; font-size: 15px; line-height: 1.45; background: #fff; }
h1 { font-size: 1.65rem; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .6rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--s0); }
dl.about { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem;
  margin: 0; }
dl.about div { display: contents; }
dl.about dt { color: var(--muted); }
dl.about dd { margin: 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr));
  gap: .8rem; }
.figure { border: 1px solid var(--line); border-left: 4px solid var(--s0);
  border-radius: 4px; padding: .7rem 1rem; }
.figure .value { display: block; font-size: 1.9rem; font-weight: 700;
  font-variant-numeric: tabular-nums; }
.figure .label { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .8rem 0 0;
  font-variant-numeric: tabular-nums; }
th, td { padding: .28rem .6rem; border-bottom: 1px solid var(--line); text-align: left;
  font-weight: normal; }
td, th.num { text-align: right; }
thead th { font-weight: 700; border-bottom: 2px solid var(--ink); }
tfoot th, tfoot td { font-weight: 700; border-top: 2px solid var(--ink);
  border-bottom: none; }
tbody tr:nth-child(even) { background: #f5f7fa; }
svg.chart { display: block; width: 100%; height: auto; margin: .4rem 0; }
svg text { font-size: 12px; fill: var(--ink); }
svg text.value, svg text.axis { fill: var(--muted); font-size: 11px; }
svg .s0 { fill: var(--s0); }
svg .s1 { fill: var(--s1); }
svg .s2 { fill: var(--s2); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis-line { stroke: var(--ink); stroke-width: 1; }
.note, .empty { color: var(--muted); font-size: .9rem; }
footer ul { padding-left: 1.2rem; color: var(--muted); font-size: .9rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  svg.chart, .figures, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  .screen-only { display: none; }
}
"""


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
