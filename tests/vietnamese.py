"""Telling a line a Vietnamese reader sees that is still English.

A message reaches the screen in English when it was never wrapped in `_`, when a
library's own text is passed on (click's, pydantic's, SQLite's, the OS's), or when a
translation is missing from the compiled catalog. None of these can be found by
reading the catalog: only by reading what the command line says. `untranslated(line)`
is that reader, built from the catalog itself:

- English is what the catalog's msgids are written in: their words (outside
  placeholders) and a few words every English sentence or error has (`STRONG`).
- Vietnamese is what its msgstrs are written in: a word a translation itself uses
  (`csv`, `fail`, `MTTQ`, a command's name) is never a sign of English, whatever its
  language, and neither is a word with diacritics.
- Values are neither: what is quoted (`'…'`, `"…"`, `` `…` ``), an option (`--limit`),
  a path or file name, a code, a number, an escape (`\\x00`). A clerk's data echoed in
  a message (a name, a commune, a header) is quoted by the messages that echo it, and
  is taken out before the words are weighed.

A line is untranslated when it holds an English msgid's words as they are written
(a message that skipped `_`), or, once its values are taken out, one `STRONG` English
word or two other English ones: enough to catch "unable to open database file" or
"Input should be a valid integer", while a stray name of a place is not enough.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dandan import i18n

#: A placeholder of a message: `{name}`, `{value!r}`, `%s`, `%(name)s`.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[sdr]")

#: What a message carries that is no language: values, options, paths, codes, escapes.
VALUES = re.compile(
    r"""
      '[^']*'  |  "[^"]*"  |  “[^”]*”  |  `[^`]*`  |  ‘[^’]*’      # quoted
    | \[(?:default|mặc\ định):[^\]]*\]                            # a default value shown
    | (?<![\w-])--?[A-Za-z][\w-]*(?:=\S*)?                         # an option
    | [a-z][\w+.-]*://\S*                                          # a URL
    | (?<!\S)(?:~|[A-Za-z]:)?[/\\][^:(]*?(?=:\s|:$|,\s|\s\(|$)        # a path, spaces and all
    | \S*[/\\]\S*                                                  # a relative path
    | \S+\.[A-Za-z][A-Za-z0-9]{0,4}\b                              # a file name
    | \b[A-Z]{2,4}-\d{4}-\d+\b                                     # a model's code
    | \w*_\w*                                                     # an identifier
    | \\[xuU][0-9a-fA-F]+ | \\[ntr]                                # an escape
    | \d[\d.,:/-]*                                                 # a number, a date
    """,
    re.VERBOSE,
)
#: A word: letters only (digits and underscores make identifiers, not words).
WORD = re.compile(r"[^\W\d_]+")

#: Words that say a sentence or an error is English, whatever the catalog holds.
STRONG = frozenset({
    "the", "should", "must", "cannot", "unable", "invalid", "error", "errors", "not",
    "such", "is", "are", "was", "were", "expected", "missing", "unknown", "please", "found",
    "allowed", "required", "valid", "could", "does", "did", "been", "being", "has", "have",
    "would", "which", "this", "that", "there", "their", "than", "then", "into", "only",
    "also", "because",
})  # fmt: skip
#: English words that are Vietnamese syllables too, when written without diacritics
#: ("an ninh", "cho", "to"): never a sign of English on their own.
SYLLABLES = frozenset({
    "a", "an", "anh", "ban", "bao", "cho", "con", "do", "hay", "ho", "in", "la", "linh",
    "me", "mi", "no", "on", "sao", "tin", "to",
})  # fmt: skip


@dataclass(frozen=True)
class Catalog:
    """The words of both languages, and the English messages whose translation differs."""

    english: frozenset[str]
    vietnamese: frozenset[str]
    messages: tuple[tuple[str, re.Pattern[str]], ...]


def words(text: str) -> list[str]:
    """The words of `text` outside its values (see `VALUES`), letters only."""
    return WORD.findall(VALUES.sub(" ", PLACEHOLDER.sub(" ", text)))


def _template(msgid: str) -> re.Pattern[str] | None:
    """An English message as a pattern (its placeholders any text), when its literal
    words are enough to tell it: three words or more besides its placeholders."""
    literal = PLACEHOLDER.sub(" ", msgid)
    if len([w for w in words(literal) if w.isascii()]) < 3:
        return None
    parts = PLACEHOLDER.split(msgid)
    return re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL)


@functools.cache
def catalog(extra: tuple[str, ...] = ()) -> Catalog:
    """The compiled Vietnamese catalog's words and English messages; `extra` words are
    Vietnamese too (the commands' names, which help shows as they are typed)."""
    translations = i18n._catalog("vi")
    pairs = [
        (msgid, msgstr)
        for msgid, msgstr in getattr(translations, "_catalog", {}).items()
        if isinstance(msgid, str) and msgid and isinstance(msgstr, str)
    ]
    assert pairs, "no compiled Vietnamese catalog: run pybabel compile (make test does)"
    vietnamese = {w for _, msgstr in pairs for w in words(msgstr) if w.isascii()} | set(extra)
    english = {
        w.lower() for msgid, _ in pairs for w in words(msgid) if w.isascii() and len(w) > 1
    } | STRONG
    english -= vietnamese | SYLLABLES
    messages = tuple(
        (msgid, pattern)
        for msgid, msgstr in pairs
        if msgid != msgstr and (pattern := _template(msgid)) is not None
    )
    return Catalog(frozenset(english), frozenset(vietnamese), messages)


def untranslated(line: str, extra: Iterable[str] = ()) -> str | None:
    """Why `line` reads as English to a Vietnamese reader, or None when it does not."""
    found = catalog(tuple(sorted(extra)))
    for msgid, pattern in found.messages:
        if pattern.search(line):
            return f"the English message {msgid!r}"
    english = [w for w in words(line) if w.isascii() and w.lower() in found.english]
    english = [w for w in english if w not in found.vietnamese]
    strong = sorted({w for w in english if w.lower() in STRONG})
    if strong or len({w.lower() for w in english}) >= 2:
        return f"English words: {', '.join(dict.fromkeys(english))}"
    return None


def english_lines(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The lines of `text` that read as English, each with why."""
    extra = tuple(extra)
    return [
        f"{line.strip()!r}: {why}"
        for line in text.splitlines()
        if (why := untranslated(line, extra)) is not None
    ]
