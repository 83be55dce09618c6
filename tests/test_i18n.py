"""The Vietnamese interface: the catalog is complete, the language is chosen as
documented, and what scripts read does not change with it."""

from __future__ import annotations

import csv
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
from hypothesis import given
from hypothesis import strategies as st

from dandan import i18n
from dandan.registry import Registry
from dandan.validation import EARLIEST, parse_date
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
        ("vi", datetime(2025, 7, 1, 8, 5), "01/07/2025 08:05:00"),
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


def test_tally_by_field_in_vietnamese(seeded: Path) -> None:
    """Term labels and a title that reads whole, in each language."""
    vietnamese = _dandan("--db", str(seeded), "--lang", "vi", "tally", "--by", "field")
    assert vietnamese.returncode == 0, vietnamese.stderr
    assert vietnamese.stdout.startswith("Mô hình theo lĩnh vực, từ trước đến nay\n")
    for words in ("Kinh tế", "Lĩnh vực", "Đăng ký", "Công nhận", "Tổng"):
        assert words in vietnamese.stdout, f"{words!r} not in:\n{vietnamese.stdout}"
    assert "economy" not in vietnamese.stdout and "Economy" not in vietnamese.stdout
    english = _dandan("--db", str(seeded), "--lang", "en", "tally", "--by", "field")
    assert english.stdout.startswith("Models by field, all time\n")
    assert "Economy" in english.stdout and "Kinh tế" not in english.stdout


def test_tally_titles_in_vietnamese(seeded: Path) -> None:
    cases = [
        (("--province", "--by-end-of", "2023"), "Mô hình theo tỉnh, đến hết năm 2023"),
        (
            ("--province", "--boundaries", "2024", "--year", "2023"),
            "Mô hình theo tỉnh (đơn vị hành chính trước 01/07/2025), trong năm 2023",
        ),
        (("--by", "year", "--by", "level"), "Mô hình theo năm và cấp, từ trước đến nay"),
        (
            ("--since", "2022", "--as-of", "2024-06-30"),
            "Mô hình toàn quốc, từ năm 2022 đến ngày 30/06/2024",
        ),
    ]
    for args, title in cases:
        done = _dandan("--db", str(seeded), "--lang", "vi", "tally", *args)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[0] == title


def test_not_assignable_is_translated_in_tables_only(seeded: Path) -> None:
    args = ("--db", str(seeded), "--lang", "vi", "tally", "--province", "--boundaries", "2024")
    table = _dandan(*args)
    assert "không xác định được" in table.stdout and "not assignable" not in table.stdout
    rows = json.loads(_dandan(*args, "--format", "json").stdout)["rows"]
    assert rows[-1]["province"] == "not assignable"


def test_csv_is_the_same_in_every_language(seeded: Path) -> None:
    """Byte for byte: scripts read CSV whatever the reader's language."""
    commands = [
        ("tally", "--by", "field"),
        ("tally", "--province", "--boundaries", "2024"),
        ("tally", "--by", "year", "--by", "level", "--since", "2022"),
        ("tally", "--year", "2099"),
        ("stats",),
        ("export", "-"),
    ]
    for command in commands:
        outputs = {
            lang: _dandan("--db", str(seeded), "--lang", lang, *command, "--format", "csv")
            for lang in ("vi", "en")
        }
        for done in outputs.values():
            assert done.returncode == 0, done.stderr
        assert outputs["vi"].stdout.encode() == outputs["en"].stdout.encode(), command
        assert outputs["vi"].stdout


@pytest.mark.parametrize(
    ("options", "english", "vietnamese"),
    [
        ({}, "all time", "từ trước đến nay"),
        ({"year": "2023"}, "in 2023", "trong năm 2023"),
        ({"period": "2021-2025"}, "in 2021–2025", "giai đoạn 2021–2025"),
        ({"since": "2021"}, "since 2021", "từ năm 2021"),
        ({"by_end_of": "2023"}, "by the end of 2023", "đến hết năm 2023"),
        ({"as_of": "2023-12-31"}, "as of 2023-12-31", "tính đến ngày 31/12/2023"),
        (
            {"since": "2021", "by_end_of": "2023"},
            "since 2021, by the end of 2023",
            "từ năm 2021 đến hết năm 2023",
        ),
        (
            {"since": "2021", "as_of": "2024-06-30"},
            "since 2021, as of 2024-06-30",
            "từ năm 2021 đến ngày 30/06/2024",
        ),
    ],
)
def test_windows_are_described_in_the_readers_language(
    options: dict[str, str], english: str, vietnamese: str
) -> None:
    from dandan.tallies import Window

    window = Window.parse(**options)
    assert window.label == english
    i18n.use("vi")
    assert window.label == vietnamese


def test_db_help_in_vietnamese() -> None:
    done = _dandan("--lang", "vi", "db", "--help")
    assert done.returncode == 0, done.stderr
    assert "Nơi lưu sổ đăng ký và cách bảo quản." in done.stdout
    assert "Kiểm tra sổ đăng ký" in done.stdout


def test_errors_in_vietnamese(run: Run) -> None:
    done = run("--lang", "vi", "tally", "--year", "abc")
    assert done.exit_code != 0
    assert done.stderr.startswith("lỗi:"), done.stderr


@pytest.mark.parametrize(
    ("args", "english", "vietnamese"),
    [
        (
            ("list", "--format", "xml"),
            "Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'csv', 'json', "
            "'xlsx'",
            "Giá trị không hợp lệ cho '--format' / '-f': 'xml' không phải là một trong các giá "
            "trị 'table', 'csv', 'json', 'xlsx'",
        ),
        (
            ("list", "--limit", "-5"),
            "Invalid value for '--limit': it must be 0 or more",
            "Giá trị không hợp lệ cho '--limit': giá trị phải từ 0 trở lên",
        ),
        (
            ("list", "--limit", "abc"),
            "Invalid value for '--limit': 'abc' is not a whole number",
            "Giá trị không hợp lệ cho '--limit': 'abc' không phải là số nguyên",
        ),
        (
            ("register", "--regsitered-on", "2024"),
            "No such option: --regsitered-on (did you mean --registered-on?)",
            "Không có tùy chọn: --regsitered-on (có phải ý bạn là --registered-on?)",
        ),
    ],
)
def test_the_parsers_refusals_are_ours_in_both_languages(
    run: Run, args: tuple[str, ...], english: str, vietnamese: str
) -> None:
    """click and pydantic refuse a malformed option in English of their own ("Input should
    be greater than or equal to 0", "(Possible options: …)"): the reader gets ours."""
    command = f"dandan {args[0]}"
    done = run(*args)
    assert (done.exit_code, done.stderr) == (2, f"error: {english} (see `{command} --help`)\n")
    done = run("--lang", "vi", *args)
    assert (done.exit_code, done.stderr) == (2, f"lỗi: {vietnamese} (xem `{command} --help`)\n")


def test_unknown_language_is_refused(run: Run) -> None:
    done = run("--lang", "fr", "tally")
    assert done.exit_code == 2
    assert "unknown language 'fr'" in done.stderr and done.stderr.count("\n") == 1


def test_register_in_vietnamese_stores_identifiers_not_labels(run: Run, db: Path) -> None:
    done = run("--lang", "vi", *REGISTER)
    assert done.exit_code == 0, done.stderr
    stored = Registry(str(db)).get(done.stdout.strip()).as_dict()
    assert (stored["field"], stored["sponsor"]) == ("economy", "farmers")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(i18n.LANGUAGES))
def test_a_shown_number_reads_back_as_itself(value: int, lang: str) -> None:
    """Grouping is the only change: dropping the separator gives the number back."""
    i18n.use(lang)
    separator = "." if lang == "vi" else ","
    shown = i18n.number(value)
    assert int(shown.replace(separator, "")) == value
    assert all(len(group) == 3 for group in shown.lstrip("-").split(separator)[1:])


@given(st.dates(min_value=EARLIEST, max_value=date(2100, 12, 31)))
def test_a_shown_date_is_accepted_back_as_input(value: date) -> None:
    """What a Vietnamese table shows (31/12/2023) is what a clerk may type back."""
    i18n.use("vi")
    assert parse_date(i18n.day(value), "registered_on", today=date(2100, 12, 31)) == value
    i18n.use("en")
    assert parse_date(i18n.day(value), "registered_on", today=date(2100, 12, 31)) == value


# -- errors of the domain in Vietnamese, and dates in both styles -----------------------
#
# Validation, terms and import speak the reader's language: each refusal below is one
# Vietnamese line after "lỗi:", exit status 1, and the registry is left as it was.

RECOGNIZE = ("recognize", "{code}", "--year", "2023", "--level", "xã")


def _registering(**options: str) -> tuple[str, ...]:
    """`dandan register` of a valid model, but for the options given."""
    given = {"province": "quang tri", "field": "kinh te", "sponsor": "nông dân", **options}
    pairs = [(f"--{option.replace('_', '-')}", value) for option, value in given.items()]
    return ("register", "Tổ tự quản", *(word for pair in pairs for word in pair))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(
            _registering(province="Quảng Bình", registered_on="2025-08-01"),
            "hãy ghi tên hiện nay, hoặc ghi đơn vị cũ; dùng --legacy để ghi đơn vị cũ",
            id="old-province-after-merger",
        ),
        pytest.param(
            (
                "register",
                "Mô hình",
                "--province",
                "Không Có",
                "--field",
                "kt",
                "--sponsor",
                "nông dân",
            ),
            "lỗi: --province:",
            id="unknown-province",
        ),
        pytest.param(
            _registering(code="x"), "--code: mã 'x' không hợp lệ: dùng 2–32 chữ cái", id="bad-code"
        ),
        pytest.param(
            _registering(field="kinh tee"),
            "lĩnh vực 'kinh tee' không hợp lệ; có phải là Kinh tế?",
            id="unknown-field",
        ),
        pytest.param(
            _registering(sponsor="hội phụ lão"),
            "khối chủ trì 'hội phụ lão' không hợp lệ; hãy dùng một trong:",
            id="unknown-sponsor",
        ),
        pytest.param(
            _registering(registered_on="31/02/2024"),
            "ngày '31/02/2024' không hợp lệ: không có ngày này",
            id="no-such-day",
        ),
        pytest.param(
            _registering(registered_on="tháng 3"),
            "hãy viết theo dạng DD/MM/YYYY hoặc YYYY-MM-DD",
            id="bad-date",
        ),
        pytest.param(
            (*RECOGNIZE, "--decided-on", "2023-02-01"),
            "lượt công nhận ngày 01/02/2023 sớm hơn ngày đăng ký mô hình 01/03/2023",
            id="recognition-before-registration",
        ),
        pytest.param(
            (*RECOGNIZE, "--decided-on", "2023-13-01"),
            "ngày '2023-13-01' không hợp lệ",
            id="bad-decision-date",
        ),
    ],
)
def test_refusals_are_one_vietnamese_line_and_change_nothing(
    run: Run, db: Path, args: tuple[str, ...], words: str
) -> None:
    code = run(*REGISTER).stdout.strip()
    _refused_in_vietnamese(run, db, [a.format(code=code) for a in args], words)


def _refused_in_vietnamese(
    run: Run, db: Path, args: list[str], said: str, not_said: str | None = None, exit_code: int = 1
) -> None:
    """`dandan --lang vi ARGS` is refused with one Vietnamese line on stderr saying
    `said` (and no longer the English `not_said`), prints nothing, and leaves the
    registry as it was."""
    before = dump(db)
    done = run("--lang", "vi", *args)
    assert done.exit_code == exit_code, done.stderr
    assert done.stderr.startswith("lỗi:"), done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert said in done.stderr, done.stderr
    assert not_said is None or not_said not in done.stderr, done.stderr
    assert done.stdout == ""
    assert dump(db) == before


IMPORT_HEADER = ["name", "province", "field", "sponsor", "registered_on", "recognition_year",
                 "recognition_level", "decided_on"]  # fmt: skip
GOOD_ROW = ["Tổ tự quản", "Quảng Trị", "kinh te", "nông dân", "2023-03-01", "", "", ""]


def _csv(tmp_path: Path, rows: list[list[str]], header: list[str] = IMPORT_HEADER) -> Path:
    path = tmp_path / "batch.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        pytest.param(
            ["Camera", "Hà Nội", "an ninh", "công an", "31/02/2024", "", "", ""],
            "batch.csv:3: cột registered_on: ngày '31/02/2024' không hợp lệ: không có ngày này",
            id="no-such-day",
        ),
        pytest.param(
            ["Camera", "Hà Nội", "an ninh", "công an", "2024-01-05", "2024", "cấp thôn", ""],
            "batch.csv:3: cột recognition_level: cấp 'cấp thôn' không hợp lệ",
            id="unknown-level",
        ),
        pytest.param(
            ["Camera", "Hà Nội", "an ninh", "công an", "2024-01-05", "2024", "xã", "01/01/2021"],
            "cột decided_on: ngày quyết định 01/01/2021 không thuộc năm công nhận 2024",
            id="decision-outside-its-year",
        ),
        pytest.param(
            ["Camera", "Hà Nội", "kinh te", "công an", "2024-01-05", "", "", "", "thừa"],
            "batch.csv:3: dòng có 9 ô nhưng dòng tiêu đề có 8 ô",
            id="extra-cell",
        ),
    ],
)
def test_import_with_a_bad_row_is_refused_in_vietnamese(
    run: Run, db: Path, tmp_path: Path, bad: list[str], words: str
) -> None:
    run(*REGISTER)
    before = dump(db)
    done = run("--lang", "vi", "import", str(_csv(tmp_path, [GOOD_ROW, bad])))
    assert done.exit_code == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines[-1].startswith("lỗi:"), done.stderr
    assert any(words in line for line in lines), done.stderr
    assert dump(db) == before


DATES = [
    ("2023-06-15", date(2023, 6, 15)),
    ("15/06/2023", date(2023, 6, 15)),
    ("15.06.2023", date(2023, 6, 15)),
    ("15-06-2023", date(2023, 6, 15)),
    ("2023-6-5", date(2023, 6, 5)),
    ("5/6/2023", date(2023, 6, 5)),
]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("written", "meant"), DATES)
def test_registration_date_in_either_style(
    run: Run, registry: Registry, lang: str, written: str, meant: date
) -> None:
    args = [a if a != "2023-03-01" else written for a in REGISTER]
    done = run("--lang", lang, *args)
    assert done.exit_code == 0, done.stderr
    assert registry.get(done.stdout.strip()).registered_on == meant


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("written", "meant"), DATES)
def test_decision_date_in_either_style(
    run: Run, registry: Registry, lang: str, written: str, meant: date
) -> None:
    code = run(*REGISTER).stdout.strip()
    done = run("--lang", lang, *(a.format(code=code) for a in RECOGNIZE), "--decided-on", written)
    assert done.exit_code == 0, done.stderr
    assert [r.decided_on for r in registry.get(code).recognitions] == [meant]


@pytest.mark.parametrize(("written", "meant"), DATES)
def test_import_dates_in_either_style(
    run: Run, registry: Registry, tmp_path: Path, written: str, meant: date
) -> None:
    row = ["Tổ tự quản", "Quảng Trị", "kinh te", "nông dân", written, "2023", "xã", written]
    done = run("import", str(_csv(tmp_path, [row])), "--format", "json")
    assert done.exit_code == 0, done.stderr
    (model,) = registry.list_models()
    assert model.registered_on == meant
    assert [r.decided_on for r in model.recognitions] == [meant]


# -- the registry's own messages in Vietnamese -------------------------------------------

#: A command refused, and what its one line on stderr says in Vietnamese (`said`) and
#: must no longer say in English (`not_said`); `{tmp}` is the test's folder.
REFUSALS = [
    pytest.param(
        ("recognize", "QTR-2023-99999", "--year", "2024", "--level", "tỉnh"),
        1,
        "không có mô hình nào mang mã 'QTR-2023-99999'",
        "no model with code",
        id="recognize-unknown-code",
    ),
    pytest.param(
        (*REGISTER[:3], "Quảng Bình", *REGISTER[6:-1], "2025-08-01"),
        1,
        "Tỉnh Quảng Bình (mã 44 trước 01/07/2025) đã trở thành Tỉnh Quảng Trị (mã 44) "
        "từ 01/07/2025",
        "records dated",
        id="register-old-province-after-the-merger",
    ),
    pytest.param(
        ("db", "backup", "{tmp}/missing/copy.db"),
        1,
        "không có thư mục này",
        "no such folder",
        id="backup-to-a-missing-folder",
    ),
    pytest.param(
        ("show", "QTR-2023-99999"),
        1,
        "không có mô hình nào mang mã 'QTR-2023-99999'",
        "finds codes",
        id="show-unknown-code",
    ),
]


@pytest.mark.sqlite_only  # `db backup` is SQLite's; the messages do not depend on the backend
@pytest.mark.parametrize(("command", "exit_code", "said", "not_said"), REFUSALS)
def test_registry_refusals_are_one_vietnamese_line_and_change_nothing(
    run: Run,
    db: Path,
    tmp_path: Path,
    command: tuple[str, ...],
    exit_code: int,
    said: str,
    not_said: str,
) -> None:
    assert run(*REGISTER).exit_code == 0
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    _refused_in_vietnamese(run, db, args, said, not_said, exit_code)


def test_the_note_after_register_is_vietnamese(run: Run) -> None:
    done = run("--lang", "vi", *REGISTER)
    assert done.exit_code == 0, done.stderr
    code = done.stdout.strip()
    note = done.stderr.strip()
    assert done.stderr.count("\n") == 1 and code in note, done.stderr
    assert "đăng ký" in note.lower() and "registered" not in note, note
    assert "Tổ tự quản đường làng" in note and "Quảng Trị" in note


def test_missing_value_without_a_terminal_in_vietnamese(run: Run) -> None:
    done = run("--lang", "vi", "register", "--province", "quang tri")
    assert done.exit_code == 2
    assert done.stderr == "lỗi: thiếu TÊN (không có terminal để hỏi)\n"


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
    run("db", "init")  # reading never makes a registry
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
    assert re.search(r"^không hợp lệ +1 *$", done.stdout, re.M), done.stdout
    trial = run("--lang", "vi", "import", str(rows), "--dry-run", "--skip-invalid")
    assert trial.exit_code == 0, trial.stderr
    assert trial.stderr.splitlines()[-1] == (
        "chạy thử: 1 thêm mới, 0 cập nhật, 0 không đổi, 1 không hợp lệ; sổ đăng ký không thay đổi"
    )
