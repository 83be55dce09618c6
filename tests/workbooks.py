"""Hostile workbooks, built at test time, and a run of dandan that is measured.

A workbook starts as a minimal valid one saved by openpyxl; its sheet and shared
strings are then written by hand into a new archive (the zipfile module), so a test
can make a file that declares what it does not hold, expands a thousand times, or
holds a cell, a row, a column or a nesting no spreadsheet program writes. Large parts
are streamed into the archive, never held: the files stay small, and none is shipped.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
HEADER = ("name", "province", "field", "sponsor")
ROW = ("Camera an ninh thôn Tân Lập", "quang tri", "an ninh", "phu nu")
#: The most memory (resident) and time a refused hostile workbook may cost.
PEAK_MB = 200
HANG_SECONDS = 60

Chunks = Iterable[bytes | str]


def letters(column: int) -> str:
    text = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(row: int, column: int, value: str, *, shared: int | None = None) -> str:
    """A cell with its reference: an inline string, or the shared string `shared`."""
    ref = f"{letters(column)}{row}"
    if shared is not None:
        return f'<c r="{ref}" t="s"><v>{shared}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def table(rows: Sequence[Sequence[str]] = (HEADER, ROW), first: int = 1) -> list[str]:
    """Rows of inline strings, numbered from `first`."""
    return [
        row(first + i, (cell(first + i, j + 1, value) for j, value in enumerate(values)))
        for i, values in enumerate(rows)
    ]


def sheet(rows: Chunks, dimension: str = "A1:D2", prolog: str = "") -> Chunks:
    """A worksheet part declaring `dimension`, with `rows` (text or bytes, streamed)."""
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>'
    ).encode()
    for part in rows:
        yield part.encode() if isinstance(part, str) else part
    yield b"</sheetData></worksheet>"


def strings(items: Chunks, prolog: str = "") -> Chunks:
    """A shared-strings part of `items` (each an <si> element, streamed)."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<sst xmlns="{MAIN}">'.encode()
    for part in items:
        yield part.encode() if isinstance(part, str) else part
    yield b"</sst>"


def repeated(piece: str, total: int) -> Chunks:
    """`piece` over and over, `total` bytes of it in all (whole pieces: at most one
    piece less), a megabyte at a time."""
    one = piece.encode()
    block = one * max(1, (1 << 20) // len(one))
    left = total - total % len(one)
    while left > 0:
        yield block[:left]
        left -= len(block)


def _minimal() -> dict[str, bytes]:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(list(HEADER))
    ws.append(list(ROW))
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def workbook(
    path: Path, worksheet: Chunks, shared: Chunks | None = None, *, book: tuple[str, str] = ("", "")
) -> Path:
    """openpyxl's minimal workbook with `worksheet` as its sheet and, given them,
    `shared` strings (declared in the package as Excel does). `book` is a prolog for
    the workbook part and a text to put in its first sheet's name (an entity, say)."""
    parts = _minimal()
    prolog, name = book
    if prolog or name:
        xml = parts["xl/workbook.xml"].decode()
        start = xml.index("<workbook")
        xml = xml[:start] + prolog + xml[start:]
        parts["xl/workbook.xml"] = xml.replace('name="Sheet"', f'name="Sheet{name}"', 1).encode()
    if shared is not None:
        types = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", f'<Override PartName="/{STRINGS}" ContentType="{types}"/></Types>'.encode()
        )
        relation = (
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            f'<Relationship Id="rIdStrings" Type="{relation}" Target="sharedStrings.xml"/>'
            "</Relationships>".encode(),
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in parts.items():
            if name != SHEET:
                archive.writestr(name, body)
        _stream(archive, SHEET, worksheet)
        if shared is not None:
            _stream(archive, STRINGS, shared)
    return path


def _stream(archive: zipfile.ZipFile, name: str, chunks: Chunks) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in chunks:
            member.write(chunk.encode() if isinstance(chunk, str) else chunk)


# -- a measured run ----------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float

    def __str__(self) -> str:
        return (
            f"exit {self.code} in {self.seconds:.1f} s, {self.peak_mb:.0f} MB: "
            f"{self.stderr[:600]!r}"
        )


#: Runs dandan in the child, first bounding its address space (a guard for the machine,
#: not the measure: the old code took 3.6 GB), and at exit writes the peak resident
#: memory of the process as it is after exec, VmHWM: the child's own rusage would count
#: the pages it shared with the test process before exec.
_LAUNCHER = """
import atexit, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

def peak():
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(os.environ["DANDAN_TEST_PEAK"], "w") as out:
        out.write(str(kb))

atexit.register(peak)
sys.argv[0] = "dandan"
from dandan.cli import main
main()
"""


def dandan(*args: str, timeout: float = HANG_SECONDS) -> Outcome:
    """`dandan ARGS` in a process of its own: exit code, output, wall time and peak
    resident memory. Killed after `timeout` seconds, a guard against a hang, not a
    speed target."""
    with tempfile.TemporaryDirectory() as folder:
        out, err, peak = (Path(folder) / name for name in ("out", "err", "peak"))
        start = time.monotonic()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            try:
                process = subprocess.run(
                    [sys.executable, "-c", _LAUNCHER, *args],
                    stdout=stdout,
                    stderr=stderr,
                    stdin=subprocess.DEVNULL,
                    env={**os.environ, "DANDAN_TEST_PEAK": str(peak)},
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"dandan {' '.join(args)[:200]} still ran after {timeout} s"
                ) from None
        seconds = time.monotonic() - start
        return Outcome(
            process.returncode,
            out.read_text("utf-8", "replace"),
            err.read_text("utf-8", "replace"),
            seconds,
            int(peak.read_text()) / 1024 if peak.exists() else float("inf"),
        )


def refused(outcome: Outcome, *starts: str) -> None:
    """Exit 1, one line on stderr (starting with one of `starts`), within the bounds."""
    lines = outcome.stderr.splitlines()
    assert outcome.code == 1, outcome
    assert len(lines) == 1, outcome
    assert lines[0].startswith(tuple(f"error: {start}" for start in starts)), outcome
    assert outcome.peak_mb < PEAK_MB, outcome
