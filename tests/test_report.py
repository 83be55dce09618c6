"""`dandan report`: a page whose numbers are `dandan tally`'s, that needs nothing but
itself to open, and that a real browser renders (Debian's chromium, headless)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dandan import terms
from dandan.cli import app
from dandan.tallies import NOT_ASSIGNABLE
from tests.conftest import IN_CI, REGISTER, Run

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed_models.csv"
MEASURES = ("registered", "recognized", "recognitions")
#: Each table of the page: the attribute naming its rows, the key of `tally` JSON rows,
#: and the `tally` options that count the same groups.
TABLES = {
    "province": ("data-province-code", "province_code", ("--province",)),
    "field": ("data-field", "field", ("--by", "field")),
    "level": ("data-level", "level", ("--by", "level")),
    "year": ("data-year", "year", ("--by", "year")),
}
PNG = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """What a page says to machines: its tables by row, its headline figures, the
    `data-key` values of its description, and every reference to another file."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.tables: dict[str, dict[str, Any]] = {}
        self.figures: dict[str, int] = {}
        self.about: dict[str, str] = {}
        self.references: list[str] = []
        self.tags: set[str] = set()
        self._table: dict[str, Any] | None = None
        self._row: dict[str, Any] | None = None
        self._cell: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if tag == "html":
            self.lang = a.get("lang")
        self.references += [v for k, v in a.items() if k in ("src", "href", "xlink:href")]
        if "data-figure" in a:
            self.figures[a["data-figure"]] = int(a["data-value"])
        if tag == "dd" and "data-key" in a:
            self.about[a["data-key"]] = a["data-value"]
        if tag == "table" and "data-table" in a:
            self._table = {"rows": [], "total": None}
            self.tables[a["data-table"]] = self._table
        elif tag == "tr" and self._table is not None:
            marks = {k: v for k, v in a.items() if k.startswith("data-")}
            self._row = {"marks": marks, "values": {}, "texts": {}}
        elif tag == "td" and self._row is not None and "data-key" in a:
            self._cell = a["data-key"]
            self._row["values"][self._cell] = int(a["data-value"])
            self._row["texts"][self._cell] = ""

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._cell is not None:
            self._row["texts"][self._cell] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if "data-total" in self._row["marks"]:
                self._table["total"] = self._row["values"]
            elif self._row["marks"]:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None


def _json(run: Run, *args: str) -> Any:
    done = run("tally", *args, "--format", "json")
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def _from_tally(payload: Any, key: str) -> list[tuple[str, dict[str, int]]]:
    return [
        ("" if row[key] is None else str(row[key]), {m: row[m] for m in MEASURES if m in row})
        for row in payload["rows"]
    ]


def _from_page(page: Page, table: str) -> list[tuple[str, dict[str, int]]]:
    attribute = TABLES[table][0]
    return [(row["marks"][attribute], row["values"]) for row in page.tables[table]["rows"]]


def _tallies(run: Run, window: tuple[str, ...]) -> dict[str, Any]:
    """What `dandan tally --format json` says of the window: the headline figures, and
    each table's rows and total (years in order, with their recognitions)."""
    total = _json(run, *window)["total"]
    recognitions = _json(run, *window, "--count", "recognitions")["total"]["recognitions"]
    by_province = _json(run, "--province", *window)
    figures = {
        **total,
        "recognitions": recognitions,
        "provinces": sum(1 for row in by_province["rows"] if row["province_code"] is not None),
    }
    tables = {}
    for table, (_attribute, _key, options) in TABLES.items():
        expected = _json(run, *options, *window)
        if table == "year":
            counted = _json(run, *options, *window, "--count", "recognitions", "--sort", "name")
            per_year = {row["year"]: row["recognitions"] for row in counted["rows"]}
            expected["rows"].sort(key=lambda row: row["year"])
            for row in expected["rows"]:
                row["recognitions"] = per_year.get(row["year"], 0)
            expected["total"]["recognitions"] = recognitions
        tables[table] = expected
    assert tables["province"]["rows"], "the window holds models: the test is not empty"
    return {"figures": figures, "tables": tables}


def assert_same_as_tally(page: Page, run: Run, window: tuple[str, ...]) -> None:
    """Every figure of the page, as written for machines (`data-value`), is the one
    `dandan tally --format json` gives for the same window and area, in the same order."""
    expected = _tallies(run, window)
    assert page.figures == expected["figures"]
    for table, (_attribute, key, _options) in TABLES.items():
        tallied = expected["tables"][table]
        assert _from_page(page, table) == _from_tally(tallied, key), table
        assert page.tables[table]["total"] == tallied["total"], table


# -- what a reader sees ------------------------------------------------------------------

#: HTML elements without an end tag.
VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr"})
#: Thousands as each reader groups them: 408,000 in English, 408.000 in Vietnamese.
GROUPING = {"en": ",", "vi": "."}
#: The words of the page, written here by hand (not taken from the catalog the page uses).
WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "figures": {
            "models registered": "registered",
            "models recognised": "recognized",
            "recognitions": "recognitions",
            "provinces and cities with models": "provinces",
        },
        "headers": {
            "Registered": "registered",
            "Recognised": "recognized",
            "Recognitions": "recognitions",
        },
        "total": "Total",
        "unknown": "unknown",
        "not assignable": "not assignable",
    },
    "vi": {
        "figures": {
            "mô hình đăng ký": "registered",
            "mô hình được công nhận": "recognized",
            "lượt công nhận": "recognitions",
            "tỉnh, thành phố có mô hình": "provinces",
        },
        "headers": {
            "Đăng ký": "registered",
            "Công nhận": "recognized",
            "Lượt công nhận": "recognitions",
        },
        "total": "Tổng",
        "unknown": "không rõ",
        "not assignable": "không xác định được",
    },
}


@dataclass
class Node:
    """An element of the page, with its attributes and what it holds."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """The text shown: an SVG `<title>` is a tooltip, not on the page."""
        return "".join(
            child if isinstance(child, str) else child.text()
            for child in self.children
            if isinstance(child, str) or child.tag != "title"
        ).strip()

    def tooltip(self) -> str:
        return next(
            (c.text_all() for c in self.children if isinstance(c, Node) and c.tag == "title"), ""
        )

    def text_all(self) -> str:
        return "".join(c if isinstance(c, str) else c.text_all() for c in self.children).strip()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        """Every element below this one, in document order, by tag and class."""
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (
                    cls is None or cls in child.attrs.get("class", "").split()
                ):
                    found.append(child)
                found += child.all(tag, cls)
        return found

    def number(self, name: str) -> float:
        return float(self.attrs[name])


class Tree(HTMLParser):
    """The page as a tree of `Node`s (html.parser lowercases attribute names: `viewbox`)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self._open = [self.root]
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self._open[-1].children.append(node)
        if tag not in VOID:
            self._open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def read_number(text: str, lang: str) -> int:
    """A count as its reader reads it: 1,899 in English, 1.899 in Vietnamese, and
    nothing else (not 1899, not the other language's grouping)."""
    separator = re.escape(GROUPING[lang])
    assert re.fullmatch(rf"\d{{1,3}}(?:{separator}\d{{3}})*", text), (
        f"{text!r} is not a count as a reader of {lang!r} writes it"
    )
    return int(text.replace(GROUPING[lang], ""))


def _label(table: str, row: dict[str, Any], lang: str) -> str:
    """The name a reader should see for a row of `tally` JSON."""
    words = WORDS[lang]
    if table == "province":
        if row["province_code"] is None:
            return str(words["not assignable" if row["province"] == NOT_ASSIGNABLE else "unknown"])
        return str(row["province"])
    if row[table] is None:
        return str(words["unknown"])
    if table == "year":
        return str(row["year"])
    return str(terms.shown(table, row[table], lang))


def _expected_rows(table: str, tallied: Any, lang: str) -> list[tuple[str, dict[str, int]]]:
    return [
        (_label(table, row, lang), {m: row[m] for m in MEASURES if m in row})
        for row in tallied["rows"]
    ]


def _read_table(node: Node, lang: str) -> tuple[list[str], list[tuple[str, dict[str, int]]], Any]:
    """The measures of a table's columns, its rows (name, counts) and its total row."""
    words = WORDS[lang]
    head = [th.text() for th in node.all("thead")[0].all("th")]
    measures = [words["headers"][text] for text in head[1:]]

    def row(tr: Node) -> tuple[str, dict[str, int]]:
        cells = [cell.text() for cell in tr.children if isinstance(cell, Node)]
        assert len(cells) == len(measures) + 1, cells
        return cells[0], {
            m: read_number(text, lang) for m, text in zip(measures, cells[1:], strict=True)
        }

    rows = [row(tr) for tr in node.all("tbody")[0].all("tr")]
    (total,) = [row(tr) for tr in node.all("tfoot")[0].all("tr")]
    return measures, rows, total


def _series(svg: Node, lang: str, measures: list[str]) -> dict[str, str]:
    """Each bar colour's measure, as the legend names it; a chart of one measure has no
    legend, its table says what it counts."""
    swatches = sorted(svg.all("rect"), key=lambda r: r.number("x"))
    swatches = [r for r in swatches if "rx" in r.attrs]
    names = sorted(
        (t for t in svg.all("text") if "class" not in t.attrs), key=lambda t: t.number("x")
    )
    if not swatches:
        assert len(measures) == 1, measures
        return {"s0": measures[0]}
    assert len(swatches) == len(names) == len(measures), (swatches, names, measures)
    return {
        r.attrs["class"]: WORDS[lang]["headers"][t.text()]
        for r, t in zip(swatches, names, strict=True)
    }


def _read_bar_chart(
    svg: Node, lang: str, measures: list[str]
) -> list[tuple[str, str, dict[str, tuple[float, int]]]]:
    """Horizontal bars: per row its name (shown, and in full as a tooltip) and, per
    measure, the bar's length and the count written beside it."""
    series = _series(svg, lang, measures)
    width = float(svg.attrs["viewbox"].split()[2])
    bars = [r for r in svg.all("rect") if "rx" not in r.attrs]
    names = sorted(svg.all("text", "name"), key=lambda t: t.number("y"))
    values = svg.all("text", "value")
    rows: list[tuple[str, str, dict[str, tuple[float, int]]]] = [
        (name.text(), name.tooltip(), {}) for name in names
    ]
    for bar in bars:
        top, height = bar.number("y"), bar.number("height")
        middle = top + height / 2
        nearest = min(range(len(names)), key=lambda i: abs(names[i].number("y") - middle))
        (label,) = [t for t in values if top <= t.number("y") <= top + height]
        end = bar.number("x") + bar.number("width")
        assert end <= label.number("x") <= width, "the count is written after its bar"
        measure = series[bar.attrs["class"]]
        assert measure not in rows[nearest][2], (rows[nearest], measure)
        rows[nearest][2][measure] = (bar.number("width"), read_number(label.text(), lang))
    longest = max(bars, key=lambda r: r.number("width"))
    assert longest.number("x") + longest.number("width") >= 0.75 * width, (
        "the longest bar spans the chart"
    )
    return rows


def _read_column_chart(
    svg: Node, lang: str, measures: list[str]
) -> dict[str, dict[str, tuple[float, float, int | None]]]:
    """Columns by year: per year and measure, the count read off the axis (its round
    steps), how precisely, and the count written above the column (when there is room)."""
    series = _series(svg, lang, measures)
    axis = svg.all("text", "axis")
    left = min(t.number("x") for t in axis)
    steps = [t for t in axis if t.number("x") == left]
    years = [t for t in axis if t.number("x") != left]
    grid = [line.number("y1") for line in svg.all("line", "grid")]
    scale = sorted(
        (read_number(t.text(), lang), min(grid, key=lambda y: abs(y - t.number("y"))))
        for t in steps
    )
    (zero, base), (top, top_y) = scale[0], scale[-1]
    assert zero == 0 and top > 0, scale
    per_unit = (base - top_y) / top
    for value, y in scale:
        assert abs(base - value * per_unit - y) < 0.2, ("the steps are even", scale)
    columns: dict[str, dict[str, tuple[float, float, int | None]]] = {t.text(): {} for t in years}
    labels = svg.all("text", "value")
    for bar in (r for r in svg.all("rect") if "rx" not in r.attrs):
        x, w = bar.number("x"), bar.number("width")
        assert abs(bar.number("y") + bar.number("height") - base) < 0.2, "columns stand on 0"
        read = (base - bar.number("y")) / per_unit
        year = min(years, key=lambda t: abs(t.number("x") - (x + w / 2))).text()
        measure = series[bar.attrs["class"]]
        written = [read_number(t.text(), lang) for t in labels if x <= t.number("x") <= x + w]
        assert len(written) == (1 if labels else 0), (year, measure, written)
        # Drawn to a tenth of a pixel: the count read off the axis, to that precision.
        columns[year][measure] = (read, 0.1 / per_unit, written[0] if written else None)
    return columns


def assert_reader_sees_tally(text: str, lang: str, run: Run, window: tuple[str, ...]) -> None:
    """What a reader sees — headline figures, every table row and total, the charts'
    names, counts and bar lengths — is what `dandan tally --format json` says, read
    without the page's `data-` attributes."""
    expected = _tallies(run, window)
    root = Tree(text).root
    words = WORDS[lang]

    figures = {}
    for figure in root.all("div", "figure"):
        (shown,) = figure.all("span", "value")
        (label,) = figure.all("span", "label")
        figures[words["figures"][label.text()]] = read_number(shown.text(), lang)
    assert figures == expected["figures"]

    sections = {s.attrs.get("id"): s for s in root.all("section")}
    for table in TABLES:
        tallied = expected["tables"][table]
        (node,) = sections[table].all("table")
        measures, rows, (total_name, total) = _read_table(node, lang)
        assert rows == _expected_rows(table, tallied, lang), table
        assert (total_name, total) == (words["total"], tallied["total"]), table
        assert measures == [m for m in MEASURES if m in tallied["total"]], table
        (svg,) = sections[table].all("svg")
        if table == "year":
            series = [m for m in measures if m != "recognitions"]
            columns = _read_column_chart(svg, lang, series)
            assert list(columns) == [name for name, _counts in rows], table
            for name, counts in rows:
                assert sorted(columns[name]) == sorted(series), (name, columns[name])
                for m in series:
                    read, precision, written = columns[name][m]
                    assert abs(read - counts[m]) <= precision, (name, m, read, counts[m])
                    assert written in (None, counts[m]), (name, m, written, counts[m])
            continue
        chart = _read_bar_chart(svg, lang, measures)
        assert [(tip, {m: v for m, (_w, v) in bars.items()}) for _n, tip, bars in chart] == rows
        for name, tip, _bars in chart:
            assert name == tip or (name.endswith("…") and tip.startswith(name[:-1])), name
        lengths = [bar for _n, _t, bars in chart for bar in bars.values()]
        longest, peak = max(w for w, _v in lengths), max(v for _w, v in lengths)
        for length, value in lengths:
            # Drawn to a tenth of a pixel, and a count above zero at least 1 pixel long.
            assert abs(length - value / peak * longest) <= (1 if value else 0), (table, value)


def assert_self_contained(text: str) -> None:
    """Nothing to fetch: no address, no file beside it, no script."""
    lowered = text.lower()
    for needle in ("http://", "https://", "@import", "url(", "<script", "<link", "<img"):
        assert needle not in lowered, f"{needle!r} in the page"
    page = Page(text)
    assert not page.references, page.references
    assert not re.search(r"""(?:src|href)\s*=\s*["']?//""", lowered)
    assert {"script", "iframe", "object", "embed"}.isdisjoint(page.tags)


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed imported once; each SQLite test starts from a copy."""
    path = tmp_path_factory.mktemp("seed") / "registry.db"
    done = CliRunner().invoke(app, ["--db", str(path), "import", str(SEED)])
    assert done.exit_code == 0, done.stderr
    return path


@pytest.fixture
def seeded(db: Path | str, run: Run, seeded_file: Path) -> Run:
    """`run` on a registry holding data/seed_models.csv."""
    if isinstance(db, str):  # PostgreSQL: import it
        done = run("import", str(SEED))
        assert done.exit_code == 0, done.stderr
    else:
        with sqlite3.connect(seeded_file) as source, sqlite3.connect(db) as target:
            source.backup(target)
    return run


WINDOWS = [
    ("--year", "2023"),
    ("--by-end-of", "2023", "--boundaries", "2024"),
    ("--since", "2022", "--in", "quang tri", "--field", "economy"),
    ("--period", "2021-2025", "--level", "province"),
]


@pytest.mark.parametrize("window", WINDOWS, ids=[" ".join(w) for w in WINDOWS])
def test_the_page_has_the_figures_of_tally(
    seeded: Run, tmp_path: Path, window: tuple[str, ...]
) -> None:
    texts = {}
    for lang in ("vi", "en"):
        target = tmp_path / f"report-{lang}.html"
        done = seeded("--lang", lang, "report", str(target), *window)
        assert done.exit_code == 0, done.stderr
        assert done.stdout == f"{target}\n"
        assert str(target) in done.stderr
        text = target.read_text(encoding="utf-8")
        texts[lang] = text
        page = Page(text)
        assert page.lang == lang
        assert_same_as_tally(page, seeded, window)
        assert_reader_sees_tally(text, lang, seeded, window)
        assert_self_contained(text)
        assert page.about["boundaries"] == ("2024" if "2024" in window else "current")
        separator = "." if lang == "vi" else ","
        for table in page.tables.values():
            for row in table["rows"]:
                for key, value in row["values"].items():
                    assert row["texts"][key] == f"{value:,}".replace(",", separator)
    assert "Tổng" in texts["vi"] and "Total" in texts["en"]


def test_as_of_is_the_end_of_the_window(seeded: Run, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    assert seeded("report", str(target), "--by-end-of", "2023").exit_code == 0
    page = Page(target.read_text(encoding="utf-8"))
    assert page.about["as_of"] == "2023-12-31"
    assert seeded("--lang", "vi", "report", str(target), "--as-of", "2024-06-30").exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert Page(text).about["as_of"] == "2024-06-30"
    assert "30/06/2024" in text


#: Stored text that is markup or template code, and how the page must write it: as text
#: (`"` as `&#34;`, `'` as `&#39;`, as the template's escaping writes them), never run.
HOSTILE = [
    (
        '<script>alert("x")</script> & <b>Tổ</b>',
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Tổ&lt;/b&gt;",
    ),
    (
        "{{ 7*7 }} {% if true %}yes{% endif %} {# hidden #} 'q'",
        "{{ 7*7 }} {% if true %}yes{% endif %} {# hidden #} &#39;q&#39;",
    ),
]


@pytest.mark.parametrize(("name", "written"), HOSTILE, ids=["html", "template"])
def test_names_are_escaped(run: Run, tmp_path: Path, name: str, written: str) -> None:
    done = run(*REGISTER[:1], name, *REGISTER[2:])
    assert done.exit_code == 0, done.stderr
    target = tmp_path / "r.html"
    done = run("report", str(target), "--search", name)
    assert done.exit_code == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "<b>" not in text
    assert written in text
    # What a browser shows: the name itself, as it was searched for.
    shown = [dd.text() for dd in Tree(text).root.all("dd")]
    assert f"“{name}”" in shown, shown
    assert Page(text).figures["registered"] == 1


def test_the_page_is_a_template_in_the_package(run: Run, tmp_path: Path) -> None:
    """The markup and the styles are files of the installed package, for anyone to
    restyle; the page carries the styles file as it is, and the Python holds no markup."""
    folder = resources.files("dandan") / "report"
    assert (folder / "report.html.j2").is_file()
    styles = (folder / "report.css").read_text(encoding="utf-8")
    run("db", "init")  # reading never makes a registry
    target = tmp_path / "r.html"
    assert run("report", str(target)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    (style,) = re.findall(r"<style>(.*?)</style>", text, flags=re.DOTALL)
    assert style.strip() == styles.strip()
    assert "@media print" in style and "svg .s0" in style
    source = (ROOT / "src" / "dandan" / "reporting.py").read_text(encoding="utf-8")
    for markup in ("<style", "<td", "<th", "<table", "<svg", "<rect", "<text", "@media"):
        assert markup not in source, markup
    assert "html.escape" not in source and "import html" not in source


def test_the_template_has_no_words_of_its_own() -> None:
    """Every word of the page comes from Python, translated (`_`): the template holds
    markup and values only, so a text written into it would reach no translator."""
    source = (resources.files("dandan") / "report" / "report.html.j2").read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.DOTALL)
    text = re.sub(r"<style>.*?</style>|<[^>]*>", " ", text, flags=re.DOTALL)
    assert re.findall(r"[^\W\d_]{2,}", text) == []


def test_an_empty_registry_gives_a_page_of_zeros(run: Run, tmp_path: Path) -> None:
    run("db", "init")  # reading never makes a registry
    target = tmp_path / "r.html"
    done = run("report", str(target))
    assert done.exit_code == 0, done.stderr
    page = Page(target.read_text(encoding="utf-8"))
    assert page.figures == {"registered": 0, "recognized": 0, "recognitions": 0, "provinces": 0}
    assert "no models match" in target.read_text(encoding="utf-8")


@pytest.mark.sqlite_only
def test_a_report_replaces_the_file_whole(run: Run, tmp_path: Path) -> None:
    run("db", "init")  # reading never makes a registry
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")
    assert run("report", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("report.pdf", 2, "name it .html"),
        ("no-such-folder/r.html", 1, "cannot write there"),
        ("folder.html", 1, "cannot write it"),
    ],
)
def test_a_file_that_cannot_be_written_is_one_line(
    run: Run, tmp_path: Path, name: str, code: int, words: str
) -> None:
    run("db", "init")  # reading never makes a registry
    (tmp_path / "folder.html").mkdir()
    target = tmp_path / name
    done = run("report", str(target))
    assert done.exit_code == code, done.stderr
    assert len(done.stderr.splitlines()) == 1 and words in done.stderr, done.stderr
    assert done.stdout == ""
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


@pytest.mark.sqlite_only
def test_a_contradictory_window_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    done = run("report", str(tmp_path / "r.html"), "--year", "2023", "--by-end-of", "2024")
    assert done.exit_code == 2
    assert done.stderr.startswith("error: --by-end-of: cannot be combined with --year")
    assert not (tmp_path / "r.html").exists()


# -- in a real browser -------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    if IN_CI:
        pytest.fail("CI=true but chromium is not installed: .ci/run installs it")
    pytest.skip(
        "chromium is not installed (apt-get install chromium); the report's browser test runs in CI"
    )


def _browse(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless chromium on a page; --no-sandbox since CI may run as root."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG, "not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.sqlite_only
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_renders_in_chromium(seeded: Run, tmp_path: Path, lang: str) -> None:
    browser = _chromium()
    window = ("--by-end-of", "2023")
    target = tmp_path / "report.html"
    done = seeded("--lang", lang, "report", str(target), *window)
    assert done.exit_code == 0, done.stderr

    dom = _browse(browser, tmp_path / "profile", "--dump-dom", target.as_uri()).stdout
    page = Page(dom)
    assert page.lang == lang
    assert_same_as_tally(page, seeded, window)
    assert_reader_sees_tally(dom, lang, seeded, window)
    assert "<svg" in dom and "“Dân vận khéo”" in dom

    shot = tmp_path / "report.png"
    size = "--window-size=1280,2000"
    _browse(browser, tmp_path / "profile", f"--screenshot={shot}", size, target.as_uri())
    assert _png_size(shot) == (1280, 2000)
    # A blank page of the same size, for scale: about 12 kB, the report over 100 kB.
    blank = tmp_path / "blank.html"
    blank.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body>')
    empty = tmp_path / "blank.png"
    _browse(browser, tmp_path / "profile", f"--screenshot={empty}", size, blank.as_uri())
    assert _png_size(empty) == (1280, 2000)
    assert shot.stat().st_size > 5 * empty.stat().st_size, (shot.stat(), empty.stat())
    print(f"screenshot of the report: {shot}")
    if copy := os.environ.get("DANDAN_REPORT_SCREENSHOT"):
        # One file per language: report-vi.png, report-en.png beside the name given.
        destination = Path(copy)
        destination = destination.with_name(f"{destination.stem}-{lang}{destination.suffix}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, destination)
