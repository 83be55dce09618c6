"""Replication (nhân rộng): `register … --replicates CODE` and `edit --replicates`, shown
both ways, audited, exported and imported (column `replicates`), counted by `tally
--count replications`, and registries made before the column (migration 0009)."""

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


def register(
    run: Run, name: str, *options: str, province: str = "quang tri", on: str = "2023-03-01"
) -> str:
    result = run(
        "register", name, "--province", province, "--field", "kinh te",
        "--sponsor", "phụ nữ", "--registered-on", on, *options,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_a_replica_is_shown_both_ways(run: Run, registry: Registry) -> None:
    source = register(run, "Đường hoa")
    copy = register(run, "Đường hoa xã bên", "--replicates", source.lower(), on="2024-05-01")
    assert registry.get(copy).replicates == source
    assert registry.get(source).replicated_by == (copy,)
    shown = json.loads(run("show", source, "--format", "json").stdout)
    assert (shown["replicates"], shown["replicated_by"]) == (None, [copy])
    copied = json.loads(run("show", copy, "--format", "json").stdout)
    assert (copied["replicates"], copied["replicated_by"]) == (source, [])
    assert history(registry, copy)[0]["after"]["replicates"] == source


@pytest.mark.parametrize(
    ("lang", "copies", "copied_from"),
    [("en", "Replicated by", "Replicates"), ("vi", "Được nhân rộng tại", "Nhân rộng từ")],
)
def test_the_table_names_both_ways_in_words_and_leaves_out_what_is_empty(
    run: Run, lang: str, copies: str, copied_from: str
) -> None:
    source = register(run, "Đường hoa")
    alone = run("--lang", lang, "show", source).stdout
    assert "replicat" not in alone.lower() and "nhân rộng" not in alone.lower()
    copy = register(run, "Đường hoa xã bên", "--replicates", source, on="2024-05-01")
    lines = run("--lang", lang, "show", source).stdout.splitlines()
    assert any(
        line.split()[: len(copies.split())] == copies.split() and copy in line for line in lines
    )
    lines = run("--lang", lang, "show", copy).stdout.splitlines()
    assert any(line.startswith(copied_from) and source in line for line in lines)


def test_an_edit_sets_and_clears_what_a_model_replicates(run: Run, registry: Registry) -> None:
    source = register(run, "Đường hoa")
    copy = register(run, "Ngõ sạch", on="2024-05-01")
    assert run("edit", copy, "--replicates", source).exit_code == 0
    assert registry.get(source).replicated_by == (copy,)
    event = history(registry, copy)[-1]
    assert (event["before"], event["after"]) == ({"replicates": None}, {"replicates": source})
    assert run("edit", copy, "--replicates", "").exit_code == 0
    assert registry.get(copy).replicates is None
    assert registry.get(source).replicated_by == ()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--replicates", "QTR-2099-00009"), "no model with code QTR-2099-00009 to replicate"),
        (("--code", "QTR-X-1", "--replicates", "qtr-x-1"), "cannot replicate itself"),
        (("--replicates", "mã sai!"), "--replicates"),
    ],
)
def test_a_bad_replicates_is_refused_in_one_line_and_nothing_is_stored(
    run: Run, db: Path, options: tuple[str, ...], message: str
) -> None:
    register(run, "Đường hoa")
    before = dump(db)
    result = run(
        "register", "Ngõ sạch", "--province", "quang tri", "--field", "kinh te",
        "--sponsor", "phụ nữ", "--registered-on", "2024-01-01", *options,
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert dump(db) == before


def test_an_edit_onto_itself_is_refused_in_both_languages(run: Run, db: Path) -> None:
    code = register(run, "Đường hoa")
    before = dump(db)
    result = run("edit", code, "--replicates", code)
    assert result.exit_code == 1 and "cannot replicate itself" in result.stderr
    vietnamese = run("--lang", "vi", "edit", code, "--replicates", code)
    assert vietnamese.exit_code == 1 and "không thể nhân rộng từ chính nó" in vietnamese.stderr
    assert dump(db) == before


@pytest.fixture
def copied(run: Run) -> dict[str, str]:
    """In Quảng Trị a model copied twice (by a Hà Nội model in 2024, a Quảng Trị one in
    2025) and one never copied; in Hà Nội a model copied once in 2023 (by a Quảng Trị one)."""
    codes = {
        "twice": register(run, "Đường hoa", on="2022-01-10"),
        "never": register(run, "Ngõ sạch", on="2022-01-10"),
        "hanoi": register(run, "Phố văn minh", province="ha noi", on="2022-01-10"),
    }
    register(run, "Đường hoa 2", "--replicates", codes["twice"], province="ha noi", on="2024-02-01")
    register(run, "Đường hoa 3", "--replicates", codes["twice"], on="2025-08-01")
    register(run, "Phố văn minh 2", "--replicates", codes["hanoi"], on="2023-06-01")
    return codes


def test_a_tally_counts_the_models_copied_in_the_groups_of_the_model_copied(
    run: Run, copied: dict[str, str]
) -> None:
    result = run("tally", "--province", "--count", "replications", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["province_code"]: (r["registered"], r["replications"]) for r in
            json.loads(result.stdout)["rows"]}  # fmt: skip
    # Quảng Trị: 4 registered (two copies), 1 model copied (twice, counted once);
    # Hà Nội: 2 registered (one a copy), its model copied once.
    assert rows == {44: (4, 1), 1: (2, 1)}
    # Copies registered in 2024: only the first copy of "twice" (Hà Nội's row is there
    # for the copy registered in it).
    year = run("tally", "--province", "--count", "replications", "--year", "2024",
               "--format", "json")  # fmt: skip
    counted = {r["province_code"]: r["replications"] for r in json.loads(year.stdout)["rows"]}
    assert counted == {44: 1, 1: 0}
    refused = run("tally", "--by", "year", "--count", "replications")
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1


def test_an_export_imports_back_with_what_each_model_replicates(
    run: Run, registry: Registry, copied: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    assert run("export", str(path), "--headers", "vi").exit_code == 0
    fresh = tmp_path / "fresh.db"
    imported = CliRunner().invoke(app, ["--db", str(fresh), "import", str(path)])
    assert imported.exit_code == 0, imported.stderr
    again = Registry(str(fresh))
    for code in (c for c in copied.values()):
        assert again.get(code).replicated_by == registry.get(code).replicated_by
    assert len(again.get(copied["twice"]).replicated_by) == 2


def test_an_import_naming_an_unknown_model_to_replicate_stores_nothing(
    run: Run, db: Path, tmp_path: Path
) -> None:
    register(run, "Đường hoa")
    path = tmp_path / "models.csv"
    path.write_text(
        "name,province,field,sponsor,registered_on,replicates\n"
        "Ngõ sạch,Quảng Trị,economy,women,2024-01-01,QTR-2099-00001\n",
        encoding="utf-8",
    )
    before = dump(db)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "which is not registered" in result.stderr
    assert dump(db) == before


def _upgraded_replicates_nothing(url: str) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        count = "SELECT count(*) FROM models WHERE replicates IS NOT NULL"
        assert conn.execute(text(count)).scalar_one() == 0
    engine.dispose()
    edited = runner.invoke(
        app, ["--db", url, "edit", "AGI-2021-00002", "--replicates", "AGI-2021-00001"]
    )
    assert edited.exit_code == 0, edited.stderr
    assert Registry(url).get("AGI-2021-00001").replicated_by == ("AGI-2021-00002",)


@pytest.mark.sqlite_only
def test_a_registry_of_the_previous_schema_upgrades_with_no_replicas(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    _registry_of_revision_0007(url)
    _upgraded_replicates_nothing(url)


@pytest.mark.postgres
def test_a_registry_of_the_previous_schema_upgrades_with_no_replicas_on_postgresql(
    pg_url: str,
) -> None:
    _registry_of_revision_0007(pg_url)
    _upgraded_replicates_nothing(pg_url)
