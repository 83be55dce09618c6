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
from typing import Any

_SPACES = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NOT_ALNUM = re.compile(r"[\W_]+")
#: The 66 noncharacters (U+FDD0 to U+FDEF, and the last two codes of every plane, U+FFFE
#: and U+FFFF among them): never text; an XML file, such as an .xlsx, cannot hold some.
_NONCHARACTERS = "".join(
    [chr(c) for c in range(0xFDD0, 0xFDF0)]
    + [chr(plane << 16 | last) for plane in range(17) for last in (0xFFFE, 0xFFFF)]
)
_NOT_TEXT = re.compile(f"[\x00{_NONCHARACTERS}]")


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
    dropped = {
        code: None
        for code in planes
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and not chr(code).isspace()
    }
    return dropped | dict.fromkeys(map(ord, _NONCHARACTERS))


def not_text(value: str) -> str | None:
    """The first NUL or noncharacter the value holds, if any.

    These are refused where a field is read (`validation.text`), unlike the controls
    and invisible characters `clean` drops. Those come with typed or pasted text (a
    zero-width space, a bidi mark) and carry nothing; dropping them stores what the
    clerk sees. A NUL or a noncharacter never occurs in text: it means the file is
    damaged, or read in the wrong encoding, so any guess (dropping it joined two words;
    a space would split one) could store a name nobody wrote. The clerk is told which
    field holds it, and fixes the file.
    """
    if value.isprintable():
        return None
    found = _NOT_TEXT.search(value)
    return found.group() if found else None


def visible(value: str) -> str:
    """The value with every character that is not printable written as its escape
    (ESC as `\\x1b`, a right-to-left override as `\\u202e`, a newline as `\\n`), so
    that text from the registry or the user can neither drive the terminal nor hide or
    reorder what it shows. Printable text, Vietnamese included, is left as it is."""
    if value.isprintable():
        return value
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in value
    )


@lru_cache(maxsize=1 << 16)
def clean(value: str) -> str:
    """Drop control and invisible characters (and noncharacters, which are never text),
    NFC-normalise, collapse white space.

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


@lru_cache(maxsize=65536)
def marks(value: str) -> str:
    """Like `key`, but keeping the diacritics: tells "Thuận Hóa" from "Thuận Hòa",
    which fold alike, when both exist. (`[\\W_]` is exactly what `str.isalnum` refuses;
    cached: an import asks again for every place it resolves.)"""
    return _NOT_ALNUM.sub("", clean(value).casefold())


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
# What a word is made of, in this order: punctuation (the apostrophe of "M'Đrắk",
# the hyphen of "Bà Rịa - Vũng Tàu"), numbers, Vietnamese letters, other letters.
_PUNCTUATION, _NUMBER, _LETTER, _OTHER = range(4)
#: ASCII punctuation in the order of Unicode's collation (and so ICU's); any other
#: punctuation after it, by code point.
_PUNCTUATION_ORDER = {ch: i for i, ch in enumerate("_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$")}
_PIECES = re.compile(r"[0-9]+|.", re.DOTALL)

_WordKey = tuple[tuple[tuple[object, ...], ...], tuple[int, ...], tuple[bool, ...], str]


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> _WordKey:
    """A word's letters, then its tones, then its capitals, then the word itself.

    Tones are compared letter by letter: a Vietnamese word has one, but "Hoà" and
    "Hòa" (old and new placement) must still differ, as they do in ICU. A run of
    digits is one number, compared by value ("2" before "10") without converting it
    (a name of 5,000 digits is still a name).

    Cached: names are made of a few thousand syllables, and SQLite's collation asks
    for a name's key each time it compares the name."""
    pieces: list[tuple[object, ...]] = []
    tones: list[int] = []
    capitals: list[bool] = []
    for piece in _PIECES.findall(unicodedata.normalize("NFC", word)):
        capitals.append(piece.isupper())
        if piece[0].isascii() and piece[0].isdigit():
            digits = piece.lstrip("0")
            pieces.append((_NUMBER, len(digits), digits))
            tones.append(0)
            continue
        parts = unicodedata.normalize("NFD", piece.casefold())
        base, marks = parts[0], parts[1:]
        letter, tone = base, 0
        for mark in marks:
            if mark in _MODIFIERS:
                letter = _COMPOSE.get((base, _MODIFIERS[mark]), letter)
            tone = _TONES.get(mark, tone)
        tones.append(tone)
        if letter in _RANK:
            pieces.append((_LETTER, _RANK[letter]))
        elif letter.isalnum():
            pieces.append((_OTHER, ord(letter)))
        else:
            rank = _PUNCTUATION_ORDER.get(letter, len(_PUNCTUATION_ORDER) + ord(letter))
            pieces.append((_PUNCTUATION, rank))
    return tuple(pieces), tuple(tones), tuple(capitals), word


def sort_key(value: str) -> tuple[object, ...]:
    """Sort key for Vietnamese names, as a Vietnamese dictionary orders them: word by
    word (syllable by syllable), and within a word its letters first, then its tone.

    "Hà Giang" < "Hà Nội" < "Hải Phòng"; "Hà Trung" < "Hạ Hòa", since every "hà"
    comes before any "hạ", whatever follows; "Đà Nẵng" after every "D…". Numbers
    compare by value, before letters: "Phường 2" < "Phường 10" < "Phường An Lạc".
    Punctuation comes before numbers and letters, as a syllable break would:
    "Xã Cư M'gar" < "Xã Cư Mốt". Names that differ only in capitals put the small
    letter first ("Xã Ya ly" < "Xã Ya Ly"), as ICU does.

    This is the order of the `vi` collation on both backends (`dandan.database`):
    SQLite calls this key; PostgreSQL compares the words one by one with ICU's
    Vietnamese collation, which agrees with it on every official unit's name
    (tests/test_collation.py). ICU alone, on the whole name, compares every letter
    of the name before any tone ("Hạ Hòa" < "Hà Trung"): not a Vietnamese reader's
    order.
    """
    return tuple(map(_word_key, value.split())), value


#: `sort_text`: what ends a name's words, a word, a part of a word's key. Lower than
#: any character of the key (names hold no control characters).
_END_WORDS, _END_WORD, _END_PART = "\x01", "\x02", "\x03"
#: First characters of a piece, in the order of `_word_key`'s categories; a
#: Vietnamese letter is one character, its rank after `_LETTER_BASE`.
_PIECE_START = {_PUNCTUATION: "\x10", _NUMBER: "\x11", _OTHER: "\x7f"}
_LETTER_BASE = 0x20


def _ordinal(n: int) -> str:
    """A number as text, in order: one character below the surrogates; above them two,
    from the private use area (both after every single one)."""
    code = _LETTER_BASE + n
    if code < 0xD800:
        return chr(code)
    return chr(0xE000 + (n >> 12)) + chr(0xE000 + (n & 0xFFF))


@lru_cache(maxsize=1 << 16)
def _word_text(word: str) -> str:
    pieces, tones, capitals, raw = _word_key(word)
    out: list[str] = []
    for piece in pieces:
        category = piece[0]
        if category == _LETTER:
            out.append(chr(_LETTER_BASE + int(piece[1])))  # type: ignore[call-overload]
        elif category == _NUMBER:
            out += (_PIECE_START[_NUMBER], _ordinal(int(piece[1])), str(piece[2]))  # type: ignore[call-overload]
        else:
            out += (_PIECE_START[int(category)], _ordinal(int(piece[1])))  # type: ignore[call-overload]
    out.append(_END_PART)
    out += (chr(_LETTER_BASE + t) for t in tones)
    out.append(_END_PART)
    out += (chr(_LETTER_BASE + c) for c in capitals)
    out += (_END_PART, raw)
    return "".join(out)


#: How much of `sort_text` the registry stores (`models.name_order`): about three
#: words; names that share it are ordered by the `vi` collation.
SORT_PREFIX = 48


def sort_prefix(value: str) -> str:
    """The start of `sort_text`: a name whose prefix is smaller sorts first."""
    return sort_text(value)[:SORT_PREFIX]


def sort_text(value: str) -> str:
    """`sort_key` as text: two names' texts compare (code point by code point, as
    SQLite's BINARY and PostgreSQL's "C" collations do) as their keys do. Stored, it
    lets the database walk an index in Vietnamese order (`models.name_order`)."""
    return _END_WORD.join(map(_word_text, value.split())) + _END_WORDS + value


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


#: What XML 1.0, and so an .xlsx, cannot hold: C0 controls but tab, line feed and
#: carriage return; lone surrogates; the noncharacters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """An .xlsx cell's text with what XML cannot hold shown as U+FFFD: input refuses
    those characters, but a registry of an older dandan or another writer may hold
    them, and one such cell made the whole workbook unreadable to Excel."""
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value
