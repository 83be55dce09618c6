"""The registry's commands on PostgreSQL: the same behaviour as on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dandan.cli import app
from dandan.registry import Registry

pytestmark = pytest.mark.postgres
SEED = Path(__file__).resolve().parent.parent / "data" / "seed_models.csv"


def test_register_recognize_show_list_on_postgresql(pg_url: str) -> None:
    cli = CliRunner()

    def run(*args: str) -> str:
        result = cli.invoke(app, ["--db", pg_url, *args])
        assert result.exit_code == 0, result.stderr
        return result.stdout

    code = run("register", "Tổ tự quản đường làng", "--province", "quang tri", "--commune",
               "dong ha", "--field", "kinh te", "--sponsor", "Hội Nông dân",
               "--registered-on", "2023-03-01").strip()  # fmt: skip
    run("recognize", code, "--year", "2023", "--level", "tỉnh", "--decided-on", "2023-06-01")
    shown = json.loads(run("show", code, "--format", "json"))
    assert (shown["province_code"], shown["status"]) == (44, "recognized")
    assert [r["code"] for r in json.loads(run("list", "--search", "duong lang", "-f", "json"))] == [
        code
    ]
    refused = cli.invoke(
        app, ["--db", pg_url, "recognize", code, "--year", "2022", "--level", "xa"]
    )
    assert refused.exit_code == 1
    assert len(Registry(pg_url).get(code).recognitions) == 1


def test_import_is_atomic_and_idempotent_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    cli = CliRunner()
    first = cli.invoke(app, ["--db", pg_url, "import", str(SEED), "--format", "json"])
    assert first.exit_code == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["inserted"] > 2000 and summary["invalid"] == 0
    again = cli.invoke(app, ["--db", pg_url, "import", str(SEED), "--format", "json"])
    assert json.loads(again.stdout)["skipped"] == summary["inserted"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,province,field,sponsor\nMô hình,Atlantis,kt,phụ nữ\n", encoding="utf-8")
    count = Registry(pg_url).count()
    refused = cli.invoke(app, ["--db", pg_url, "import", str(bad)])
    assert refused.exit_code == 1
    assert Registry(pg_url).count() == count
    tally = cli.invoke(
        app, ["--db", pg_url, "tally", "--in", "Quảng Trị", "--by-end-of", "2023", "-f", "json"]
    )
    assert json.loads(tally.stdout)["total"]["recognized"] == 555


def test_bulk_writes_stay_linear_on_postgresql(pg_url: str) -> None:
    """Two causes of an import that slowed down as it went: a trigger that recounted a
    model's recognitions on every insert, and statements kept prepared with a plan made
    while the table was empty (a lookup by code became a full scan)."""
    registry = Registry(pg_url)
    with registry.open(create=True).connect() as conn:
        source = conn.exec_driver_sql(
            "SELECT prosrc FROM pg_proc WHERE proname = 'dandan_first_recognized'"
        ).scalar_one()
        assert "IF TG_OP = 'INSERT'" in source
        assert conn.connection.driver_connection.prepare_threshold is None  # type: ignore[union-attr]
    registry.close()
