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
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dandan.cli import app
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


def assert_same_as_tally(page: Page, run: Run, window: tuple[str, ...]) -> None:
    """Every figure of the page is the one `dandan tally --format json` gives for the
    same window and area, in the same order (years in order)."""
    total = _json(run, *window)["total"]
    recognitions = _json(run, *window, "--count", "recognitions")["total"]["recognitions"]
    by_province = _json(run, "--province", *window)
    assert page.figures == {
        **total,
        "recognitions": recognitions,
        "provinces": sum(1 for row in by_province["rows"] if row["province_code"] is not None),
    }
    for table, (_attribute, key, options) in TABLES.items():
        expected = _json(run, *options, *window)
        if table == "year":
            counted = _json(run, *options, *window, "--count", "recognitions", "--sort", "name")
            per_year = {row["year"]: row["recognitions"] for row in counted["rows"]}
            expected["rows"].sort(key=lambda row: row["year"])
            for row in expected["rows"]:
                row["recognitions"] = per_year.get(row["year"], 0)
            expected["total"]["recognitions"] = recognitions
        assert _from_page(page, table) == _from_tally(expected, key), table
        assert page.tables[table]["total"] == expected["total"], table
    assert page.tables["province"]["rows"], "the window holds models: the test is not empty"


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


def test_names_are_escaped(run: Run, tmp_path: Path) -> None:
    name = '<script>alert("x")</script> & <b>Tổ</b>'
    done = run(*REGISTER[:1], name, *REGISTER[2:])
    assert done.exit_code == 0, done.stderr
    target = tmp_path / "r.html"
    done = run("report", str(target), "--search", name)
    assert done.exit_code == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "<b>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Tổ&lt;/b&gt;" in text
    assert Page(text).figures["registered"] == 1


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
