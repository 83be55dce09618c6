"""Fuzzing the command line: hostile text in every argument, hostile files to `import`.

Whatever comes in, dandan answers with exit code 0, 1 or 2 (or 3, registry unavailable,
where the argument is the registry to open); a refusal is one line on stderr starting
with "error: " (an import may list rejected rows first), never a traceback, and leaves
the registry exactly as it was; what it accepts is stored clean (NFC, no control or
invisible characters, within the length limits); and no Python warning reaches stderr.

Budgets are hypothesis profiles: "fuzz-quick" for `make test` (a few dozen examples
per test, derandomised so a run is repeatable) and "fuzz" (`DANDAN_FUZZ=1`, as
`make fuzz` runs it: thousands). `DANDAN_FUZZ_EXAMPLES` overrides the count.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from dandan.audit import history
from dandan.cli import app
from dandan.registry import Registry
from dandan.sources import HEADERS
from dandan.text import clean
from dandan.validation import MAX_LENGTHS
from tests.conftest import REGISTER, Run, dump

_HEALTH = [
    HealthCheck.function_scoped_fixture,  # one registry per test, on purpose: it persists
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]
settings.register_profile(
    "fuzz-quick",
    max_examples=int(os.environ.get("DANDAN_FUZZ_EXAMPLES", "15")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_HEALTH,
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("DANDAN_FUZZ_EXAMPLES", "400")),
    deadline=None,
    print_blob=True,
    suppress_health_check=_HEALTH,
)
FUZZ = bool(os.environ.get("DANDAN_FUZZ"))
PROFILE = settings.get_profile("fuzz" if FUZZ else "fuzz-quick")


def scaled(factor: float) -> settings:
    """The profile with `factor` times its examples (files cost more than arguments)."""
    return settings(PROFILE, max_examples=max(5, int(PROFILE.max_examples * factor)))


# -- what comes in ---------------------------------------------------------------------

SQL = (
    "'; DROP TABLE models; --",
    '"; DROP TABLE recognitions; --',
    "' OR '1'='1",
    "1) OR (1=1",
    "'); DELETE FROM import_batches; --",
    "x' UNION SELECT sql FROM sqlite_master --",
    "%",
    "_",
    "%_%' ESCAPE '\\",
    "\\",
    "\\'",
    "''",
    '"',
    "`models`",
    "$1",
    ":name",
    "?",
    "%s",
    "%(name)s",
    "{0}",
    "; --",
    "/* */",
)
NASTY = (
    *SQL,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\n",
    "\t",
    "\x1b[31m",
    "\x7f",
    "\x85",  # C1 next line
    "\x9b",  # C1 control sequence introducer
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2028",  # line separator
    "\ufeff",  # byte-order mark
    "\u00ad",  # soft hyphen
    "\u2060",  # word joiner
    "\U000e0041",  # tag letter A
    "\ue000",  # private use
    "\udcff",  # an undecodable byte, as Python hands it over from argv
    "\ud800",
    "😀",
    "👨‍👩‍👧",
    "🇻🇳",
    "مرحبا",
    "שלום",
    "e\u0302\u0323",  # ệ decomposed
    "Đ",
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "--help",
    "-",
    "٢٠٢٣",
    "２０２３",
    "x" * 10_001,
    "Tổ tự quản " * 1_000,
)
PLACES = (
    "Quảng Trị", "quang tri", "44", "Hà Nội", "hanoi", "Ho Chi Minh City", "dong ha",
    "Phường Đông Hà", "huyện Vĩnh Linh", "Quảng Bình", "Thừa Thiên Huế", "TP. Huế", "Phường 1",
)  # fmt: skip
TERMS = (
    "kinh te", "Kinh tế", "economy", "an ninh", "vhxh", "phu nu", "Hội Nông dân", "youth",
    "tập thể", "cá nhân", "individual", "tinh", "Cấp xã", "huyen", "central", "tw",
)  # fmt: skip
DATES = (
    "2023-03-01", "01/03/2023", "2025-06-30", "2025-07-01", "2023-02-29", "2024-02-29",
    "0000-01-01", "9999-12-31", "1989-12-31", "2023-1-1", " 2023-01-01 ", "31.12.2023",
    "٢٠٢٣-٠١-٠١", "2023-01-01T00:00", "20230101", "2100-01-01",
)  # fmt: skip

ANY_CHAR = st.characters(exclude_categories=())  # surrogates and unassigned ones too
pieces = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(PLACES + TERMS),
    st.text(ANY_CHAR, max_size=12),
)
nasty_text = st.lists(pieces, max_size=4).map("".join)
plain_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40)
free_text = st.one_of(nasty_text, plain_text)  # what a free-text field may hold
CODES = ("QTR-2023-00001", "qtr-2023-00001", " QTR-2023-00001 ", "QTR-2023-99999")
codes = st.one_of(
    st.sampled_from(CODES),
    st.from_regex(r"[A-Z]{3}-20[0-9]{2}-[0-9]{5}", fullmatch=True),
)
years = st.integers(2023, 2026).map(str)
hostile_years = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["1e3", "-1", "0", "2023.0", "9" * 30, "٢٠٢٣", "２０２３"]),
    nasty_text,
)
hostile_dates = st.one_of(st.sampled_from(DATES), nasty_text)


def iso_dates(first: date, last: date) -> st.SearchStrategy[str]:
    days = st.dates(first, last)
    return st.one_of(days.map(date.isoformat), days.map(lambda d: d.strftime("%d/%m/%Y")))


def valid(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


#: Per argument: the values a clerk would type, the hostile ones, and whether it is given
#: always (an argument or a required option), or only now and then.
Arg = tuple[st.SearchStrategy[str], st.SearchStrategy[str], bool]
FREE: Arg = (free_text, nasty_text, False)


def invocation(command: str, **arguments: Arg) -> st.SearchStrategy[list[str]]:
    """`command` with its arguments: one or two of them hostile, the others as a clerk
    would type them, so that hostile values reach every check, and the registry.
    Upper-case names are positional arguments; the others options (`holder_name` is
    `--holder-name`)."""

    @st.composite
    def build(draw: st.DrawFn) -> list[str]:
        names = sorted(arguments)
        spoiled = draw(st.sets(st.sampled_from(names), max_size=2))
        args = [*command.split()]
        for name, (usual, hostile, always) in arguments.items():
            if name in spoiled:
                value: str | None = draw(hostile)
            elif always:
                value = draw(usual)
            else:
                value = draw(st.one_of(st.none(), st.none(), usual))
            if value is None:
                continue
            args += [value] if name.isupper() else [f"--{name.replace('_', '-')}", value]
        return args

    return build()


PROVINCE: Arg = (valid("Quảng Trị", "quang tri", "44", "Tỉnh Quảng Trị"), nasty_text, True)
COMMUNE: Arg = (valid("dong ha", "Phường Đông Hà", "Đông Hà"), nasty_text, False)
DISTRICT: Arg = (valid("TP. Đông Hà", "Thành phố Đông Hà"), nasty_text, False)
FIELD: Arg = (valid("kinh te", "Kinh tế", "economy", "an ninh", "vhxh"), nasty_text, True)
SPONSOR: Arg = (valid("phu nu", "Hội Nông dân", "youth", "MTTQ"), nasty_text, True)
HOLDER: Arg = (valid("tập thể", "cá nhân", "individual"), nasty_text, False)
REGISTERED_ON: Arg = (
    iso_dates(date(2020, 1, 1), date(2023, 12, 31)), hostile_dates, False
)  # fmt: skip
EXISTING: Arg = (valid("QTR-2023-00001", "qtr-2023-00001", " QTR-2023-00001 "), nasty_text, True)
NAME: Arg = (valid("Tổ tự quản đường làng", "Camera an ninh", "Mô hình"), nasty_text, True)


def optional(arg: Arg) -> Arg:
    return (arg[0], arg[1], False)


# -- what must hold ----------------------------------------------------------------------

WRITERS = {
    "register", "recognize", "edit", "withdraw", "unrecognize", "reinstate", "import", "commend",
    "review", "contest add", "contest edit", "contest remove", "contest import",
}  # fmt: skip


def one_line_error(result: Result) -> bool:
    lines = result.stderr.splitlines()
    return len(lines) == 1 and lines[0].startswith("error: ")


def check(
    result: Result,
    args: Sequence[str],
    before: list[str],
    db: Path | str,
    codes: tuple[int, ...] = (0, 1, 2),
) -> None:
    """The invariants of every command: 0, 1 or 2 (3 too where the argument is a registry
    to open: a folder is no registry); one error line; the registry unchanged on error."""
    said = f"dandan {_short(args)} → {result.exit_code}: {result.stderr[:500]!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{said}: {type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code in codes, said
    assert "Traceback" not in result.stderr + result.stdout, said
    if result.exit_code != 0:
        assert one_line_error(result), said
    words = args[2:] if args[0] in ("--db", "--actor") else args  # after dandan's options
    command = " ".join(words[:2]) if words[0] == "contest" else words[0]
    if result.exit_code != 0 or command not in WRITERS:
        assert dump(db) == before, f"{said}: the registry changed"
    else:
        assert_clean(db)


def _short(args: Sequence[str]) -> str:
    return " ".join(repr(a) if len(a) < 60 else repr(a[:40]) + f"…({len(a)})" for a in args)


TEXT_COLUMNS = {
    "models": {
        "name": "name", "description": "description", "holder_name": "holder_name",
        "withdrawn_reason": "reason", "province_input": "province",
        "district_input": "district", "commune_input": "commune", "code": "code",
    },
    "recognitions": {"decision_no": "decision", "body": "by"},
    "commendations": {"body": "by", "decision_no": "decision"},
    "reviews": {"note": "note"},
    "contests": {
        "name": "name", "organiser": "organiser", "province_input": "province",
        "commune_input": "commune", "district_input": "district",
    },
}  # fmt: skip


def assert_clean(db: Path | str) -> None:
    """Every stored text is clean: NFC, no control (Cc) or invisible format (Cf)
    characters, no lone surrogates (Cs), single spaces, and within its length limit."""
    with Registry(str(db)) as registry, registry.engine.connect() as conn:
        for table, columns in TEXT_COLUMNS.items():
            query = f"SELECT {', '.join(columns)} FROM {table}"
            for row in conn.exec_driver_sql(query):
                for value, field in zip(row, columns.values(), strict=True):
                    if value is None:
                        continue
                    assert isinstance(value, str)
                    where = f"{table}.{field} = {value[:80]!r}"
                    assert value == clean(value), f"{where}: not clean"
                    assert unicodedata.is_normalized("NFC", value), f"{where}: not NFC"
                    hidden = {unicodedata.category(c) for c in value} & {"Cc", "Cf", "Cs"}
                    assert not hidden, f"{where}: holds characters of categories {hidden}"
                    assert len(value) <= MAX_LENGTHS.get(field, 300), f"{where}: too long"


Fuzzed = tuple[Run, Counter[int]]


@pytest.fixture
def fuzzed(run: Run, db: Path | str, report: list[str]) -> Iterator[Fuzzed]:
    """A registry holding one model (QTR-2023-00001, recognised once), the CLI on it,
    and the exit codes seen, for the report."""
    assert run(*REGISTER).exit_code == 0
    assert run("recognize", "QTR-2023-00001", "--year", "2023", "--level", "xa").exit_code == 0
    seen: Counter[int] = Counter()
    yield run, seen
    report.append(_seen(os.environ.get("PYTEST_CURRENT_TEST", "?"), seen))


def _seen(test: str, seen: Counter[int]) -> str:
    name = test.split("::")[-1].split(" ")[0]
    codes = ", ".join(f"{n} × exit {code}" for code, n in sorted(seen.items()))
    return f"{name}: {sum(seen.values())} examples ({codes})"


@contextmanager
def warned(args: Sequence[str]) -> Iterator[None]:
    """No Python warning on the way: outside pytest, which records them, each would be
    two more lines on the user's stderr (the message and a line of a library's code)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    silent = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
    shown = [str(w.message)[:200] for w in caught if not issubclass(w.category, silent)]
    assert not shown, f"dandan {_short(args)} warned: {shown}"


def attempt(fuzzed: Fuzzed, db: Path | str, *args: str) -> Result:
    run, seen = fuzzed
    before = dump(db)
    with warned(args):
        result = run(*args)
    seen[result.exit_code] += 1
    check(result, args, before, db)
    return result


# -- arguments -------------------------------------------------------------------------


@PROFILE
@given(
    invocation(
        "register", NAME=NAME, province=PROVINCE, commune=COMMUNE, district=DISTRICT,
        field=FIELD, sponsor=SPONSOR, holder=HOLDER, holder_name=FREE,
        registered_on=REGISTERED_ON, description=FREE,
        code=(st.from_regex(r"[A-Z]{3}-[0-9]{4}-[0-9]{6}", fullmatch=True), nasty_text, False),
    )
)  # fmt: skip
def test_register(fuzzed: Fuzzed, db: Path | str, args: list[str]) -> None:
    attempt(fuzzed, db, *args)


@PROFILE
@given(
    invocation(
        "recognize", CODE=EXISTING, year=(years, hostile_years, True),
        level=(valid("xa", "Cấp xã", "tinh", "province", "central", "tw"), nasty_text, True),
        decision=FREE, by=FREE,
        decided_on=(iso_dates(date(2024, 1, 1), date(2024, 12, 31)), hostile_dates, False),
    )
)  # fmt: skip
def test_recognize(fuzzed: Fuzzed, db: Path | str, args: list[str]) -> None:
    attempt(fuzzed, db, *args)


@PROFILE
@given(
    invocation(
        "edit", CODE=EXISTING, name=optional(NAME), province=optional(PROVINCE),
        commune=COMMUNE, field=optional(FIELD), sponsor=optional(SPONSOR), holder=HOLDER,
        holder_name=FREE,
        registered_on=REGISTERED_ON, description=FREE,
    )
)  # fmt: skip
def test_edit(fuzzed: Fuzzed, db: Path | str, args: list[str]) -> None:
    attempt(fuzzed, db, *args)


PLACE: Arg = (valid(*PLACES), nasty_text, False)


@PROFILE
@given(
    invocation(
        "list", search=(free_text, nasty_text, True), **{"in": PLACE}, field=optional(FIELD),
        status=(valid("registered", "recognized", "withdrawn"), nasty_text, False),
        limit=(valid("1", "5", "100"), hostile_years, False),
        sort=(valid("date", "name", "code", "Name"), nasty_text, False),
    )
)  # fmt: skip
def test_list_search(fuzzed: Fuzzed, db: Path | str, args: list[str]) -> None:
    attempt(fuzzed, db, *args)


WINDOW = st.sampled_from(["--year", "--by-end-of", "--since", "--as-of", "--period"])


@PROFILE
@given(
    invocation("tally --province", **{"in": (PLACE[0], PLACE[1], True)}),
    st.one_of(
        st.just([]),
        st.tuples(WINDOW, st.one_of(years, valid("2021-2025", "2024-06-30"), hostile_years)).map(
            list
        ),
    ),
)  # fmt: skip
def test_tally_in(fuzzed: Fuzzed, db: Path | str, args: list[str], window: list[str]) -> None:
    attempt(fuzzed, db, *args, *window)


@PROFILE
@given(invocation("localities", QUERY=(valid(*PLACES), nasty_text, True)))
def test_localities(fuzzed: Fuzzed, db: Path | str, args: list[str]) -> None:
    attempt(fuzzed, db, *args)


@PROFILE
@given(
    invocation("show", CODE=(codes, nasty_text, True)),
    st.sampled_from(["table", "json", "csv"]),
)
def test_show(fuzzed: Fuzzed, db: Path | str, args: list[str], fmt: str) -> None:
    attempt(fuzzed, db, *args, "--format", fmt)


# -- files -----------------------------------------------------------------------------

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258")
VIETNAMESE_HEADERS = {column: spellings[0] for column, spellings in HEADERS.items()}
CELLS: dict[str, st.SearchStrategy[str]] = {
    "code": st.one_of(st.just(""), codes),
    "name": NAME[0],
    "province": PROVINCE[0],
    "commune": st.one_of(st.just(""), COMMUNE[0]),
    "field": FIELD[0],
    "sponsor": SPONSOR[0],
    "holder_name": free_text,
    "description": free_text,
    "registered_on": REGISTERED_ON[0],
    "recognition_year": st.one_of(st.just(""), years),
    "recognition_level": st.one_of(st.just(""), valid("xa", "tinh", "tw")),
    "decision_no": free_text,
}
HOSTILE_CELLS = st.one_of(
    nasty_text,
    hostile_dates,
    hostile_years,
    st.sampled_from(["=1+1", "'=1+1", '=HYPERLINK("http://x")', "x" * 70_000, '"', '""', "\r"]),
)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    """A header and rows as a clerk's spreadsheet has them, some cells hostile, some rows
    ragged."""
    required = ["name", "province", "field", "sponsor"]
    others = draw(st.lists(st.sampled_from([c for c in CELLS if c not in required]), unique=True))
    columns = draw(st.permutations(required + others))
    header = [VIETNAMESE_HEADERS[c] if draw(st.booleans()) else c for c in columns]
    rows: list[list[str]] = [header]
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(CELLS[c]) for c in columns]
        for i in draw(st.sets(st.integers(0, len(row) - 1), max_size=1)):
            row[i] = draw(HOSTILE_CELLS)
        cut = draw(st.sampled_from([len(row), len(row), len(row), len(row) - 2, len(row) + 2]))
        rows.append([*row, "extra", ""][:cut])
    return rows


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """CSV in any encoding and delimiter, or bytes that only start like one."""
    out = io.StringIO()
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    csv.writer(
        out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))
    ).writerows(draw(tables()))
    encoding = draw(st.sampled_from(ENCODINGS))
    errors = "replace" if encoding == "cp1258" else "surrogatepass"
    body = out.getvalue().encode(encoding, errors=errors)
    tail: bytes = draw(st.one_of(*[st.just(b"")] * 3, st.binary(max_size=200)))
    cut: int = draw(st.one_of(*[st.just(len(body))] * 3, st.integers(0, len(body))))
    return body[:cut] + tail


IMPORT_NOTES = ("error: ", "… and ", "rejected rows written to ", "dry run: ")
#: How a file was read (`commands.imports._report_layout`), said before its errors.
LAYOUT_NOTES = (
    ": ignored unknown column(s): ", ": header read from row", ": columns: ", " for every row",
    " passed over as totals, headings or empty rows", " not records",
)  # fmt: skip


def check_import(result: Result, args: Sequence[str], before: list[str], db: Path | str) -> None:
    """An import's stderr may hold one line per rejected row (20 at most) before the
    final error line; each line says what it is."""
    said = f"dandan {_short(args)} → {result.exit_code}: {result.stderr[:800]!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{said}: {type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code in (0, 1, 2), said
    assert "Traceback" not in result.stderr + result.stdout, said
    lines = result.stderr.splitlines()
    if result.exit_code != 0:
        assert lines and lines[-1].startswith("error: "), said
        for line in lines:
            assert line.startswith(IMPORT_NOTES) or any(n in line for n in LAYOUT_NOTES), said
        assert dump(db) == before, f"{said}: the registry changed"
    elif "--dry-run" in args:
        assert dump(db) == before, f"{said}: a dry run changed the registry"
    else:
        assert_clean(db)


def import_file(
    fuzzed: Fuzzed, db: Path | str, path: Path, options: Sequence[str], stdin: bytes | None = None
) -> None:
    run, seen = fuzzed
    before = dump(db)
    args = ["import", "-" if stdin is not None else str(path), *options]
    with warned(args):
        result = run(*args, input=stdin)
    seen[result.exit_code] += 1
    check_import(result, args, before, db)


IMPORT_OPTIONS = st.lists(
    st.sampled_from(
        ["--dry-run", "--skip-invalid", "--on-conflict=update", "--on-conflict=skip", "--legacy",
         "--encoding=utf-8", "--encoding=cp1258", "--encoding=utf-16", "--encoding=latin-9x",
         "--encoding=rot13", "--encoding=idna", "--encoding=utf-32"]
    ),
    max_size=2,
    unique=True,
)  # fmt: skip


@scaled(1.5)
@given(st.one_of(csv_files(), st.binary(max_size=300)), IMPORT_OPTIONS, st.booleans())
@example(
    b"name,province,field,sponsor\n" + b"x" * 10_000_000 + b",quang tri,kt,phu nu\n", [], False
)
@example(b"name,province,field,sponsor\nT\x00, quang tri\x00,kt,phu nu\n", [], False)
@example(b"name,province,field,sponsor\n=1+1,quang tri,kt,phu nu\n\xe2\x80\xae,x\n", [], False)
def test_import_csv(
    fuzzed: Fuzzed, db: Path | str, tmp_path: Path, body: bytes, options: list[str], stdin: bool
) -> None:
    path = tmp_path / "batch.csv"
    path.write_bytes(body)
    import_file(fuzzed, db, path, options, stdin=body if stdin else None)


TYPED_CELLS = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.booleans(),
    st.none(),
    st.sampled_from(["=1+1", "=A1/0", "=SUM(A1:A3)"]),  # formulas: read without their value
)


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    """A workbook of a clerk's table, some cells typed (numbers, dates, formulas, numbers
    formatted as dates), a title row above it now and then; or such a file damaged."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if draw(st.booleans()):
        sheet.append(["DANH SÁCH MÔ HÌNH “DÂN VẬN KHÉO”"])
    for row in draw(tables()):
        cells: list[Any] = []
        for value in row:
            if draw(st.integers(0, 5)) == 0:
                cells.append(draw(TYPED_CELLS))
            else:  # what a workbook can hold: no control characters, no lone surrogates
                text = value.encode("utf-8", "replace").decode("utf-8")
                cells.append(ILLEGAL_CHARACTERS_RE.sub("", text)[:32_000])
        sheet.append(cells)
    for _ in range(draw(st.integers(0, 2))):  # a number shown as a date, even a huge one
        cell = sheet.cell(draw(st.integers(1, sheet.max_row)), draw(st.integers(1, 12)))
        cell.value = draw(st.one_of(st.integers(-(10**12), 10**12), st.floats(-1e300, 1e300)))
        cell.number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    book.save(out)
    body = out.getvalue()
    # Where to damage it, drawn apart from its length: the file holds the time it was
    # written, so its length may differ when hypothesis replays the same draws.
    damage = draw(st.sampled_from(["none", "none", "none", "cut", "flip"]))
    at = draw(st.integers(0, 1 << 20)) % len(body)
    if damage == "cut":
        body = body[:at]
    elif damage == "flip":
        body = body[:at] + bytes([body[at] ^ draw(st.integers(1, 255))]) + body[at + 1 :]
    return body


@scaled(0.7)
@given(xlsx_files(), IMPORT_OPTIONS, st.sampled_from([None, "Sheet", "Trang 1"]))
def test_import_xlsx(
    fuzzed: Fuzzed,
    db: Path | str,
    tmp_path: Path,
    body: bytes,
    options: list[str],
    sheet: str | None,
) -> None:
    path = tmp_path / "batch.xlsx"
    path.write_bytes(body)
    import_file(fuzzed, db, path, [*options, *(["--sheet", sheet] if sheet else [])])


# -- markup and control characters in every stored field ------------------------------
#
# Text is stored as typed (cleaned), and every view shows it as written: Rich markup is
# no markup (`[/]` made every view of the registry die with MarkupError), and a control
# character is shown as its escape, never obeyed by the terminal.

MARKUP = (
    "[/]", "[bold]", "[/bold]", "[b]x[/i]", "[red on black]", "[#ff0000]x", "[@click=quit]",
    "[link=https://example.com]", "[/link]", "[link=https://example.com]click[/link]",
    "[", "]", "[[", "]]", "[bold", "[/", "x]", "\\", "\\[", "\\[/]", "\\\\[b]", "[b]\\",
    ":red_circle:", ":", "%s", "{0}",
)  # fmt: skip
#: What a command line carries: no NUL (tests/test_cli.py has it refused as such).
CONTROLS = (
    "\x1b[2J", "\x1b]8;;https://example.com\x07", "\x1b[31m", "\x9b31m", "\x07", "\x08", "\r",
    "\n", "\t", "\x7f", "\x85", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2028", "\ufffe",
    "\uffff", "\U0010ffff",
)  # fmt: skip
#: What a file may hold besides.
FILE_CONTROLS = (*CONTROLS, "\x00", "a\x00b")
WORDS = ("Tổ tự quản", "x", " ", "Quảng Trị", "đường")


def marked(controls: Sequence[str] = CONTROLS) -> st.SearchStrategy[str]:
    """Text holding markup, in any order with words and controls. Never blank, never
    with a leading `-` (an option), so that a refusal is about the text itself."""
    other = st.sampled_from((*MARKUP, *controls, *WORDS))
    return st.tuples(st.sampled_from(MARKUP), st.lists(other, max_size=3)).flatmap(
        lambda t: st.permutations([t[0], *t[1]]).map("".join)
    )


def marking(arg: Arg) -> Arg:
    """An argument whose hostile values are marked text."""
    return (arg[0], marked(), arg[2])


MODEL = "QTR-2023-00001"
THE_MODEL: Arg = (valid(MODEL), valid(MODEL), True)
MARKED_CALLS = st.one_of(
    invocation(
        "register", NAME=marking(NAME), province=marking(PROVINCE), commune=marking(COMMUNE),
        field=FIELD, sponsor=marking(SPONSOR), holder=HOLDER, holder_name=marking(FREE),
        description=marking(FREE), registered_on=(valid("2023-03-01"), marked(), False),
    ),
    invocation(
        "recognize", CODE=THE_MODEL, year=(valid("2024"), valid("2024"), True),
        level=(valid("xa", "tinh"), marked(), True), decision=marking(FREE), by=marking(FREE),
    ),
    invocation(
        "edit", CODE=THE_MODEL, name=marking(optional(NAME)),
        province=marking(optional(PROVINCE)), commune=marking(COMMUNE),
        sponsor=marking(optional(SPONSOR)), holder_name=marking(FREE),
        description=marking(FREE),
    ),
    invocation("withdraw", CODE=THE_MODEL, reason=(valid("Sáp nhập"), marked(), True)),
)  # fmt: skip
ACTORS: st.SearchStrategy[list[str]] = st.one_of(
    st.just([]), marked().map(lambda actor: ["--actor", actor])
)
FORMATS = st.sampled_from(["table", "csv", "json"])


def escaped(value: str) -> str:
    """How a table shows a value: its characters that are not printable as escapes."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in value
    )


Fresh = Callable[[], tuple[Fuzzed, Path]]


@pytest.fixture
def fresh(tmp_path: Path, report: list[str]) -> Iterator[Fresh]:
    """A new registry for each example, holding one model recognised once, as `fuzzed`:
    what a table shows of a model depends on nothing an earlier example stored (a long
    value elsewhere in a column would wrap the one looked for). SQLite only: what a
    terminal shows does not depend on the backend."""
    seen: Counter[int] = Counter()
    runner = CliRunner()
    numbers = itertools.count()

    def make() -> tuple[Fuzzed, Path]:
        db = tmp_path / f"marked-{next(numbers)}.db"

        def run(*args: str, input: str | bytes | None = None) -> Result:
            return runner.invoke(app, ["--db", str(db), *args], input=input)

        assert run(*REGISTER).exit_code == 0
        assert run("recognize", MODEL, "--year", "2023", "--level", "xa").exit_code == 0
        return (run, seen), db

    yield make
    report.append(_seen(os.environ.get("PYTEST_CURRENT_TEST", "?"), seen))


#: Beyond this, a value may wrap inside its cell; shorter ones must show whole.
SHOWN_WHOLE = 50


def shown_as_written(fuzzed: Fuzzed, db: Path, fmt: str) -> None:
    """Every view of every model, in `fmt`, exits 0 and parses; and in a table, every
    text a model, its recognitions and its last event hold shows as written."""
    with Registry(str(db)) as registry:
        models = registry.list_models()
        for model in models:
            for view in ("show", "history"):
                result = attempt(fuzzed, db, view, model.code, "--format", fmt)
                assert result.exit_code == 0, f"{view}: {result.stderr}"
                parsed(result.stdout, fmt)
            texts = [model.name, model.holder_name, model.description, model.withdrawn_reason]
            texts += [t for r in model.recognitions for t in (r.decision, r.by)]
            shown = attempt(fuzzed, db, "show", model.code).stdout
            for text in texts:
                if text and len(escaped(text)) <= SHOWN_WHOLE:
                    assert escaped(text) in shown, f"{text!r} not shown as written:\n{shown}"
            actor = history(registry, model.code)[-1]["actor"]
            said = attempt(fuzzed, db, "history", model.code).stdout
            if len(escaped(actor)) <= SHOWN_WHOLE:
                assert escaped(actor) in said, f"{actor!r} not shown as written:\n{said}"
    for view in ("list", "log"):
        result = attempt(fuzzed, db, view, "--format", fmt)
        assert result.exit_code == 0, f"{view}: {result.stderr}"
        parsed(result.stdout, fmt)


def parsed(out: str, fmt: str) -> None:
    if fmt == "json":
        json.loads(out)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows and all(len(row) == len(rows[0]) for row in rows), out
    else:
        assert all(ch.isprintable() for ch in out.replace("\n", "")), out


@PROFILE
@given(MARKED_CALLS, ACTORS, FORMATS)
def test_markup_and_controls_in_every_stored_field(
    fresh: Fresh, call: list[str], actor: list[str], fmt: str
) -> None:
    """register, recognize, edit, withdraw: refused in one line (exit 1; 2 when a value
    the command needs is left empty, as a missing option is), or stored and shown as
    written by show, list, history and log, in a table, CSV or JSON."""
    fuzzed, db = fresh()
    result = attempt(fuzzed, db, *actor, *call, "--format", fmt)
    assert result.exit_code in (0, 1, 2), result.stderr
    if result.exit_code == 0:
        parsed(result.stdout, fmt)
        shown_as_written(fuzzed, db, fmt)


IMPORTED = {
    "name": NAME[0], "province": PROVINCE[0], "commune": COMMUNE[0], "field": FIELD[0],
    "sponsor": SPONSOR[0], "holder_name": valid("Ông Ba"), "description": valid("Đường làng"),
    "registered_on": valid("2023-03-01"), "recognition_year": valid("2023"),
    "recognition_level": valid("xa", "tinh"), "decision_no": valid("12/QĐ-UBND"),
    "recognized_by": valid("UBND tỉnh"), "withdrawn_on": valid("", "2024-01-01"),
    "withdrawn_reason": valid("Sáp nhập"),
}  # fmt: skip
#: The columns a clerk writes text in; the others are terms and dates.
IMPORTED_TEXT = (
    "name", "province", "commune", "sponsor", "holder_name", "description", "decision_no",
    "recognized_by", "withdrawn_reason", "recognition_level",
)  # fmt: skip


@st.composite
def marked_rows(draw: st.DrawFn) -> list[list[str]]:
    """A clerk's file of one or two rows, one or two text cells of each marked, with
    controls a command line cannot carry (a NUL) among them."""
    rows = [list(IMPORTED)]
    for _ in range(draw(st.integers(1, 2))):
        row = {column: draw(values) for column, values in IMPORTED.items()}
        for column in draw(st.sets(st.sampled_from(IMPORTED_TEXT), min_size=1, max_size=2)):
            row[column] = draw(marked(FILE_CONTROLS))
        rows.append(list(row.values()))
    return rows


@PROFILE
@given(marked_rows(), ACTORS, FORMATS, st.sampled_from(["csv", "xlsx"]))
def test_markup_and_controls_in_every_imported_field(
    fresh: Fresh, tmp_path: Path, rows: list[list[str]], actor: list[str], fmt: str, kind: str
) -> None:
    """An import of marked text: refused with its reasons (exit 1), or stored and shown
    as written by every view."""
    fuzzed, db = fresh()
    path = tmp_path / f"marked.{kind}"
    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows)
    else:  # a workbook cannot hold control characters: written without them
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
        book.save(path)
    args = [*actor, "import", str(path), "--format", fmt]
    run, seen = fuzzed
    before = dump(db)
    with warned(args):
        result = run(*args)
    seen[result.exit_code] += 1
    check_import(result, args, before, db)
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code == 0:
        shown_as_written(fuzzed, db, fmt)


# -- every option of every command: the proof that every query is parameterised --------

#: A call of each command that works, for a payload in one of its parameters to go deep.
BASE: dict[str, list[str]] = {
    "register": ["Mô hình", "--province", "quang tri", "--field", "kt", "--sponsor", "phu nu"],
    "recognize": ["QTR-2023-00001", "--year", "2024", "--level", "tinh"],
    "show": ["QTR-2023-00001"],
    "list": [],
    "edit": ["QTR-2023-00001"],
    "withdraw": ["QTR-2023-00001", "--reason", "Sáp nhập"],
    "unrecognize": ["QTR-2023-00001", "--year", "2024", "--level", "tinh", "--reason", "Nhầm"],
    "reinstate": ["QTR-2023-00001", "--reason", "Nhầm"],
    "import": ["{batch}"],
    "imports": [],
    "template": ["{tmp}/template.xlsx", "--province", "quang tri"],
    "localities": ["dong ha"],
    "tally": ["--province"],
    "stats": [],
    "export": ["-"],
    "report": ["{tmp}/report.html"],
    "history": ["QTR-2023-00001"],
    "log": [],
    "db path": [],
    "db upgrade": [],
    "db backup": ["{tmp}/backup.db"],
    "db check": [],
    "db init": [],
    "db repair": [],
    "db copy": ["--to", "{tmp}/copy.db"],
    "commend": ["QTR-2023-00001", "--year", "2024", "--award", "bang khen", "--by", "UBND tỉnh"],
    "review": ["QTR-2023-00001", "--year", "2024", "--result", "hieu qua"],
    "contest add": [
        "Hội thi",
        "--province",
        "quang tri",
        "--level",
        "tinh",
        "--held-on",
        "2024-05-02",
    ],
    "contest list": [],
    "contest show": ["1"],
    "contest edit": ["1", "--teams", "4"],
    "contest remove": ["1", "--reason", "Trùng"],
    "contest import": ["{contests}"],
    "contest export": ["-"],
    "contest tally": ["--province"],
}
#: Parameters that name a file: the payload becomes a name inside the test's folder.
FILE_PARAMETERS = {"files", "file", "errors", "to"}


def _parameters() -> list[tuple[str, str, int | None]]:
    """(command, option or argument, position of an argument) for every parameter that
    takes a value; flags carry no text."""
    import typer
    from typer.main import get_command

    from dandan.cli import app

    root = get_command(app)
    found: list[tuple[str, str, int | None]] = [
        ("", param.opts[0], None)  # --db, --actor
        for param in root.params
        if not getattr(param, "is_flag", False) and not getattr(param, "is_eager", False)
    ]
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        prefix, group = stack.pop()
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            if isinstance(command, typer.core.TyperGroup):
                stack.append((path, command))
                continue
            position = 0
            for param in command.params:
                if param.param_type_name == "argument":
                    found.append((path, param.name, position))
                    position += 1
                elif not getattr(param, "is_flag", False) and param.opts[0] != "--help":
                    found.append((path, param.opts[0], None))
    return sorted(found, key=lambda f: (f[0], f[1]))


PARAMETERS = _parameters()


def test_every_command_is_in_the_base_calls() -> None:
    assert {command for command, _, _ in PARAMETERS} - {""} == set(BASE)


def _call(command: str, parameter: str, position: int | None, payload: str, tmp: Path) -> list[str]:
    """The base call of `command`, with `payload` in `parameter`."""
    batch = tmp / "batch.csv"
    if not batch.exists():
        batch.write_text("name,province,field,sponsor\nTổ tự quản,quang tri,kt,phu nu\n")
    contests = tmp / "contests.csv"
    if not contests.exists():
        contests.write_text("name,province,level,held_on\nHội thi,quang tri,tinh,2024-05-02\n")
    args = [a.format(tmp=tmp, batch=batch, contests=contests) for a in BASE.get(command, ["list"])]
    name = parameter.lstrip("-").replace("-", "_")
    value = f"{tmp}/{payload}" if name in FILE_PARAMETERS or parameter == "--db" else payload
    if parameter == "--db":
        return ["--db", value, "list"]
    if not command:  # an option of dandan itself: on a command that writes it down
        return [parameter, value, "register", *BASE["register"]]
    if position is not None:
        args[position] = value
    elif parameter in args:
        args[args.index(parameter) + 1] = value
    else:
        args += [parameter, value]
    return [*command.split(), *args]


def _tables(lines: list[str]) -> dict[str, int]:
    """Tables of a dump, with their number of rows (SQLite: CREATE TABLE and INSERT INTO
    lines; PostgreSQL: a "TABLE name" line, then a line per row)."""
    counts: dict[str, int] = {}
    current = ""
    for line in lines:
        if line.startswith("CREATE TABLE "):
            counts.setdefault(line.split()[2].strip('"'), 0)
        elif line.startswith("INSERT INTO "):
            table = line.split()[2].strip('"')
            counts[table] = counts.get(table, 0) + 1
        elif line.startswith("TABLE "):
            current = line.split()[1]
            counts[current] = 0
        elif current:
            counts[current] += 1
    return counts


@pytest.mark.parametrize("payloads", ["quick" if not FUZZ else "all"])
def test_sql_metacharacters_in_every_parameter(
    fuzzed: Fuzzed, db: Path | str, tmp_path: Path, payloads: str
) -> None:
    """`'; DROP TABLE models; --` and its kin in every option and argument: refused or
    stored as text, never run; the tables are all there, with all their rows."""
    run, seen = fuzzed
    pristine = dump(db)
    for i, (command, parameter, position) in enumerate(PARAMETERS):
        chosen = SQL if payloads == "all" else (SQL[i % len(SQL)],)
        for payload in chosen:
            args = _call(command, parameter, position, payload, tmp_path)
            before = dump(db)
            with warned(args):
                result = run(*args)
            seen[result.exit_code] += 1
            if command == "import":
                check_import(result, args, before, db)
            else:
                registry = parameter in ("--db", "--to")
                check(result, args, before, db, codes=(0, 1, 2, 3) if registry else (0, 1, 2))
            after = _tables(dump(db))
            assert set(after) == set(_tables(pristine)), f"{_short(args)}: tables changed"
            for table, rows in _tables(before).items():
                # `unrecognize` removes the one recognition it names, `contest remove` the
                # contest; nothing else removes rows.
                removed = int(
                    (command, table)
                    in (("unrecognize", "recognitions"), ("contest remove", "contests"))
                )
                assert after[table] >= rows - removed, (
                    f"{_short(args)}: rows of {table} disappeared"
                )
    report_line = (
        f"{len(PARAMETERS)} parameters × {1 if payloads == 'quick' else len(SQL)} payloads"
    )
    assert sum(seen.values()) >= len(PARAMETERS), report_line


# -- file names ----------------------------------------------------------------------

FILE_NAMES = st.one_of(
    st.sampled_from(
        ["", ".", "..", "sub/", "missing/x.csv", "x" * 300, "é" * 200, "a\nb.csv", "\udcff.db",
         "a?b.db", "a%20b.db", "-", "--help", " ", "batch.csv", "out.xlsx", "out.json", "r.db"]
    ),
    nasty_text.map(lambda name: name[:300]),
)  # fmt: skip
FILE_CALLS = [
    ["--db", "{}", "list"],
    ["import", "{}"],
    ["import", "{batch}", "--errors", "{}"],
    ["export", "{}"],
    ["report", "{}.html"],
    ["template", "{}.xlsx"],
    ["template", "{}"],
    ["db", "backup", "{}"],
    ["db", "copy", "--to", "{}"],
]


@scaled(1.0)
@given(st.sampled_from(FILE_CALLS), FILE_NAMES)
def test_file_names(
    fuzzed: Fuzzed, db: Path | str, tmp_path: Path, call: list[str], name: str
) -> None:
    """Any name for a file to read or write, inside the test's folder: a folder, a name too
    long for the file system, bytes that are not UTF-8, a NUL."""
    folder = tmp_path / "files"
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    batch = folder / "batch.csv"
    batch.write_text("name,province,field,sponsor\nTổ tự quản,quang tri,kt,phu nu\n")
    args = [str(batch) if a == "{batch}" else a.replace("{}", f"{folder}/{name}") for a in call]
    run, seen = fuzzed
    before = dump(db)
    with warned(args):
        result = run(*args)
    seen[result.exit_code] += 1
    if call[0] == "import":
        check_import(result, args, before, db)
    else:
        registry = call[0] == "--db" or "--to" in call
        check(result, args, before, db, codes=(0, 1, 2, 3) if registry else (0, 1, 2))


# -- hostile workbooks: bounded in time and memory ----------------------------------------

#: What a hostile workbook does, with the range of its size (bytes, characters, depth, a
#: row or column number: what `Hostile.size` means for the kind).
HOSTILE_KINDS: dict[str, tuple[int, int]] = {
    "bomb": (8 << 20, 256 << 20),  # a part that expands hundreds of times
    "cell": (32_768, 4 << 20),  # a cell longer than Excel's limit
    "columns": (1_001, 18_278),  # data beyond the last column (18,278 = ZZZ)
    "rows": (1_048_577, 10**15),  # data beyond the last row
    "nesting": (65, 200_000),  # elements inside elements
    "entities": (8, 12),  # "billion laughs": levels of ten entities each
    "token": (1_200_000, 2_500_000),  # one tag, text or comment of this many bytes
}
HOSTILE_PLACES: dict[str, tuple[str, ...]] = {
    "bomb": ("strings", "sheet"),
    "cell": ("inline", "shared", "rich text"),
    "columns": ("header", "row", "shared", "no reference"),
    "rows": ("row", "no reference"),
    "nesting": ("cell", "row", "sheet data", "strings"),
    "entities": ("sheet", "strings", "workbook", "external"),
    "token": ("attribute", "text", "comment", "cell", "prolog"),
}
PIECES = ("x", "dân vận khéo ", "😀", "&amp;", "&#x1F600;", "<b/>")
DIMENSIONS = ("A1:D2", "A1:XFD1048576", "A1", "B2:A1", "A1:ZZZZ99999999999", "x", "")


@dataclass(frozen=True)
class Hostile:
    """A hostile workbook, drawn: `kind` (a key of `HOSTILE_KINDS`), where in the file,
    how big, the text it repeats, and the dimension the sheet declares (a lie)."""

    kind: str
    place: str
    size: int
    piece: str
    dimension: str
    seed: int

    def build(self, path: Path) -> Path:
        from itertools import chain

        from tests.workbooks import (
            HEADER,
            ROW,
            cell,
            repeated,
            row,
            sheet,
            strings,
            table,
            workbook,
        )

        text = self.piece if self.piece not in ("<b/>", "&amp;", "&#x1F600;") else "x"
        head = [f"<si><t>{value}</t></si>" for value in (*HEADER, *ROW)]
        shared_rows = [
            row(n + 1, (cell(n + 1, j + 1, "", shared=n * 4 + j) for j in range(4)))
            for n in range(2)
        ]
        rows: Any = table()
        shared: Any = None
        book = ("", "")
        kind, place, size = self.kind, self.place, self.size
        if kind == "bomb" and place == "strings":
            rows, shared = (
                shared_rows,
                strings(chain(head, repeated(f"<si><t>{text}</t></si>", size))),
            )
        elif kind == "bomb":
            filler = f'<row><c t="inlineStr"><is><t>{text}</t></is></c></row>'
            rows = chain(table(), repeated(filler, size))
        elif kind == "cell":
            piece = self.piece if self.piece != "<b/>" else "x"
            body = repeated(piece, size * len(piece.encode()))
            if place == "shared":
                close = "</t></si>" + "".join(head[5:])
                rows, shared = shared_rows, strings(chain(head[:4], ["<si><t>"], body, [close]))
            elif place == "rich text":
                run = f"<r><t>{piece}</t></r>"
                runs = repeated(run, size * len(run.encode()))
                rows = chain(table([HEADER]), ['<row r="2"><c r="A2" t="inlineStr"><is>'], runs,
                             ["</is></c></row>"])  # fmt: skip
            else:
                rows = chain(table([HEADER]), ['<row r="2"><c r="A2" t="inlineStr"><is><t>'],
                             body, ["</t></is></c></row>"])  # fmt: skip
        elif kind == "columns":
            at = 1 if place == "header" else 2
            value = cell(at, size, text, shared=4 if place == "shared" else None)
            if place == "no reference":  # cells without r: counted from the left
                value = '<c t="inlineStr"><is><t>x</t></is></c>' * size
            rows = [r.replace("</row>", value + "</row>") if i + 1 == at else r
                    for i, r in enumerate(table())]  # fmt: skip
            shared = strings(head) if place == "shared" else None
        elif kind == "rows":
            data = table([ROW], first=size)[0]
            if place == "no reference":  # a row without r: the one after the last row
                data = table([ROW])[0]
                for reference in (' r="1"', ' r="A1"', ' r="B1"', ' r="C1"', ' r="D1"'):
                    data = data.replace(reference, "")
                data = f'<row r="1048576"/>{data}'
            rows = [*table(), data]
        elif kind == "nesting":
            deep = "<x>" * size + "</x>" * size
            if place == "cell":
                rows = [*table(), f'<row r="3"><c r="A3" t="inlineStr"><is>{deep}</is></c></row>']
            elif place == "row":
                rows = [*table(), f'<row r="3">{deep}</row>']
            elif place == "sheet data":
                rows = [*table(), deep]
            else:
                rows, shared = shared_rows, strings([*head, f"<si>{deep}</si>"])
        elif kind == "entities":
            entities = f'<!ENTITY a0 "{text} ">' + "".join(
                f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, size + 1)
            )
            prolog = f"<!DOCTYPE r [{entities}]>"
            use = f"&a{size};"
            if place == "external":
                prolog, use = '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"
            if place in ("sheet", "external"):
                extra = f'<row r="3"><c r="A3" t="inlineStr"><is><t>{use}</t></is></c></row>'
                rows = sheet([*table(), extra], self.dimension, prolog=prolog)
                return workbook(path, rows)
            if place == "strings":
                rows, shared = shared_rows, strings([*head, f"<si><t>{use}</t></si>"], prolog)
            else:
                book = (prolog, use)
        else:  # one token of `size` bytes, hard to compress
            import random

            noise = "".join(random.Random(self.seed).choices("abcdefghij klmnopqrstuvwxyz", k=size))
            if place == "prolog":  # before the first element
                return workbook(path, sheet(table(), self.dimension, f"<!--{noise}-->"))
            token = {
                "attribute": f'<row r="3" note="{noise}"/>',
                "text": f"<x>{noise}</x>",
                "comment": f"<!--{noise}-->",
                "cell": f'<row r="3"><c r="B3" t="inlineStr" note="{noise}"/></row>',
            }[place]
            rows = [*table(), token]
        return workbook(path, sheet(rows, self.dimension), shared, book=book)


@st.composite
def hostile_workbooks(draw: st.DrawFn) -> Hostile:
    kind = draw(st.sampled_from(sorted(HOSTILE_KINDS)))
    low, high = HOSTILE_KINDS[kind]
    return Hostile(
        kind=kind,
        place=draw(st.sampled_from(HOSTILE_PLACES[kind])),
        size=draw(st.integers(low, high)),
        piece=draw(st.sampled_from(PIECES)),
        dimension=draw(st.sampled_from(DIMENSIONS)),
        seed=draw(st.integers(0, 2**16)),
    )


@pytest.mark.sqlite_only
@scaled(0.3)
@given(hostile_workbooks())
@example(Hostile("bomb", "strings", 300 << 20, "dân vận khéo ", "A1:XFD1048576", 0))
@example(Hostile("cell", "shared", 200 << 20, "x", "A1:D2", 0))
def test_import_hostile_workbook(
    fuzzed: Fuzzed, db: Path | str, tmp_path: Path, hostile: Hostile
) -> None:
    """A workbook built to exhaust memory or time (a compression bomb, a huge cell,
    data beyond the last row or column, deep nesting, entities of entities, one huge
    tag), its sheet declaring a dimension it does not hold: refused with one line,
    exit 1, in a process of its own measured under 200 MB, the registry unchanged."""
    from tests.workbooks import PEAK_MB, dandan

    _run, seen = fuzzed
    path = hostile.build(tmp_path / f"{hostile.kind}.xlsx")
    assert path.stat().st_size < 3_000_000, f"{hostile}: {path.stat().st_size} bytes"
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    seen[outcome.code] += 1
    lines = outcome.stderr.splitlines()
    assert outcome.code == 1, f"{hostile}: {outcome}"
    assert len(lines) == 1 and lines[0].startswith(f"error: {path.name}: "), f"{hostile}: {outcome}"
    assert "Traceback" not in outcome.stderr, f"{hostile}: {outcome}"
    assert outcome.peak_mb < PEAK_MB, f"{hostile}: {outcome}"
    assert dump(db) == before, f"{hostile}: the registry changed"
