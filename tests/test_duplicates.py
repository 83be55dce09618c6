"""`dandan list --duplicates`: the likely duplicates a registry already holds.

Offices cleaning old data look for models of one name in one place: the name as
`fold` sees it (case, diacritics, đ, punctuation and spacing aside), the place the
commune, or the province for models recorded without a commune.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dandan.registry import Registry
from tests.conftest import Run


def register(
    run: Run, name: str, *place: str, on: str = "2023-03-01", province: str = "quang tri"
) -> str:
    # Old data: duplicates that came in before `register` refused them (or insisted).
    result = run(
        "register", name, "--province", province, *place, "--field", "kinh te",
        "--sponsor", "phu nu", "--registered-on", on, "--allow-duplicate",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return str(result.stdout.strip())


def groups(run: Run, *args: str) -> list[list[dict[str, Any]]]:
    """The groups `list --duplicates` prints, each its models' rows, in order."""
    result = run("list", "--duplicates", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    found: dict[int, list[dict[str, Any]]] = {}
    for row in json.loads(result.stdout):
        found.setdefault(row["group"], []).append(row)
    return list(found.values())


def codes(found: list[list[dict[str, Any]]]) -> list[list[str]]:
    return [[row["code"] for row in group] for group in found]


DONG_HA = ("--commune", "dong ha")


@pytest.mark.parametrize(
    "variant",
    [
        "to tu quan duong lang",  # no diacritics
        "TỔ TỰ QUẢN ĐƯỜNG LÀNG",  # capitals
        "Tổ  tự quản   đường làng ",  # spacing
        "Tổ tự-quản đường làng.",  # punctuation
        "To Tu Quan Duong Lang",
    ],
)
def test_spellings_of_one_name_in_one_commune_are_one_group(
    run: Run, registry: Registry, variant: str
) -> None:
    first = register(run, "Tổ tự quản đường làng", *DONG_HA, on="2023-03-01")
    second = register(run, variant, *DONG_HA, on="2024-05-01")
    register(run, "Tổ tự quản đường phố", *DONG_HA)  # another name, same commune
    assert codes(groups(run)) == [[first, second]]  # oldest first
    stored = registry.duplicates()
    assert [[r.code for r in group] for group in stored] == [[first, second]]
    assert [r.name for r in stored[0]] == [registry.get(first).name, registry.get(second).name]


def test_one_name_in_different_communes_is_no_duplicate(run: Run) -> None:
    register(run, "Tổ tự quản đường làng", *DONG_HA)
    register(run, "Tổ tự quản đường làng", "--commune", "nam dong ha")
    register(run, "Tổ tự quản đường làng")  # no commune: not the communes' duplicate
    register(run, "Tổ tự quản đường làng", province="ha noi")  # another province
    assert groups(run) == []
    listed = run("list", "--duplicates")
    assert listed.exit_code == 0
    assert "no likely duplicates" in listed.stdout


def test_models_without_a_commune_group_by_province(run: Run) -> None:
    a = register(run, "Chi hội phụ nữ tiết kiệm")
    b = register(run, "chi hoi phu nu tiet kiem", on="2023-04-01")
    register(run, "Chi hội phụ nữ tiết kiệm", province="ha noi")
    assert codes(groups(run)) == [[a, b]]


def test_withdrawn_models_are_listed_and_marked(run: Run, registry: Registry) -> None:
    kept = register(run, "Mô hình dân vận khéo", *DONG_HA, on="2023-01-01")
    gone = register(run, "Mô hình dân vận khéo", *DONG_HA, on="2023-06-01")
    assert run("withdraw", gone, "--reason", "trùng", "--on", "2023-07-01").exit_code == 0
    (group,) = groups(run)
    assert [(row["code"], row["status"]) for row in group] == [
        (kept, "registered"),
        (gone, "withdrawn"),
    ]
    assert registry.get(gone).status == "withdrawn"
    table = run("list", "--duplicates")
    assert table.exit_code == 0
    assert "Withdrawn" in table.stdout


def test_groups_come_by_place_and_limit_counts_groups(run: Run) -> None:
    x1 = register(run, "Xóm sạch đẹp", *DONG_HA)
    x2 = register(run, "xom sach dep", *DONG_HA)
    y1 = register(run, "Bếp ăn tình thương", *DONG_HA)
    y2 = register(run, "bep an tinh thuong", *DONG_HA)
    y3 = register(run, "BẾP ĂN TÌNH THƯƠNG", *DONG_HA)
    everything = codes(groups(run))
    assert sorted(everything) == sorted([[x1, x2], [y1, y2, y3]])
    assert everything == [[y1, y2, y3], [x1, x2]]  # by folded name: "bep…" before "xom…"
    assert codes(groups(run, "--limit", "1")) == [[y1, y2, y3]]
    csv = run("list", "--duplicates", "--format", "csv")
    assert csv.stdout.splitlines()[0].startswith("group,code,name")
    assert len(csv.stdout.splitlines()) == 1 + 5


def test_filters_narrow_the_models_compared(run: Run) -> None:
    register(run, "Xóm sạch đẹp", *DONG_HA)
    register(run, "xom sach dep", *DONG_HA)
    a = register(run, "Xóm sạch đẹp", province="ha noi")
    b = register(run, "Xóm sạch đẹp", province="ha noi")
    assert codes(groups(run, "--in", "Hà Nội")) == [[a, b]]


def test_sort_is_refused_with_duplicates(run: Run, db: Any) -> None:
    register(run, "Xóm sạch đẹp", *DONG_HA)
    result = run("list", "--duplicates", "--sort", "name")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: --sort does not apply to --duplicates")
