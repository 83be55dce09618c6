"""Commendations (khen thưởng): an award from the controlled list, given in a year by a
named body, by its decision. On every path: `commend`, `show`, the audit trail, the
tally, export and import, and registries made before the table (migration 0009)."""

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

ACCEPTANCE = (
    "--year", "2024", "--award", "Bằng khen", "--by", "UBND tỉnh Quảng Trị",
    "--decision", "12/QĐ-UBND", "--decided-on", "2024-05-02",
)  # fmt: skip


def register(run: Run, name: str, *options: str, province: str = "quang tri") -> str:
    """A model registered through the CLI (on 2023-03-01), its code."""
    result = run(
        "register", name, "--province", province, "--field", "kinh te",
        "--sponsor", "phụ nữ", "--registered-on", "2023-03-01", *options,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def commend(run: Run, code: str, *options: str) -> None:
    result = run("commend", code, *options)
    assert result.exit_code == 0, result.stderr


def test_a_commendation_is_shown_and_counted(run: Run, registry: Registry) -> None:
    code = register(run, "Đường hoa")
    result = run("commend", code, *ACCEPTANCE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    shown = run("show", code, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["commendations"] == [
        {
            "year": 2024,
            "award": "certificate_of_merit",
            "by": "UBND tỉnh Quảng Trị",
            "decision": "12/QĐ-UBND",
            "decided_on": "2024-05-02",
        }
    ]
    (stored,) = registry.get(code).commendations
    assert (stored.year, stored.award, stored.by) == (
        2024,
        "certificate_of_merit",
        "UBND tỉnh Quảng Trị",
    )
    counted = run("tally", "--count", "commendations", "--format", "json")
    assert counted.exit_code == 0, counted.stderr
    assert json.loads(counted.stdout)["total"] == {"registered": 1, "commendations": 1}
    # People read the award's label, in their language.
    assert "Certificate of Merit" in run("show", code).stdout
    assert "Bằng khen" in run("--lang", "vi", "show", code).stdout


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Bằng khen", "certificate_of_merit"),
        ("bang khen", "certificate_of_merit"),
        ("certificate_of_merit", "certificate_of_merit"),
        ("Giấy khen", "certificate_of_commendation"),
        ("giay khen", "certificate_of_commendation"),
        ("biểu dương", "public_praise"),
        ("bieu duong", "public_praise"),
        ("tuyên dương", "honouring"),
        ("TUYEN DUONG", "honouring"),
    ],
)
def test_an_award_is_accepted_in_any_spelling(
    run: Run, registry: Registry, given: str, stored: str
) -> None:
    code = register(run, "Đường hoa")
    commend(run, code, "--year", "2024", "--award", given, "--by", "UBND xã")
    assert [c.award for c in registry.get(code).commendations] == [stored]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--year", "2024", "--award", "huân chương", "--by", "X"), "--award"),
        # The decision belongs to the commendation's year.
        (("--year", "2024", "--award", "Bằng khen", "--by", "X", "--decided-on", "2025-01-03"),
         "--decided-on"),
        # Not before the model's registration (2023-03-01): neither its date nor its year.
        (("--year", "2023", "--award", "Bằng khen", "--by", "X", "--decided-on", "2023-02-01"),
         "--decided-on"),
        (("--year", "2022", "--award", "Bằng khen", "--by", "X"), "--year"),
        (("--year", "2024", "--award", "Bằng khen", "--by", "X", "--decided-on", "31/02/2024"),
         "--decided-on"),
    ],
)  # fmt: skip
def test_a_bad_commendation_is_refused_in_one_line_and_nothing_is_stored(
    run: Run, db: Path, options: tuple[str, ...], named: str
) -> None:
    code = register(run, "Đường hoa")
    before = dump(db)
    result = run("commend", code, *options)
    assert result.exit_code == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert named in result.stderr and "Traceback" not in result.stderr
    assert dump(db) == before


def test_the_same_award_by_the_same_body_in_a_year_is_refused(run: Run, db: Path) -> None:
    code = register(run, "Đường hoa")
    commend(run, code, *ACCEPTANCE)
    before = dump(db)
    # The same body as another clerk writes it: case and marks aside.
    again = run(
        "commend", code, "--year", "2024", "--award", "bang khen", "--by", "ubnd tinh quang tri"
    )
    assert again.exit_code == 1
    assert len(again.stderr.strip().splitlines()) == 1
    assert "already has this commendation" in again.stderr
    assert dump(db) == before
    # Another award, another body or another year is another commendation.
    commend(run, code, "--year", "2024", "--award", "Giấy khen", "--by", "UBND tỉnh Quảng Trị")
    commend(run, code, "--year", "2024", "--award", "Bằng khen", "--by", "Ban Dân vận Tỉnh ủy")
    commend(run, code, "--year", "2025", "--award", "Bằng khen", "--by", "UBND tỉnh Quảng Trị")
    assert len(Registry(str(db)).get(code).commendations) == 4


def test_refusals_are_said_in_vietnamese(run: Run) -> None:
    code = register(run, "Đường hoa")
    commend(run, code, *ACCEPTANCE)
    result = run("--lang", "vi", "commend", code, *ACCEPTANCE)
    assert result.exit_code == 1
    assert "đã có khen thưởng này" in result.stderr and "Bằng khen" in result.stderr
    unknown = run("--lang", "vi", "commend", code, "--year", "2024", "--award", "x", "--by", "Y")
    assert unknown.exit_code == 1
    assert "không hợp lệ" in unknown.stderr


def test_an_unknown_model_and_missing_options_are_refused(run: Run) -> None:
    code = register(run, "Đường hoa")
    missing = run("commend", "QTR-2099-00001", *ACCEPTANCE)
    assert missing.exit_code == 1 and "no model with code" in missing.stderr
    for option in ("--award", "--by"):
        options = [o for o in ACCEPTANCE]
        at = options.index(option)
        del options[at : at + 2]
        result = run("commend", code, *options)
        assert result.exit_code == 2, result.stderr
        assert f"missing {option}" in result.stderr


def test_the_audit_trail_records_the_commendation(run: Run, registry: Registry) -> None:
    code = register(run, "Đường hoa")
    commend(run, code, *ACCEPTANCE)
    event = history(registry, code)[-1]
    assert event["command"] == "commend"
    assert event["after"] == {
        "commendation": {
            "year": 2024,
            "award": "certificate_of_merit",
            "by": "UBND tỉnh Quảng Trị",
            "decision": "12/QĐ-UBND",
            "decided_on": "2024-05-02",
        }
    }
    told = run("history", code).stdout
    assert "commended: certificate_of_merit (2024), by UBND tỉnh Quảng Trị" in told


@pytest.fixture
def commended(run: Run) -> dict[str, str]:
    """Three models: two in Quảng Trị (one commended twice, in 2023 and 2024), one in Hà
    Nội commended once, undated, in 2024."""
    codes = {
        "twice": register(run, "Đường hoa"),
        "none": register(run, "Ngõ sạch"),
        "hanoi": register(run, "Phố văn minh", province="ha noi"),
    }
    commend(run, codes["twice"], "--year", "2023", "--award", "giấy khen", "--by", "UBND huyện",
            "--decided-on", "2023-11-20")  # fmt: skip
    commend(run, codes["twice"], *ACCEPTANCE)
    commend(run, codes["hanoi"], "--year", "2024", "--award", "biểu dương", "--by", "MTTQ")
    return codes


def test_a_tally_counts_commendations_per_group_and_in_the_window(
    run: Run, commended: dict[str, str]
) -> None:
    by_place = run("tally", "--province", "--count", "commendations", "--format", "json")
    assert by_place.exit_code == 0, by_place.stderr
    rows = {r["province_code"]: r for r in json.loads(by_place.stdout)["rows"]}
    assert {code: (r["registered"], r["commendations"]) for code, r in rows.items()} == {
        44: (2, 2),
        1: (1, 1),
    }
    # By the end of 2023: the one of 2023-11-20 (the undated one of 2024 counts on 31 Dec).
    window = run("tally", "--count", "commendations", "--by-end-of", "2023", "--format", "json")
    assert json.loads(window.stdout)["total"] == {"registered": 3, "commendations": 1}
    in_2024 = run("tally", "--count", "commendations", "--year", "2024", "--format", "json")
    assert json.loads(in_2024.stdout)["total"]["commendations"] == 2
    by_year = run("tally", "--by", "year", "--count", "commendations", "--format", "json")
    assert {r["year"]: r["commendations"] for r in json.loads(by_year.stdout)["rows"]} == {
        2023: 1,
        2024: 2,
    }
    # A table heads the column in the reader's language.
    assert "Khen thưởng" in run("--lang", "vi", "tally", "--count", "commendations").stdout


def test_a_commendation_tally_by_level_is_refused(run: Run, commended: dict[str, str]) -> None:
    result = run("tally", "--by", "level", "--count", "commendations")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def _all(registry: Registry, codes: list[str]) -> dict[str, list[dict[str, object]]]:
    return {code: [c.as_dict() for c in registry.get(code).commendations] for code in codes}


@pytest.mark.parametrize(("headers", "suffix"), [("en", "csv"), ("vi", "csv"), ("en", "xlsx")])
def test_an_export_imports_back_with_its_commendations(
    run: Run,
    registry: Registry,
    commended: dict[str, str],
    tmp_path: Path,
    headers: str,
    suffix: str,
) -> None:
    recognised = run("recognize", commended["twice"], "--year", "2024", "--level", "tỉnh")
    assert recognised.exit_code == 0, recognised.stderr
    path = tmp_path / f"export.{suffix}"
    exported = run("export", str(path), "--headers", headers)
    assert exported.exit_code == 0, exported.stderr
    fresh = tmp_path / "fresh.db"
    runner = CliRunner()
    imported = runner.invoke(app, ["--db", str(fresh), "import", str(path)])
    assert imported.exit_code == 0, imported.stderr
    codes = list(commended.values())
    again = Registry(str(fresh))
    assert _all(again, codes) == _all(registry, codes)
    assert [r.as_dict() for r in again.get(commended["twice"]).recognitions] == [
        r.as_dict() for r in registry.get(commended["twice"]).recognitions
    ]
    # Read twice, nothing changes.
    before = dump(fresh, skip=("events", "import_batches"))
    twice = runner.invoke(app, ["--db", str(fresh), "import", str(path)])
    assert twice.exit_code == 0, twice.stderr
    assert dump(fresh, skip=("events", "import_batches")) == before


def test_a_csv_export_has_a_row_per_commendation(run: Run, commended: dict[str, str]) -> None:
    exported = run("export", "-")
    assert exported.exit_code == 0, exported.stderr
    rows = [r for r in csv.DictReader(io.StringIO(exported.stdout)) if r["commendation_year"]]
    assert sorted(
        (r["code"], r["commendation_year"], r["commendation_award"], r["commendation_by"])
        for r in rows
    ) == sorted(
        [
            (commended["twice"], "2023", "certificate_of_commendation", "UBND huyện"),
            (commended["twice"], "2024", "certificate_of_merit", "UBND tỉnh Quảng Trị"),
            (commended["hanoi"], "2024", "public_praise", "MTTQ"),
        ]
    )
    assert all(not r["recognition_year"] for r in rows)


def test_an_import_adds_a_commendation_to_a_registered_model_with_its_event(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    code = register(run, "Đường hoa")
    path = tmp_path / "khen.csv"
    path.write_text(
        "Mã,Tên mô hình,Tỉnh,Lĩnh vực,Khối chủ trì,Ngày đăng ký,Năm khen thưởng,"
        "Hình thức khen thưởng,Cơ quan khen thưởng,Số quyết định khen thưởng\n"
        f"{code},Đường hoa,Quảng Trị,Kinh tế,Phụ nữ,2023-03-01,2024,Bằng khen,UBND tỉnh,"
        "12/QĐ-UBND\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    (stored,) = registry.get(code).commendations
    assert (stored.year, stored.award, stored.by, stored.decision) == (
        2024, "certificate_of_merit", "UBND tỉnh", "12/QĐ-UBND",
    )  # fmt: skip
    event = history(registry, code)[-1]
    assert event["command"] == "import"
    assert event["after"]["commendations"][0]["award"] == "certificate_of_merit"


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ("2024,huân chương,UBND tỉnh,", "commendation_award"),
        ("2024,Bằng khen,,", "commendation_by"),
        (",Bằng khen,UBND tỉnh,", "commendation_year"),
        ("2024,Bằng khen,UBND tỉnh,2023-05-01", "commendation_decided_on"),
        ("2022,Bằng khen,UBND tỉnh,", "commendation_year"),  # before the registration
    ],
)
def test_an_import_with_a_bad_commendation_names_the_row_and_stores_nothing(
    run: Run, db: Path, tmp_path: Path, cells: str, column: str
) -> None:
    register(run, "Ngõ sạch")
    path = tmp_path / "khen.csv"
    path.write_text(
        "name,province,field,sponsor,registered_on,commendation_year,commendation_award,"
        "commendation_by,commendation_decided_on\n"
        f"Đường hoa,Quảng Trị,economy,women,2023-03-01,{cells}\n",
        encoding="utf-8",
    )
    before = dump(db)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert f"khen.csv:2: column {column}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


# -- registries made before commendations: migration 0009 -------------------------------


def _registry_of_revision_0007(url: str) -> int:
    """A registry before commendations, reviews, outstanding marks and replicas, holding
    0.1.0's records; how many models."""
    models = registry_at(url, "0007")
    assert "commendations" not in tables_and_columns(url)[0]
    return models


def _check_upgraded(url: str) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"from schema 0007 to {schema.HEAD}" in upgraded.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM commendations")).scalar_one() == 0
    engine.dispose()
    counted = runner.invoke(
        app, ["--db", url, "tally", "--count", "commendations", "--format", "json"]
    )
    assert counted.exit_code == 0, counted.stderr
    assert json.loads(counted.stdout)["total"]["commendations"] == 0
    # The table takes new rows: an old model commended.
    added = runner.invoke(
        app, ["--db", url, "commend", "QTR-2023-00001", "--year", "2024", "--award", "bk",
              "--by", "UBND tỉnh Quảng Trị"],
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert [c.award for c in Registry(url).get("QTR-2023-00001").commendations] == [
        "certificate_of_merit"
    ]
    check = runner.invoke(app, ["--db", url, "db", "check"])
    assert check.exit_code == 0, check.stdout + check.stderr


@pytest.mark.sqlite_only
def test_a_registry_of_the_previous_schema_upgrades_with_no_commendations(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    assert _registry_of_revision_0007(url) == 197
    _check_upgraded(url)


@pytest.mark.postgres
def test_a_registry_of_the_previous_schema_upgrades_with_no_commendations_on_postgresql(
    pg_url: str,
) -> None:
    assert _registry_of_revision_0007(pg_url) == 197
    _check_upgraded(pg_url)


def test_register_json_has_no_commendations_yet(run: Run) -> None:
    result = run(*REGISTER, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["commendations"] == []
