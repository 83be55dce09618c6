"""Folding and Vietnamese alphabetical order."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dandan.text import clean, fold, from_spreadsheet, key, marks, sort_key, spreadsheet_safe


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường làng", "duong lang"),
        ("  Quảng   Trị ", "quang tri"),
        ("TP. Hồ Chí Minh", "tp ho chi minh"),
        (unicodedata.normalize("NFD", "Thừa Thiên Huế"), "thua thien hue"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_clean_normalises_and_strips_invisible_characters() -> None:
    assert clean("  Tổ\u200b tự\tquản \x00") == "Tổ tự quản"
    assert clean(unicodedata.normalize("NFD", "Huế")) == "Huế"


# Found by tests/test_fuzz.py: these were stored as typed.
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Phường 1\x94\x96", "Phường 1"),  # C1 controls
        ("\x9b31mĐỏ", "31mĐỏ"),  # C1 CSI: a terminal escape
        ("Tổ\x85tự", "Tổ tự"),  # C1 next line: white space
        ("Quảng\u00adTrị", "QuảngTrị"),  # soft hyphen
        ("Hà\u2060Nội", "HàNội"),  # word joiner
        ("Huế\U000e0041", "Huế"),  # tag character
        ("\u061cالله", "الله"),  # Arabic letter mark
        ("e\u200b\u0301", "é"),  # the mark composes once the zero-width space is gone
    ],
)
def test_clean_drops_every_control_and_format_character(typed: str, stored: str) -> None:
    assert clean(typed) == stored
    assert unicodedata.is_normalized("NFC", clean(typed))


@given(st.text())
def test_fold_is_idempotent_ascii_and_case_blind(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert fold(text.upper()) == fold(text.lower()) or not text.isascii()
    assert key(text) == folded.replace(" ", "")


@given(st.text())
@example("e\u200b\u0301")
def test_clean_is_nfc_and_idempotent(text: str) -> None:
    cleaned = clean(text)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean(cleaned) == cleaned
    assert not {unicodedata.category(c) for c in cleaned} & {"Cc", "Cf"}


PROVINCES_IN_ORDER = [
    "An Giang",
    "Bắc Ninh",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Phòng",
    "Hồ Chí Minh",
    "Huế",
    "Hưng Yên",
    "Khánh Hòa",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Nghệ An",
    "Ninh Bình",
    "Phú Thọ",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sơn La",
    "Tây Ninh",
    "Thái Nguyên",
    "Thanh Hóa",
    "Tuyên Quang",
    "Vĩnh Long",
]


def test_vietnamese_order_of_province_names() -> None:
    shuffled = sorted(PROVINCES_IN_ORDER, key=lambda s: s[::-1])
    assert sorted(shuffled, key=sort_key) == PROVINCES_IN_ORDER


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hà Giang", "Hà Nội"),
        ("Hà Nội", "Hải Phòng"),
        ("Dương", "Đà Nẵng"),
        ("ca", "cà"),
        ("cà", "cả"),
        ("cả", "cã"),
        ("cã", "cá"),
        ("cá", "cạ"),
        ("an", "ăn"),
        ("ăn", "ân"),
        ("Phường 2", "Phường 10"),
    ],
)
def test_pairs_in_order(first: str, second: str) -> None:
    assert sort_key(first) < sort_key(second)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+84 912", "'+84 912"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Tổ tự quản", "Tổ tự quản"),
        ("'quoted", "'quoted"),
        ("'=already quoted", "''=already quoted"),
    ],
)
def test_spreadsheet_safe(value: str, safe: str) -> None:
    assert spreadsheet_safe(value) == safe
    assert from_spreadsheet(spreadsheet_safe(value)) == value


@given(st.text())
def test_spreadsheet_round_trip(value: str) -> None:
    assert from_spreadsheet(spreadsheet_safe(value)) == value
    assert not spreadsheet_safe(value).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.text())
@example("Thuận Hóa")
@example("Phường_1 (cũ)")
@example("Xã Ea H\u2019leo")
def test_marks_keeps_exactly_the_letters_and_digits(value: str) -> None:
    """`marks` is one regular expression; what it keeps is what `str.isalnum` says."""
    assert marks(value) == "".join(ch for ch in clean(value).casefold() if ch.isalnum())
