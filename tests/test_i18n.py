"""The Vietnamese interface: the catalog is complete, the language is chosen as
documented, and what scripts read does not change with it."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from dandan import i18n
from dandan.registry import Registry
from tests.conftest import REGISTER, Run, dump

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _messages_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("messages", ROOT / "scripts" / "messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalog() -> dict[str, tuple[str, bool]]:
    with i18n.SOURCE.open("rb") as f:
        po = read_po(f, locale="vi")
    return {str(m.id): (str(m.string), m.fuzzy) for m in po if m.id}


@pytest.fixture(autouse=True)
def english_again() -> object:
    """`i18n.use` is process-wide: leave English behind for the next test."""
    yield
    i18n.use("en")


def test_every_message_has_a_vietnamese_translation(
    catalog: dict[str, tuple[str, bool]],
) -> None:
    """Messages in the code (`_`, `N_`, table headers) and the help of every command and
    option: each one translated, checked (not fuzzy), with the same placeholders."""
    template = _messages_script().template()
    missing, fuzzy, placeholders = [], [], []
    for message in template:
        if not message.id:
            continue
        msgid = str(message.id)
        string, is_fuzzy = catalog.get(msgid, ("", False))
        if not string:
            missing.append(msgid)
        elif is_fuzzy:
            fuzzy.append(msgid)
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(string)):
            placeholders.append(msgid)
    assert not missing, (
        f"{len(missing)} messages lack a Vietnamese translation (run `make messages`, then "
        f"translate them in {i18n.SOURCE.relative_to(ROOT)}): {missing[:10]}"
    )
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy[:10]}"
    assert not placeholders, f"translations that change the placeholders: {placeholders[:10]}"


def test_compiled_catalog_is_current(catalog: dict[str, tuple[str, bool]]) -> None:
    """The build compiles the .po; a stale .mo would show old translations."""
    assert i18n.CATALOG.exists(), "no compiled catalog: reinstall (make test does)"
    i18n.use("vi")
    stale = [m for m, (s, fuzzy) in catalog.items() if s and not fuzzy and i18n._(m) != s]
    assert not stale, f"{i18n.CATALOG} is older than the .po: run `make` again ({stale[:3]})"


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        (None, {}, "en"),
        ("vi", {}, "vi"),
        ("en", {"DANDAN_LANG": "vi"}, "en"),
        (None, {"DANDAN_LANG": "vi"}, "vi"),
        (None, {"DANDAN_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
        (None, {"DANDAN_LANG": "en", "LANG": "vi_VN.UTF-8"}, "en"),
        (None, {"LANG": "vi_VN.UTF-8"}, "vi"),
        (None, {"LANG": "vi"}, "vi"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
        (None, {"LC_ALL": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "vi_VN.UTF-8", "LANG": "C"}, "vi"),
        ("VI", {}, "vi"),
        ("vi-VN", {}, "vi"),
        ("fr", {"LANG": "vi_VN.UTF-8"}, "vi"),
    ],
)
def test_language_is_chosen_by_option_then_variable_then_locale(
    option: str | None, environ: dict[str, str], expected: str
) -> None:
    assert i18n.choose(option, environ) == expected


@pytest.mark.parametrize(
    ("lang", "value", "expected"),
    [
        ("vi", 408000, "408.000"),
        ("en", 408000, "408,000"),
        ("vi", 555, "555"),
        ("vi", 4080000, "4.080.000"),
        ("vi", 12.5, "12,5"),
        ("en", 12.5, "12.5"),
        ("vi", date(2023, 12, 31), "31/12/2023"),
        ("en", date(2023, 12, 31), "2023-12-31"),
        ("vi", date(2025, 7, 1), "01/07/2025"),
        ("vi", datetime(2025, 7, 1, 8, 5), "01/07/2025 08:05"),
    ],
)
def test_numbers_and_dates_in_the_readers_style(
    lang: str, value: int | float | date, expected: str
) -> None:
    i18n.use(lang)
    shown = i18n.day(value) if isinstance(value, date) else i18n.number(value)
    assert shown == expected


def _dandan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    environ = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "dandan", *args],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "registry.db"
    seed = ROOT / "data" / "seed_models.csv"
    done = _dandan("--db", str(db), "import", str(seed))
    assert done.returncode == 0, done.stderr
    return db


def test_vietnamese_locale_gives_vietnamese_headers_and_numbers(seeded: Path) -> None:
    done = _dandan("--db", str(seeded), "tally", "--province", env={"LANG": "vi_VN.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert "Tỉnh" in done.stdout and "Đăng ký" in done.stdout, done.stdout
    assert "Tổng" in done.stdout
    assert re.search(r"\b1\.\d{3}\b", done.stdout), "thousands are grouped with a dot"
    english = _dandan("--db", str(seeded), "tally", "--province")
    assert "Province" in english.stdout and re.search(r"\b1,\d{3}\b", english.stdout)


def test_register_help_in_vietnamese() -> None:
    done = _dandan("--lang", "vi", "register", "--help")
    assert done.returncode == 0, done.stderr
    for words in ("Cách dùng:", "Tùy chọn", "Đăng ký", "Hiện trợ giúp này và thoát."):
        assert words in done.stdout, f"{words!r} not in:\n{done.stdout}"
    assert "Options" not in done.stdout and "Usage" not in done.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("tally", "--province"),
        ("tally", "--by", "field", "--by-end-of", "2023"),
        ("list", "--limit", "20"),
        ("stats",),
        ("imports",),
    ],
)
def test_json_is_the_same_in_every_language(seeded: Path, command: tuple[str, ...]) -> None:
    outputs = {
        lang: _dandan("--db", str(seeded), "--lang", lang, *command, "--format", "json")
        for lang in ("vi", "en")
    }
    for done in outputs.values():
        assert done.returncode == 0, done.stderr
    assert outputs["vi"].stdout == outputs["en"].stdout
    json.loads(outputs["vi"].stdout)


def test_errors_in_vietnamese(run: Run) -> None:
    done = run("--lang", "vi", "tally", "--year", "abc")
    assert done.exit_code != 0
    assert done.stderr.startswith("lỗi:"), done.stderr


def test_unknown_language_is_refused(run: Run) -> None:
    done = run("--lang", "fr", "tally")
    assert done.exit_code == 2
    assert "unknown language 'fr'" in done.stderr and done.stderr.count("\n") == 1


def test_register_in_vietnamese_stores_identifiers_not_labels(run: Run, db: Path) -> None:
    done = run("--lang", "vi", *REGISTER)
    assert done.exit_code == 0, done.stderr
    stored = Registry(str(db)).get(done.stdout.strip()).as_dict()
    assert (stored["field"], stored["sponsor"]) == ("economy", "farmers")


def test_register_error_in_vietnamese_leaves_the_registry_as_it_was(run: Run, db: Path) -> None:
    assert run(*REGISTER).exit_code == 0
    before = dump(db)
    bad = ("Mô hình", "--province", "Không Có", "--field", "kt", "--sponsor", "nông dân")
    done = run("--lang", "vi", "register", *bad)
    assert done.exit_code == 1, done.stderr
    assert done.stderr.startswith("lỗi: --province:"), done.stderr
    assert done.stderr.count("\n") == 1 and not done.stdout
    assert dump(db) == before


def test_missing_value_without_a_terminal_in_vietnamese(run: Run) -> None:
    done = run("--lang", "vi", "register", "--province", "quang tri")
    assert done.exit_code == 2
    assert done.stderr == "lỗi: thiếu NAME (không có terminal để hỏi)\n"


def test_notes_in_vietnamese_and_in_english(run: Run) -> None:
    done = run("--lang", "vi", *REGISTER)
    code = done.stdout.strip()
    assert done.stderr.startswith(f"đã đăng ký {code}: Tổ tự quản đường làng ("), done.stderr
    done = run("--lang", "vi", "recognize", code, "--year", "2023", "--level", "xa")
    assert done.stderr.startswith(f"đã công nhận {code} ở cấp xã (2023)"), done.stderr
    done = run("recognize", code, "--year", "2024", "--level", "tinh")
    assert done.stderr.startswith(f"recognised {code} at province level (2024)"), done.stderr


def test_show_in_vietnamese_labels_terms_and_dates(run: Run) -> None:
    code = run(*REGISTER).stdout.strip()
    run("recognize", code, "--year", "2023", "--level", "xã", "--decided-on", "2023-12-31")
    done = run("--lang", "vi", "show", code)
    assert done.exit_code == 0, done.stderr
    shown = ("Lĩnh vực", "Kinh tế", "Hội Nông dân", "01/03/2023", "Cấp xã", "31/12/2023")
    for words in shown:
        assert words in done.stdout, f"{words!r} not in:\n{done.stdout}"
    for word in ("Field", "Economy", "2023-12-31", "2023-03-01"):
        assert word not in done.stdout
    english = run("show", code)
    assert "Registered on" in english.stdout and "2023-03-01" in english.stdout
    vi, en = (run("--lang", lang, "show", code, "-f", "json").stdout for lang in ("vi", "en"))
    assert vi == en and json.loads(vi)["registered_on"] == "2023-03-01"


def test_empty_list_and_localities_in_vietnamese(run: Run) -> None:
    assert run("--lang", "vi", "list").stdout.strip() == "(không có mô hình nào phù hợp)"
    done = run("--lang", "vi", "localities", "Vĩnh Linh")
    assert done.exit_code == 0, done.stderr
    assert "Hiệu lực" in done.stdout and "đến 30/06/2025" in done.stdout
    assert "huyện" in done.stdout and "until" not in done.stdout
    rows = json.loads(run("--lang", "vi", "localities", "Vĩnh Linh", "-f", "json").stdout)
    assert {row["valid"] for row in rows} == {"until 2025-06-30", "since 2025-07-01"}
    missing = run("--lang", "vi", "localities", "Không Có Đâu")
    assert missing.exit_code == 1
    assert missing.stderr == "lỗi: không có tỉnh, huyện hay xã nào khớp với 'Không Có Đâu'\n"


def test_import_refused_in_vietnamese(run: Run, tmp_path: Path) -> None:
    rows = tmp_path / "models.csv"
    rows.write_text(
        "name,province,field,sponsor,registered_on\n"
        "Tủ sách cộng đồng,An Giang,kt,nông dân,2023-01-02\n"
        "Không tỉnh,Không Có,kt,nông dân,2023-01-02\n",
        encoding="utf-8",
    )
    done = run("--lang", "vi", "import", str(rows))
    assert done.exit_code == 1
    lines = done.stderr.splitlines()
    assert lines[0].startswith("lỗi: "), lines
    assert lines[-1] == (
        "lỗi: không nhập dòng nào: 1 dòng không hợp lệ; --errors FILE để liệt kê tất cả, "
        "--skip-invalid để nhập các dòng còn lại"
    )
    assert run("--lang", "vi", "list").stdout.strip() == "(không có mô hình nào phù hợp)"
    assert "không hợp lệ  1" in done.stdout
    trial = run("--lang", "vi", "import", str(rows), "--dry-run", "--skip-invalid")
    assert trial.exit_code == 0, trial.stderr
    assert trial.stderr.splitlines()[-1] == (
        "chạy thử: 1 thêm mới, 0 cập nhật, 0 không đổi, 1 không hợp lệ; sổ đăng ký không thay đổi"
    )
