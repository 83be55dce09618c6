"""Vietnamese everywhere a reader looks: the help of every command, and every refusal
the fuzz tests reach, under `--lang vi`, hold no English line (`tests/vietnamese.py`
says what an English line is). A message that skipped `_`, a library's words passed
on (click's, pydantic's, SQLite's, the operating system's), a translation missing from
the catalog: each fails here with the line that showed it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from dandan.cli import app
from tests import test_fuzz as fuzz
from tests.conftest import REGISTER, Run, dump
from tests.test_cli import COMMANDS
from tests.vietnamese import english_lines, untranslated

#: The commands' names: help lists them as they are typed.
NAMES = tuple(sorted({word for path, _ in COMMANDS for word in path.split()}))
MODEL = "QTR-2023-00001"


# -- the detector ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "error: No such option: --regsitered-on (see `dandan list --help`)",
        "lỗi: Giá trị không hợp lệ cho '--limit': Input should be a valid integer, "
        "unable to parse string as an integer (xem `dandan list --help`)",
        "lỗi: không dùng được sổ đăng ký sqlite:////tmp: unable to open database file",
        "lỗi: x.xlsx: không phải sổ tính .xlsx đọc được (File is not a zip file)",
        "lỗi: FILE /x/y.csv: không ghi được ở đó (Permission denied); hãy chọn thư mục khác",
        "  --help          Show this message and exit.",
        "lỗi: the registry /x.db stayed locked for 5 s; try again when the other writer is done",
        "Usage: dandan list [OPTIONS]",
        "error: cannot use the registry sqlite:///x.db: file is not a database",
    ],
)
def test_an_english_line_is_caught(line: str) -> None:
    assert untranslated(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "lỗi: Không có tùy chọn: --regsitered-on (xem `dandan list --help`)",
        "lỗi: --province: không tìm thấy tỉnh 'atlantis'",
        "lỗi: b.xlsx: thiếu cột bắt buộc: name (các cột tìm thấy ở dòng 1: 0, recognition_year, "
        "description)",
        "lỗi: bin.csv: thiếu cột bắt buộc: name, province, field, sponsor (các cột tìm thấy "
        "ở dòng 1: \\x00\\x01); xem `dandan import --template`",
        "lỗi: --on-conflict: 'x' không phải fail, skip hay update",
        "lỗi: /tmp/the file is here.csv: không có tệp này",
        "lỗi: --name: 'Ho Chi Minh City should be the name' quá dài",
        "lỗi: không tìm thấy mô hình QTR-2023-99999; `dandan list --search` tìm được mã",
        "│ --format  -f  ĐỊNH-DẠNG  Kết quả: table cho người đọc, csv hoặc json  │",
        " register     Đăng ký một mô hình mới.",
        "",
        "╭─ Tùy chọn ───────────────────────────────────────╮",
    ],
)
def test_a_vietnamese_line_passes(line: str) -> None:
    assert untranslated(line, NAMES) is None


# -- help --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["", *[p for p, _ in COMMANDS]], ids=["dandan", *[p for p, _ in COMMANDS]]
)
def test_every_help_is_vietnamese(path: str) -> None:
    done = CliRunner().invoke(app, ["--lang", "vi", *path.split(), "--help"])
    assert done.exit_code == 0, done.output
    assert not english_lines(done.stdout + done.stderr, NAMES)


def test_the_same_help_in_english_is_caught() -> None:
    """The reader of the help tells English from Vietnamese (the test above is no
    formality)."""
    done = CliRunner().invoke(app, ["--lang", "en", "list", "--help"])
    assert len(english_lines(done.stdout, NAMES)) >= 5, done.stdout


# -- refusals met on purpose ---------------------------------------------------------------


def vi(run: Run, *args: str) -> Result:
    """`dandan --db <registry> --lang vi ARGS`, checked as the fuzz tests check a call:
    a known exit code, no traceback; and no English line on stderr or in a short stdout."""
    result = run("--lang", "vi", *args)
    said = f"dandan --lang vi {fuzz._short(args)} → {result.exit_code}: {result.stderr[:500]!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), said
    assert result.exit_code in (0, 1, 2, 3), said
    assert "Traceback" not in result.stderr, said
    english = english_lines(result.stderr, NAMES)
    assert not english, f"{said}\nEnglish: {english}"
    return result


@pytest.fixture
def one_model(run: Run) -> Run:
    """A registry holding one model, recognised once, as the fuzz tests' `fuzzed`."""
    assert run(*REGISTER).exit_code == 0
    assert run("recognize", MODEL, "--year", "2023", "--level", "xa").exit_code == 0
    return run


def _files(tmp: Path) -> dict[str, Path]:
    """Files a clerk may hand to `import` or `--db` by mistake."""
    folder = tmp / "folder"
    folder.mkdir(exist_ok=True)
    made = {
        "binary": bytes(range(256)) * 4,
        "latin": "name,province,field,sponsor\nTổ,Quảng Trị,kt,phu nu\n".encode("utf-16"),
        "notzip": b"name,province\nx,y\n",
        "empty": b"",
        "text": b"not a database at all, just some text\n" * 200,
        "good": "name,province,field,sponsor\nTổ tự quản,quang tri,kt,phu nu\n".encode(),
        "bad": "name,province,field,sponsor,registered_on\nTổ,atlantis,kt,phu nu,\n"
        ",quang tri,nothing,youth,2023-02-30\n".encode(),
    }
    paths = {"folder": folder, "missing": tmp / "missing.csv"}
    for name, body in made.items():
        suffix = ".xlsx" if name == "notzip" else ".db" if name == "text" else ".csv"
        paths[name] = tmp / f"{name}{suffix}"
        paths[name].write_bytes(body)
    cut = tmp / "cut.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "province", "field", "sponsor"])
    paths["book"] = tmp / "book.xlsx"
    book.save(paths["book"])
    cut.write_bytes(paths["book"].read_bytes()[:300])
    paths["cut"] = cut
    return paths


#: Known refusals, each as a clerk meets it: `{name}` is a file of `_files`.
REFUSALS: list[tuple[str, ...]] = [
    ("list", "--regsitered-on", "2023"),
    ("list", "--serach", "x"),
    ("list", "--limit", "abc"),
    ("list", "--limit", "-5"),
    ("list", "--limit", "1e3"),
    ("list", "--limit"),
    ("list", "--format", "xml"),
    ("list", "--format", "x' UNION SELECT sql FROM sqlite_master --"),
    ("list", "--sort", "bogus"),
    ("list", "--status", "gone"),
    ("recognize", MODEL, "--year", "x", "--level", "xa"),
    ("recognize", MODEL, "--year", "2023", "--level", "xa"),
    ("recognize", MODEL, "--year", "2023", "--level", "galaxy"),
    ("recognize", MODEL, "--year", "2024", "--level", "tinh", "--decided-on", "2024-02-30"),
    ("register", "X", "--province", "quang tri", "--field", "kt", "--sponsor", "phu nu",
     "--registered-on", "2023-13-45"),
    ("register", "X", "--province", "atlantis", "--field", "kt", "--sponsor", "phu nu"),
    ("register", "X", "--province", "quang tri", "--field", "nothing", "--sponsor", "phu nu"),
    ("register", "X", "--province", "quang tri", "--field", "kt", "--sponsor", "phu nu",
     "--commune", "nowhere at all"),
    ("register", "X", "--province", "quang tri", "--field", "kt", "--sponsor", "phu nu",
     "--holder", "everyone"),
    ("register",),
    ("show",),
    ("show", MODEL, "extra"),
    ("show", "QTR-2023-99999"),
    ("show", "not a code"),
    ("withdraw", MODEL),
    ("edit", MODEL, "--registered-on", "1800-01-01"),
    ("unrecognize", MODEL, "--year", "2020", "--level", "tinh", "--reason", "x"),
    ("reinstate", MODEL, "--reason", "x"),
    ("nonsense",),
    ("db", "nonsense"),
    ("db", "backup"),
    ("db", "backup", "{folder}"),
    ("db", "copy", "--to", "{good}"),
    ("tally", "--in", "atlantis"),
    ("tally", "--by", "nonsense"),
    ("tally", "--period", "2025-2021"),
    ("tally", "--year", "99999999999999999999"),
    ("tally", "--province", "--year", "2023", "--since", "2021"),
    ("tally", "--format", "xlsx"),
    ("tally", "--output", "{folder}"),
    ("tally", "--bom"),
    ("localities", ""),
    ("import", "{missing}"),
    ("import", "{folder}"),
    ("import", "{binary}"),
    ("import", "{latin}", "--encoding", "ascii"),
    ("import", "{good}", "--encoding", "utf-16"),
    ("import", "{good}", "--encoding", "rot13"),
    ("import", "{good}", "--encoding", "no-such-encoding"),
    ("import", "{empty}"),
    ("import", "{notzip}"),
    ("import", "{cut}"),
    ("import", "{book}", "--sheet", "Trang 9"),
    ("import", "{bad}"),
    ("import", "{bad}", "--errors", "{folder}"),
    ("import", "{good}", "--on-conflict", "maybe"),
    ("import", "{good}", "--set", "nothing"),
    ("import", "{good}", "--aliases", "{missing}"),
    ("export", "{folder}"),
    ("export", "-", "--format", "xml"),
    ("report", "{folder}"),
    ("template", "{folder}"),
    ("template", "{missing}", "--province", "atlantis"),
    ("--lang", "klingon", "list"),
    ("history", "QTR-2023-99999"),
]  # fmt: skip
#: `--db` given something that is no registry.
NO_REGISTRY = ["{folder}", "{text}", "{binary}", "{missing}/x.db", "sqlite:///{folder}"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("args", REFUSALS, ids=[" ".join(a)[:60] for a in REFUSALS])
def test_every_known_refusal_is_vietnamese(
    one_model: Run, db: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    files = _files(tmp_path)
    before = dump(db)
    result = vi(one_model, *(a.format(**files) for a in args))
    assert result.exit_code != 0, result.stdout
    assert result.stderr.startswith("lỗi: "), result.stderr
    assert dump(db) == before


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("show",), "'MÃ'"),  # click's "Missing argument": the metavar, not 'code'
        (("recognize",), "'MÃ'"),
    ],
)
def test_a_missing_value_is_named_by_its_vietnamese_word(
    run: Run, args: tuple[str, ...], word: str
) -> None:
    result = vi(run, *args)
    assert result.exit_code == 2
    assert word in result.stderr, result.stderr


@pytest.mark.parametrize("where", NO_REGISTRY)
def test_a_registry_that_cannot_be_used_is_said_in_vietnamese(
    run: Run, tmp_path: Path, where: str
) -> None:
    files = _files(tmp_path)
    result = vi(run, "--db", where.format(**files), "list")
    assert result.exit_code != 0
    assert result.stderr.startswith("lỗi: "), result.stderr


# -- every refusal the fuzz tests reach -------------------------------------------------------

Seen = Counter[int]


@pytest.fixture
def seen(report: list[str]) -> Iterator[Seen]:
    counts: Seen = Counter()
    yield counts
    report.append("vi " + fuzz._seen(os.environ.get("PYTEST_CURRENT_TEST", "?"), counts))


PLACE = fuzz.PLACE
ARGUMENTS = st.one_of(
    fuzz.invocation(
        "register", NAME=fuzz.NAME, province=fuzz.PROVINCE, commune=fuzz.COMMUNE,
        district=fuzz.DISTRICT, field=fuzz.FIELD, sponsor=fuzz.SPONSOR, holder=fuzz.HOLDER,
        holder_name=fuzz.FREE, registered_on=fuzz.REGISTERED_ON, description=fuzz.FREE,
    ),
    fuzz.invocation(
        "recognize", CODE=fuzz.EXISTING, year=(fuzz.years, fuzz.hostile_years, True),
        level=(fuzz.valid("xa", "Cấp xã", "tinh", "tw"), fuzz.nasty_text, True),
        decision=fuzz.FREE, by=fuzz.FREE,
        decided_on=(fuzz.iso_dates(date(2024, 1, 1), date(2024, 12, 31)),
                    fuzz.hostile_dates, False),
    ),
    fuzz.invocation(
        "edit", CODE=fuzz.EXISTING, name=fuzz.optional(fuzz.NAME),
        province=fuzz.optional(fuzz.PROVINCE), field=fuzz.optional(fuzz.FIELD),
        registered_on=fuzz.REGISTERED_ON, description=fuzz.FREE,
    ),
    fuzz.invocation(
        "list", search=(fuzz.free_text, fuzz.nasty_text, True), **{"in": PLACE},
        status=(fuzz.valid("registered", "withdrawn"), fuzz.nasty_text, False),
        limit=(fuzz.valid("1", "100"), fuzz.hostile_years, False),
        sort=(fuzz.valid("date", "name"), fuzz.nasty_text, False),
    ),
    st.tuples(
        fuzz.invocation("tally --province", **{"in": (PLACE[0], PLACE[1], True)}),
        fuzz.WINDOW, st.one_of(fuzz.years, fuzz.hostile_years),
    ).map(lambda t: [*t[0], t[1], t[2]]),
    fuzz.invocation("localities", QUERY=(fuzz.valid(*fuzz.PLACES), fuzz.nasty_text, True)),
    fuzz.invocation("show", CODE=(fuzz.codes, fuzz.nasty_text, True)),
    fuzz.MARKED_CALLS,
)  # fmt: skip


@fuzz.scaled(2.0)
@given(ARGUMENTS)
def test_every_fuzzed_refusal_is_vietnamese(one_model: Run, seen: Seen, args: list[str]) -> None:
    seen[vi(one_model, *args).exit_code] += 1


@fuzz.scaled(1.0)
@given(st.sampled_from(fuzz.FILE_CALLS), fuzz.FILE_NAMES)
def test_every_fuzzed_file_name_refusal_is_vietnamese(
    one_model: Run, seen: Seen, tmp_path: Path, call: list[str], name: str
) -> None:
    folder = tmp_path / "files"
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    batch = folder / "batch.csv"
    batch.write_text("name,province,field,sponsor\nTổ tự quản,quang tri,kt,phu nu\n")
    args = [str(batch) if a == "{batch}" else a.replace("{}", f"{folder}/{name}") for a in call]
    seen[vi(one_model, *args).exit_code] += 1


@fuzz.scaled(1.0)
@given(
    st.one_of(
        fuzz.csv_files().map(lambda body: ("csv", body)),
        st.binary(max_size=300).map(lambda body: ("csv", body)),
        fuzz.xlsx_files().map(lambda body: ("xlsx", body)),
    ),
    fuzz.IMPORT_OPTIONS,
)
def test_every_fuzzed_import_refusal_is_vietnamese(
    one_model: Run, seen: Seen, tmp_path: Path, file: tuple[str, bytes], options: list[str]
) -> None:
    kind, body = file
    path = tmp_path / f"batch.{kind}"
    path.write_bytes(body)
    seen[vi(one_model, "import", str(path), *options).exit_code] += 1


@pytest.mark.sqlite_only
def test_a_hostile_value_in_every_parameter_is_refused_in_vietnamese(
    one_model: Run, seen: Seen, tmp_path: Path
) -> None:
    """The fuzz tests' SQL payloads, one in each option and argument of every command
    (every fourth one in `make test`, all of them in `make fuzz`)."""
    for i, (command, parameter, position) in enumerate(fuzz.PARAMETERS):
        if not fuzz.FUZZ and i % 4:
            continue
        payload = fuzz.SQL[i % len(fuzz.SQL)]
        seen[
            vi(one_model, *fuzz._call(command, parameter, position, payload, tmp_path)).exit_code
        ] += 1
