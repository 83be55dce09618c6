"""The language people read: Vietnamese or English, from one gettext catalog.

Clerks and analysts work in Vietnamese; scripts need output that does not change with
the reader. So every text meant for a person goes through `_` (messages formatted at
the moment they are said) or is marked with `N_` where it is defined once and
translated when shown (help, table headers). Keys of JSON and CSV never do: they are
stable English identifiers whatever the language.

The catalog is a standard `.po` file (`locale/vi/LC_MESSAGES/dandan.po`) that
translators edit with ordinary tools; the build compiles it to the `.mo` read here.
English is the source language: an English reader gets the messages as written.
Only the standard library is imported, so start-up stays light.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT = "en"
DOMAIN = "dandan"
LOCALE_DIR = Path(__file__).parent / "locale"
#: Where the build writes the compiled catalog, and where translators edit its source.
CATALOG = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.mo"
SOURCE = CATALOG.with_suffix(".po")

_language = DEFAULT
_translations: gettext.NullTranslations = gettext.NullTranslations()


def choose(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language asked for: `--lang`, else `DANDAN_LANG`, else the locale (`LC_ALL`,
    `LC_MESSAGES`, `LANG`, the first one set, as POSIX reads them) when it is Vietnamese,
    else English. An unknown `--lang` or `DANDAN_LANG` is the caller's to refuse
    (`parse`); here it simply does not count."""
    env = os.environ if environ is None else environ
    for asked in (option, env.get("DANDAN_LANG")):
        if asked and (lang := parse(asked)):
            return lang
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := env.get(name):
            return "vi" if value.lower().startswith("vi") else DEFAULT
    return DEFAULT


def parse(value: str) -> str | None:
    """`vi`, `VI`, `vi_VN.UTF-8`, `en-GB` → `vi` or `en`; anything else → None."""
    head = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return head if head in LANGUAGES else None


def use(lang: str) -> None:
    """Speak `lang` from now on (the command line calls this before anything is said)."""
    global _language, _translations
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    _language = lang
    _translations = gettext.NullTranslations() if lang == DEFAULT else _catalog(lang)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """`lang` for a moment, then the reader's again: for a text built in words whose
    JSON must not change with the reader (a tally's title)."""
    before = _language
    use(lang)
    try:
        yield
    finally:
        use(before)


def _catalog(lang: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as f:
            return gettext.GNUTranslations(f)
    except OSError:
        # A source tree whose catalog was never compiled (the build compiles it):
        # English rather than a failure; tests/test_i18n.py catches the missing file.
        return gettext.NullTranslations()


def language() -> str:
    return _language


def _(message: str) -> str:
    """`message` in the current language (itself in English, or when untranslated)."""
    return _translations.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a text for the catalog where it is defined; `_` translates it when shown."""
    return message


def number(value: int | float) -> str:
    """408.000 in Vietnamese, 408,000 in English; decimals 12,5 and 12.5."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    if _language == "vi":
        return text.translate(str.maketrans(",.", ".,"))
    return text


def day(value: date) -> str:
    """31/12/2023 in Vietnamese, 2023-12-31 (ISO 8601) in English; a time of day to the
    second (the audit trail orders changes by it)."""
    if isinstance(value, datetime):
        clock = value.strftime("%H:%M:%S")
        return f"{day(value.date())} {clock}"
    if _language == "vi":
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return value.isoformat()


#: The operating system's reasons, by error number: its own words (`strerror`) are
#: English whatever the reader's language, since Python never sets LC_MESSAGES.
OS_REASONS: dict[str, str] = {
    "ENOENT": N_("no such file or folder"),
    "EACCES": N_("permission denied"),
    "EPERM": N_("operation not permitted"),
    "EISDIR": N_("it is a folder"),
    "ENOTDIR": N_("a part of the path is not a folder"),
    "ENAMETOOLONG": N_("the name is too long for the file system"),
    "ENOSPC": N_("no space left on the disk"),
    "EDQUOT": N_("disk quota exceeded"),
    "EROFS": N_("the file system is read-only"),
    "EEXIST": N_("it already exists"),
    "ELOOP": N_("too many symbolic links"),
    "EINVAL": N_("an invalid argument"),
    "EILSEQ": N_("a name the file system cannot hold"),
    "EIO": N_("an input/output error"),
    "EBUSY": N_("the file is busy"),
    "ETXTBSY": N_("the file is busy"),
    "EMFILE": N_("too many open files"),
    "EXDEV": N_("on another file system"),
    "EFBIG": N_("the file is too large"),
}


def os_reason(exc: BaseException) -> str:
    """Why the operating system refused, in the reader's language: by the error's
    number when it is one we know, else its own words (or its kind)."""
    import errno

    name = errno.errorcode.get(getattr(exc, "errno", None) or 0, "")
    if name in OS_REASONS:
        return _(OS_REASONS[name])
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
