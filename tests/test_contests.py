"""Contests (hội thi, cuộc thi "Dân vận khéo"): added, listed, changed, removed, imported,
exported and counted by place in either boundaries, through the command line, with
what was stored checked through the library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from dandan import contests, schema
from dandan.cli import app
from dandan.registry import Registry
from dandan.writing import CONTEST_COLUMNS
from tests.conftest import REGISTER, Run, dump

#: Province codes: 44 was Quảng Bình before 2025-07-01 and is Quảng Trị now.
OLD_QUANG_BINH, OLD_QUANG_TRI, QUANG_TRI, HA_NOI = 44, 45, 44, 1


def add(run: Run, name: str, *options: str) -> int:
    result = run("contest", "add", name, *options, "--format", "json")
    assert result.exit_code == 0, result.stderr
    contest_id: int = json.loads(result.stdout)["id"]
    return contest_id


@pytest.fixture
def held(run: Run, registry: Registry) -> Registry:
    """Contests in old Quảng Bình and old Quảng Trị before the merger, and in today's
    Quảng Trị and Hà Nội after it (one in Quảng Trị without a commune, which spans two
    old provinces)."""
    add(run, "Hội thi Dân vận khéo", "--province", "Quảng Bình", "--level", "province",
        "--held-on", "2023-05-10", "--teams", "12", "--entrants", "60")  # fmt: skip
    add(run, "Hội thi cấp huyện", "--province", "quang tri", "--district", "TP. Đông Hà",
        "--commune", "Phường 1", "--level", "district", "--held-on", "2024-04-02",
        "--teams", "5")  # fmt: skip
    add(run, "Cuộc thi phường", "--province", "Quảng Trị", "--commune", "Phường Đồng Hới",
        "--level", "commune", "--held-on", "2025-09-01", "--entrants", "30")  # fmt: skip
    add(run, "Hội thi tỉnh", "--province", "Quảng Trị", "--level", "province",
        "--held-on", "2025-09-02", "--teams", "8")  # fmt: skip
    add(run, "Hội thi thủ đô", "--province", "Hà Nội", "--level", "province",
        "--held-on", "2026-01-05", "--organiser", "Ban Tuyên giáo và Dân vận Thành ủy")  # fmt: skip
    return registry


def test_add_stores_the_place_in_both_schemes(held: Registry) -> None:
    stored = {c["name"]: c for c in contests.list_contests(held)}
    assert len(stored) == 5
    old = stored["Hội thi Dân vận khéo"]
    assert (old["province_code"], old["legacy_province_code"], old["locality_scheme"]) == (
        QUANG_TRI, OLD_QUANG_BINH, "2024",
    )  # fmt: skip
    assert (old["teams"], old["entrants"], old["level"]) == (12, 60, "province")
    assert old["province_input"] == "Quảng Bình"
    district = stored["Hội thi cấp huyện"]
    assert district["legacy_province_code"] == OLD_QUANG_TRI
    assert district["legacy_district_code"] is not None
    assert district["commune_input"] == "Phường 1"
    spanning = stored["Hội thi tỉnh"]
    assert (spanning["province_code"], spanning["legacy_province_code"]) == (QUANG_TRI, None)
    assert stored["Hội thi thủ đô"]["organiser"] == "Ban Tuyên giáo và Dân vận Thành ủy"


def test_tally_by_province_in_both_boundary_views(run: Run, held: Registry) -> None:
    today = json.loads(run("contest", "tally", "--province", "--format", "json").stdout)
    assert set(today) == {"title", "rows", "total"}
    assert {r["province"]: r["contests"] for r in today["rows"]} == {"Quảng Trị": 4, "Hà Nội": 1}
    assert today["total"] == {"contests": 5, "teams": 25, "entrants": 90}

    result = run("contest", "tally", "--province", "--boundaries", "2024", "--format", "json")
    old = json.loads(result.stdout)
    by_name = {(r["province"], r["province_code"]): r["contests"] for r in old["rows"]}
    assert by_name == {
        ("Quảng Bình", OLD_QUANG_BINH): 2,  # the 2023 contest, and a ward of old Đồng Hới
        ("Quảng Trị", OLD_QUANG_TRI): 1,
        ("Hà Nội", HA_NOI): 1,
        ("not assignable", None): 1,
    }
    assert old["rows"][-1]["province"] == "not assignable"
    assert old["total"] == today["total"]
    assert old["title"] == "Contests by province (units before 2025-07-01), all time"


def test_tally_by_level_in_a_year_names_the_selection(run: Run, held: Registry) -> None:
    result = run("contest", "tally", "--by", "level", "--year", "2025", "--format", "json")
    data = json.loads(result.stdout)
    assert data["title"] == "Contests by level, in 2025"
    assert [(r["level"], r["contests"]) for r in data["rows"]] == [("commune", 1), ("province", 1)]
    ended = run("contest", "tally", "--by", "year", "--by-end-of", "2024", "--format", "json")
    rows = json.loads(ended.stdout)["rows"]
    assert [(r["year"], r["contests"], r["teams"]) for r in rows] == [(2023, 1, 12), (2024, 1, 5)]
    districts = run("contest", "tally", "--by", "district", "--boundaries", "2024", "-f", "csv")
    assert districts.exit_code == 0, districts.stderr
    assert "Thành phố Đông Hà" in districts.stdout


def test_tally_in_vietnamese_and_refused_groups(run: Run, held: Registry) -> None:
    shown = run("--lang", "vi", "contest", "tally", "--province", "--year", "2024")
    assert "Hội thi theo tỉnh, trong năm 2024" in shown.stdout
    refused = run("contest", "tally", "--by", "field")
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and "--by" in refused.stderr
    districts = run("contest", "tally", "--by", "district")
    assert districts.exit_code == 2 and "--boundaries 2024" in districts.stderr


@pytest.mark.parametrize(
    ("options", "option", "words"),
    [
        (["--province", "Atlantis", "--level", "province", "--held-on", "2024-01-02"],
         "--province", "Atlantis"),
        (["--province", "Quảng Trị", "--level", "district", "--held-on", "2026-01-10"],
         "--level", "districts were abolished"),
        (["--province", "Quảng Trị", "--level", "province", "--held-on", "2026-01-10",
          "--teams", "-3"], "--teams", "negative"),
        (["--province", "Quảng Trị", "--level", "province", "--held-on", "2024-02-30"],
         "--held-on", "no such day"),
        (["--province", "Quảng Trị", "--level", "province", "--held-on", "10 May"],
         "--held-on", "bad date"),
        (["--province", "Quảng Trị", "--level", "province", "--held-on", "2099-01-01"],
         "--held-on", "in the future"),
        (["--province", "Quảng Trị", "--level", "hamlet", "--held-on", "2024-01-02"],
         "--level", "hamlet"),
        (["--province", "Quảng Trị", "--level", "province", "--held-on", "2024-01-02",
          "--entrants", "many"], "--entrants", "whole number"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_one_line_and_nothing_is_stored(
    run: Run, registry: Registry, db: Path, options: list[str], option: str, words: str
) -> None:
    before = dump(db)
    result = run("contest", "add", "Hội thi", *options)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {option}:") and words in result.stderr
    assert contests.list_contests(registry) == []
    assert dump(db) == before


def test_a_district_contest_after_the_merger_is_refused_in_vietnamese(
    run: Run, registry: Registry
) -> None:
    result = run(
        "--lang", "vi", "contest", "add", "Hội thi", "--province", "Quảng Trị",
        "--level", "huyện", "--held-on", "2026-01-10",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "lỗi: --level: hội thi cấp huyện chỉ đến hết 30/06/2025: cấp huyện đã kết thúc "
        "hoạt động từ 01/07/2025; hãy dùng cấp xã hoặc cấp tỉnh\n"
    )
    assert contests.list_contests(registry) == []


def test_show_list_edit_and_remove(run: Run, held: Registry) -> None:
    first = contests.list_contests(held)[0]
    shown = json.loads(run("contest", "show", str(first["id"]), "--format", "json").stdout)
    assert (shown["name"], shown["province"], shown["held_on"]) == (
        "Hội thi Dân vận khéo", "Quảng Trị", "2023-05-10",
    )  # fmt: skip
    listed = json.loads(run("contest", "list", "--format", "json").stdout)
    assert [c["held_on"] for c in listed] == sorted(c["held_on"] for c in listed)
    edited = run("contest", "edit", str(first["id"]), "--teams", "14", "--format", "json")
    assert edited.exit_code == 0, edited.stderr
    assert contests.get(held, first["id"])["teams"] == 14
    # The whole record is checked as it will be: a 2023 district contest is fine, a 2026 one not.
    spanning = next(c for c in contests.list_contests(held) if c["name"] == "Hội thi tỉnh")
    refused = run("contest", "edit", str(spanning["id"]), "--level", "district")
    assert refused.exit_code == 1 and "--level" in refused.stderr
    assert contests.get(held, spanning["id"])["level"] == "province"
    moved = run("contest", "edit", str(spanning["id"]), "--commune", "Phường Đồng Hới")
    assert moved.exit_code == 0, moved.stderr
    assert contests.get(held, spanning["id"])["legacy_province_code"] == OLD_QUANG_BINH

    missing = run("contest", "remove", str(first["id"]))
    assert missing.exit_code == 1 and "--reason" in missing.stderr
    removed = run("contest", "remove", str(first["id"]), "--reason", "ghi trùng")
    assert removed.exit_code == 0, removed.stderr
    assert first["id"] not in {c["id"] for c in contests.list_contests(held)}
    gone = run("contest", "show", str(first["id"]))
    assert gone.exit_code == 1 and "contest list" in gone.stderr


def test_every_change_is_an_audit_event(run: Run, held: Registry, db: Path) -> None:
    first = contests.list_contests(held)[0]
    run("contest", "edit", str(first["id"]), "--entrants", "61")
    run("contest", "remove", str(first["id"]), "--reason", "ghi trùng")
    engine = create_engine(f"sqlite:///{db}" if isinstance(db, Path) else db)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT command, model_code, before, after FROM events ORDER BY id")
        ).all()
    engine.dispose()
    assert [r[0] for r in rows] == ["contest-add"] * 5 + ["contest-edit", "contest-remove"]
    assert all(r[1] is None for r in rows)
    added = json.loads(rows[0][3])
    assert added["contest"] == first["id"] and added["name"] == "Hội thi Dân vận khéo"
    assert (json.loads(rows[5][2]), json.loads(rows[5][3])) == (
        {"entrants": 60}, {"contest": first["id"], "entrants": 61},
    )  # fmt: skip
    before, after = json.loads(rows[6][2]), json.loads(rows[6][3])
    assert before["contest"] == first["id"] and before["teams"] == 12
    assert after == {"reason": "ghi trùng"}
    log = json.loads(run("log", "--format", "json").stdout)
    assert {e["command"] for e in log} == {"contest-add", "contest-edit", "contest-remove"}
    said = {e["changes"] for e in log}
    assert f"contest {first['id']} recorded: Hội thi Dân vận khéo (Quảng Trị, 2023-05-10)" in said
    assert f"contest {first['id']} removed: Hội thi Dân vận khéo; reason: ghi trùng" in said


def _stored(registry: Registry) -> list[dict[str, Any]]:
    kept = [k for k in CONTEST_COLUMNS if k not in ("province_input", "commune_input",
                                                             "district_input")]  # fmt: skip
    return [{k: c[k] for k in kept} for c in contests.list_contests(registry)]


@pytest.mark.parametrize("headers", ["en", "vi"])
def test_export_then_import_into_a_fresh_registry_gives_the_same_contests(
    run: Run, held: Registry, tmp_path: Path, headers: str
) -> None:
    exported = tmp_path / "contests.csv"
    result = run("contest", "export", str(exported), "--headers", headers)
    assert result.exit_code == 0, result.stderr
    if headers == "vi":
        assert exported.read_text(encoding="utf-8").startswith("Tên hội thi,Tỉnh,Huyện,Xã,Cấp")
    fresh = tmp_path / "fresh.db"
    imported = CliRunner().invoke(app, ["--db", str(fresh), "contest", "import", str(exported)])
    assert imported.exit_code == 0, imported.stderr
    assert "imported 5 contests" in imported.stderr
    assert _stored(Registry(str(fresh))) == _stored(held)


def test_an_office_sheet_with_vietnamese_headers_imports(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Danh sách hội thi Dân vận khéo năm 2024"])
    sheet.append(["Tên hội thi", "Tỉnh", "Xã", "Cấp", "Ngày tổ chức", "Đơn vị tổ chức",
                  "Số đội", "Số thí sinh"])  # fmt: skip
    sheet.append(["Hội thi A", "Quảng Bình", "", "tỉnh", "10/05/2024", "Ban Dân vận", 7, 35])
    sheet.append(["Hội thi B", "Hà Nội", "", "xã", "2024-06-01", "", None, 12.0])
    path = tmp_path / "hoi-thi.xlsx"
    book.save(path)
    result = run("contest", "import", str(path))
    assert result.exit_code == 0, result.stderr
    stored = {c["name"]: c for c in contests.list_contests(registry)}
    assert (stored["Hội thi A"]["legacy_province_code"], stored["Hội thi A"]["teams"]) == (
        OLD_QUANG_BINH, 7,
    )  # fmt: skip
    assert (stored["Hội thi B"]["level"], stored["Hội thi B"]["entrants"]) == ("commune", 12)


def test_a_bad_row_names_row_and_column_and_nothing_is_imported(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "contests.csv"
    path.write_text(
        "Tên hội thi,Tỉnh,Cấp,Ngày tổ chức,Số đội\n"
        "Hội thi A,Quảng Trị,tỉnh,2024-05-10,3\n"
        "Hội thi B,Quảng Trị,tỉnh,2024-05-11,-2\n",
        encoding="utf-8",
    )
    result = run("contest", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "row 3, column Số đội" in result.stderr and "nothing was imported" in result.stderr
    assert contests.list_contests(registry) == []
    missing = tmp_path / "missing.csv"
    missing.write_text("Tên hội thi,Tỉnh\nHội thi A,Quảng Trị\n", encoding="utf-8")
    refused = run("contest", "import", str(missing))
    assert refused.exit_code == 1 and "level, held_on" in refused.stderr


@pytest.mark.parametrize(
    "command", ["add", "list", "show", "edit", "remove", "import", "export", "tally"]
)
def test_every_contest_command_has_help_in_both_languages(run: Run, command: str) -> None:
    english = run("contest", command, "--help")
    vietnamese = run("--lang", "vi", "contest", command, "--help")
    assert english.exit_code == vietnamese.exit_code == 0
    assert english.stdout != vietnamese.stdout
    assert "Cách dùng" in vietnamese.stdout


# -- registries made before contests: migration 0010 ---------------------------------------


def _registry_of_revision_0007(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", "dandan:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
        assert "contests" not in inspect(conn).get_table_names()
    engine.dispose()


def _check_upgraded(url: str) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"from schema 0007 to {schema.HEAD}" in upgraded.stderr
    registered = runner.invoke(app, ["--db", url, *REGISTER])
    assert registered.exit_code == 0, registered.stderr
    added = runner.invoke(
        app,
        ["--db", url, "contest", "add", "Hội thi", "--province", "Quảng Bình", "--level",
         "province", "--held-on", "2024-03-01", "--teams", "4"],
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM contests")).scalar_one() == 1
    engine.dispose()
    registry = Registry(url)
    assert [c["legacy_province_code"] for c in contests.list_contests(registry)] == [44]
    check = runner.invoke(app, ["--db", url, "db", "check"])
    assert check.exit_code == 0, check.stdout + check.stderr


def test_a_registry_of_revision_0007_gets_contests(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    _registry_of_revision_0007(url)
    assert schema.HEAD == "0010"
    _check_upgraded(url)


@pytest.mark.postgres
def test_a_postgresql_registry_of_revision_0007_gets_contests(pg_url: str) -> None:
    _registry_of_revision_0007(pg_url)
    _check_upgraded(pg_url)


@pytest.mark.sqlite_only
def test_db_copy_carries_the_contests(run: Run, held: Registry, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    result = run("db", "copy", "--to", str(copy), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["contests"] == 5
    assert _stored(Registry(str(copy))) == _stored(held)


def test_add_prints_the_id_alone_for_scripts(run: Run) -> None:
    """As `register` prints the code: `id=$(dandan contest add …)` works."""
    result = run(
        "contest", "add", "Hội thi", "--province", "Quảng Trị", "--level", "province",
        "--held-on", "2024-05-02",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "1\n"
    assert result.stderr == "contest 1 recorded\n"
