"""Vietnamese alphabetical order in the database: the `vi` collation, on SQLite and
PostgreSQL, pinned on real names of provinces and communes (old and current)."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import String, column, create_engine, literal, select, table, text

from dandan import database, tables
from dandan.importing import import_files
from dandan.localities import gazetteer, legacy_gazetteer
from dandan.registry import ListOrder, Registry
from dandan.text import clean, sort_key, sort_prefix, sort_text
from tests.conftest import Run

#: Worked out by hand from the rules (a < ă < â < b < c < d < đ < e < ê < … < o < ô < ơ
#: < … < u < ư < …; word by word; in a word its letters, then its tone: none < huyền <
#: hỏi < ngã < sắc < nặng; numbers by value, before words; punctuation before letters),
#: not by running the code. Every name is a real province or commune, current or of
#: before 2025-07-01.
NAMES_IN_ORDER = [
    "An Giang",
    "Bà Rịa - Vũng Tàu",  # "Bà" is "ba" plus a tone: before "Bạc"'s longer "bac"
    "Bạc Liêu",  # a < ă
    "Bắc Giang",
    "Bắc Kạn",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Dương",  # d < đ
    "Bình Định",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",  # "ca" before "cao"
    "Cao Bằng",  # a < â
    "Cần Thơ",
    "Đà Nẵng",  # đ after every d
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Hà Giang",  # every "Hà …" before "Hải …"
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Phòng",
    "Hòa Bình",  # o < ô
    "Hồ Chí Minh",
    "Huế",  # u < ư
    "Hưng Yên",
    "Phường 1 Bảo Lộc",  # numbers before words, by value
    "Phường 2",
    "Phường 2 Bảo Lộc",
    "Phường 9",
    "Phường 10",
    "Phường Hà Giang 1",
    "Phường Hà Giang 2",
    "Phường Hạ Long",
    "Xã An Hòa",  # a < â
    "Xã Ân Hảo",
    "Xã Ân Thi",
    "Xã Ba Vì",  # "Ba" before "Bá", whatever follows: word by word
    "Xã Bá Thước",
    "Xã Cư M'gar",  # the apostrophe parts syllables, as a space would
    "Xã Cư Mốt",
    "Xã Hà Đông",
    "Xã Hà Trung",  # every "Hà" before any "Hạ"
    "Xã Hạ Hòa",
    "Xã M'Drắk",
    "Xã Mỵ Hòa",
    "Xã Ya ly",  # the same but for a capital: the small letter first
    "Xã Ya Ly",
]

#: The same names in the order a clerk might have registered them.
SHUFFLED = random.Random(2025).sample(NAMES_IN_ORDER, len(NAMES_IN_ORDER))
FIRST_DAY = date(2023, 1, 2)


@pytest.fixture
def named(db: Path | str) -> Registry:
    """A registry holding one model per name, registered in shuffled order, one day
    apart, so that neither the codes nor the dates follow the names."""
    registry = Registry(str(db))
    for day, name in enumerate(SHUFFLED):
        registry.register(
            name=name,
            province="quang tri",
            field="kinh te",
            sponsor="Hội Nông dân",
            registered_on=FIRST_DAY + timedelta(days=day),
        )
    return registry


def test_the_shuffled_names_are_not_in_order_already() -> None:
    assert SHUFFLED != NAMES_IN_ORDER and sorted(SHUFFLED) == sorted(NAMES_IN_ORDER)


def test_sort_key_gives_the_order_worked_out_by_hand() -> None:
    assert sorted(SHUFFLED, key=sort_key) == NAMES_IN_ORDER


def test_list_by_name_on_the_command_line(named: Registry, run: Run) -> None:
    result = run("list", "--sort", "name", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [r["name"] for r in json.loads(result.stdout)] == NAMES_IN_ORDER
    first = json.loads(run("list", "--sort", "name", "--limit", "3", "-f", "json").stdout)
    assert [r["name"] for r in first] == NAMES_IN_ORDER[:3]  # the database sorted them


def test_list_by_name_in_the_library(named: Registry) -> None:
    names = [m.name for m in named.list_models(sort="name")]
    assert names == NAMES_IN_ORDER == sorted(names, key=sort_key)
    assert [m.name for m in named.list_models(sort=ListOrder.name)] == NAMES_IN_ORDER


def test_list_by_date_stays_the_default_and_code_sorts_codes(named: Registry, run: Run) -> None:
    newest_first = list(reversed(SHUFFLED))
    for args in ((), ("--sort", "date"), ("--sort", "DATE")):
        rows = json.loads(run("list", *args, "--format", "json").stdout)
        assert [r["name"] for r in rows] == newest_first, args
    rows = json.loads(run("list", "--sort", "code", "--format", "json").stdout)
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    assert [r["name"] for r in rows] == SHUFFLED  # codes were given in registration order


def test_an_unknown_sort_is_a_usage_error(run: Run) -> None:
    result = run("list", "--sort", "tên")
    assert result.exit_code == 2
    assert result.stderr == "error: --sort: unknown value 'tên'; use date|name|code\n"


def test_sql_orders_by_the_collation(named: Registry) -> None:
    """The collation is the database's own: a plain SQL query (a report, a script) gets
    Vietnamese order. On PostgreSQL word by word, see `database.vietnamese`."""
    by_words = "string_to_array(name, ' ')" if named.engine.dialect.name == "postgresql" else "name"
    with named.engine.connect() as conn:
        raw = conn.scalars(text(f"SELECT name FROM models ORDER BY {by_words} COLLATE vi, code"))
        assert list(raw) == NAMES_IN_ORDER
        m = tables.models
        core = conn.scalars(select(m.c.name).order_by(database.vietnamese(m.c.name), m.c.code))
        assert list(core) == NAMES_IN_ORDER


@pytest.mark.postgres
def test_icu_alone_compares_tones_after_every_letter(pg_url: str) -> None:
    """Why PostgreSQL compares word by word: ICU's Vietnamese collation, given whole
    names, weighs every letter before any tone, so "Hạ Hòa" came before "Hà Trung"
    (h-a-h before h-a-t). Vietnamese dictionaries order syllable by syllable, so every
    "hà" comes before any "hạ", as `text.sort_key` does."""
    with Registry(pg_url) as registry:
        registry.open(create=True)  # creates the registry, and its collation
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        names = "SELECT unnest(ARRAY['Xã Hạ Hòa', 'Xã Hà Trung']) AS name"
        whole = conn.scalars(text(f"SELECT name FROM ({names}) AS n ORDER BY name COLLATE vi"))
        assert list(whole) == ["Xã Hạ Hòa", "Xã Hà Trung"]
        by_words = conn.scalars(
            text(f"SELECT name FROM ({names}) AS n ORDER BY string_to_array(name, ' ') COLLATE vi")
        )
        assert list(by_words) == ["Xã Hà Trung", "Xã Hạ Hòa"]
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_agrees_with_sort_key_on_every_official_name(pg_url: str) -> None:
    """Every province, district and commune, current and of before 2025-07-01 (9,000
    names, with apostrophes, hyphens, numbers and names that differ only in a
    capital): PostgreSQL's order is `sort_key`'s."""
    names = sorted(
        {
            unit.name
            for g in (gazetteer(), legacy_gazetteer())
            for units in (g.provinces, g.districts, g.communes)
            for unit in units.values()
        }
    )
    assert len(names) > 9000
    with Registry(pg_url) as registry, registry.open(create=True).begin() as conn:
        conn.exec_driver_sql("CREATE TEMPORARY TABLE official (name text)")
        official = table("official", column("name", String))
        conn.execute(official.insert(), [{"name": n} for n in names])
        ordered = conn.scalars(
            select(official.c.name).order_by(database.vietnamese(official.c.name))
        )
        assert list(ordered) == sorted(names, key=sort_key)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a", "ă"),
        ("ă", "â"),
        ("d", "đ"),
        ("o", "ô"),
        ("ô", "ơ"),
        ("u", "ư"),
        ("Hà Giang", "Hà Nội"),
        ("Hà Nội", "Hải Phòng"),
        ("Phường 2", "Phường 10"),
        # The tones: none < huyền < hỏi < ngã < sắc < nặng.
        ("ma", "mà"),
        ("mà", "mả"),
        ("mả", "mã"),
        ("mã", "má"),
        ("má", "mạ"),
        ("Xã Hà Trung", "Xã Hạ Hòa"),
    ],
)
def test_pairs_in_order_on_each_backend(db: Path | str, first: str, second: str) -> None:
    assert sort_key(first) < sort_key(second)
    values = (
        select(literal(second, String).label("name"))
        .union_all(select(literal(first, String).label("name")))
        .subquery()
    )
    with Registry(str(db)).open(create=True).connect() as conn:
        ordered = conn.scalars(select(values.c.name).order_by(database.vietnamese(values.c.name)))
        assert list(ordered) == [first, second]


@pytest.mark.sqlite_only
def test_the_file_needs_no_collation_to_open(named: Registry, db: Path) -> None:
    """The collation lives in dandan's connections, not in the tables: the sqlite3
    shell or any other tool still reads and checks the file."""
    with sqlite3.connect(db) as conn:
        ddl = " ".join(row[0] for row in conn.execute("SELECT sql FROM sqlite_master") if row[0])
        assert "COLLATE" not in ddl.upper()
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM models").fetchone() == (len(NAMES_IN_ORDER),)
    named.close()


# -- the SQLite collation is a total order, the order of sort_key ------------------------

_VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợ"
    "ùủũúụừửữứựỳỷỹýỵ 0123456789'-."
)
#: Mostly Vietnamese, with any other character now and then (SQLite stores text in
#: UTF-8: no surrogates).
_NAMES = st.text(
    st.one_of(
        st.sampled_from(_VIETNAMESE),
        st.characters(codec="utf-8", exclude_characters="\x00"),
    ),
    max_size=12,
)


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NAMES, max_size=25))
def test_sqlite_orders_as_sort_key(names: list[str]) -> None:
    with sqlite3.connect(":memory:") as conn:
        database.add_collation(conn)
        conn.execute("CREATE TABLE t (name TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [(n,) for n in names])
        ordered = [row[0] for row in conn.execute("SELECT name FROM t ORDER BY name COLLATE vi")]
    conn.close()
    assert ordered == sorted(names, key=sort_key)


@settings(max_examples=300, deadline=None)
@given(_NAMES, _NAMES, _NAMES)
def test_the_collation_is_a_total_order(a: str, b: str, c: str) -> None:
    compare = database.compare_vietnamese
    assert compare(a, a) == 0
    assert (compare(a, b) == 0) == (a == b)  # no two names tie
    assert _sign(compare(a, b)) == -_sign(compare(b, a))
    assert _sign(compare(a, b)) == _sign((sort_key(a) > sort_key(b)) - (sort_key(a) < sort_key(b)))
    if compare(a, b) <= 0 and compare(b, c) <= 0:
        assert compare(a, c) <= 0


# -- the stored sort key: the order of sort_key, as text ------------------------------


def _order(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


@settings(max_examples=500, deadline=None)
@given(_NAMES, _NAMES)
def test_sort_text_compares_as_sort_key(a: str, b: str) -> None:
    """Names are stored cleaned (no control characters: `text.clean`); their sort texts
    compare as their keys, and a smaller stored prefix means a smaller key."""
    a, b = clean(a), clean(b)
    assert _order(sort_text(a), sort_text(b)) == _order(sort_key(a), sort_key(b))
    if sort_prefix(a) < sort_prefix(b):
        assert sort_key(a) < sort_key(b)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("\U0010fff0b", "\U0010fff1a"),  # past the surrogates: two characters each
        ("\ud7ff", "\U00010000"),
        ("Phường 9", "Phường 10"),
        ("Hà Trung", "Hạ Hòa"),
        ("Mô hình", "Mô hình dân vận khéo"),
    ],
)
def test_sort_text_pairs(first: str, second: str) -> None:
    assert sort_key(first) < sort_key(second)
    assert sort_text(first) < sort_text(second)


def test_names_sharing_the_stored_prefix_are_ordered_by_the_collation(db: Path | str) -> None:
    """Names alike in their first words share `name_order`; the `vi` collation orders
    them (the stored prefix alone would leave them in any order)."""
    stem = "Mô hình dân vận khéo trong xây dựng nông thôn mới "
    tails = ["ấp Bình Hòa", "ấp An Phú", "ấp 10", "ấp 9", "xã Đông Hà", "xã Dương Hòa"]
    names = [stem + t for t in tails]
    assert len({sort_prefix(n) for n in names}) == 1
    registry = Registry(str(db))
    for name in reversed(names):
        registry.register(
            name=name, province="quang tri", field="kinh te", sponsor="Hội Nông dân",
            registered_on=FIRST_DAY,
        )  # fmt: skip
    listed = [m.name for m in registry.list_models(sort="name")]
    assert listed == [stem + t for t in ["ấp 9", "ấp 10", "ấp An Phú", "ấp Bình Hòa",
                                         "xã Dương Hòa", "xã Đông Hà"]]  # fmt: skip


def test_every_write_keeps_the_stored_sort_key(db: Path | str, tmp_path: Path) -> None:
    """An import, a register and an edit each store the start of the name's key: a new
    model without it, or a renamed one with its old name's, would be listed out of
    order."""
    source = tmp_path / "models.csv"
    source.write_text(
        "name,province,field,sponsor,registered_on\n"
        "Bình Minh,Quảng Trị,kinh tế,phụ nữ,2024-03-01\n"
        "An Phú,Quảng Trị,kinh tế,phụ nữ,2024-03-01\n",
        encoding="utf-8",
    )
    registry = Registry(str(db))
    assert import_files(registry, [str(source)]).committed
    registry.register(
        name="Yên Bình", province="quang tri", field="kinh te", sponsor="Hội Nông dân",
        registered_on=FIRST_DAY,
    )  # fmt: skip
    first = next(m for m in registry.list_models() if m.name == "An Phú")
    registry.edit(first.code, name="Đông Hà")
    assert [m.name for m in registry.list_models(sort="name")] == [
        "Bình Minh", "Đông Hà", "Yên Bình",
    ]  # fmt: skip
