"""Outstanding recognitions (tiêu biểu): `recognize … --outstanding`, shown, audited,
exported and imported (column `outstanding`, "Tiêu biểu"), counted by `tally --count
outstanding`, and false for the recognitions of registries made before (migration 0009)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from dandan.audit import history
from dandan.cli import app
from dandan.registry import Registry
from tests.conftest import Run, dump
from tests.test_commendations import _registry_of_revision_0007


def register(run: Run, name: str, province: str = "quang tri") -> str:
    result = run(
        "register", name, "--province", province, "--field", "kinh te",
        "--sponsor", "phụ nữ", "--registered-on", "2023-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def recognize(run: Run, code: str, *options: str) -> None:
    result = run("recognize", code, *options)
    assert result.exit_code == 0, result.stderr


def test_an_outstanding_recognition_is_stored_shown_and_audited(
    run: Run, registry: Registry
) -> None:
    code = register(run, "Đường hoa")
    result = run(
        "recognize", code, "--year", "2024", "--level", "tỉnh", "--outstanding",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["recognitions"][0]["outstanding"] is True
    (stored,) = registry.get(code).recognitions
    assert stored.outstanding is True
    event = history(registry, code)[-1]
    assert event["after"]["recognition"]["outstanding"] is True
    assert "named outstanding" in run("history", code).stdout
    assert "Tiêu biểu" in run("--lang", "vi", "show", code).stdout


def test_a_recognition_is_not_outstanding_unless_said(run: Run, registry: Registry) -> None:
    code = register(run, "Đường hoa")
    recognize(run, code, "--year", "2024", "--level", "xã")
    assert [r.outstanding for r in registry.get(code).recognitions] == [False]
    assert "outstanding" not in history(registry, code)[-1]["after"]["recognition"]


@pytest.fixture
def recognised(run: Run) -> dict[str, str]:
    """Four models: one outstanding at two levels (2023 commune, 2024 province), one
    outstanding in 2024 in Hà Nội, one recognised but not outstanding, one unrecognised."""
    codes = {
        "twice": register(run, "Đường hoa"),
        "plain": register(run, "Ngõ sạch"),
        "none": register(run, "Cầu dân sinh"),
        "hanoi": register(run, "Phố văn minh", province="ha noi"),
    }
    recognize(run, codes["twice"], "--year", "2023", "--level", "xã", "--outstanding")
    recognize(run, codes["twice"], "--year", "2024", "--level", "tỉnh", "--outstanding")
    recognize(run, codes["plain"], "--year", "2024", "--level", "xã")
    recognize(run, codes["hanoi"], "--year", "2024", "--level", "xã", "--outstanding")
    return codes


def test_a_tally_counts_models_named_outstanding(run: Run, recognised: dict[str, str]) -> None:
    result = run("tally", "--province", "--count", "outstanding", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["province_code"]: (r["registered"], r["outstanding"]) for r in
            json.loads(result.stdout)["rows"]}  # fmt: skip
    assert rows == {44: (3, 1), 1: (1, 1)}
    # In 2024 each of the two once; by the end of 2023 only the first.
    year = run("tally", "--count", "outstanding", "--year", "2024", "--format", "json")
    assert json.loads(year.stdout)["total"]["outstanding"] == 2
    by_2023 = run("tally", "--count", "outstanding", "--by-end-of", "2023", "--format", "json")
    assert json.loads(by_2023.stdout)["total"] == {"registered": 4, "outstanding": 1}
    # By level: a model once per level, the total each model once.
    levels = json.loads(
        run("tally", "--by", "level", "--count", "outstanding", "--format", "json").stdout
    )
    assert {r["level"]: r["outstanding"] for r in levels["rows"]} == {"commune": 2, "province": 1}
    assert levels["total"] == {"outstanding": 2}


@pytest.mark.parametrize("headers", ["en", "vi"])
def test_an_export_imports_back_outstanding(
    run: Run, registry: Registry, recognised: dict[str, str], tmp_path: Path, headers: str
) -> None:
    path = tmp_path / "export.csv"
    assert run("export", str(path), "--headers", headers).exit_code == 0
    fresh = tmp_path / "fresh.db"
    imported = CliRunner().invoke(app, ["--db", str(fresh), "import", str(path)])
    assert imported.exit_code == 0, imported.stderr
    again = Registry(str(fresh))
    for code in recognised.values():
        assert again.get(code).recognitions == registry.get(code).recognitions


@pytest.mark.parametrize(("cell", "want"), [("x", True), ("Có", True), ("1", True), ("", False)])
def test_an_import_reads_the_outstanding_column(
    run: Run, registry: Registry, tmp_path: Path, cell: str, want: bool
) -> None:
    path = tmp_path / "models.csv"
    path.write_text(
        "Mã,Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,Ngày đăng ký,Năm công nhận,Cấp công nhận,"
        "Tiêu biểu\n"
        f"QTR-2023-00001,Đường hoa,Quảng Trị,Kinh tế,Phụ nữ,2023-03-01,2024,Cấp xã,{cell}\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert [r.outstanding for r in registry.get("QTR-2023-00001").recognitions] == [want]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("2024,Cấp xã,maybe", "is not yes or no"),
        (",,x", "an outstanding model is one recognised"),
    ],
)
def test_a_bad_outstanding_cell_names_the_row_and_stores_nothing(
    run: Run, db: Path, tmp_path: Path, cells: str, message: str
) -> None:
    register(run, "Ngõ sạch")
    path = tmp_path / "models.csv"
    path.write_text(
        "name,province,field,sponsor,registered_on,recognition_year,recognition_level,outstanding\n"
        f"Đường hoa,Quảng Trị,economy,women,2023-03-01,{cells}\n",
        encoding="utf-8",
    )
    before = dump(db)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "models.csv:2: column outstanding:" in result.stderr and message in result.stderr
    assert dump(db) == before
    vietnamese = run("--lang", "vi", "import", str(path))
    assert vietnamese.exit_code == 1 and "cột outstanding" in vietnamese.stderr


@pytest.mark.sqlite_only
def test_recognitions_of_the_previous_schema_are_not_outstanding(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    _registry_of_revision_0007(url)
    runner = CliRunner()
    upgraded = runner.invoke(app, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = conn.execute(
            text("SELECT outstanding, count(*) FROM recognitions GROUP BY outstanding")
        ).all()
    engine.dispose()
    assert [c[0] for c in counts] == [0]  # every recognition made before: not outstanding
    counted = runner.invoke(
        app, ["--db", url, "tally", "--count", "outstanding", "--format", "json"]
    )
    assert json.loads(counted.stdout)["total"]["outstanding"] == 0
