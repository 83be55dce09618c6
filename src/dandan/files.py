"""Writing a file the user named: whole, or not at all.

An export or a report is written beside its final name and renamed into place, so
that a failure (a full disk, a killed process) leaves no half file behind, and an
older file of that name stays whole until the new one is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dandan.errors import InvalidInput
from dandan.i18n import _


@contextlib.contextmanager
def written_into_place(
    path: Path,
    *,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
    private: bool = True,
) -> Iterator[IO[Any]]:
    """The open temporary file; renamed to `path` when the block ends without error.

    `private` keeps it readable by its owner only (mkstemp's mode: exports hold
    people's names); otherwise it gets the mode of any file the user makes (a report's
    totals)."""
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise InvalidInput(
            _(
                "FILE {path}: cannot write there ({reason}); "
                "choose a path in a folder you can write to"
            ).format(path=path, reason=exc.strerror)
        ) from None
    try:
        if binary:
            with os.fdopen(fd, "wb") as handle:
                yield handle
        else:
            with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
                yield handle
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
                    path=path, reason=exc.strerror
                )
            ) from None
        raise
