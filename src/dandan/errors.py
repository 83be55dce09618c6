"""One exception family for every failure a user can cause or meet.

Each class carries the process exit code, so the command line turns any of them
into one stderr line and a stable exit status (documented in the README):
0 success, 1 invalid data (nothing written), 2 usage error, 3 registry unavailable.
"""

from __future__ import annotations


class DandanError(Exception):
    """Base of all errors a user should see as one line, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The input field (option or column) at fault, so callers can say where.
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(DandanError):
    """The data given cannot be stored as it is; the registry was not changed."""

    exit_code = 1


class NotFound(InvalidInput):
    """A code or name that the registry does not hold."""


class Conflict(InvalidInput):
    """The data clashes with what the registry holds (duplicate code, recognition...)."""


class UsageError(DandanError):
    """The command was called wrongly (missing option, incompatible flags)."""

    exit_code = 2


class RegistryUnavailable(DandanError):
    """The registry cannot be opened, or stayed locked past the busy timeout."""

    exit_code = 3
