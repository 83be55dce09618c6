"""`dandan import`: rows validated like `register`, written all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from dandan.registry import Registry
from tests.conftest import Run, dump

HEADER = (
    "code,name,province,commune,field,sponsor,holder,holder_name,registered_on,"
    "recognition_year,recognition_level,decision_no,decided_on\n"
)
ROWS = (
    "QTR-2022-00001,Tổ tự quản đường làng,Quảng Trị,Đông Hà,Kinh tế,Hội Nông dân,tập thể,"
    "Chi hội thôn 3,2022-03-01,2022,Cấp xã,12/QĐ-UBND,2022-09-01\n"
    "QTR-2022-00001,Tổ tự quản đường làng,Quảng Trị,Đông Hà,Kinh tế,Hội Nông dân,tập thể,"
    "Chi hội thôn 3,2022-03-01,2023,Cấp tỉnh,99/QĐ-UBND,2023-10-01\n"
    "HNO-2024-00007,Camera an ninh,ha noi,hoan kiem,an ninh,công an,,,15/04/2024,,,,\n"
)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "batch.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_then_reimport_changes_nothing(
    run: Run, registry: Registry, db: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path, ROWS)
    result = run("import", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"inserted": 2, "updated": 0, "skipped": 0, "invalid": 0}
    model = registry.get("QTR-2022-00001")
    assert [(r.year, r.level) for r in model.recognitions] == [
        (2022, "commune"),
        (2023, "province"),
    ]
    assert model.status == "recognized"
    assert registry.get("HNO-2024-00007").commune == "Phường Hoàn Kiếm"

    before = dump(db)
    again = run("import", str(path), "--format", "json")
    assert json.loads(again.stdout)["skipped"] == 2
    assert dump(db) == before


def test_one_bad_row_writes_nothing(run: Run, db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS + "X-1,Mô hình,Quang Tru,,kt,phụ nữ,,,2024-01-01,,,,\n")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "batch.csv:5: column province: unknown province 'Quang Tru'" in result.stderr
    assert dump(db) == []


def test_missing_required_column_is_reported(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("code,name\nA-1,x\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "missing required column(s): province, field, sponsor" in result.stderr
