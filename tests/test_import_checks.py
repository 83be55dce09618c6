"""The import's column-wise checks (`RowChecks`) against `validate_row`, row by row.

`RowChecks` checks each distinct value of a column once and keeps the result for the
rest of the import. These tests guard its caches: whatever the rows and however they
are split into chunks, every row comes out exactly as `validate_row` makes it (the
same record, or the same error naming the same column), including values that a
cache could confuse — one commune name in two provinces, one date string on either
side of 2025-07-01, one name with and without its diacritics, a cell a spreadsheet
marked as text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dandan.errors import InvalidInput
from dandan.importing import RowChecks, RowError, validate_row
from dandan.sources import SourceInfo

TODAY = date(2026, 11, 22)
COLUMNS = [
    "code", "name", "description", "province", "district", "commune", "locality_scheme",
    "field", "sponsor", "holder", "holder_name", "registered_on", "withdrawn_on",
    "withdrawn_reason", "recognition_year", "recognition_level", "decision_no", "decided_on",
    "recognized_by",
]  # fmt: skip

#: Values per column, valid ones first (some a cache keyed on too little would mix up,
#: some that `validate_row` cleans or reads specially), then refused ones.
POOLS: dict[str, tuple[list[str], list[str]]] = {
    "code": (["", "", "QTR-2022-00001", " hno-2024-7 "], ["bad code!", "Q\x00", "'-QTR-2"]),
    "name": (
        [
            "Tổ tự quản",
            "To tu quan",
            "Tổ  tự quản",
            "Tổ tự quản ",
            "'=Tổ tự quản",
            "tổ tự quản",
            "To\u0302\u0309 tu quan",
        ],
        ["", "TÃ´ garbled", "n" * 301],
    ),
    "description": (["", "", "Mô tả", "Mo\u0301 ta\u0309", "'+ghi chú", " a  b "], ["x" * 4001]),
    "locality_scheme": (["", "", "", "2024", "2025", "cũ"], ["later"]),
    "field": (["Kinh tế", "kinh te", "an ninh", "'-Kinh tế"], ["", "  ", "nothing"]),
    "sponsor": (["Hội Nông dân", "công an"], ["", "nobody"]),
    "holder": (["", "tập thể", "cá nhân"], ["alien"]),
    "holder_name": (
        ["", "Chi hội thôn 3", "Chi hoi thon 3", "chi hội thôn 3", "'@Chi hội"],
        ["x" * 301],
    ),
    # Both sides of 2025-07-01, one date in two spellings.
    "registered_on": (
        ["2025-06-30", "30/06/2025", "2025-07-01", "01/07/2025", "2022-03-01", "01.03.2022", ""],
        ["2027-01-01", "31/02/2024", "'-2022-01-01"],
    ),
    "withdrawn_on": (["", "", "", "", "2025-12-15"], ["2022-01-01", "soon"]),
    "withdrawn_reason": (["", "merged into another", "'=merged"], ["r" * 1001]),
}


#: Places (province, district, commune): Hà Nội and Quảng Ninh both have a Phường Việt
#: Hưng; Đông Hà was a city of the old Quảng Trị (Phường Đông Lương a ward of it) and
#: is a ward today; Thái Nguyên has a Xã Văn Lăng and a Xã Văn Lang.
PLACES = (
    [("Hà Nội", "", "Phường Việt Hưng"), ("Quảng Ninh", "", "Phường Việt Hưng"),
     ("Hà Nội", "", "Phuong Viet Hung"), ("Quảng Trị", "", "Phường Đông Lương"),
     ("Quảng Trị", "Thành phố Đông Hà", "Phường Đông Lương"), ("Quang Tri", "", "Đông Hà"),
     ("Thái Nguyên", "", "Xã Văn Lăng"), ("Thái Nguyên", "", "Xã Văn Lang"),
     ("'+Hà Nội", "", "Phường Việt Hưng"), ("Hà Nội", "", ""), ("hà nội", "", "Phường Ngọc Hà"),
     ("Hà Nội", "", "Phường Ngọc Hà")],
    [("Quảng Trị", "", "Phường Việt Hưng"), ("Nowhere", "", ""), ("", "", ""),
     ("Hà Nội", "", "Đông\x00Hà"), ("Hà Nội", "Hoàn Kiếm", "Phường Việt Hưng")],
)  # fmt: skip
#: Recognitions (year, level, decision, date, body).
RECOGNITIONS = (
    [("", "", "", "", "")] * 6
    + [("2025", "Cấp xã", "12/QĐ-UBND", "", "UBND xã"),
       ("2025.0", "cap tinh", "Số 12/QĐ-UBND", "2025-12-01", "UBND xa"),
       ("2025", "Cấp huyện", "'-12", "30/06/2025", ""),
       ("2025", "Cấp xã", "", "01/12/2025", "")],
    [("", "Cấp xã", "", "", ""), ("2022", "Cấp xã", "", "", ""), ("20x5", "galactic", "", "", ""),
     ("2025", "Cấp xã", "y" * 101, "2025-07-02", ""), ("2025", "Cấp xã", "", "31/13/2025", "")],
)  # fmt: skip


def pick(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    """Mostly valid values, so that many rows pass and are put together by `RowChecks`."""
    return st.sampled_from(good * 12 + bad)


@st.composite
def a_row(draw: st.DrawFn) -> dict[str, str]:
    found = {column: draw(pick(*pool)) for column, pool in POOLS.items()}
    found["province"], found["district"], found["commune"] = draw(pick(*PLACES))
    year, level, decision, decided, body = draw(pick(*RECOGNITIONS))
    found |= {"recognition_year": year, "recognition_level": level, "decision_no": decision,
              "decided_on": decided, "recognized_by": body}  # fmt: skip
    return found


def reference(rows: list[dict[str, str]], info: SourceInfo, scheme: str | None) -> list[Any]:
    """Each row as `validate_row` makes it, errors named as the import names them."""
    from dandan.importing import _validated

    return [_validated(row, info, line, TODAY, scheme) for line, row in enumerate(rows, 2)]


def checked(
    rows: list[dict[str, str]], info: SourceInfo, scheme: str | None, chunk: int, checks: Any
) -> list[Any]:
    records = [(line, tuple(row[c] for c in info.columns)) for line, row in enumerate(rows, 2)]
    found: list[Any] = []
    for start in range(0, len(records), chunk):
        found += checks.rows(records[start : start + chunk], info)
    return found


def info_for(columns: list[str]) -> SourceInfo:
    info = SourceInfo("rows.csv")
    info.columns = list(columns)
    info.headers = {c: c.upper() for c in columns}
    return info


rows_strategy = st.lists(
    a_row(),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=rows_strategy,
    chunk=st.integers(1, 40),
    scheme=st.sampled_from([None, "2024", "2025"]),
    dropped=st.sets(
        st.sampled_from(
            [
                "description",
                "district",
                "locality_scheme",
                "holder",
                "withdrawn_on",
                "decided_on",
                "code",
            ]
        )
    ),
)
def test_rows_come_out_as_validate_row_makes_them(
    rows: list[dict[str, str]], chunk: int, scheme: str | None, dropped: set[str]
) -> None:
    columns = [c for c in COLUMNS if c not in dropped]
    rows = [{c: row[c] for c in columns} for row in rows]
    info = info_for(columns)
    checks = RowChecks(TODAY, scheme)
    expected = reference(rows, info, scheme)
    assert checked(rows, info, scheme, chunk, checks) == expected
    # Again with the caches full: what they keep is what the checks said.
    assert checked(rows, info, scheme, chunk, checks) == expected


def row(**values: str) -> dict[str, str]:
    base = {
        "code": "", "name": "Tổ tự quản", "province": "Hà Nội", "commune": "Phường Việt Hưng",
        "field": "Kinh tế", "sponsor": "Hội Nông dân", "registered_on": "2025-08-01",
    }  # fmt: skip
    return {**base, **values}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # One commune name in two provinces: two places.
        (row(), row(province="Quảng Ninh")),
        # Either side of 2025-07-01, one name is an old ward or a current one.
        (
            row(commune="Phường Ngọc Hà", registered_on="2025-06-30"),
            row(commune="Phường Ngọc Hà", registered_on="2025-07-01"),
        ),
        (
            row(commune="Phường Ngọc Hà", registered_on="30/06/2025"),
            row(commune="Phường Ngọc Hà", registered_on="01/07/2025"),
        ),
        # One name with and without its diacritics: two communes of one province.
        (
            row(province="Thái Nguyên", commune="Xã Văn Lăng"),
            row(province="Thái Nguyên", commune="Xã Văn Lang"),
        ),
        (row(holder_name="Chi hội thôn 3"), row(holder_name="Chi hoi thon 3")),
        (row(holder_name="chi hội thôn 3"), row(holder_name="Chi hội thôn 3")),
        (row(province="Hà Nội"), row(province="hà nội")),
        # A cell a spreadsheet marked as text is read as `validate_row` reads it.
        (row(province="'Hà Nội"), row(province="Hà Nội")),
    ],
)
def test_values_a_cache_could_confuse(first: dict[str, str], second: dict[str, str]) -> None:
    columns = sorted(set(first) | set(second))
    rows = [{c: r.get(c, "") for c in columns} for r in (first, second, first, second)]
    info = info_for(columns)
    for chunk in (1, 4):
        assert checked(rows, info, None, chunk, RowChecks(TODAY, None)) == reference(
            rows, info, None
        )


def test_a_refused_value_gives_the_error_of_validate_row() -> None:
    """A refusal is left to `validate_row`, which names the first fault of the row."""
    bad = row(field="nothing", registered_on="31/02/2024", commune="Nowhere")
    info = info_for(list(bad))
    (found,) = RowChecks(TODAY, None).rows([(7, tuple(bad.values()))], info)
    with pytest.raises(InvalidInput) as exc:
        validate_row(bad, "rows.csv", 7, TODAY)
    assert isinstance(found, RowError)
    assert (found.line, found.message) == (7, exc.value.message)
    assert found.column == "REGISTERED_ON"


def test_most_generated_rows_are_valid() -> None:
    """The strategy above tests the assembly of valid rows, not only refusals."""
    from hypothesis import find

    find(
        rows_strategy,
        lambda rows: (
            sum(not isinstance(r, RowError) for r in reference(rows, info_for(COLUMNS), None)) >= 3
        ),
        settings=settings(max_examples=200, database=None),
    )
