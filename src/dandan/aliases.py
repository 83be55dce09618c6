"""An office's own spellings of terms, so that a local habit needs no change to dandan.

A small CSV, header `column,alias,value`: each line says that in `column` (field,
sponsor, holder, kind or recognition_level, or their Vietnamese headers) the text `alias`
means the term `value` (given in any spelling `parse_term` accepts). It comes from
`dandan import --aliases FILE` and from `aliases.csv` in the user's config folder
(`config_path`); an import reads both, the config folder's first.

The file is checked whole before any sheet is read: a column that holds no term, a
value that is no term, an alias that already means another term (built in, or on an
earlier line) and a malformed line are refused, naming the file, the line and the fix.
An alias is matched as terms are (case, diacritics, spacing and punctuation aside) and
replaced by its term's identifier before the row is checked, once per distinct value
(`importing.RowChecks` keeps the results).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from dandan.errors import InvalidInput
from dandan.i18n import _, os_reason
from dandan.sources import HEADERS, detect_encoding, sniff_delimiter
from dandan.terms import Field, Holder, Kind, Level, Sponsor, label, parse_term
from dandan.text import as_text, clean, key

#: The import columns that hold a term, and the term each holds.
KINDS: dict[str, type[StrEnum]] = {
    "field": Field,
    "sponsor": Sponsor,
    "holder": Holder,
    "kind": Kind,
    "recognition_level": Level,
}
#: The columns by any name a clerk may give them: identifier, Vietnamese header, "level".
_COLUMN_NAMES = {
    key(name): column
    for column in KINDS
    for name in (column, column.replace("_", " "), *HEADERS[column])
} | {key("level"): "recognition_level"}
#: The file's header, and the most it may hold: an office's habits fit in a few lines.
HEADER = ("column", "alias", "value")
MAX_BYTES = 1 << 20
#: Its name in the user's config folder.
FILE_NAME = "aliases.csv"


def config_path() -> Path:
    """Where an office keeps its aliases for every import (`platformdirs`' config folder)."""
    from platformdirs import user_config_path

    return user_config_path("dandan", appauthor=False) / FILE_NAME


@dataclass(frozen=True)
class Aliases:
    """The office's spellings: for each column, an alias's key → its term's identifier."""

    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Where each alias was given ("FILE:LINE"), to name it when a later one clashes.
    origins: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.columns.values())

    def spelled(self, column: str, value: str | None) -> str | None:
        """The term's identifier if `value` is an alias in `column`, else `value` as it is
        (for `parse_term`, which accepts both)."""
        table = self.columns.get(column)
        if not table or not value:
            return value
        return table.get(key(value), value)

    def row(self, values: dict[str, str]) -> dict[str, str]:
        """A row with its aliases replaced by their terms' identifiers."""
        if not self:
            return values
        found = {column: self.spelled(column, values.get(column)) for column in self.columns}
        return values | {c: v for c, v in found.items() if v is not None and c in values}

    @classmethod
    def of(
        cls,
        lines: Iterable[tuple[int, Iterable[str]]],
        source: str,
        base: Aliases | None = None,
    ) -> Aliases:
        """Aliases from numbered lines (`column`, `alias`, `value`), checked against the
        built-in terms and `base`: a wrong line is refused as `SOURCE:LINE: …; fix`."""
        columns = {c: dict(t) for c, t in (base.columns if base else {}).items()}
        origins = dict(base.origins) if base else {}
        for number, cells in lines:
            where = f"{source}:{number}"
            parts = [clean(cell) for cell in cells]
            if not any(parts):
                continue  # a blank line
            if len(parts) != len(HEADER) or not all(parts):
                raise _refused(
                    where,
                    _(
                        "a line holds three values, column, alias and value, none empty; "
                        "found {count}"
                    ).format(count=sum(1 for part in parts if part)),
                )
            name, alias, value = parts
            column = _COLUMN_NAMES.get(key(name))
            if column is None:
                raise _refused(
                    where,
                    _("column {name!r} holds no term; use one of: {columns}").format(
                        name=name, columns=", ".join(KINDS)
                    ),
                )
            kind = KINDS[column]
            if not key(alias):
                raise _refused(
                    where,
                    _("alias {alias!r} has no letter or digit; give a word").format(alias=alias),
                )
            try:
                term = parse_term(kind, value).value
            except InvalidInput as exc:
                raise _refused(where, exc.message) from None
            try:
                built_in = parse_term(kind, alias).value
            except InvalidInput:
                built_in = None
            if built_in is not None and built_in != term:
                raise _refused(
                    where,
                    _(
                        "alias {alias!r} already means {meant} in dandan, not {term}; "
                        "remove the line or choose another alias"
                    ).format(
                        alias=alias, meant=label(kind, built_in, "vi"), term=label(kind, term, "vi")
                    ),
                )
            earlier = columns.get(column, {}).get(key(alias))
            if earlier is not None and earlier != term:
                raise _refused(
                    where,
                    _(
                        "alias {alias!r} already means {meant} ({place}), not {term}; "
                        "keep one of the two lines"
                    ).format(
                        alias=alias,
                        meant=label(kind, earlier, "vi"),
                        place=origins[(column, key(alias))],
                        term=label(kind, term, "vi"),
                    ),
                )
            columns.setdefault(column, {})[key(alias)] = term
            origins.setdefault((column, key(alias)), where)
        return cls(columns, origins)


def _refused(where: str, message: str) -> InvalidInput:
    return InvalidInput(_("{file}: {message}").format(file=where, message=message))


def read(path: str | Path, base: Aliases | None = None) -> Aliases:
    """The aliases of a file (UTF-8, UTF-16 or Windows-1258; comma, semicolon or tab),
    added to `base`; refused whole when a line is wrong."""
    name = as_text(str(path))
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(
            _("{file}: cannot read the aliases file ({reason}); check its name").format(
                file=name, reason=os_reason(exc)
            )
        ) from None
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            _("{file}: an aliases file holds at most {size} KB; keep one line per alias").format(
                file=name, size=MAX_BYTES // 1024
            )
        )
    try:
        content = data.decode(detect_encoding(data[:4096]))
    except UnicodeDecodeError:
        raise InvalidInput(
            _("{file}: not text in UTF-8, UTF-16 or Windows-1258; save it as CSV UTF-8").format(
                file=name
            )
        ) from None
    if "\x00" in content:
        raise _refused(f"{name}:1", _("a NUL character; save the file as CSV UTF-8"))
    text = io.StringIO(content, newline="")
    first = content.partition("\n")[0]
    reader = csv.reader(text, delimiter=sniff_delimiter(first), strict=True)
    try:
        header = next(reader, None)
        if header is None or [key(cell) for cell in header] != list(HEADER):
            raise _refused(
                f"{name}:1",
                _("the first line must be the header {header}").format(header=",".join(HEADER)),
            )
        lines = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        raise _refused(
            f"{name}:{reader.line_num}",
            _("not CSV ({reason}); save the file as CSV").format(reason=exc),
        ) from None
    return Aliases.of(lines, name, base)


def load(path: str | Path | None = None) -> Aliases:
    """An import's aliases: the config folder's file if there is one, then `path`."""
    found = Aliases()
    default = config_path()
    if default.is_file():
        found = read(default)
    if path is not None:
        found = read(path, found)
    return found
