"""The registration form's items (objectives, content and method, target group and area,
expected results, sustaining and replicating): optional text of a model, registered,
edited, imported, exported, shown, and searched by `list --search` with the name."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dandan.audit import history
from dandan.cli import app
from dandan.registry import Registry
from tests.conftest import Run, dump

#: Each item's option, and the text a clerk writes in it.
ITEMS = {
    "objectives": ("--objectives", "Đường làng sáng, xanh, sạch, đẹp"),
    "method": ("--method", "Mỗi hộ nhận một đoạn đường; tổ tự quản họp hằng tháng"),
    "target_group": ("--target-group", "Đồng bào Vân Kiều ở thôn Khe Sanh"),
    "expected_results": ("--expected-results", "Trồng 3 km hàng rào xanh"),
    "sustainability": ("--sustainability", "Nhân rộng ra các thôn lân cận"),
}


def register(run: Run, name: str, *options: str) -> str:
    """A model registered through the CLI, its code."""
    result = run(
        "register", name, "--province", "quang tri", "--field", "kinh te",
        "--sponsor", "phụ nữ", "--registered-on", "2024-03-01", *options,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _all_items() -> list[str]:
    return [part for option, value in ITEMS.values() for part in (option, value)]


def test_the_form_items_registered_are_stored_and_shown(run: Run, registry: Registry) -> None:
    code = register(run, "Đường hoa", *_all_items())
    model = registry.get(code)
    assert {name: getattr(model, name) for name in ITEMS} == {
        name: value for name, (_, value) in ITEMS.items()
    }
    shown = json.loads(run("show", code, "--format", "json").stdout)
    assert {name: shown[name] for name in ITEMS} == {n: v for n, (_, v) in ITEMS.items()}
    table = run("show", code).stdout
    for label in ("Objectives", "Content and method", "Target group and area",
                  "Expected results", "Sustaining and replicating"):  # fmt: skip
        assert label in table, label
    vietnamese = run("--lang", "vi", "show", code).stdout
    assert "Mục tiêu" in vietnamese and "Kết quả dự kiến" in vietnamese


def test_a_model_without_the_form_has_none_of_its_items(run: Run, registry: Registry) -> None:
    code = register(run, "Đường hoa")
    model = registry.get(code)
    assert all(getattr(model, name) is None for name in ITEMS)
    assert "Objectives" not in run("show", code).stdout


def test_edit_changes_one_item_clears_another_and_the_history_tells_it(
    run: Run, registry: Registry
) -> None:
    code = register(run, "Đường hoa", *_all_items())
    result = run("edit", code, "--objectives", "Mục tiêu mới", "--method", "")
    assert result.exit_code == 0, result.stderr
    model = registry.get(code)
    assert (model.objectives, model.method) == ("Mục tiêu mới", None)
    assert model.sustainability == ITEMS["sustainability"][1]  # not given: kept
    last = history(registry, code)[-1]
    assert last["before"] == {
        "objectives": ITEMS["objectives"][1],
        "method": ITEMS["method"][1],
    }
    assert last["after"] == {"objectives": "Mục tiêu mới", "method": None}


def test_an_item_too_long_is_refused_naming_the_option(run: Run, db: Path) -> None:
    register(run, "Đường hoa")
    before = dump(db)
    result = run(
        "register", "Sân chơi", "--province", "quang tri", "--field", "kinh te",
        "--sponsor", "phụ nữ", "--expected-results", "x" * 4001,
    )  # fmt: skip
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--expected-results" in result.stderr and "4001" in result.stderr
    assert dump(db) == before


@pytest.mark.parametrize(
    "headers",
    [
        ("objectives", "method", "target_group", "expected_results", "sustainability"),
        (
            "Mục tiêu",
            "Nội dung, cách làm",
            "Đối tượng, địa bàn",
            "Kết quả dự kiến",
            "Duy trì, nhân rộng",
        ),
    ],
)
def test_an_import_reads_the_form_items(
    run: Run, registry: Registry, tmp_path: Path, headers: tuple[str, ...]
) -> None:
    path = tmp_path / "so.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Mã", "Tên mô hình", "Tỉnh", "Lĩnh vực", "Khối chủ trì", *headers])
        writer.writerow(
            ["QTR-2024-00001", "Đường hoa", "Quảng Trị", "Kinh tế", "Hội Phụ nữ",
             *(value for _, value in ITEMS.values())]
        )  # fmt: skip
        writer.writerow(["QTR-2024-00002", "Sân chơi", "Quảng Trị", "Kinh tế", "Hội Phụ nữ"])
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    filled, empty = registry.get("QTR-2024-00001"), registry.get("QTR-2024-00002")
    assert {n: getattr(filled, n) for n in ITEMS} == {n: v for n, (_, v) in ITEMS.items()}
    assert all(getattr(empty, n) is None for n in ITEMS)


def test_an_import_with_an_item_too_long_names_the_row_and_column(
    run: Run, db: Path, tmp_path: Path
) -> None:
    register(run, "Đường hoa")
    before = dump(db)
    path = tmp_path / "so.csv"
    path.write_text(
        "Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,Mục tiêu\n"
        "Sân chơi,Quảng Trị,Kinh tế,Hội Phụ nữ,Vui chơi\n"
        f"Bếp ăn,Quảng Trị,Kinh tế,Hội Phụ nữ,{'x' * 4001}\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "so.csv:3: column Mục tiêu:" in result.stderr
    assert dump(db) == before


def _items(registry: Registry) -> dict[str, tuple[str | None, ...]]:
    return {m.code: tuple(getattr(m, n) for n in ITEMS) for m in registry.list_models()}


@pytest.mark.parametrize("headers", ["en", "vi"])
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_imports_back_with_its_form_items_and_areas(
    run: Run, registry: Registry, tmp_path: Path, headers: str, suffix: str
) -> None:
    register(run, "Đường hoa", *_all_items(), "--area", "NTM")
    register(run, "Sân chơi", "--method", 'Có dấu phẩy, "ngoặc kép"; và chấm phẩy')
    register(run, "Bếp ăn")
    path = tmp_path / f"export.{suffix}"
    assert run("export", str(path), "--headers", headers).exit_code == 0
    fresh = Registry(str(tmp_path / "fresh.db"))
    result = CliRunner().invoke(app, ["--db", fresh.url, "import", str(path)])
    assert result.exit_code == 0, result.stderr
    assert _items(fresh) == _items(registry)
    assert {m.code: m.areas for m in fresh.list_models()} == {
        m.code: m.areas for m in registry.list_models()
    }
    filled = sum(v is not None for items in _items(fresh).values() for v in items)
    assert filled == len(ITEMS) + 1


def test_a_json_export_carries_the_items(run: Run, tmp_path: Path) -> None:
    code = register(run, "Đường hoa", "--objectives", "Sạch đẹp")
    path = tmp_path / "export.json"
    assert run("export", str(path)).exit_code == 0
    (row,) = json.loads(path.read_text(encoding="utf-8-sig"))
    assert (row["code"], row["objectives"], row["method"]) == (code, "Sạch đẹp", None)


@pytest.fixture
def stored(run: Run) -> dict[str, str]:
    return {
        "road": register(run, "Đường hoa", "--target-group", "Đồng bào Vân Kiều"),
        "kitchen": register(run, "Bếp ăn", "--method", "Nấu cơm cho học sinh bán trú"),
        "plain": register(run, "Sân chơi Vân Kiều"),
    }


@pytest.mark.parametrize(
    ("words", "keys"),
    [
        ("van kieu", {"road", "plain"}),  # in an item, or in the name, diacritics optional
        ("Vân Kiều", {"road", "plain"}),
        ("ban tru", {"kitchen"}),
        ("hoc sinh", {"kitchen"}),
        ("bep ban tru", {"kitchen"}),  # one word in the name, the others in the form
        ("duong dong bao", {"road"}),
        ("khong co", set()),
    ],
)
def test_search_reads_the_form_items_as_it_reads_the_name(
    run: Run, stored: dict[str, str], words: str, keys: set[str]
) -> None:
    listed = run("list", "--search", words, "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert {m["code"] for m in json.loads(listed.stdout)} == {stored[k] for k in keys}
    counted = json.loads(run("tally", "--search", words, "--format", "json").stdout)
    assert counted["total"]["registered"] == len(keys)


def test_search_follows_an_edited_item(run: Run, stored: dict[str, str]) -> None:
    assert run("edit", stored["kitchen"], "--method", "Bữa sáng miễn phí").exit_code == 0
    found = json.loads(run("list", "--search", "ban tru", "--format", "json").stdout)
    assert found == []
    found = json.loads(run("list", "--search", "bua sang", "--format", "json").stdout)
    assert [m["code"] for m in found] == [stored["kitchen"]]
