"""Shared fixtures: a temporary registry, and the CLI run against it in-process."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dandan.cli import app
from dandan.registry import Registry

Run = Callable[..., Result]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "registry.db"


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
    return Registry(str(db))


def dump(db: Path, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Every statement needed to rebuild the database: equal dumps, equal registries.

    `skip` leaves out the rows of log tables (a re-import is logged, yet changes no data).
    """
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


@pytest.fixture
def pg_url() -> str:
    """An empty PostgreSQL database to spare (DANDAN_TEST_PG_URL); everything in its
    public schema is dropped.

    Locally the PostgreSQL tests skip without one; in CI (CI=true) they must run.
    """
    url = os.environ.get("DANDAN_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but DANDAN_TEST_PG_URL is not set: .ci/run starts the server")
        pytest.skip("DANDAN_TEST_PG_URL is not set: no PostgreSQL server to test on")
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url
