"""Many clerks at once: 8 processes registering 250 models each, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dandan.registry import Registry

PROCESSES = 8
EACH = 250

WORKER = """
import sys
from dandan.registry import Registry

url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
registry = Registry(url)
for i in range(count):
    registry.register(
        name=f"Mô hình {worker}-{i}", province="Quảng Trị", commune="Phường Đông Hà",
        field="kinh tế", sponsor="phụ nữ", registered_on="2026-01-15",
    )
"""


def register_at_once(url: str) -> None:
    Registry(url).open(create=True)  # the schema exists before the clerks arrive
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(w), str(EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(PROCESSES)
    ]
    errors = []
    for worker in workers:
        _, stderr = worker.communicate(timeout=300)
        if worker.returncode != 0:
            errors.append(stderr.strip().splitlines()[-1] if stderr.strip() else "no output")
    assert errors == []
    models = Registry(url).list_models()
    assert len(models) == PROCESSES * EACH
    codes = [m.code for m in models]
    assert len(set(codes)) == len(codes)
    assert sorted(codes) == [f"QTR-2026-{n:05d}" for n in range(1, PROCESSES * EACH + 1)]
    assert {m.name for m in models} == {
        f"Mô hình {w}-{i}" for w in range(PROCESSES) for i in range(EACH)
    }


def test_eight_clerks_on_one_sqlite_file(tmp_path: Path) -> None:
    register_at_once(str(tmp_path / "registry.db"))


@pytest.mark.postgres
def test_eight_clerks_on_one_postgresql_server(pg_url: str) -> None:
    register_at_once(pg_url)
