"""Abbreviations and aliases: the short names offices write for sponsoring bodies,
fields and levels are read as the terms they mean, wherever a term is parsed; an
office's own spellings come from a small CSV (`--aliases FILE`, or `aliases.csv` in
the config folder), checked whole before anything is read."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dandan.aliases import Aliases, read
from dandan.errors import InvalidInput
from dandan.filters import ModelFilter
from dandan.importing import ImportOptions, RowChecks, _validated, import_files
from dandan.registry import Registry
from dandan.terms import Field, Holder, Level, Sponsor, parse_term
from tests.conftest import Run, dump
from tests.test_import_checks import checked, info_for

#: What each common abbreviation means, by the column it is written in (written by hand).
ABBREVIATIONS: list[tuple[str, str, str]] = [
    ("sponsor", "LHPN", "women"),
    ("sponsor", "Hội LHPN", "women"),
    ("sponsor", "Hội Liên hiệp Phụ nữ", "women"),
    ("sponsor", "Hội LHPN tỉnh", "women"),
    ("sponsor", "ĐTN", "youth"),
    ("sponsor", "Đoàn TN", "youth"),
    ("sponsor", "Đoàn TNCS HCM", "youth"),
    ("sponsor", "Đoàn TNCS Hồ Chí Minh", "youth"),
    ("sponsor", "Đoàn Thanh niên", "youth"),
    ("sponsor", "Đoàn TN huyện", "youth"),
    ("sponsor", "CCB", "veterans"),
    ("sponsor", "Hội CCB", "veterans"),
    ("sponsor", "HND", "farmers"),
    ("sponsor", "Hội ND", "farmers"),
    ("sponsor", "Hội Nông dân", "farmers"),
    ("sponsor", "MTTQ", "fatherland_front"),
    ("sponsor", "MTTQ xã", "fatherland_front"),
    ("sponsor", "Mặt trận", "fatherland_front"),
    ("sponsor", "UB MTTQ", "fatherland_front"),
    ("sponsor", "UBND", "government"),
    ("sponsor", "UBND xã", "government"),
    ("sponsor", "UBND cấp xã", "government"),
    ("sponsor", "chính quyền", "government"),
    ("sponsor", "CĐ", "trade_union"),
    ("sponsor", "LĐLĐ", "trade_union"),
    ("sponsor", "Công đoàn", "trade_union"),
    ("sponsor", "QS", "army"),
    ("sponsor", "BCHQS", "army"),
    ("sponsor", "Ban CHQS huyện", "army"),
    ("sponsor", "Quân sự", "army"),
    ("sponsor", "CA", "police"),
    ("sponsor", "Công an", "police"),
    ("sponsor", "Công an phường", "police"),
    ("sponsor", "Đảng ủy xã", "party"),
    ("field", "VH-XH", "culture_society"),
    ("field", "VH - XH", "culture_society"),
    ("field", "QP-AN", "defence_security"),
    ("field", "QP - AN", "defence_security"),
    ("field", "AN-QP", "defence_security"),
    ("field", "XD Đảng", "party_building"),
    ("field", "XDĐ", "party_building"),
    ("field", "XD HTCT", "party_building"),
    ("field", "KT", "economy"),
    ("recognition_level", "TW", "central"),
    ("recognition_level", "TƯ", "central"),
    ("recognition_level", "thị trấn", "commune"),
    ("recognition_level", "cấp cơ sở", "commune"),
    ("recognition_level", "TX", "district"),
    ("holder", "TT", "collective"),
    ("holder", "CN", "individual"),
]
KINDS: dict[str, type[StrEnum]] = {
    "sponsor": Sponsor,
    "field": Field,
    "recognition_level": Level,
    "holder": Holder,
}
#: Words that could name several terms of their column: never guessed.
AMBIGUOUS = [
    ("sponsor", "Hội"),
    ("sponsor", "Hội xã"),
    ("sponsor", "Ủy ban"),
    ("sponsor", "BCH"),
    ("sponsor", "Đoàn thể"),
    ("sponsor", "xã"),
    ("field", "KT-XH"),
    ("recognition_level", "TP"),
]
UNIT_WORDS = ["xã", "phường", "huyện", "tỉnh", "cấp xã", "thị xã", "thành phố"]
COLUMNS = ["name", "province", "commune", "field", "sponsor", "holder", "registered_on",
           "recognition_year", "recognition_level"]  # fmt: skip
BASE = {
    "province": "Quảng Trị", "commune": "Đông Hà", "field": "Kinh tế", "sponsor": "Khác",
    "holder": "", "registered_on": "2022-03-01", "recognition_year": "",
    "recognition_level": "",
}  # fmt: skip


def sheet(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for i, row in enumerate(rows, 1):
        writer.writerow(BASE | {"name": f"Mô hình {i}"} | row)
    return out.getvalue()


def write(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def stored(db: Path | str) -> dict[str, dict[str, str]]:
    """Each model's terms as the registry holds them, by name."""
    found = {}
    for model in Registry(str(db)).list_models():
        levels = [r.level for r in model.recognitions]
        found[model.name] = {
            "field": model.field,
            "sponsor": model.sponsor,
            "holder": model.holder,
            "recognition_level": levels[0] if levels else "",
        }
    return found


def row_of(column: str, text: str) -> dict[str, str]:
    if column == "recognition_level":
        return {"recognition_year": "2023", "recognition_level": text}
    return {column: text}


# --- built-in abbreviations -------------------------------------------------------


@pytest.mark.parametrize(("column", "text", "term"), ABBREVIATIONS)
def test_an_abbreviation_is_its_term(column: str, text: str, term: str) -> None:
    assert parse_term(KINDS[column], text).value == term


def test_a_sheet_of_abbreviations_imports_as_their_terms(
    run: Run, db: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "abbreviations.csv", sheet([row_of(c, t) for c, t, _ in ABBREVIATIONS]))
    result = run("import", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["inserted"] == len(ABBREVIATIONS)
    models = stored(db)
    for i, (column, text, term) in enumerate(ABBREVIATIONS, 1):
        assert models[f"Mô hình {i}"][column] == term, text


def test_a_sheet_of_300_rows_from_the_womens_union_imports(
    run: Run, db: Path, tmp_path: Path
) -> None:
    """The complaint: "Hội LHPN" was refused on every one of 300 rows."""
    path = write(tmp_path / "lhpn.csv", sheet([{"sponsor": "Hội LHPN"}] * 300))
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "error" not in result.stderr
    models = stored(db)
    assert len(models) == 300
    assert {m["sponsor"] for m in models.values()} == {"women"}


@pytest.mark.parametrize(("column", "text"), AMBIGUOUS)
def test_an_abbreviation_of_several_terms_is_refused_with_the_accepted_ones(
    column: str, text: str
) -> None:
    with pytest.raises(InvalidInput, match="use one of: ") as refused:
        parse_term(KINDS[column], text)
    assert refused.value.field == {"recognition_level": "level"}.get(column, column)


def test_abbreviations_register_and_filter(run: Run, db: Path) -> None:
    result = run(
        "register", "Dân vận khéo", "--province", "Quảng Trị", "--commune", "Đông Hà",
        "--field", "VH-XH", "--sponsor", "Hội LHPN xã", "--registered-on", "2023-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    listed = run("list", "--sponsor", "LHPN", "--field", "vh xh", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert [m["name"] for m in json.loads(listed.stdout)] == ["Dân vận khéo"]
    registry = Registry(str(db))
    assert registry.list_models(ModelFilter.parse(sponsors=["ĐTN"])) == []
    (model,) = registry.list_models(ModelFilter.parse(sponsors=["hoi lhpn tinh"], fields=["VHXH"]))
    assert (model.field, model.sponsor) == ("culture_society", "women")


# --- variations: case, spacing, diacritics, the level's word -----------------------


def _without_marks(char: str) -> str:
    if char in "đĐ":
        return "d"
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


@st.composite
def spelled(draw: st.DrawFn, text: str) -> str:
    """`text` as a clerk may type it: any case, marks kept or dropped letter by letter,
    spaces and hyphens added or taken out, composed or decomposed."""
    out = []
    for char in text:
        if char == " " or char == "-":
            out.append(draw(st.sampled_from(["", " ", "  ", "-", " - ", "\t", "."])))
            continue
        if draw(st.booleans()):
            char = _without_marks(char)
        char = char.upper() if draw(st.booleans()) else char.lower()
        out.append(char)
        if draw(st.integers(0, 9)) == 0:
            out.append(" ")
    typed = "".join(out)
    if draw(st.booleans()):
        typed = unicodedata.normalize("NFD", typed)
    return draw(st.sampled_from(["", " ", "  "])) + typed


@settings(max_examples=300)
@given(st.data(), st.sampled_from(ABBREVIATIONS))
def test_any_spelling_of_an_abbreviation_is_its_term(
    data: st.DataObject, case: tuple[str, str, str]
) -> None:
    column, text, term = case
    typed = data.draw(spelled(text))
    if column == "sponsor" and text.split()[-1] not in UNIT_WORDS and data.draw(st.booleans()):
        typed += " " + data.draw(spelled(data.draw(st.sampled_from(UNIT_WORDS))))
    assert parse_term(KINDS[column], typed).value == term


@settings(max_examples=300)
@given(st.sampled_from(list(KINDS.values())), st.text())
def test_no_text_crashes_the_term_parser(kind: type[StrEnum], text: str) -> None:
    try:
        found = parse_term(kind, text)
    except InvalidInput as exc:
        assert exc.field in ("field", "sponsor", "level", "holder")
    else:
        assert isinstance(found, kind)


# --- the office's own aliases ----------------------------------------------------

LOCAL = """column,alias,value
Khối chủ trì,Tổ PN,Hội LHPN
Lĩnh vực,Sinh kế,economy
holder,Hộ gia đình,cá nhân
Cấp công nhận,Cụm thi đua,tỉnh
"""


def test_an_office_alias_imports_as_its_term(run: Run, db: Path, tmp_path: Path) -> None:
    aliases = write(tmp_path / "aliases.csv", LOCAL)
    rows = [
        {"sponsor": "Tổ PN", "field": "sinh ke"},
        {"sponsor": "TO  pn", "holder": "Hộ gia đình", "field": "Sinh Kế"},
        {"recognition_year": "2023", "recognition_level": "cụm thi đua"},
    ]
    path = write(tmp_path / "batch.csv", sheet(rows))
    result = run("import", str(path), "--aliases", str(aliases))
    assert result.exit_code == 0, result.stderr
    models = stored(db)
    assert models["Mô hình 1"] == {
        "field": "economy", "sponsor": "women", "holder": "collective", "recognition_level": "",
    }  # fmt: skip
    assert models["Mô hình 2"]["holder"] == "individual"
    assert models["Mô hình 3"]["recognition_level"] == "province"


def test_without_the_file_an_office_alias_is_refused(run: Run, db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", sheet([{"sponsor": "Tổ PN"}]))
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "unknown sponsor 'Tổ PN'" in result.stderr
    assert stored(db) == {}


def test_a_row_with_an_alias_and_another_error_is_refused_for_that_error(
    run: Run, db: Path, tmp_path: Path
) -> None:
    """A row that goes through `validate_row` (here a bad date) reads the alias too."""
    aliases = write(tmp_path / "aliases.csv", LOCAL)
    rows = [{"sponsor": "Tổ PN", "registered_on": "31/02/2023"}, {"sponsor": "'Tổ PN"}]
    path = write(tmp_path / "batch.csv", sheet(rows))
    result = run("import", str(path), "--aliases", str(aliases), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "registered_on" in result.stderr
    assert "sponsor" not in result.stderr
    assert {m["sponsor"] for m in stored(db).values()} == {"women"}


def test_a_script_passes_aliases_through_the_import_options(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", sheet([{"sponsor": "Tổ PN"}]))
    aliases = Aliases.of([(2, ["sponsor", "Tổ PN", "women"])], "script")
    summary = import_files(
        Registry(str(db)), [str(path)], ImportOptions(aliases=aliases, today=date(2025, 1, 1))
    )
    assert summary.inserted == 1
    assert stored(db)["Mô hình 1"]["sponsor"] == "women"


HEAD = "column,alias,value\n"
#: Each wrong file, and what the refusal says after the file's name.
BAD_FILES = {
    "unknown-column": (HEAD + "province,QT,Quảng Trị\n", ":2: column 'province' holds no term"),
    "not-a-term": (HEAD + "sponsor,PL,Hội Phụ lão\n", ":2: unknown sponsor 'Hội Phụ lão'"),
    "built-in-clash": (HEAD + "sponsor,CA,women\n", ":2: alias 'CA' already means Công an in"),
    "field-clash": (HEAD + "field,VH-XH,economy\n", ":2: alias 'VH-XH' already means Văn hóa"),
    "line-clash": (
        HEAD + "sponsor,X1,women\nsponsor,x 1,youth\n",
        ":3: alias 'x 1' already means Hội Liên hiệp Phụ nữ (",
    ),
    "two-values": (HEAD + "sponsor,PN\n", ":2: a line holds three values"),
    "four-values": (HEAD + "sponsor,PN,women,x\n", ":2: a line holds three values"),
    "empty-alias": (HEAD + "sponsor,,women\n", ":2: a line holds three values"),
    "punctuation-alias": (HEAD + "sponsor,--,women\n", ":2: alias '--' has no letter"),
    "no-header": ("cột,tên,giá trị\nsponsor,PN,women\n", ":1: the first line must be the header"),
    "empty": ("", ":1: the first line must be the header"),
    "open-quote": (HEAD + 'sponsor,"PN,women\n', ":2: not CSV"),
    "nul": (HEAD + "sponsor,P\x00N,women\n", ":1: a NUL character"),
}


@pytest.mark.parametrize(("body", "said"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_aliases_file_is_refused_before_anything_is_read(
    run: Run, db: Path, tmp_path: Path, body: str, said: str
) -> None:
    aliases = write(tmp_path / "aliases.csv", body)
    path = write(tmp_path / "batch.csv", sheet([{"sponsor": "LHPN"}]))
    for files in ([str(path)], [str(tmp_path / "missing.csv")]):
        result = run("import", *files, "--aliases", str(aliases))
        assert result.exit_code == 1, result.stdout
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"error: {aliases}{said}"), result.stderr
        assert "Traceback" not in result.stderr
        assert dump(db) == []


def test_an_aliases_file_beyond_its_size_or_missing_is_refused(
    run: Run, db: Path, tmp_path: Path
) -> None:
    big = write(tmp_path / "big.csv", "column,alias,value\n" + "sponsor,Tổ PN,women\n" * 60_000)
    path = write(tmp_path / "batch.csv", sheet([{"sponsor": "LHPN"}]))
    for aliases, said in ((big, "holds at most 1024 KB"), (tmp_path / "none.csv", "cannot read")):
        result = run("import", str(path), "--aliases", str(aliases))
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"error: {aliases}: ") and said in result.stderr
        assert dump(db) == []


def test_the_config_folder_aliases_are_read_by_every_import(
    run: Run, db: Path, tmp_path: Path, config_folder: Path
) -> None:
    config_folder.mkdir(parents=True)
    write(config_folder / "aliases.csv", "column,alias,value\nsponsor,Tổ PN,women\n")
    extra = write(tmp_path / "more.csv", "column,alias,value\nsponsor,Tổ TN,youth\n")
    path = write(tmp_path / "batch.csv", sheet([{"sponsor": "Tổ PN"}, {"sponsor": "Tổ TN"}]))
    assert run("import", str(path)).exit_code == 1  # "Tổ TN" is only in the other file
    result = run("import", str(path), "--aliases", str(extra))
    assert result.exit_code == 0, result.stderr
    models = stored(db)
    assert (models["Mô hình 1"]["sponsor"], models["Mô hình 2"]["sponsor"]) == ("women", "youth")


def test_an_alias_clashing_with_the_config_folders_is_refused_naming_both(
    run: Run, db: Path, tmp_path: Path, config_folder: Path
) -> None:
    config_folder.mkdir(parents=True)
    mine = write(config_folder / "aliases.csv", "column,alias,value\nsponsor,Tổ PN,women\n")
    extra = write(tmp_path / "more.csv", "column,alias,value\nsponsor,to pn,youth\n")
    path = write(tmp_path / "batch.csv", sheet([{"sponsor": "LHPN"}]))
    result = run("import", str(path), "--aliases", str(extra))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {extra}:2: alias 'to pn' already means ")
    assert f"({mine}:2)" in result.stderr
    assert dump(db) == []


def test_a_bad_config_folder_file_is_refused_naming_it(
    run: Run, db: Path, tmp_path: Path, config_folder: Path
) -> None:
    config_folder.mkdir(parents=True)
    mine = write(config_folder / "aliases.csv", "column,alias,value\nsponsor,CA,women\n")
    path = write(tmp_path / "batch.csv", sheet([{"sponsor": "LHPN"}]))
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {mine}:2: alias 'CA' already means Công an")
    assert dump(db) == []


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_no_bytes_crash_the_aliases_reader(
    tmp_path_factory: pytest.TempPathFactory, body: bytes
) -> None:
    path = tmp_path_factory.mktemp("aliases") / "aliases.csv"
    path.write_bytes(b"column,alias,value\n" + body)
    try:
        aliases = read(path)
    except InvalidInput as exc:
        assert exc.message.startswith(str(path))
    else:
        for column, table in aliases.columns.items():
            assert all(parse_term(KINDS[column], value) for value in table.values())


ALIASED = Aliases.of(enumerate(csv.reader(io.StringIO(LOCAL.partition("\n")[2])), 2), "aliases.csv")
#: Each term column's values: aliases, built-in spellings, refusals, a spreadsheet's
#: leading apostrophe (read by `validate_row` itself).
POOLS = {
    "field": ["Sinh kế", "sinh ke", "VH-XH", "Kinh tế", "Sinh", "'Sinh kế"],
    "sponsor": ["Tổ PN", "TO PN", "Hội LHPN xã", "CA", "Tổ", "'Tổ PN", ""],
    "holder": ["Hộ gia đình", "", "CN", "hộ", "'Hộ gia đình"],
    "recognition_level": ["Cụm thi đua", "cụm thi đua", "tỉnh", "TW", "Cụm", ""],
    "registered_on": ["2022-03-01", "31/02/2023"],
}


@settings(max_examples=150)
@given(st.lists(st.fixed_dictionaries({c: st.sampled_from(v) for c, v in POOLS.items()}),
                min_size=1, max_size=20), st.integers(1, 20))  # fmt: skip
def test_the_column_checks_read_aliases_as_validate_row_does(
    rows: list[dict[str, str]], chunk: int
) -> None:
    """The memoised column checks of an import and `validate_row` agree, aliases and all."""
    today = date(2025, 1, 1)
    full = [
        BASE
        | {"name": "Tổ tự quản"}
        | row
        | {"recognition_year": "2023" if row["recognition_level"] else ""}
        for row in rows
    ]
    info = info_for(COLUMNS)
    expected = [_validated(r, info, line, today, None, ALIASED) for line, r in enumerate(full, 2)]
    checks = RowChecks(today, None, ALIASED)
    assert checked(full, info, None, chunk, checks) == expected
    assert checked(full, info, None, chunk, checks) == expected


def test_aliases_are_read_once_per_value_not_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid row whose terms are aliases is assembled from the columns' memos: it never
    goes through `validate_row` one by one (which would slow a large import down)."""
    import dandan.importing

    def row_by_row(*args: object) -> None:
        raise AssertionError("a valid row went through validate_row")

    monkeypatch.setattr(dandan.importing, "_validated", row_by_row)
    aliased = {"field": "Sinh kế", "sponsor": "to pn", "holder": "Hộ gia đình",
               "recognition_year": "2023", "recognition_level": "Cụm thi đua"}  # fmt: skip
    rows = [BASE | {"name": f"Tổ {i}"} | aliased for i in range(50)]
    found = checked(rows, info_for(COLUMNS), None, 20, RowChecks(date(2025, 1, 1), None, ALIASED))
    assert [(c.model.field, c.model.sponsor, c.model.holder, c.recognition.level)
            for c in found] == [("economy", "women", "individual", "province")] * 50  # fmt: skip
