"""Models and exemplars: the kind of what is registered (mô hình or điển hình), on every
path a model takes: register, edit, import, export, list, tally, the audit trail, and
registries made before the column existed (migration 0007)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
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


def test_an_exemplar_registered_is_shown_as_one(run: Run, registry: Registry) -> None:
    result = run(*REGISTER, "--kind", "exemplar")
    assert result.exit_code == 0, result.stderr
    code = result.stdout.strip()
    shown = run("show", code, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["kind"] == "exemplar"
    assert registry.get(code).kind == "exemplar"
    # People read the label, in their language.
    assert "Exemplar" in run("show", code).stdout
    vietnamese = run("--lang", "vi", "show", code).stdout
    assert "Loại" in vietnamese and "Điển hình" in vietnamese


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (None, "model"),
        ("model", "model"),
        ("mô hình", "model"),
        ("Mo hinh", "model"),
        ("exemplar", "exemplar"),
        ("điển hình", "exemplar"),
        ("dien hinh", "exemplar"),
        ("ĐIỂN HÌNH", "exemplar"),
        (unicodedata.normalize("NFD", "Điển hình"), "exemplar"),  # as some keyboards type it
    ],
)
def test_kind_is_accepted_in_any_spelling_and_is_a_model_by_default(
    run: Run, registry: Registry, given: str | None, stored: str
) -> None:
    options = ("--kind", given) if given is not None else ()
    code = register(run, "Đường hoa", *options)
    assert registry.get(code).kind == stored


@pytest.mark.parametrize("bad", ["nhân rộng", "exemplars!", "mô"])
def test_an_unknown_kind_is_refused_in_one_line_and_nothing_is_stored(
    run: Run, db: Path, bad: str
) -> None:
    register(run, "Đường hoa")
    before = dump(db)
    result = run(*REGISTER, "--kind", bad)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "--kind" in lines[0] and "Điển hình (exemplar)" in lines[0]
    assert dump(db) == before


def test_an_unknown_kind_is_refused_in_vietnamese_too(run: Run) -> None:
    result = run("--lang", "vi", *REGISTER, "--kind", "nhân rộng")
    assert result.exit_code == 1
    assert "loại 'nhân rộng' không hợp lệ" in result.stderr


def test_an_edit_changes_the_kind_and_the_history_tells_it(
    run: Run, db: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = register(run, "Đường hoa")
    result = run("edit", code, "--kind", "điển hình", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "exemplar"
    assert registry.get(code).kind == "exemplar"
    registered, edited = history(registry, code)
    assert registered["after"]["kind"] == "model"
    assert (edited["command"], edited["before"], edited["after"]) == (
        "edit", {"kind": "model"}, {"kind": "exemplar"},
    )  # fmt: skip
    monkeypatch.setenv("COLUMNS", "400")
    assert "kind: model → exemplar" in run("history", code).stdout
    assert "Loại: Mô hình → Điển hình" in run("--lang", "vi", "history", code).stdout
    # The same kind again changes nothing, and records nothing; a bad one is refused.
    assert run("edit", code, "--kind", "exemplar").exit_code == 0
    before = dump(db)
    refused = run("edit", code, "--kind", "nhân rộng")
    assert refused.exit_code == 1 and "--kind" in refused.stderr
    assert dump(db) == before
    assert len(history(registry, code)) == 2


@pytest.mark.parametrize("header", ["Loại", "Mô hình/Điển hình", "Loại mô hình", "kind"])
def test_an_import_reads_the_kind_column(
    run: Run, registry: Registry, tmp_path: Path, header: str
) -> None:
    path = tmp_path / "so.csv"
    path.write_text(
        f"Mã,Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,{header},Ngày đăng ký\n"
        "QTR-2024-00001,Đường hoa,Quảng Trị,Kinh tế,Hội Phụ nữ,Mô hình,01/03/2024\n"
        "QTR-2024-00002,Bà Nguyễn Thị Lan,Quảng Trị,Kinh tế,Hội Phụ nữ,điển hình,02/03/2024\n"
        "QTR-2024-00003,Sân chơi,Quảng Trị,Kinh tế,Hội Phụ nữ,,03/03/2024\n"
        "QTR-2024-00004,Ông Lê Văn Hùng,Quảng Trị,Kinh tế,Hội Phụ nữ,Dien hinh,04/03/2024\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    kinds = {code: registry.get(code).kind for code in (f"QTR-2024-0000{i}" for i in range(1, 5))}
    assert kinds == {
        "QTR-2024-00001": "model", "QTR-2024-00002": "exemplar",
        "QTR-2024-00003": "model", "QTR-2024-00004": "exemplar",
    }  # fmt: skip


def test_an_import_with_an_unknown_kind_names_the_row_and_stores_nothing(
    run: Run, db: Path, tmp_path: Path
) -> None:
    register(run, "Đường hoa")
    before = dump(db)
    path = tmp_path / "so.csv"
    path.write_text(
        "Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,Loại\n"
        "Sân chơi,Quảng Trị,Kinh tế,Hội Phụ nữ,mô hình\n"
        "Bếp ăn,Quảng Trị,Kinh tế,Hội Phụ nữ,nhân rộng\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "so.csv:3: column Loại: unknown kind 'nhân rộng'" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def test_an_office_alias_names_a_kind(run: Run, registry: Registry, tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("column,alias,value\nLoại,nêu gương,điển hình\n", encoding="utf-8")
    path = tmp_path / "so.csv"
    path.write_text(
        "Mã,Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,Loại\n"
        "QTR-2024-00001,Bà Nguyễn Thị Lan,Quảng Trị,Kinh tế,Hội Phụ nữ,Nêu gương\n",
        encoding="utf-8",
    )
    result = run("import", str(path), "--aliases", str(aliases))
    assert result.exit_code == 0, result.stderr
    assert registry.get("QTR-2024-00001").kind == "exemplar"


def _kinds(registry: Registry) -> dict[str, str]:
    return {m.code: m.kind for m in registry.list_models()}


@pytest.mark.parametrize("headers", ["en", "vi"])
def test_an_export_imports_back_with_its_kinds(
    run: Run, registry: Registry, tmp_path: Path, headers: str
) -> None:
    register(run, "Đường hoa")
    register(run, "Bà Nguyễn Thị Lan", "--kind", "exemplar", "--holder", "cá nhân")
    path = tmp_path / "export.csv"
    assert run("export", str(path), "--headers", headers).exit_code == 0
    exported = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    column, exemplar = ("kind", "exemplar") if headers == "en" else ("Loại", "Điển hình")
    assert sorted(row[column] for row in exported) == sorted(
        [exemplar, "model" if headers == "en" else "Mô hình"]
    )
    fresh = Registry(str(tmp_path / "fresh.db"))
    result = CliRunner().invoke(app, ["--db", fresh.url, "import", str(path)])
    assert result.exit_code == 0, result.stderr
    assert _kinds(fresh) == _kinds(registry)
    assert sorted(_kinds(fresh).values()) == ["exemplar", "model"]


def test_a_json_export_carries_the_kind(run: Run, tmp_path: Path) -> None:
    code = register(run, "Bà Nguyễn Thị Lan", "--kind", "exemplar")
    path = tmp_path / "export.json"
    assert run("export", str(path)).exit_code == 0
    (row,) = json.loads(path.read_text(encoding="utf-8-sig"))
    assert (row["code"], row["kind"]) == (code, "exemplar")


@pytest.fixture
def stored(run: Run) -> dict[str, list[str]]:
    """Three models and two exemplars, one of them in Hà Nội; one model recognised."""
    models = [register(run, f"Mô hình {i}") for i in range(3)]
    exemplars = [
        register(run, "Bà Nguyễn Thị Lan", "--kind", "điển hình"),
        register(run, "Ông Lê Văn Hùng", "--kind", "exemplar", province="ha noi"),
    ]
    assert run("recognize", models[0], "--year", "2024", "--level", "tỉnh").exit_code == 0
    return {"model": models, "exemplar": exemplars}


def test_list_keeps_the_kind_asked_for(run: Run, stored: dict[str, list[str]]) -> None:
    for asked, kind in (("exemplar", "exemplar"), ("dien hinh", "exemplar"), ("mô hình", "model")):
        listed = run("list", "--kind", asked, "--format", "json")
        assert listed.exit_code == 0, listed.stderr
        assert sorted(m["code"] for m in json.loads(listed.stdout)) == sorted(stored[kind])
    both = run("list", "--kind", "model", "--kind", "exemplar", "--format", "json")
    assert len(json.loads(both.stdout)) == 5


def test_a_tally_by_kind_has_a_row_per_kind(run: Run, stored: dict[str, list[str]]) -> None:
    result = run("tally", "--by", "kind", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "title": "Models by kind, all time",
        "rows": [
            {"kind": "model", "registered": 3, "recognized": 1},
            {"kind": "exemplar", "registered": 2, "recognized": 0},
        ],
        "total": {"registered": 5, "recognized": 1},
    }
    by_place = json.loads(run("tally", "--province", "--by", "kind", "--format", "json").stdout)
    assert {(r["province_code"], r["kind"]): r["registered"] for r in by_place["rows"]} == {
        (44, "model"): 3, (44, "exemplar"): 1, (1, "exemplar"): 1,
    }  # fmt: skip
    # In Vietnamese, a table names the kinds; the Vietnamese dimension name is accepted.
    table = run("--lang", "vi", "tally", "--by", "loại").stdout
    assert "Loại" in table and "Mô hình" in table and "Điển hình" in table


def test_a_tally_filtered_by_kind_counts_that_kind_and_says_so(
    run: Run, stored: dict[str, list[str]]
) -> None:
    result = run("tally", "--kind", "exemplar", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] == {"registered": 2, "recognized": 0}
    assert "(kind: Exemplar)" in run("tally", "--kind", "exemplar").stdout
    assert "(loại: Điển hình)" in run("--lang", "vi", "tally", "--kind", "dien hinh").stdout
    stats = json.loads(run("stats", "--kind", "model", "--format", "json").stdout)
    assert (stats["registered"], stats["recognized"]) == (3, 1)
    exported = run("export", "-", "--kind", "exemplar")
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert sorted(r["code"] for r in rows) == sorted(stored["exemplar"])


@pytest.mark.parametrize("command", ["tally", "list", "stats"])
def test_an_unknown_kind_filter_is_refused_in_one_line(run: Run, command: str) -> None:
    register(run, "Đường hoa")
    result = run(command, "--kind", "nhân rộng")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--kind" in result.stderr and "unknown kind 'nhân rộng'" in result.stderr


# -- registries made before the kind: migration 0007 -----------------------------------


def _registry_of_revision_0006(url: str) -> int:
    """A registry at the revision before the kind, holding 0.1.0's records; how many models."""
    models = registry_at(url, "0006")
    assert "kind" not in tables_and_columns(url)[1]
    return models


def _check_upgraded(url: str, models: int) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"from schema 0006 to {schema.HEAD}" in upgraded.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        kinds = conn.execute(text("SELECT kind, count(*) FROM models GROUP BY kind")).all()
    engine.dispose()
    assert [tuple(k) for k in kinds] == [("model", models)]
    counted = runner.invoke(app, ["--db", url, "tally", "--by", "kind", "--format", "json"])
    assert counted.exit_code == 0, counted.stderr
    total = runner.invoke(app, ["--db", url, "tally", "--format", "json"])
    (row,) = json.loads(counted.stdout)["rows"]
    assert row == {"kind": "model", **json.loads(total.stdout)["total"]}
    # The column takes new values: an exemplar registered, an old model edited into one.
    exemplar = ["register", "Bà Nguyễn Thị Lan", *REGISTER[2:], "--kind", "exemplar"]
    added = runner.invoke(app, ["--db", url, *exemplar])
    assert added.exit_code == 0, added.stderr
    edited = runner.invoke(app, ["--db", url, "edit", "QTR-2023-00001", "--kind", "điển hình"])
    assert edited.exit_code == 0, edited.stderr
    registry = Registry(url)
    assert registry.get(added.stdout.strip()).kind == "exemplar"
    assert registry.get("QTR-2023-00001").kind == "exemplar"
    check = runner.invoke(app, ["--db", url, "db", "check"])
    assert check.exit_code == 0, check.stdout + check.stderr


@pytest.mark.sqlite_only
def test_a_registry_of_the_previous_schema_upgrades_to_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    models = _registry_of_revision_0006(url)
    assert models == 197
    _check_upgraded(url, models)


@pytest.mark.postgres
def test_a_registry_of_the_previous_schema_upgrades_to_models_on_postgresql(
    pg_url: str,
) -> None:
    models = _registry_of_revision_0006(pg_url)
    assert models == 197
    _check_upgraded(pg_url, models)
