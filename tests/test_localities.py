"""Locality matching: case, diacritics, spacing, prefixes and English forms."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dandan.errors import InvalidInput
from dandan.localities import _PREFIXES, _SUFFIXES, CODE_PREFIXES, gazetteer, lookup, strip_type
from dandan.text import fold
from tests.conftest import Run

G = gazetteer()


def test_gazetteer_has_the_official_counts() -> None:
    assert len(G.provinces) == 34
    assert len(G.communes) == 3321


def test_every_province_has_a_unique_code_prefix() -> None:
    assert set(CODE_PREFIXES) == set(G.provinces)
    assert len(set(CODE_PREFIXES.values())) == 34


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Quảng Trị", 44),
        ("quang tri", 44),
        ("QUANG  TRI", 44),
        ("Tỉnh Quảng Trị", 44),
        ("tinh quang-tri", 44),
        ("Quang Tri province", 44),
        ("44", 44),
        ("Hà Nội", 1),
        ("Hanoi", 1),
        ("TP. Hà Nội", 1),
        ("Thành phố Hà Nội", 1),
        ("Ho Chi Minh City", 79),
        ("TP.HCM", 79),
        ("HCMC", 79),
        ("Sài Gòn", 79),
        ("Hue", 46),
        ("Đà Nẵng", 48),
        ("da nang", 48),
        ("Dak Lak", 66),
        ("Đắk Lắk", 66),
    ],
)
def test_province_spellings(text: str, code: int) -> None:
    assert G.province(text).code == code


@pytest.mark.parametrize(
    ("text", "province", "code"),
    [
        ("Đông Hà", "Quảng Trị", 19333),
        ("phuong dong ha", "Quảng Trị", 19333),
        ("P. Đông Hà", "Quảng Trị", 19333),
        ("Xã Vĩnh Linh", "Quảng Trị", 19363),
        ("vinh linh", "Quảng Trị", 19363),
        ("Hoàn Kiếm", "Hà Nội", 70),
        ("19333", "Quảng Trị", 19333),
    ],
)
def test_commune_spellings(text: str, province: str, code: int) -> None:
    assert G.commune(text, G.province(province)).code == code


def test_unknown_names_suggest_the_closest() -> None:
    with pytest.raises(InvalidInput, match="did you mean Quảng Trị"):
        G.province("Quang Tru")
    with pytest.raises(InvalidInput, match="did you mean Phường Đông Hà"):
        G.commune("Dong Haa", G.province("Quảng Trị"))


def test_commune_in_another_province_says_where() -> None:
    with pytest.raises(InvalidInput, match="a commune of that name is in Hà Nội"):
        G.commune("Hoàn Kiếm", G.province("Huế"))


def test_names_that_fold_alike_need_their_diacritics() -> None:
    thai_nguyen = G.province("Thái Nguyên")
    with pytest.raises(InvalidInput, match="'van lang' is ambiguous in Thái Nguyên"):
        G.commune("van lang", thai_nguyen)
    assert G.commune("Văn Lăng", thai_nguyen).code == 5665
    assert G.commune("xã văn lang", thai_nguyen).code == 2143


def _variants(name: str) -> st.SearchStrategy[str]:
    """How clerks write a name: any case, with or without diacritics, odd spacing."""
    plain = fold(name)
    return st.sampled_from([name, name.upper(), name.lower(), plain, plain.upper()]).flatmap(
        lambda s: st.sampled_from([s, "  " + s + " ", s.replace(" ", "  "), s.replace(" ", "-")])
    )


@given(
    st.sampled_from(sorted(G.provinces)).flatmap(
        lambda code: st.tuples(st.just(code), _variants(G.provinces[code].name))
    )
)
def test_any_spelling_of_a_province_resolves(case: tuple[int, str]) -> None:
    code, text = case
    assert G.province(text).code == code


@given(
    st.sampled_from(sorted(G.communes)).flatmap(
        lambda code: st.tuples(st.just(code), _variants(G.communes[code].name))
    )
)
def test_any_spelling_of_a_full_commune_name_resolves(case: tuple[int, str]) -> None:
    code, text = case
    commune = G.communes[code]
    province = G.provinces[commune.province_code]
    twins = [
        c
        for c in G.communes.values()
        if c.province_code == province.code and fold(c.name) == fold(commune.name)
    ]
    if len(twins) > 1 and text.isascii():
        # Written without diacritics, names that differ only by them stay ambiguous.
        with pytest.raises(InvalidInput, match="is ambiguous"):
            G.commune(text, province)
    else:
        assert G.commune(text, province).code == code


@given(st.text(max_size=40))
def test_matching_never_crashes(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        G.province(text)
    lookup(text)


def test_localities_command(run: Run) -> None:
    result = run("localities", "quang tri", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "kind": "province",
        "name": "Tỉnh Quảng Trị",
        "code": 44,
        "scheme": "2025",
        "valid": "since 2025-07-01",
        "district": None,
        "province": "Quảng Trị",
        "province_code": 44,
        "became": None,
        "became_code": None,
    }


def test_localities_command_unknown(run: Run) -> None:
    result = run("localities", "zzzzzz")
    assert result.exit_code == 1
    assert "no province, district or commune matches" in result.stderr


def _strip_type_by_loop(folded: str) -> str:
    """What `strip_type` does, the slow obvious way: English suffixes off the end, then
    the first of the type words, in their order, with a space and more after it."""
    words = folded.split(" ")
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    folded = " ".join(words)
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " ") and len(folded) > len(prefix) + 1:
            return folded[len(prefix) + 1 :]
    return folded


@pytest.mark.parametrize(
    ("folded", "bare"),
    [
        ("xa an phu", "an phu"), ("thanh pho ha noi", "ha noi"), ("phuong 1", "1"),
        ("p 1", "1"), ("tp ho chi minh city", "ho chi minh"), ("xa", "xa"), ("xa ", "xa "),
        ("huyen quan hoa", "quan hoa"), ("phu yen province", "phu yen"),
    ],
)  # fmt: skip
def test_strip_type_takes_one_type_word(folded: str, bare: str) -> None:
    assert strip_type(folded) == bare


words = st.sampled_from([*_PREFIXES, *_SUFFIXES, "an", "phu", "1", ""])


@given(st.lists(words, max_size=5).map(" ".join))
def test_strip_type_is_the_loop_it_replaced(folded: str) -> None:
    assert strip_type(folded) == _strip_type_by_loop(folded)
