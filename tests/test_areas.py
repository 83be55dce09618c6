"""Areas of mass-mobilisation work (ethnic affairs, land clearance, …): several per model,
on every path a model takes: register, edit, import, export, show, list, tally (a model
once per area it serves, the total of distinct models apart), the audit trail, and
registries made before them (migration 0008)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from dandan import schema
from dandan.audit import history
from dandan.cli import app
from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump
from tests.old_registries import registry_at, tables_and_columns


def register(run: Run, name: str, *options: str, province: str = "quang tri") -> str:
    """A model registered through the CLI, its code."""
    result = run(
        "register", name, "--province", province, "--field", "kinh te",
        "--sponsor", "phụ nữ", "--registered-on", "2024-03-01", *options,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_a_model_registered_with_two_areas_shows_both(run: Run, registry: Registry) -> None:
    result = run(*REGISTER, "--area", "GPMB", "--area", "công tác dân tộc")
    assert result.exit_code == 0, result.stderr
    code = result.stdout.strip()
    shown = run("show", code, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["areas"] == ["ethnic_affairs", "land_clearance"]
    assert registry.get(code).areas == ("ethnic_affairs", "land_clearance")
    # People read the labels, in their language.
    table = run("show", code).stdout
    assert "Areas of work" in table and "Ethnic affairs; Land clearance" in table
    vietnamese = run("--lang", "vi", "show", code).stdout
    assert "Lĩnh vực công tác" in vietnamese and "Giải phóng mặt bằng" in vietnamese


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (["GPMB"], ("land_clearance",)),
        (["gpmb"], ("land_clearance",)),
        (["giải phóng mặt bằng"], ("land_clearance",)),
        (["dan chu co so"], ("grassroots_democracy",)),
        (["DCCS"], ("grassroots_democracy",)),
        (["NTM"], ("new_rural_areas",)),
        (["đô thị văn minh"], ("new_rural_areas",)),
        (["CĐS"], ("digital_transformation",)),
        (["chuyen doi so"], ("digital_transformation",)),
        (["dân vận chính quyền"], ("state_agencies",)),
        (["tôn giáo"], ("religious_affairs",)),
        (["religious_affairs"], ("religious_affairs",)),
        # Several in one value, and one given twice, stored once.
        (["GPMB; CĐS"], ("land_clearance", "digital_transformation")),
        (["CĐS", "chuyển đổi số", "GPMB"], ("land_clearance", "digital_transformation")),
        ([], ()),
    ],
)
def test_areas_are_accepted_in_any_spelling(
    run: Run, registry: Registry, given: list[str], stored: tuple[str, ...]
) -> None:
    options = [option for area in given for option in ("--area", area)]
    code = register(run, "Đường hoa", *options)
    assert registry.get(code).areas == stored


def test_an_unknown_area_is_refused_naming_the_option_and_nothing_is_stored(
    run: Run, db: Path
) -> None:
    register(run, "Đường hoa")
    before = dump(db)
    result = run(*REGISTER, "--area", "GPMB", "--area", "nhân rộng")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--area" in result.stderr and "unknown area of work 'nhân rộng'" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def test_edit_replaces_the_areas_and_the_history_tells_it(run: Run, registry: Registry) -> None:
    code = register(run, "Đường hoa", "--area", "GPMB", "--area", "DCCS")
    edited = run("edit", code, "--area", "CĐS")
    assert edited.exit_code == 0, edited.stderr
    assert registry.get(code).areas == ("digital_transformation",)
    last = history(registry, code)[-1]
    assert (last["command"], last["before"], last["after"]) == (
        "edit",
        {"areas": ["grassroots_democracy", "land_clearance"]},
        {"areas": ["digital_transformation"]},
    )
    # The history says it in words: identifiers in English, labels in Vietnamese.
    told = run("history", code).stdout
    assert "areas: grassroots_democracy; land_clearance → digital_transformation" in told
    told_vi = run("--lang", "vi", "history", code).stdout
    assert "Thực hiện dân chủ ở cơ sở; Giải phóng mặt bằng → Chuyển đổi số" in told_vi
    # An edit without --area keeps them.
    assert run("edit", code, "--name", "Đường hoa mới").exit_code == 0
    assert registry.get(code).areas == ("digital_transformation",)


@pytest.mark.parametrize("clear", [["--area", ""], ["--no-areas"]])
def test_edit_clears_the_areas(run: Run, registry: Registry, clear: list[str]) -> None:
    code = register(run, "Đường hoa", "--area", "GPMB")
    result = run("edit", code, *clear)
    assert result.exit_code == 0, result.stderr
    assert registry.get(code).areas == ()
    assert history(registry, code)[-1]["after"] == {"areas": []}


def test_no_areas_with_an_area_is_a_usage_error(run: Run, db: Path) -> None:
    code = register(run, "Đường hoa", "--area", "GPMB")
    before = dump(db)
    result = run("edit", code, "--no-areas", "--area", "CĐS")
    assert result.exit_code == 2
    assert "--no-areas" in result.stderr
    assert dump(db) == before


def test_the_register_event_lists_the_areas(run: Run, registry: Registry) -> None:
    code = register(run, "Đường hoa", "--area", "NTM", "--area", "dân tộc")
    (event,) = history(registry, code)
    assert event["after"]["areas"] == ["ethnic_affairs", "new_rural_areas"]


@pytest.mark.parametrize("header", ["areas", "Lĩnh vực công tác", "Nhóm đối tượng"])
def test_an_import_reads_several_areas_in_one_cell(
    run: Run, registry: Registry, tmp_path: Path, header: str
) -> None:
    path = tmp_path / "so.csv"
    path.write_text(
        f"Mã,Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,{header},Ngày đăng ký\n"
        "QTR-2024-00001,Đường hoa,Quảng Trị,Kinh tế,Hội Phụ nữ,GPMB; Chuyển đổi số,01/03/2024\n"
        "QTR-2024-00002,Sân chơi,Quảng Trị,Kinh tế,Hội Phụ nữ,,02/03/2024\n"
        "QTR-2024-00003,Bếp ăn,Quảng Trị,Kinh tế,Hội Phụ nữ,dan chu co so,03/03/2024\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    areas = {code: registry.get(code).areas for code in (f"QTR-2024-0000{i}" for i in (1, 2, 3))}
    assert areas == {
        "QTR-2024-00001": ("land_clearance", "digital_transformation"),
        "QTR-2024-00002": (),
        "QTR-2024-00003": ("grassroots_democracy",),
    }


def test_an_import_with_an_unknown_area_names_the_row_and_column_and_stores_nothing(
    run: Run, db: Path, tmp_path: Path
) -> None:
    register(run, "Đường hoa")
    before = dump(db)
    path = tmp_path / "so.csv"
    path.write_text(
        "Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,Lĩnh vực công tác\n"
        "Sân chơi,Quảng Trị,Kinh tế,Hội Phụ nữ,GPMB\n"
        "Bếp ăn,Quảng Trị,Kinh tế,Hội Phụ nữ,GPMB; xyz\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "so.csv:3: column Lĩnh vực công tác: unknown area of work 'xyz'" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def test_a_second_import_with_other_areas_replaces_the_set(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "so.csv"
    row = "QTR-2024-00001,Đường hoa,Quảng Trị,Kinh tế,Hội Phụ nữ,{areas},01/03/2024\n"
    header = "code,name,province,field,sponsor,areas,registered_on\n"
    path.write_text(header + row.format(areas="GPMB;DCCS"), encoding="utf-8")
    assert run("import", str(path)).exit_code == 0
    path.write_text(header + row.format(areas="CĐS"), encoding="utf-8")
    # The registry holds other areas: a conflict unless told to update.
    refused = run("import", str(path))
    assert refused.exit_code == 1
    assert "different areas" in refused.stderr
    assert registry.get("QTR-2024-00001").areas == ("grassroots_democracy", "land_clearance")
    updated = run("import", str(path), "--on-conflict", "update")
    assert updated.exit_code == 0, updated.stderr
    assert registry.get("QTR-2024-00001").areas == ("digital_transformation",)
    last = history(registry, "QTR-2024-00001")[-1]
    assert last["before"]["areas"] == ["grassroots_democracy", "land_clearance"]
    assert last["after"]["areas"] == ["digital_transformation"]


def _areas(registry: Registry) -> dict[str, tuple[str, ...]]:
    return {m.code: m.areas for m in registry.list_models()}


@pytest.mark.parametrize("headers", ["en", "vi"])
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_imports_back_with_its_areas(
    run: Run, registry: Registry, tmp_path: Path, headers: str, suffix: str
) -> None:
    register(run, "Đường hoa", "--area", "GPMB", "--area", "NTM")
    register(run, "Sân chơi")
    code = register(run, "Bếp ăn", "--area", "dân tộc")
    assert run("recognize", code, "--year", "2024", "--level", "tỉnh").exit_code == 0
    assert run("recognize", code, "--year", "2025", "--level", "xã").exit_code == 0
    path = tmp_path / f"export.{suffix}"
    assert run("export", str(path), "--headers", headers).exit_code == 0
    fresh = Registry(str(tmp_path / "fresh.db"))
    result = CliRunner().invoke(app, ["--db", fresh.url, "import", str(path)])
    assert result.exit_code == 0, result.stderr
    assert _areas(fresh) == _areas(registry)
    assert sorted(_areas(fresh).values()) == [
        (),
        ("ethnic_affairs",),
        ("land_clearance", "new_rural_areas"),
    ]


def test_an_export_writes_the_areas_in_one_column(run: Run, tmp_path: Path) -> None:
    register(run, "Đường hoa", "--area", "CĐS", "--area", "GPMB")
    english = list(csv.DictReader(io.StringIO(run("export", "-").stdout)))
    assert [r["areas"] for r in english] == ["land_clearance;digital_transformation"]
    vietnamese = run("export", "-", "--headers", "vi").stdout
    (row,) = csv.DictReader(io.StringIO(vietnamese))
    assert row["Lĩnh vực công tác"] == "Giải phóng mặt bằng; Chuyển đổi số"


@pytest.fixture
def stored(run: Run) -> dict[str, str]:
    """Five models: two serving land clearance (one also ethnic affairs, in Hà Nội), one
    serving digital transformation, two serving none; one of each kind recognised."""
    codes = {
        "gpmb+dt": register(run, "Mô hình 1", "--area", "GPMB", "--area", "dân tộc",
                            province="ha noi"),
        "gpmb": register(run, "Mô hình 2", "--area", "GPMB"),
        "cds": register(run, "Mô hình 3", "--area", "CĐS"),
        "none1": register(run, "Mô hình 4"),
        "none2": register(run, "Mô hình 5"),
    }  # fmt: skip
    for key in ("gpmb+dt", "none1"):
        assert run("recognize", codes[key], "--year", "2024", "--level", "tỉnh").exit_code == 0
    return codes


def test_a_tally_by_area_counts_a_model_once_per_area_and_the_total_once(
    run: Run, stored: dict[str, str]
) -> None:
    result = run("tally", "--by", "area", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {r["area"]: (r["registered"], r["recognized"]) for r in data["rows"]}
    assert rows == {
        "land_clearance": (2, 1),
        "ethnic_affairs": (1, 1),
        "digital_transformation": (1, 0),
        "none": (2, 1),
    }
    # The rows add up to 6 registered, but there are 5 models, 2 of them recognised.
    assert data["total"] == {"registered": 5, "recognized": 2}
    # The table says its total counts each model once, in either language.
    table = run("tally", "--by", "area").stdout
    assert "Total (distinct models)" in table and "no area" in table
    vietnamese = run("--lang", "vi", "tally", "--by", "lĩnh vực công tác").stdout
    assert "Tổng (số mô hình, không tính trùng)" in vietnamese
    assert "Giải phóng mặt bằng" in vietnamese and "không thuộc lĩnh vực nào" in vietnamese


def test_a_tally_by_area_and_province(run: Run, stored: dict[str, str]) -> None:
    result = run("tally", "--by", "area", "--province", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {(r["area"], r["province_code"]): r["registered"] for r in data["rows"]}
    assert rows == {
        ("land_clearance", 1): 1, ("ethnic_affairs", 1): 1, ("land_clearance", 44): 1,
        ("digital_transformation", 44): 1, ("none", 44): 2,
    }  # fmt: skip
    assert data["total"]["registered"] == 5


def test_a_tally_by_area_counting_recognitions_keeps_the_distinct_total(
    run: Run, stored: dict[str, str]
) -> None:
    result = run("tally", "--by", "area", "--count", "recognitions", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == {"registered": 5, "recognitions": 2}


@pytest.mark.parametrize(
    ("asked", "keys"),
    [
        (["GPMB"], {"gpmb+dt", "gpmb"}),
        (["GPMB", "CĐS"], {"gpmb+dt", "gpmb", "cds"}),
        (["dân tộc"], {"gpmb+dt"}),
        (["none"], {"none1", "none2"}),
        (["none", "CĐS"], {"none1", "none2", "cds"}),
        (["tôn giáo"], set()),
    ],
)
def test_the_area_filter_keeps_models_serving_any_of_those_given(
    run: Run, stored: dict[str, str], asked: list[str], keys: set[str]
) -> None:
    options = [option for area in asked for option in ("--area", area)]
    listed = run("list", *options, "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert {m["code"] for m in json.loads(listed.stdout)} == {stored[k] for k in keys}
    counted = json.loads(run("tally", *options, "--format", "json").stdout)
    assert counted["total"]["registered"] == len(keys)
    exported = list(csv.DictReader(io.StringIO(run("export", "-", *options).stdout)))
    assert {r["code"] for r in exported} == {stored[k] for k in keys}
    stats = json.loads(run("stats", *options, "--format", "json").stdout)
    assert stats["registered"] == len(keys)


def test_a_tally_filtered_by_area_says_so(run: Run, stored: dict[str, str]) -> None:
    assert "(area of work: Land clearance)" in run("tally", "--area", "GPMB").stdout


@pytest.mark.parametrize("command", ["tally", "list", "stats", "export"])
def test_an_unknown_area_filter_is_refused_in_one_line(run: Run, command: str) -> None:
    register(run, "Đường hoa")
    args = [command, "-"] if command == "export" else [command]
    result = run(*args, "--area", "nhân rộng")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--area" in result.stderr and "unknown area of work 'nhân rộng'" in result.stderr


# -- registries made before the areas: migration 0008 ----------------------------------

FORM = ("objectives", "method", "target_group", "expected_results", "sustainability")


def _registry_of_revision_0007(url: str) -> int:
    """A registry at the revision before the areas, holding 0.1.0's records; how many models."""
    models = registry_at(url, "0007")
    tables, columns = tables_and_columns(url)
    assert "model_areas" not in tables and "objectives" not in columns
    return models


def _check_upgraded(url: str, models: int) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"from schema 0007 to {schema.HEAD}" in upgraded.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        areas = conn.execute(text("SELECT count(*) FROM model_areas")).scalar_one()
        given = " OR ".join(f"{c} IS NOT NULL" for c in (*FORM, "form_folded"))
        filled = conn.execute(text(f"SELECT count(*) FROM models WHERE {given}")).scalar_one()
    engine.dispose()
    assert (areas, filled) == (0, 0)
    registry = Registry(url)
    old = registry.get("QTR-2023-00001")
    assert old.areas == () and all(getattr(old, c) is None for c in FORM)
    counted = runner.invoke(app, ["--db", url, "tally", "--by", "area", "--format", "json"])
    assert counted.exit_code == 0, counted.stderr
    total = runner.invoke(app, ["--db", url, "tally", "--format", "json"])
    (row,) = json.loads(counted.stdout)["rows"]
    assert row == {"area": "none", **json.loads(total.stdout)["total"]}
    # The table takes new rows: a model registered with areas, an old one edited.
    new = ["register", "Dân vận khéo giải phóng mặt bằng", *REGISTER[2:]]
    added = runner.invoke(app, ["--db", url, *new, "--area", "GPMB", "--objectives", "X"])
    assert added.exit_code == 0, added.stderr
    edited = runner.invoke(app, ["--db", url, "edit", "QTR-2023-00001", "--area", "CĐS"])
    assert edited.exit_code == 0, edited.stderr
    assert registry.get(added.stdout.strip()).areas == ("land_clearance",)
    assert registry.get(added.stdout.strip()).objectives == "X"
    assert registry.get("QTR-2023-00001").areas == ("digital_transformation",)
    assert len(registry.list_models()) == models + 1
    check = runner.invoke(app, ["--db", url, "db", "check"])
    assert check.exit_code == 0, check.stdout + check.stderr


@pytest.mark.sqlite_only
def test_a_registry_of_the_previous_schema_upgrades_without_areas(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    models = _registry_of_revision_0007(url)
    assert models == 197
    _check_upgraded(url, models)


@pytest.mark.postgres
def test_a_registry_of_the_previous_schema_upgrades_without_areas_on_postgresql(
    pg_url: str,
) -> None:
    models = _registry_of_revision_0007(pg_url)
    assert models == 197
    _check_upgraded(pg_url, models)
