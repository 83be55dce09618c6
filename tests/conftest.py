"""Shared fixtures: a temporary registry, and the CLI run against it in-process."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from dandan.cli import app
from dandan.registry import Registry

Run = Callable[..., Result]

# No hypothesis test has a deadline: how long an example takes is for the benchmarks,
# and a busy machine (a mutation run on two cores) made a 200 ms deadline fail at random.
settings.register_profile("dandan", deadline=None)
settings.load_profile("dandan")


PG_URL = os.environ.get("DANDAN_TEST_PG_URL")
IN_CI = os.environ.get("CI") == "true"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test on the `db` registry runs on SQLite and, given a server (always in CI),
    on PostgreSQL too; `@pytest.mark.sqlite_only` keeps a test about the file to SQLite."""
    if "backend" in metafunc.fixturenames:
        backends = ["sqlite"]
        if (PG_URL or IN_CI) and metafunc.definition.get_closest_marker("sqlite_only") is None:
            backends.append("postgresql")
        metafunc.parametrize("backend", backends)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read English unless they ask for Vietnamese, whatever the machine's locale;
    subprocesses inherit the same environment."""
    for name in ("DANDAN_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(autouse=True)
def config_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The user's config folder (where an import finds `aliases.csv`): an empty one of
    the test's own, never the machine's."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder / "dandan"


@pytest.fixture
def db(tmp_path: Path, backend: str) -> Any:
    """The test's registry: a SQLite file path, or the URL of an emptied PostgreSQL
    database (a `str`); `--db`, `Registry` and `dump` take either."""
    if backend == "sqlite":
        return tmp_path / "registry.db"
    return empty_postgresql()


@pytest.fixture
def run(db: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run("register", ...)` is `dandan --db <tmp> register ...`, stdout and stderr apart."""
    monkeypatch.delenv("DANDAN_DB", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, ["--db", str(db), *args], input=input)

    return invoke


@pytest.fixture
def registry(db: Path) -> Registry:
    """The test's registry, made empty (reading never makes one)."""
    registry = Registry(str(db))
    registry.open(create=True)
    return registry


def dump(db: Path | str, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Every statement needed to rebuild the database: equal dumps, equal registries.

    `skip` leaves out the rows of log tables (a re-import is logged, yet changes no data).
    On PostgreSQL (`db` a URL), every row of every table, in key order.
    """
    if isinstance(db, str):
        return _dump_postgresql(db, skip)
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return [
            line
            for line in conn.iterdump()
            if not any(line.startswith(f'INSERT INTO "{table}"') for table in skip)
        ]


REGISTER = (
    "register",
    "Tổ tự quản đường làng",
    "--province",
    "quang tri",
    "--commune",
    "dong ha",
    "--field",
    "kinh te",
    "--sponsor",
    "Hội Nông dân",
    "--registered-on",
    "2023-03-01",
)


_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def report(pytestconfig: pytest.Config) -> list[str]:
    """Lines for the end of the run: how many crashes and examples the fault and fuzz
    tests tried, and what they saw (printed in the terminal summary)."""
    return pytestconfig.stash.setdefault(_REPORT, [])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT, [])
    if lines:
        terminalreporter.section("faults and fuzzing")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def pg_url() -> str:
    """An empty PostgreSQL database to spare (DANDAN_TEST_PG_URL).

    Locally the PostgreSQL tests skip without one; in CI (CI=true) they must run.
    """
    return empty_postgresql()


def empty_postgresql() -> str:
    """The test server's database with everything in its public schema dropped."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but DANDAN_TEST_PG_URL is not set: .ci/run starts the server")
        pytest.skip("DANDAN_TEST_PG_URL is not set: no PostgreSQL server to test on")
    from sqlalchemy import create_engine

    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return PG_URL


def _dump_postgresql(url: str, skip: tuple[str, ...]) -> list[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    lines: list[str] = []
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table in skip:
                continue
            lines.append(f"TABLE {table}")
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY 1')
            lines += [repr(tuple(row)) for row in result]
    engine.dispose()
    return lines
