"""Text rules shared by every input path: NFC on the way in, folding for matching,
and Vietnamese alphabetical order for output.

Clerks type with and without diacritics, with Windows-1258 decomposed tone marks,
with "TP." or "Tỉnh" in front of names; all of that must meet one key.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache, lru_cache

_SPACES = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@cache
def _invisible() -> dict[int, None]:
    """Control and invisible characters never belong in a registry field: the C0 and C1
    controls (a C1 "CSI", U+009B, starts a terminal escape as ESC [ does) and every
    format character (zero-width spaces and joiners, bidi marks and overrides, the BOM,
    soft hyphens, tags). White space among them (tab, newline, U+0085) becomes a space
    instead, when `clean` collapses white space.

    Built on first use, from the planes that hold such characters (the basic and
    supplementary ones, and plane 14 of the tags), so that starting up costs nothing.
    """
    planes = itertools.chain(range(0x30000), range(0xE0000, 0xE1000))
    return {
        code: None
        for code in planes
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and not chr(code).isspace()
    }


@lru_cache(maxsize=1 << 16)
def clean(value: str) -> str:
    """Drop control and invisible characters, NFC-normalise, collapse white space.

    NFC comes after the removal: a mark separated from its letter by a zero-width
    character composes with it once that character is gone.

    Written for speed (an import cleans millions of values): each step is skipped
    when a C-level check shows it has nothing to do, and values a batch repeats
    (holder names, recognising bodies, decision numbers) come from the cache.
    """
    if not value.isprintable():
        value = value.translate(_invisible())
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


# Python carries bytes that are not UTF-8 (in argv, in file names) as lone surrogates.
_SURROGATE = re.compile("[\ud800-\udfff]")


def undecodable(value: str) -> bool:
    """Whether the text carries bytes that were not UTF-8: a terminal or a file name in
    another encoding. Such text cannot be stored (the database wants UTF-8) or shown."""
    return not value.isprintable() and _SURROGATE.search(value) is not None


def as_text(name: str) -> str:
    """A file name as text, its bytes that are not UTF-8 shown as "�"."""
    if not undecodable(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _ascii_table() -> dict[int, int | None]:
    """Each accented Latin letter to its base letter, combining marks to nothing."""
    table: dict[int, int | None] = {ord("đ"): ord("d"), ord("Đ"): ord("D")}
    for code in range(0x00C0, 0x1F00):
        decomposed = unicodedata.normalize("NFD", chr(code))
        if (
            len(decomposed) > 1
            and decomposed[0].isascii()
            and all(unicodedata.combining(c) for c in decomposed[1:])
        ):
            table[code] = ord(decomposed[0])
    for code in range(0x0300, 0x0370):
        table[code] = None
    return table


_ASCII = _ascii_table()


@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Lower-case ASCII words: no diacritics (đ→d), punctuation as spaces.

    One C-level `translate` strips the marks of precomposed and decomposed text
    alike; the cache serves the locality and term names a batch repeats.
    """
    if not value.isascii():
        value = value.translate(_ASCII)
        if not value.isascii():  # letters outside Latin: decompose what remains
            decomposed = unicodedata.normalize("NFD", value)
            value = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", value.casefold()).strip()


def key(value: str) -> str:
    """`fold` without spaces: "Hà Nội", "hanoi" and "Ha-Noi" share one key."""
    return fold(value).replace(" ", "")


def marks(value: str) -> str:
    """Like `key`, but keeping the diacritics: tells "Thuận Hóa" from "Thuận Hòa",
    which fold alike, when both exist."""
    return "".join(ch for ch in clean(value).casefold() if ch.isalnum())


# Vietnamese alphabetical order: đ after d, ă â after a, and so on; letters
# outside the Vietnamese alphabet (f, j, w, z) keep their Latin place.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_MODIFIERS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_COMPOSE = {
    ("a", "breve"): "ă",
    ("a", "circumflex"): "â",
    ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô",
    ("o", "horn"): "ơ",
    ("u", "horn"): "ư",
}
# Dictionary order of the tones: level, grave, hook, tilde, acute, dot below.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _syllable_key(word: str) -> tuple[tuple[int, ...], int]:
    letters: list[int] = []
    tone = 0
    for ch in unicodedata.normalize("NFC", word.casefold()):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        if base == "đ":
            letter = "đ"
        else:
            letter = base
            for mark in marks:
                if mark in _MODIFIERS:
                    letter = _COMPOSE.get((base, _MODIFIERS[mark]), base)
        for mark in marks:
            tone = _TONES.get(mark, tone)
        if letter in _RANK:
            letters.append(100 + _RANK[letter])
        elif letter.isascii() and letter.isdigit():
            letters.append(ord(letter) - ord("0"))
        else:
            letters.append(200 + ord(letter))
    return tuple(letters), tone


def sort_key(value: str) -> tuple[object, ...]:
    """Sort key for Vietnamese names: word by word, letters before tones.

    "Hà Giang" < "Hà Nội" < "Hải Phòng", "Đà Nẵng" after every "D…".
    Numbers compare by value so "Phường 2" sorts before "Phường 10".
    """
    words: list[tuple[tuple[int, ...], int]] = []
    for word in fold_spaces(value).split(" "):
        if word.isascii() and word.isdigit():
            words.append(((0, int(word)), 0))
        else:
            words.append(_syllable_key(word))
    return (tuple(words), value)


def fold_spaces(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula, as OWASP recommends:
    prefix it with a single quote, which Excel and LibreOffice show as text."""
    if value.lstrip("'").startswith(_FORMULA_START):
        return "'" + value  # also quotes "'=x", so that the round trip is exact
    return value


def from_spreadsheet(value: str) -> str:
    """Undo `spreadsheet_safe`, so an exported file re-imports to the same values."""
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START):
        return value[1:]
    return value
