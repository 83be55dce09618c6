"""Many clerks at once: 8 processes registering 250 models each, on SQLite and PostgreSQL;
clerks registering while a large import runs, and what an import does with the changes
they make meanwhile."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dandan.errors import Conflict
from dandan.importing import import_files, list_batches
from dandan.registry import Registry
from tests.conftest import dump

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


# -- an import does not lock the clerks out ---------------------------------------------

#: Models of the large import that clerks register beside: 100,000 in `make fuzz` (two
#: minutes on two busy cores), fewer in `make test`.
IMPORT_MODELS = int(os.environ.get("DANDAN_CONCURRENT_IMPORT_MODELS", "10000"))
CLERKS = 4

REGISTER_LOOP = """
import subprocess, sys
from pathlib import Path

url, worker, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3])
i = 0
while True:
    last = stop.exists()  # one more after the import has ended
    done = subprocess.run(
        [sys.executable, "-m", "dandan", "--db", url, "register", f"Mô hình {worker}-{i}",
         "--province", "Quảng Trị", "--commune", "Phường Đông Hà", "--field", "kinh tế",
         "--sponsor", "phụ nữ", "--registered-on", "2026-01-15"],
        capture_output=True, text=True,
    )
    err = " | ".join(done.stderr.strip().splitlines())
    print(done.returncode, f"Mô hình {worker}-{i}", done.stdout.strip(), err, sep="\\t", flush=True)
    i += 1
    if last:
        break
"""


def _batch_file(path: Path, models: int) -> int:
    """The synthetic rows of `models` models; those of Quảng Trị in 2026 without their
    code, so that the import numbers them in the prefix the clerks number in. Returns
    how many models the file holds."""
    from dandan.synthetic import COLUMNS, generate_rows

    keys: set[tuple[str, ...]] = set()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in generate_rows(models):
            key = (row["name"], row["commune"], row["registered_on"])
            if row["code"].startswith("QTR-2026-") and (key in keys or len(keys) < 1000):
                keys.add(key)
                row = {**row, "code": ""}
            writer.writerow(row)
    return models


@pytest.mark.sqlite_only
def test_clerks_register_while_a_large_import_runs(tmp_path: Path) -> None:
    url = str(tmp_path / "registry.db")
    Registry(url).open(create=True)
    batch = tmp_path / "batch.csv"
    models = _batch_file(batch, IMPORT_MODELS)
    stop = tmp_path / "import-ended"
    clerks = [
        subprocess.Popen(
            [sys.executable, "-c", REGISTER_LOOP, url, str(w), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(CLERKS)
    ]
    try:
        imported = subprocess.run(
            [sys.executable, "-m", "dandan", "--db", url, "import", str(batch), "--format", "json"],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    finally:
        stop.touch()
    outputs = [clerk.communicate(timeout=300)[0] for clerk in clerks]
    assert imported.returncode == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert summary["invalid"] == 0 and summary["written"] is True

    registrations = [line.split("\t") for out in outputs for line in out.splitlines()]
    failed = [r for r in registrations if r[0] != "0"]
    assert failed == []
    assert len(registrations) >= 2 * CLERKS
    registry = Registry(url)
    codes = [code for _, _, code, _ in registrations]
    assert len(set(codes)) == len(codes)
    for _, name, code, _ in registrations:
        assert registry.get(code).name == name
    # The import landed whole, beside every registration.
    [batch_record] = list_batches(registry)
    assert batch_record["inserted"] == summary["inserted"]
    assert registry.count() == models + len(registrations)
    assert all(code.startswith("QTR-2026-") for code in codes)


HANOI = (
    "code,name,province,commune,field,sponsor,registered_on,recognition_year,recognition_level\n"
)


def _hanoi(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "batch.csv"
    path.write_text(HANOI + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return str(path)


def _register(registry: Registry, name: str) -> str:
    return registry.register(
        name=name, province="Hà Nội", commune="Hoàn Kiếm", field="an ninh",
        sponsor="công an", registered_on="2024-04-15",
    ).code  # fmt: skip


def test_a_clerk_registers_while_an_import_is_read(db: Path, tmp_path: Path) -> None:
    """The import holds no write lock while it reads: a registration made meanwhile
    goes through at once, and the import numbers its new models after it."""
    registry, clerk = Registry(str(db)), Registry(str(db))
    registry.open(create=True)
    path = _hanoi(
        tmp_path,
        ",Camera an ninh,Hà Nội,Hoàn Kiếm,an ninh,công an,2024-04-15,,",
        ",Tổ liên gia,Hà Nội,Hoàn Kiếm,an ninh,công an,2024-04-15,2024,xã",
    )
    meanwhile: list[str] = []
    summary = import_files(
        registry, [path], progress=lambda info, rows: meanwhile.append(_register(clerk, "Đèn"))
    )
    assert summary.committed and summary.inserted == 2
    assert meanwhile == ["HNO-2024-00001"]
    names = {m.code: m.name for m in registry.list_models()}
    assert names == {
        "HNO-2024-00001": "Đèn", "HNO-2024-00002": "Camera an ninh",
        "HNO-2024-00003": "Tổ liên gia",
    }  # fmt: skip
    assert [r.year for r in registry.get("HNO-2024-00003").recognitions] == [2024]
    assert registry.get("HNO-2024-00003").status == "recognized"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda clerk, code: clerk.edit(code, name="Camera AI"), id="edited"),
        pytest.param(
            lambda clerk, code: clerk.recognize(code, year=2024, level="xã"), id="recognized"
        ),
        pytest.param(lambda clerk, code: _register(clerk, "Tổ liên gia"), id="same-model"),
    ],
)
def test_a_model_the_import_writes_changed_meanwhile_refuses_the_batch(
    db: Path, tmp_path: Path, change: Callable[[Registry, str], object]
) -> None:
    """What the import decided for a model (new or registered, which recognitions are
    new) no longer holds if someone changed it meanwhile: nothing is written."""
    registry, clerk = Registry(str(db)), Registry(str(db))
    code = _register(registry, "Camera an ninh")
    path = _hanoi(
        tmp_path,
        f"{code},Camera an ninh,Hà Nội,Hoàn Kiếm,an ninh,công an,2024-04-15,2024,xã",
        ",Tổ liên gia,Hà Nội,Hoàn Kiếm,an ninh,công an,2024-04-15,,",
    )
    changed: list[str] = []

    def meanwhile(info: object, rows: int) -> None:
        change(clerk, code)
        changed.extend(dump(db, skip=()))

    with pytest.raises(Conflict, match="changed by someone else while it was read"):
        import_files(registry, [path], progress=meanwhile)
    assert dump(db) == changed  # the clerk's change, and nothing of the import
    assert list_batches(registry) == []
