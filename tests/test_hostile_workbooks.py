"""Hostile workbooks and files to import: read by what they hold, refused past the
bounds (`sources.MAX_ROWS` …) with one line naming the file and the limit, exit 1,
the registry unchanged, in bounded time and memory.

Each import runs in a process of its own (`tests.workbooks.dandan`), measured: its
peak resident memory must stay under 200 MB; a timeout of a minute guards against a
hang. Before these bounds, the first three files ran for minutes, took 3.6 GB and
0.8 GB.
"""

from __future__ import annotations

from itertools import chain
from pathlib import Path

import pytest

from dandan.registry import ModelFilter, Registry
from tests.conftest import REGISTER, Run, dump
from tests.workbooks import (
    HEADER,
    PEAK_MB,
    ROW,
    cell,
    dandan,
    refused,
    repeated,
    row,
    sheet,
    strings,
    table,
    workbook,
)

#: The bounds, as the README states them (Excel's own, but for the columns).
MAX_CELL_CHARS = 32_767
MAX_COLUMNS = 1_000
MAX_ROWS = 1_048_576


@pytest.fixture(autouse=True)
def registered(run: Run) -> None:
    """A registry holding one model, so that "unchanged" means something."""
    assert run(*REGISTER).exit_code == 0


def names(db: Path | str) -> set[str]:
    with Registry(str(db)) as registry:
        return {model.name for model in registry.list_models(ModelFilter())}


def test_a_declared_dimension_is_not_read_only_the_rows_held(db: Path, tmp_path: Path) -> None:
    """Finding 4: a small workbook declaring A1:XFD1048576 (16,384 columns of a million
    rows), its last row a formatted empty cell, ran for minutes holding the write lock:
    every row the dimension declared was padded out and looked at. Its two real rows
    import."""
    last = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    path = workbook(tmp_path / "declared.xlsx", sheet([*table(), last], "A1:XFD1048576"))
    assert path.stat().st_size < 10_000
    outcome = dandan("--db", str(db), "import", str(path))
    assert outcome.code == 0, outcome
    assert outcome.peak_mb < PEAK_MB, outcome
    assert names(db) == {REGISTER[1], ROW[0]}


def test_a_dimension_declaring_less_than_the_sheet_holds_loses_no_row(
    db: Path, tmp_path: Path
) -> None:
    """The other way round: a sheet declaring A1:D2 but holding five models. openpyxl
    stopped at the declared last row, and the import said it had read everything."""
    models = [(f"{ROW[0]} {n}", *ROW[1:]) for n in range(1, 6)]
    path = workbook(tmp_path / "understated.xlsx", sheet(table([HEADER, *models]), "A1:D2"))
    outcome = dandan("--db", str(db), "import", str(path))
    assert outcome.code == 0, outcome
    assert names(db) == {REGISTER[1], *(model[0] for model in models)}


def _shared(rows: int = 2) -> list[str]:
    """Rows of the usual table whose cells are shared strings 0, 1, …"""
    values = [HEADER, ROW][:rows]
    return [
        row(i + 1, (cell(i + 1, j + 1, "", shared=i * 4 + j) for j in range(4)))
        for i in range(len(values))
    ]


def test_a_shared_strings_bomb_is_refused_before_it_expands(db: Path, tmp_path: Path) -> None:
    """Finding 4: a 1 MB workbook whose shared strings expand a thousand times reached
    3.6 GB of memory and ended in "internal error: MemoryError"."""
    table_strings = [f"<si><t>{value}</t></si>" for value in (*HEADER, *ROW)]
    bomb = strings(chain(table_strings, repeated("<si><t>dân vận khéo</t></si>", 300 << 20)))
    path = workbook(tmp_path / "bomb.xlsx", sheet(_shared()), bomb)
    assert path.stat().st_size < 1_000_000
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    refused(outcome, "bomb.xlsx: part xl/sharedStrings.xml of the workbook expands ")
    assert "(more than 100)" in outcome.stderr
    assert dump(db) == before


def test_a_huge_cell_is_refused_before_it_is_read(db: Path, tmp_path: Path) -> None:
    """Finding 4: a 200 KB workbook holding one cell of 200 MB used 0.8 GB."""
    opened = "".join(f"<si><t>{value}</t></si>" for value in HEADER) + "<si><t>"
    closed = "</t></si>" + "".join(f"<si><t>{value}</t></si>" for value in ROW[1:])
    huge = strings(chain([opened], repeated("x", 200 << 20), [closed]))  # the name: 200 MB
    path = workbook(tmp_path / "cell.xlsx", sheet(_shared()), huge)
    assert path.stat().st_size < 400_000
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    refused(outcome, "cell.xlsx: part xl/sharedStrings.xml of the workbook expands ")
    assert dump(db) == before


CELL = "x" * (MAX_CELL_CHARS + 1)


@pytest.mark.parametrize(
    "where",
    ["inline", "shared", "rich text", "numeric references"],
)
def test_a_cell_longer_than_a_spreadsheet_allows_is_refused_by_its_reference(
    db: Path, tmp_path: Path, where: str
) -> None:
    """32,768 characters: more than Excel lets a cell hold, whatever way it is written."""
    shared = None
    if where == "inline":
        rows = table([HEADER, (CELL, *ROW[1:])])
    elif where == "shared":
        rows = [
            *_shared(1),
            row(2, [cell(2, 1, "", shared=4), *(cell(2, j + 2, v) for j, v in enumerate(ROW[1:]))]),
        ]
        shared = strings([f"<si><t>{v}</t></si>" for v in HEADER] + [f"<si><t>{CELL}</t></si>"])
    elif where == "rich text":
        half = "x" * (MAX_CELL_CHARS // 2 + 1)
        runs = f"<r><t>{half}</t></r><r><t>{half}</t></r>"
        rows = [*table([HEADER]), row(2, [f'<c r="A2" t="inlineStr"><is>{runs}</is></c>'])]
    else:
        text = "&#x1F600;" * (MAX_CELL_CHARS + 1)
        rows = [*table([HEADER]), row(2, [f'<c r="A2" t="inlineStr"><is><t>{text}</t></is></c>'])]
    path = workbook(tmp_path / "long.xlsx", sheet(rows), shared)
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    if where == "shared":
        refused(outcome, "long.xlsx: a cell holds more than 32,767 characters ")
    else:
        refused(outcome, "long.xlsx: sheet 'Sheet', cell A2: more than 32,767 characters ")
    assert dump(db) == before


def test_a_cell_of_exactly_the_limit_is_read(db: Path, tmp_path: Path) -> None:
    """The bound is Excel's: a full cell imports (as an invalid row here: a name that
    long is refused by the rules of a model, with the row's number)."""
    path = workbook(
        tmp_path / "full.xlsx", sheet(table([HEADER, ("y" * MAX_CELL_CHARS, *ROW[1:])]))
    )
    outcome = dandan("--db", str(db), "import", str(path), "--skip-invalid")
    assert outcome.code == 0, outcome
    assert "full.xlsx:2: column name" in outcome.stderr, outcome


@pytest.mark.parametrize("length", [MAX_CELL_CHARS + 1, 200_000])
def test_a_csv_cell_longer_than_a_spreadsheet_allows_is_refused(
    db: Path, tmp_path: Path, length: int
) -> None:
    """The same bound in CSV, by line and column; past the csv module's own limit
    (131,072) too, which was "not readable as CSV: field larger than field limit"."""
    path = tmp_path / "long.csv"
    path.write_text(f"name,province,field,sponsor\nTổ,quang tri,{'x' * length},phu nu\n")
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    if length < 131_072:
        refused(outcome, "long.csv:2: column field: a cell of more than 32,767 characters ")
    else:
        refused(outcome, "long.csv:2: a cell of more than 32,767 characters ")
    assert dump(db) == before


def test_data_beyond_the_last_column_is_refused(db: Path, tmp_path: Path) -> None:
    """A header of 20,000 columns: refused at the first beyond column 1,000 (ALL)."""
    header = [cell(1, j + 1, value) for j, value in enumerate(HEADER)]
    header += [cell(1, j, f"c{j}") for j in range(5, 20_001)]
    path = workbook(tmp_path / "wide.xlsx", sheet([row(1, header), *table([ROW], first=2)]))
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    refused(
        outcome,
        f"wide.xlsx: sheet 'Sheet', cell ALM1: data beyond the {MAX_COLUMNS:,} columns "
        "a sheet to import may have; delete the columns after ALL",
    )
    assert dump(db) == before


def test_empty_cells_beyond_the_last_column_are_passed_over(db: Path, tmp_path: Path) -> None:
    """Formatted but empty cells out to XFD, on every row: not data, not refused."""
    empty = "".join(f'<c r="{col}{{n}}" s="0"/>' for col in ("ZZ", "AAA", "XFD"))
    rows = [r.replace("</row>", empty.format(n=i + 1) + "</row>") for i, r in enumerate(table())]
    path = workbook(tmp_path / "formatted.xlsx", sheet(rows, dimension="A1:XFD2"))
    outcome = dandan("--db", str(db), "import", str(path))
    assert outcome.code == 0, outcome
    assert names(db) == {REGISTER[1], ROW[0]}


def test_data_beyond_the_last_row_is_refused(db: Path, tmp_path: Path) -> None:
    rows = [*table(), *table([ROW], first=MAX_ROWS + 1)]
    path = workbook(tmp_path / "long.xlsx", sheet(rows))
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    refused(
        outcome,
        "long.xlsx: sheet 'Sheet', row 1,048,577: data beyond row 1,048,576, "
        "the last a sheet may have",
    )
    assert dump(db) == before


def test_rows_are_numbered_as_the_sheet_numbers_them(db: Path, tmp_path: Path) -> None:
    """Rows left out of a sheet (an empty row is not written) keep the numbers a
    clerk sees: the error names row 7, not the second row read."""
    bad = (ROW[0], "nowhere", *ROW[2:])
    path = workbook(
        tmp_path / "gaps.xlsx", sheet([*table([HEADER], first=3), *table([bad], first=7)])
    )
    outcome = dandan("--db", str(db), "import", str(path))
    assert outcome.code == 1, outcome
    assert "gaps.xlsx:7: column province" in outcome.stderr, outcome


def test_deep_nesting_is_refused(db: Path, tmp_path: Path) -> None:
    """Nesting is only a way to make the parser hold every open element."""
    deep = "<x>" * 100_000 + "</x>" * 100_000
    path = workbook(tmp_path / "deep.xlsx", sheet([*table(), deep]))
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    refused(outcome, "deep.xlsx: not a readable .xlsx workbook (elements nested more than 64 deep)")
    assert dump(db) == before


@pytest.mark.parametrize("part", ["sheet", "strings", "workbook", "external"])
def test_a_dtd_is_refused(db: Path, tmp_path: Path, part: str) -> None:
    """ "Billion laughs", entities of entities: expat stops them only once they have
    grown to megabytes, held as millions of pieces of text (160 MB in the sheet); an
    external entity names another file. A workbook never declares a DTD."""
    entities = '<!ENTITY a0 "x">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    prolog, use = f"<!DOCTYPE r [{entities}]>", "&a9;"
    if part == "external":
        prolog, use = '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"
    rows = [*table([HEADER]), row(2, [f'<c r="A2" t="inlineStr"><is><t>{use}</t></is></c>'])]
    if part in ("sheet", "external"):
        path = workbook(tmp_path / "laughs.xlsx", sheet(rows, prolog=prolog))
    elif part == "workbook":
        path = workbook(tmp_path / "laughs.xlsx", sheet(table()), book=(prolog, use))
    else:
        items = [f"<si><t>{v}</t></si>" for v in HEADER] + [f"<si><t>{use}</t></si>"]
        path = workbook(
            tmp_path / "laughs.xlsx",
            sheet([*_shared(1), row(2, [cell(2, 1, "", shared=4)])]),
            strings(items, prolog=prolog),
        )
    before = dump(db)
    outcome = dandan("--db", str(db), "import", str(path))
    refused(
        outcome,
        "laughs.xlsx: not a readable .xlsx workbook (a DTD (<!DOCTYPE …>), which no workbook "
        "holds)",
    )
    assert dump(db) == before


def test_a_huge_prolog_is_refused(db: Path, tmp_path: Path) -> None:
    """A comment of 2 MB before a part's first element: nothing to read, all to hold."""
    import random

    noise = "".join(random.Random(1).choices("abcdefghij klmnopqrstuvwxyz", k=2_000_000))
    path = workbook(tmp_path / "prolog.xlsx", sheet(table(), prolog=f"<!--{noise}-->"))
    outcome = dandan("--db", str(db), "import", str(path))
    refused(outcome, "prolog.xlsx: not a readable .xlsx workbook (a tag or text of more than 1 MB)")


def test_unknown_columns_are_named_ten_at_most(db: Path, tmp_path: Path) -> None:
    """Finding 9: 20,000 unknown columns made one warning line of 150,000 characters."""
    path = tmp_path / "wide.csv"
    unknown = [f"cột thêm {i}" for i in range(20_000)]
    path.write_text(",".join([*HEADER, *unknown]) + "\n" + ",".join(ROW) + "\n")
    outcome = dandan("--db", str(db), "import", str(path))
    assert outcome.code == 0, outcome
    warning = [line for line in outcome.stderr.splitlines() if "unknown column" in line]
    assert warning == [
        "wide.csv: ignored unknown column(s): " + ", ".join(unknown[:10]) + " and 19,990 more"
    ], outcome
    assert names(db) == {REGISTER[1], ROW[0]}
