"""Yearly reviews (rà soát, đánh giá): `dandan review CODE --year --result [--note]`, one
per model and year (a second corrects the first, the audit trail keeps both), shown,
exported and imported (the latest review's columns), counted by `tally --reviewed YEAR`,
and registries made before the table (migration 0009)."""

from __future__ import annotations

import csv
import io
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


def register(
    run: Run, name: str, *options: str, province: str = "quang tri", on: str = "2023-03-01"
) -> str:
    result = run(
        "register", name, "--province", province, "--field", "kinh te",
        "--sponsor", "phụ nữ", "--registered-on", on, *options,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def review(run: Run, code: str, year: str, result: str, *options: str) -> None:
    done = run("review", code, "--year", year, "--result", result, *options)
    assert done.exit_code == 0, done.stderr


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("effective", "effective"),
        ("hiệu quả", "effective"),
        ("hieu qua", "effective"),
        ("weak", "weak"),
        ("yếu", "weak"),
        ("yeu", "weak"),
        ("stopped", "stopped"),
        ("dừng", "stopped"),
        ("DUNG", "stopped"),
    ],
)
def test_a_review_is_stored_in_any_spelling(
    run: Run, registry: Registry, given: str, stored: str
) -> None:
    code = register(run, "Đường hoa")
    review(run, code, "2024", given, "--note", "đã rà soát")
    assert [v.as_dict() for v in registry.get(code).reviews] == [
        {"year": 2024, "result": stored, "note": "đã rà soát"}
    ]


def test_show_lists_the_reviews_in_json_and_in_either_language(
    run: Run, registry: Registry
) -> None:
    code = register(run, "Đường hoa")
    review(run, code, "2024", "weak")
    review(run, code, "2023", "effective")
    shown = run("show", code, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["reviews"] == [
        {"year": 2023, "result": "effective", "note": None},
        {"year": 2024, "result": "weak", "note": None},
    ]
    assert "Effective" in run("show", code).stdout
    vietnamese = run("--lang", "vi", "show", code).stdout
    assert "Hiệu quả" in vietnamese and "Yếu" in vietnamese


def test_a_second_review_of_a_year_corrects_the_first_and_the_trail_keeps_both(
    run: Run, registry: Registry
) -> None:
    code = register(run, "Đường hoa")
    review(run, code, "2024", "weak", "--note", "cần củng cố")
    review(run, code, "2024", "dừng")
    assert [v.as_dict() for v in registry.get(code).reviews] == [
        {"year": 2024, "result": "stopped", "note": None}
    ]
    first, second = [e for e in history(registry, code) if e["command"] == "review"]
    assert first["before"] is None
    assert first["after"] == {"review": {"year": 2024, "result": "weak", "note": "cần củng cố"}}
    assert second["before"] == first["after"]
    assert second["after"] == {"review": {"year": 2024, "result": "stopped", "note": None}}
    assert "review of 2024 corrected: Weak → Stopped" in run("history", code).stdout
    # The same review again changes nothing and records nothing.
    again = run("review", code, "--year", "2024", "--result", "stopped")
    assert again.exit_code == 0 and "nothing changed" in again.stderr
    assert len([e for e in history(registry, code) if e["command"] == "review"]) == 2


@pytest.mark.parametrize(
    ("options", "named", "code"),
    [
        (("--year", "2024", "--result", "tốt lắm"), "--result", 1),
        (("--year", "2022", "--result", "weak"), "--year", 1),  # before the registration
        (("--year", "2099", "--result", "weak"), "--year", 1),  # in the future
        (("--year", "2024",), "--result", 2),  # missing
    ],
)  # fmt: skip
def test_a_bad_review_is_refused_in_one_line_and_nothing_is_stored(
    run: Run, db: Path, options: tuple[str, ...], named: str, code: int
) -> None:
    model = register(run, "Đường hoa")
    before = dump(db)
    result = run("review", model, *options)
    assert result.exit_code == code, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert named in result.stderr and "Traceback" not in result.stderr
    assert dump(db) == before


def test_a_refusal_in_vietnamese(run: Run) -> None:
    code = register(run, "Đường hoa")
    result = run("--lang", "vi", "review", code, "--year", "2022", "--result", "yếu")
    assert result.exit_code == 1
    assert "năm rà soát 2022 trước ngày đăng ký" in result.stderr


@pytest.fixture
def reviewed(run: Run) -> dict[str, str]:
    """Six models: in Quảng Trị one effective and one weak in 2024, one not reviewed,
    one withdrawn in 2024 (not reviewed), one registered in 2025; in Hà Nội one stopped."""
    codes = {
        "effective": register(run, "Đường hoa"),
        "weak": register(run, "Ngõ sạch"),
        "none": register(run, "Cầu dân sinh"),
        "withdrawn": register(run, "Quỹ khuyến học"),
        "later": register(run, "Bếp ăn", on="2025-02-01"),
        "stopped": register(run, "Phố văn minh", province="ha noi"),
    }
    review(run, codes["effective"], "2024", "hiệu quả")
    review(run, codes["effective"], "2023", "yếu")  # another year: not counted in 2024
    review(run, codes["weak"], "2024", "yếu")
    review(run, codes["stopped"], "2024", "dừng")
    withdrawn = run("withdraw", codes["withdrawn"], "--on", "2024-06-01", "--reason", "giải thể")
    assert withdrawn.exit_code == 0, withdrawn.stderr
    return codes


def test_a_tally_of_a_year_counts_per_result_and_the_models_not_reviewed(
    run: Run, reviewed: dict[str, str]
) -> None:
    result = run("tally", "--reviewed", "2024", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] == {
        "effective": 1, "weak": 1, "stopped": 1, "not_reviewed": 1,
    }  # fmt: skip
    by_place = run("tally", "--reviewed", "2024", "--province", "--format", "json")
    rows = {r["province_code"]: r for r in json.loads(by_place.stdout)["rows"]}
    assert {k: (r["effective"], r["weak"], r["stopped"], r["not_reviewed"]) for k, r in
            rows.items()} == {44: (1, 1, 0, 1), 1: (0, 0, 1, 0)}  # fmt: skip
    # In 2025 nobody is reviewed: every model registered by then and not withdrawn.
    later = json.loads(run("tally", "--reviewed", "2025", "--format", "json").stdout)
    assert later["total"] == {"effective": 0, "weak": 0, "stopped": 0, "not_reviewed": 5}
    assert "Chưa rà soát" in run("--lang", "vi", "tally", "--reviewed", "2024").stdout
    csv_out = run("tally", "--reviewed", "2024", "--province", "--format", "csv").stdout
    assert csv_out.splitlines()[0].endswith("effective,weak,stopped,not_reviewed")


@pytest.mark.parametrize(
    "options",
    [("--year", "2024"), ("--count", "recognitions"), ("--by", "level"), ("--across", "year")],
)
def test_a_review_tally_with_options_it_cannot_honour_is_refused(
    run: Run, reviewed: dict[str, str], options: tuple[str, ...]
) -> None:
    result = run("tally", "--reviewed", "2024", "--province", *options)
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_export_carries_the_latest_review_and_imports_it_back(
    run: Run, registry: Registry, reviewed: dict[str, str], tmp_path: Path
) -> None:
    exported = run("export", "-")
    assert exported.exit_code == 0, exported.stderr
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(exported.stdout))}
    effective = rows[reviewed["effective"]]
    assert (effective["review_year"], effective["review_result"]) == ("2024", "effective")
    assert rows[reviewed["none"]]["review_year"] == ""
    for headers in ("en", "vi"):
        path = tmp_path / f"export-{headers}.csv"
        assert run("export", str(path), "--headers", headers).exit_code == 0
        fresh = tmp_path / f"fresh-{headers}.db"
        imported = CliRunner().invoke(app, ["--db", str(fresh), "import", str(path)])
        assert imported.exit_code == 0, imported.stderr
        again = Registry(str(fresh))
        for code in reviewed.values():
            latest = registry.get(code).reviews[-1:]
            assert again.get(code).reviews == latest


def test_an_import_corrects_a_review_and_says_so_in_the_trail(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    code = register(run, "Đường hoa")
    review(run, code, "2024", "weak")
    path = tmp_path / "review.csv"
    path.write_text(
        "Mã,Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,Ngày đăng ký,Năm rà soát,Kết quả rà soát\n"
        f"{code},Đường hoa,Quảng Trị,Kinh tế,Phụ nữ,2023-03-01,2024,Hiệu quả\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert [v.result for v in registry.get(code).reviews] == ["effective"]
    event = history(registry, code)[-1]
    assert event["command"] == "import"
    assert event["before"]["reviews"] == [{"year": 2024, "result": "weak", "note": None}]
    assert event["after"]["reviews"] == [{"year": 2024, "result": "effective", "note": None}]


@pytest.mark.parametrize(
    ("cells", "column"),
    [("2024,tốt lắm", "review_result"), ("2022,yếu", "review_year"), (",yếu", "review_year")],
)
def test_an_import_with_a_bad_review_names_the_row_and_stores_nothing(
    run: Run, db: Path, tmp_path: Path, cells: str, column: str
) -> None:
    register(run, "Ngõ sạch")
    path = tmp_path / "review.csv"
    path.write_text(
        "name,province,field,sponsor,registered_on,review_year,review_result\n"
        f"Đường hoa,Quảng Trị,economy,women,2023-03-01,{cells}\n",
        encoding="utf-8",
    )
    before = dump(db)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert f"review.csv:2: column {column}:" in result.stderr
    assert dump(db) == before


def _upgraded_has_no_reviews(url: str) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reviews")).scalar_one() == 0
        models = conn.execute(
            text("SELECT count(*) FROM models WHERE registered_on <= '2024-12-31' AND "
                 "(withdrawn_on IS NULL OR withdrawn_on > '2024-12-31')")
        ).scalar_one()  # fmt: skip
    engine.dispose()
    counted = runner.invoke(app, ["--db", url, "tally", "--reviewed", "2024", "--format", "json"])
    assert counted.exit_code == 0, counted.stderr
    assert json.loads(counted.stdout)["total"]["not_reviewed"] == models
    done = runner.invoke(
        app, ["--db", url, "review", "QTR-2023-00001", "--year", "2024", "--result", "weak"]
    )
    assert done.exit_code == 0, done.stderr
    assert [v.result for v in Registry(url).get("QTR-2023-00001").reviews] == ["weak"]


@pytest.mark.sqlite_only
def test_a_registry_of_the_previous_schema_upgrades_with_no_reviews(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    _registry_of_revision_0007(url)
    _upgraded_has_no_reviews(url)


@pytest.mark.postgres
def test_a_registry_of_the_previous_schema_upgrades_with_no_reviews_on_postgresql(
    pg_url: str,
) -> None:
    _registry_of_revision_0007(pg_url)
    _upgraded_has_no_reviews(pg_url)
