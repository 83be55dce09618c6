"""Writing a file the user named: whole, or not at all, and never over what it must not.

Every file a command writes for the user (an export, a report, `import --errors`, a
backup) goes through here:

- `check_output` refuses, before anything is read or written, a name that is the
  registry, its journal (`-wal`, `-shm`, `-journal`) or an input of the same command,
  by resolved path and by (device, inode), so that neither a symlink nor a hard link
  gets round it: `import ok.csv --errors registry.db` once wiped the registry.
- The file is written beside its final name, as `.NAME.dandan-PID-XXXXXXXX.tmp`, and
  renamed into place, so that a failure (a full disk, a killed process) leaves no half
  file behind, and an older file of that name stays whole until the new one is. A
  rename replaces a symlink of that name rather than writing where it points.
- A killed process cannot remove its temporary file; the next write into that folder
  (`sweep`) removes those of processes that no longer run: they hold people's names.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from dandan.errors import InvalidInput, UsageError
from dandan.i18n import _, os_reason

#: The files SQLite keeps beside a registry while it is in use.
JOURNALS = ("-wal", "-shm", "-journal")

#: A temporary file of dandan's: `.NAME.dandan-PID-XXXXXXXX.tmp` (mkstemp's random part).
_TEMPORARY = re.compile(r"\..*\.dandan-(?P<pid>[0-9]+)-[a-z0-9_]+\.tmp", re.DOTALL)

#: How many bytes of the final name a temporary name keeps, so that a name just short
#: enough for the file system still gets a temporary one (the rename says if it is not).
_NAME_BYTES = 96


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL: compare it as written
        return path.expanduser().absolute()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except (OSError, ValueError):  # missing, unreadable, a NUL in the name
        return None
    return (found.st_dev, found.st_ino)


def check_output(
    path: str | Path,
    *,
    registry: str | None = None,
    inputs: Iterable[str | Path] = (),
    field: str | None = None,
) -> None:
    """Refuse to write `path` over the registry (its URL, `registry`), its journal files,
    or one of `inputs` (`-`, standard input, is none): the same resolved path, or the
    same file under another name (a hard link, a symlink, a case-insensitive disk)."""
    target = Path(path)
    guarded: list[tuple[Path, str]] = []
    database = _sqlite_file(registry) if registry else None
    if database is not None:
        guarded.append((database, _("FILE {path} is the registry itself; choose another name")))
        journal = _(
            "FILE {path} is the registry's journal ({file}), which SQLite writes; "
            "choose another name"
        )
        guarded += [(database.with_name(database.name + end), journal) for end in JOURNALS]
    for name in inputs:
        if str(name) != "-":
            guarded.append(
                (Path(name), _("FILE {path} is an input of this command; choose another name"))
            )
    where, same = _resolved(target), _identity(target)
    for protected, refusal in guarded:
        if where == _resolved(protected) or (same is not None and same == _identity(protected)):
            raise UsageError(refusal.format(path=target, file=protected.name), field=field)


def _sqlite_file(url: str) -> Path | None:
    from dandan.database import sqlite_path  # loads SQLAlchemy: only when a registry is named

    try:
        return sqlite_path(url)
    except Exception:  # not a URL at all: opening the registry says so, in its own words
        return None


def sweep(folder: Path) -> None:
    """Remove the temporary files that killed dandan processes left in `folder`.

    A process killed (kill -9, a power cut) before renaming its file into place leaves
    `.NAME.dandan-PID-XXXXXXXX.tmp`: a partial export or copy of a registry, personal
    names. Those of processes still running are left alone, as is anything else.
    """
    if os.name != "posix":  # os.kill(pid, 0) only asks on POSIX; elsewhere it kills
        return
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            found = _TEMPORARY.fullmatch(entry.name)
            if found and not running(int(found["pid"])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def running(pid: int) -> bool:
    """Whether a process of that id runs (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's, or not a pid: keep it
        return True
    return True


def _temporary(path: Path) -> tuple[int, Path]:
    """A new owner-only (0600) file beside `path`, open, after a sweep of that folder."""
    sweep(path.parent)
    name = os.fsdecode(os.fsencode(path.name)[:_NAME_BYTES])
    try:
        fd, temp = tempfile.mkstemp(
            prefix=f".{name}.dandan-{os.getpid()}-", suffix=".tmp", dir=path.parent
        )
    except (OSError, ValueError) as exc:
        reason = os_reason(exc)
        raise InvalidInput(
            _(
                "FILE {path}: cannot write there ({reason}); "
                "choose a path in a folder you can write to"
            ).format(path=path, reason=reason)
        ) from None
    return fd, Path(temp)


@contextlib.contextmanager
def copied_into_place(path: Path) -> Iterator[Path]:
    """The name of an empty owner-only file beside `path`, for a writer that opens files
    by name (SQLite); renamed to `path` when the block ends without error, else removed."""
    fd, temp = _temporary(path)
    os.close(fd)
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def written_into_place(
    path: Path,
    *,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
    private: bool = True,
    keep_empty: bool = True,
    registry: str | None = None,
    inputs: Iterable[str | Path] = (),
    field: str | None = None,
) -> Iterator[IO[Any]]:
    """The open temporary file; renamed to `path` when the block ends without error.

    `private` keeps it readable by its owner only (exports and rejected rows hold
    people's names); otherwise it gets the mode of any file the user makes (a report's
    totals). With `keep_empty` false, a block that writes nothing makes no file and
    leaves any file of that name as it was. `registry`, `inputs` and `field`: see
    `check_output`, which runs first."""
    check_output(path, registry=registry, inputs=inputs, field=field)
    fd, temp = _temporary(path)
    try:
        if binary:
            with os.fdopen(fd, "wb") as handle:
                yield handle
        else:
            with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
                yield handle
        if not keep_empty and temp.stat().st_size == 0:
            temp.unlink()
            return
        if not private:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temp, 0o666 & ~mask)
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise InvalidInput(
                _("FILE {path}: cannot write it ({reason}); choose another name").format(
                    path=path, reason=os_reason(exc)
                )
            ) from None
        raise


@contextlib.contextmanager
def workbook_into(out: IO[bytes], sheet_name: str) -> Iterator[Any]:
    """A write-only workbook's one sheet, to fill in the block; the workbook is saved
    into `out` when the block ends (`book.save`, but with its archive in hand, so that
    it is closed whatever happens), and whatever openpyxl leaves open is closed when
    the block or the save fails (`abandon_workbook`)."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    archive: ZipFile | None = None
    try:
        yield sheet
        book.properties.modified = datetime.now(UTC).replace(tzinfo=None)
        archive = ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)
        ExcelWriter(book, archive).write_data()
        archive.close()
    except BaseException:
        abandon_workbook(sheet, archive)
        raise


def abandon_workbook(sheet: Any, archive: Any) -> None:
    """Close what openpyxl leaves open when a write fails (a full disk, here or in the
    temporary folder where it keeps the rows): closed later by the garbage collector,
    each printed "Exception ignored … Traceback" after the error."""
    writer = getattr(sheet, "_writer", None)
    for part in (getattr(sheet, "_rows", None), getattr(writer, "xf", None), archive):
        if part is not None:
            with contextlib.suppress(Exception):
                part.close()
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cleanup()  # its temporary copy of the rows: people's names
