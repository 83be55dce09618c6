"""One exception family for every failure a user can cause or meet.

Each class carries the process exit code, so the command line turns any of them
into one stderr line and a stable exit status (documented in the README):
0 success, 1 invalid data (nothing written), 2 usage error, 3 registry unavailable.
"""

from __future__ import annotations

from enum import StrEnum


class Advice(StrEnum):
    """What the user can do next, when doing it means calling another part of dandan.

    The library says what is wrong in the words of the registry, and names the remedy
    by one of these; whoever speaks to the user says how it is done there: the command
    line appends the command or option to use (`dandan.commands.common.ADVICE`), a
    script or another front end its own way. So no library message names a flag.
    """

    #: The code is not known: search the registry by name to find it.
    find_code = "find_code"
    find_contest = "find_contest"
    #: No registry there: make an empty one (or write into it, which makes one).
    create_registry = "create_registry"
    #: The registry's schema is older than this dandan's: upgrade it.
    upgrade_schema = "upgrade_schema"
    #: An import file lacks columns: start from the empty template.
    import_template = "import_template"
    #: A file read in the wrong encoding: name its encoding.
    choose_encoding = "choose_encoding"
    #: Names of the units before 2025-07-01 given for a later record: say they are old.
    record_old_units = "record_old_units"
    #: A count by district asked in today's units: count in the units before 2025-07-01.
    count_old_units = "count_old_units"
    #: A place's name is an old unit and a current one: say which boundaries it is in.
    choose_boundaries = "choose_boundaries"
    #: An imported model differs from the registered one of its code: skip it or update.
    resolve_conflict = "resolve_conflict"
    #: The registry is damaged beyond repair in place: restore the newest backup.
    restore_backup = "restore_backup"
    #: A cross-table asked without rows: group the tally first.
    group_rows = "group_rows"
    #: Registrations counted where only recognitions have a level: count recognised models.
    count_recognised = "count_recognised"


class DandanError(Exception):
    """Base of all errors a user should see as one line, never as a traceback."""

    exit_code = 1

    def __init__(
        self, message: str, *, field: str | None = None, advice: Advice | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        #: The input field (option or column) at fault, so callers can say where.
        self.field = field
        #: What to do about it, when that is another operation of dandan's: the caller
        #: says how (the command line names the command or option).
        self.advice = advice

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
