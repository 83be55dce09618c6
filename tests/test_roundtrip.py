"""Any history of changes leaves a registry whose export imports back to itself.

A hypothesis state machine registers, recognises, edits, withdraws, reinstates,
unrecognises and imports at random on one registry (through the library: `Registry`'s
methods, `importing.import_files`). Whatever the registry accepts must survive the round
trip the registry promises, its export imported into an empty registry and exported
again, byte for byte; whatever it refuses (`InvalidInput`, `Conflict`, `NotFound`) must
leave every table as it was.

The round trip (an export, a new registry, an import, an export: about 0.1 s on SQLite)
is checked at the end of every run, and every `ROUNDTRIP_EVERY` steps (5) under
`make fuzz`, not after each step: per step it made the run several times slower (the
runs of `make test`, fourteen steps, are checked at their end). A refusal is checked at
once, against a dump of every table taken before the step.

Values are those a clerk enters, valid on their own: Vietnamese names with and without
diacritics, units of the current gazetteer and of the old one (before 2025-07-01, with
districts), dates 2021–2026, recognitions whose year and level suit their date. Dates
that matter to the rules between records (a withdrawal and the registration, a decision
and the withdrawal) are also drawn relative to the model's own dates, where the
mistakes are.

Budget, as in test_fuzz.py: `make test` makes 16 derandomised runs of 14 steps (about
7 s on SQLite; 8 runs, about 7 s, on PostgreSQL), `make fuzz` (`DANDAN_FUZZ=1`) 400
runs of 40 steps; `DANDAN_FUZZ_EXAMPLES` sets the runs, `DANDAN_ROUNDTRIP_STEPS` the
steps per run.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from dandan.errors import InvalidInput
from dandan.exporting import COLUMNS, export, rows
from dandan.importing import ImportOptions, import_files
from dandan.localities import (
    CODE_PREFIXES,
    MERGER_DAY,
    gazetteer,
    legacy_gazetteer,
    reorganisation,
)
from dandan.registry import Registry
from dandan.terms import Field, Holder, Kind, Level, Sponsor, label
from dandan.text import fold
from dandan.writing import OnConflict
from tests.conftest import PG_URL, dump, empty_postgresql

FUZZ = bool(os.environ.get("DANDAN_FUZZ"))
RUNS = int(os.environ.get("DANDAN_FUZZ_EXAMPLES", "400" if FUZZ else "16"))
STEPS = int(os.environ.get("DANDAN_ROUNDTRIP_STEPS", "40" if FUZZ else "14"))
ROUNDTRIP_EVERY = 5 if FUZZ else 14
#: Shrinking a failing history takes minutes (each run makes registries): `make test`
#: reports the history as found (fourteen steps); `make fuzz`, or DANDAN_ROUNDTRIP_SHRINK=1,
#: the shortest one.
SHRINK = FUZZ or bool(os.environ.get("DANDAN_ROUNDTRIP_SHRINK"))
PROFILE = settings(
    max_examples=RUNS,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=not FUZZ,
    database=None,
    print_blob=FUZZ,
    phases=[p for p in Phase if p is not Phase.explain and (SHRINK or p is not Phase.shrink)],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# -- what a clerk enters -----------------------------------------------------------------

FIRST = date(2021, 1, 1)
LAST = date(2026, 10, 31)  # before the day the tests run, whenever they run
EDGES = (
    date(2021, 1, 1), date(2023, 12, 31), date(2024, 1, 1), date(2025, 6, 30),
    date(2025, 7, 1), date(2025, 12, 31), date(2026, 1, 1),
)  # fmt: skip
PROVINCES = (44, 46, 79)  # Quảng Trị (old code 44: Quảng Bình), Huế, Hồ Chí Minh


def plain(value: str) -> str:
    """Vietnamese as typed without a Vietnamese keyboard."""
    return fold(value) if value else value


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, with odds (`st.one_of` draws each branch alike, and
    takes a repeated branch once)."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda i: table[i])


def spellings(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted({value, plain(value)}))


days = st.one_of(st.dates(FIRST, LAST), st.sampled_from(EDGES))
iso_or_vietnamese = st.sampled_from((date.isoformat, lambda d: d.strftime("%d/%m/%Y")))

NAMES = (
    "Mô hình “Dân vận khéo” trong xây dựng nông thôn mới",
    "Tổ tự quản đường làng",
    "Camera an ninh, ánh sáng đường quê",
    "Hũ gạo tình thương; nhóm Zalo",
    'Chi hội Phụ nữ thôn 3 "sạch nhà, đẹp ngõ"',
    "=Tổng hợp: vận động hiến đất",
    "+84 Đường dây nóng",
    "Dân vận khéo",
    "Xóa nhà tạm, nhà dột nát",
    "Đảng viên nhận phụ trách hộ gia đình",
)
names = st.one_of(
    st.sampled_from(NAMES).flatmap(spellings),
    st.builds(
        lambda a, b: f"{a} {b}",
        st.sampled_from(("Mô hình", "Tổ", "Câu lạc bộ", "Nhóm", "Ban")),
        st.text(
            "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậềểễếệìỉĩíịòỏõóọ 0123456789,-",
            min_size=1,
            max_size=20,
        ).filter(str.strip),
    ),
)
texts = st.one_of(
    st.none(),
    st.sampled_from((
        "Vận động hộ gia đình phân loại rác, trồng hoa",
        "Giúp hộ nghèo tiếp cận vốn vay; kỹ thuật sản xuất",
        "Nguyễn Thị Hoa", "Nguyen Van Hung", "-1 hộ", "@ban điều hành",
    )).flatmap(spellings),
)  # fmt: skip


def term_spellings(kind: Any) -> st.SearchStrategy[str]:
    """A term as clerks write it: the identifier, the Vietnamese label, without marks."""
    choices = set()
    for member in kind:
        vi = label(kind, member.value, "vi")
        choices |= {member.value, vi, plain(vi)}
    return st.sampled_from(sorted(choices))


fields = term_spellings(Field)
sponsors = term_spellings(Sponsor)
holders = st.one_of(st.none(), term_spellings(Holder))
kinds = st.one_of(st.none(), term_spellings(Kind))


@dataclass(frozen=True)
class Place:
    province: str
    commune: str | None = None
    district: str | None = None
    boundaries: str | None = None


def _current_places() -> st.SearchStrategy[Place]:
    g = gazetteer()
    communes = sorted(
        (c for c in g.communes.values() if c.province_code in PROVINCES), key=lambda c: c.code
    )
    province = st.sampled_from(PROVINCES).map(lambda p: g.provinces[p])
    commune = st.integers(0, len(communes) - 1).map(lambda i: communes[i])
    return st.one_of(
        st.builds(
            Place,
            province.flatmap(lambda p: st.sampled_from((p.name, str(p.code), plain(p.name)))),
            boundaries=st.sampled_from((None, "2025")),
        ),
        commune.flatmap(
            lambda c: st.builds(
                Place,
                st.just(g.provinces[c.province_code].name),
                spellings(c.name),
                boundaries=st.sampled_from((None, "2025", "mới")),
            )
        ),
    )


def _old_places() -> st.SearchStrategy[Place]:
    old, r = legacy_gazetteer(), reorganisation()
    codes = {p for new in PROVINCES for p in r.legacy_provinces(new)}
    communes = sorted(
        (c for c in old.communes.values() if c.province_code in codes), key=lambda c: c.code
    )

    def place(c: Any) -> st.SearchStrategy[Place]:
        district = old.districts[c.district_code].name if c.district_code else None
        return st.builds(
            Place,
            st.just(old.provinces[c.province_code].name),
            st.one_of(st.none(), spellings(c.name)),
            st.sampled_from((None, district)),
            st.sampled_from((None, "2024", "cũ")),
        )

    return st.integers(0, len(communes) - 1).map(lambda i: communes[i]).flatmap(place)


places = st.deferred(lambda: st.one_of(_current_places(), _old_places()))


def _own_codes() -> st.SearchStrategy[str]:
    """Codes a clerk supplies, in the registry's own numbering (which must then skip them)."""
    prefixes = [CODE_PREFIXES[p] for p in PROVINCES]
    return st.builds(
        "{}-{}-{:05d}".format,
        st.sampled_from(prefixes),
        st.integers(2021, 2026),
        st.integers(1, 4),
    )


@dataclass(frozen=True)
class NewModel:
    name: str
    place: Place
    field: str
    sponsor: str
    holder: str | None
    holder_name: str | None
    description: str | None
    registered_on: date
    code: str | None
    kind: str | None = None


new_models = st.builds(
    NewModel,
    names,
    places,
    fields,
    sponsors,
    holders,
    texts,
    texts,
    days,
    st.one_of(st.none(), st.none(), st.none(), _own_codes()),
    kinds,
)


@dataclass(frozen=True)
class NewRecognition:
    """A recognition drawn relative to the model's registration, so that most are
    valid: `years_after` it (up to 2026), decided `day` days into the window its year
    allows (the year, or early the next), or undated; a level its date allows (no
    district level from 2025-07-01), written as a clerk writes it."""

    years_after: int
    day: int | None
    level: Level
    vietnamese: bool
    decision: str | None
    by: str | None

    def resolve(self, registered_on: date) -> tuple[int, str, date | None]:
        year = min(LAST.year, registered_on.year + self.years_after)
        decided_on = None
        if self.day is not None:
            first = max(registered_on, date(year, 1, 1))
            last = min(LAST, date(year + 1, 2, 28))
            if first <= last:
                decided_on = first + timedelta(days=min(self.day, (last - first).days))
        level = self.level
        old = decided_on < MERGER_DAY if decided_on else year <= MERGER_DAY.year
        if level is Level.district and not old:
            level = Level.commune
        return year, label(Level, level, "vi") if self.vietnamese else level.value, decided_on


recognitions = st.builds(
    NewRecognition,
    st.integers(0, 2),
    st.one_of(st.none(), st.integers(0, 420), st.sampled_from((0, 1, 180, 364, 365))),
    st.sampled_from(Level),
    st.booleans(),
    st.sampled_from((None, "Số 45/QĐ-UBND", "45/QĐ-UBND", "45/qđ-ubnd", "12/QĐ-BDVTW")),
    st.sampled_from((None, "UBND tỉnh Quảng Trị", "Ban Dân vận Trung ương")),
)


@dataclass(frozen=True)
class Day:
    """A date: a day of the calendar, or `offset` days from one of the model's own dates
    (its registration, withdrawal, latest decision; the registration where it has none),
    where the rules between records bite."""

    anchor: str  # "day", "registered", "withdrawn", "decided"
    offset: int = 0
    day: date | None = None

    def resolve(self, record: Any) -> date | None:
        if self.anchor == "day":
            return self.day
        base: date | None = {
            "registered": record.registered_on,
            "withdrawn": record.withdrawn_on,
            "decided": max(
                (r.decided_on for r in record.recognitions if r.decided_on), default=None
            ),
        }[self.anchor]
        return min(LAST, (base or record.registered_on) + timedelta(days=self.offset))


#: Two dates in three from the model's own: a calendar day rarely falls next to them.
dates = weighted(
    (1, days.map(lambda d: Day("day", day=d))),
    (
        2,
        st.builds(Day, st.sampled_from(("registered", "withdrawn", "decided")), st.integers(-1, 3)),
    ),
)

edits = st.fixed_dictionaries(
    {},
    optional={
        "name": names,
        "description": st.one_of(texts, st.just("")),
        "place": places,
        "field": fields,
        "sponsor": sponsors,
        "holder": term_spellings(Holder),
        "holder_name": st.one_of(texts, st.just("")),
        "kind": term_spellings(Kind),
        "registered_on": dates,
    },
)
reasons = st.sampled_from(("Mô hình không còn duy trì hoạt động", "Trung lap", "Nhập sai"))

# -- where the registries are --------------------------------------------------------------


class Backend:
    """Empty registries for one run: the run's own, and fresh ones to import into.

    Each made once per test, then emptied for the next run: making the schema costs
    more than a run's steps (SQLite: copies of one empty registry; PostgreSQL: the
    tables truncated)."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind, self.root = kind, root
        self.template = root / "empty.db"
        self.main = self.second = ""
        if kind == "sqlite":
            Registry(str(self.template)).open(create=True).dispose()
        else:
            self.main, self.second = empty_postgresql(), second_postgresql()
            for url in (self.main, self.second):
                Registry(url).open(create=True).dispose()

    def start(self) -> tuple[Path, Any]:
        """A folder for the run's files, and the location of its empty registry."""
        folder = Path(tempfile.mkdtemp(dir=self.root))
        if self.kind == "sqlite":
            return folder, self.copy(folder / "registry.db")
        return folder, truncated(self.main)

    def fresh(self, folder: Path) -> Any:
        if self.kind == "sqlite":
            return self.copy(folder / "fresh.db")
        return truncated(self.second)

    def copy(self, target: Path) -> Path:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, target)
        return target


def second_postgresql() -> str:
    """A second empty database on the test server, beside the one the tests use: a
    round trip needs two registries at once."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    assert PG_URL is not None
    url = make_url(PG_URL)
    name = f"{url.database}_roundtrip"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.first() is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    second = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(second)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return second


def truncated(url: str) -> str:
    """The PostgreSQL registry at `url` emptied of data, its schema kept; ids from 1."""
    from sqlalchemy import create_engine

    from dandan import tables

    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(t.name for t in tables.metadata.sorted_tables)
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    engine.dispose()
    return url


# -- the machine ---------------------------------------------------------------------------


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Changes(RuleBasedStateMachine):
    backend: Backend  # set by the test, per backend

    codes = Bundle("codes")

    def __init__(self) -> None:
        super().__init__()
        self.folder, self.location = self.backend.start()
        self.registry = Registry(str(self.location), actor="roundtrip")
        self.registry.open(create=True)
        self.steps = self.checked = 0
        self.imports = 0
        #: A step raised something other than a refusal: the run has failed already,
        #: and the teardown's round trip would only hide why.
        self.broken = False

    # -- the oracle ------------------------------------------------------------------

    def tables(self) -> list[str]:
        """Every row of every table (`conftest.dump`; on PostgreSQL through the
        registry's own engine, a new one per step cost more than the step)."""
        if self.backend.kind == "sqlite":
            return dump(self.location)
        from dandan import tables

        lines: list[str] = []
        with self.registry.engine.connect() as conn:
            for table in tables.metadata.sorted_tables:
                lines.append(f"TABLE {table.name}")
                result = conn.exec_driver_sql(f'SELECT * FROM "{table.name}" ORDER BY 1')
                lines += [repr(tuple(row)) for row in result]
        return lines

    def attempt(self, what: str, change: Callable[[], Any]) -> Any:
        """Make the change; a refusal must leave every table as it was."""
        before = self.tables()
        self.steps += 1
        try:
            return change()
        except InvalidInput:
            assert self.tables() == before, f"{what} was refused, yet changed the registry"
            return None
        except BaseException:
            self.broken = True
            raise

    def exported(self, registry: Registry, name: str) -> list[str]:
        path = self.folder / name
        export(registry, path)
        return path.read_text(encoding="utf-8-sig").splitlines()

    def round_trip(self) -> None:
        self.checked = self.steps
        first = self.exported(self.registry, "first.csv")
        with Registry(str(self.backend.fresh(self.folder)), actor="roundtrip") as fresh:
            summary = import_files(fresh, [str(self.folder / "first.csv")])
            assert summary.committed and not summary.invalid, (
                "the registry's export does not import back:\n"
                + "\n".join(str(e) for e in summary.errors)
            )
            second = self.exported(fresh, "second.csv")
        assert second == first, "the export of the imported export differs"

    @invariant()
    def export_imports_back(self) -> None:
        if self.steps - self.checked >= ROUNDTRIP_EVERY:
            self.round_trip()

    def teardown(self) -> None:
        try:
            if not self.broken and self.steps > self.checked:
                self.round_trip()
        finally:
            self.registry.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- the changes -----------------------------------------------------------------

    @initialize(
        target=codes,
        model=new_models,
        recognition=st.one_of(st.none(), recognitions),
        withdrawal=st.one_of(st.none(), dates),
    )
    def first_model(
        self, model: NewModel, recognition: NewRecognition | None, withdrawal: Day | None
    ) -> Any:
        """A model, often recognised, often withdrawn: the rules between records need
        them, and a few steps of a short run rarely make them."""
        registered = self.register(model)
        for code in registered.values:
            if recognition is not None:
                self.recognize(code, recognition)
            if withdrawal is not None:
                self.withdraw(code, "Nhập sai", withdrawal)
        return registered

    @rule(target=codes, model=new_models)
    def register(self, model: NewModel) -> Any:
        record = self.attempt(
            "register",
            lambda: self.registry.register(
                name=model.name,
                province=model.place.province,
                commune=model.place.commune,
                district=model.place.district,
                boundaries=model.place.boundaries,
                field=model.field,
                sponsor=model.sponsor,
                holder=model.holder,
                holder_name=model.holder_name,
                kind=model.kind,
                description=model.description,
                registered_on=model.registered_on,
                code=model.code,
            ),
        )
        return multiple(record.code) if record else multiple()

    @rule(code=codes, recognition=recognitions)
    def recognize(self, code: str, recognition: NewRecognition) -> None:
        year, level, decided_on = recognition.resolve(self.registry.get(code).registered_on)
        self.attempt(
            "recognize",
            lambda: self.registry.recognize(
                code,
                year=year,
                level=level,
                decision=recognition.decision,
                decided_on=decided_on,
                by=recognition.by,
            ),
        )

    @rule(code=codes, changes=edits)
    def edit(self, code: str, changes: dict[str, Any]) -> None:
        values = dict(changes)
        place = values.pop("place", None)
        if place is not None:
            values |= {
                "province": place.province,
                "commune": place.commune,
                "district": place.district,
                "boundaries": place.boundaries,
            }
        when = values.pop("registered_on", None)
        if when is not None:
            values["registered_on"] = when.resolve(self.registry.get(code))
        self.attempt("edit", lambda: self.registry.edit(code, **values))

    @rule(code=codes, reason=reasons, on=weighted((1, st.none()), (3, dates)))
    def withdraw(self, code: str, reason: str, on: Day | None) -> None:
        when = on.resolve(self.registry.get(code)) if on is not None else None
        self.attempt("withdraw", lambda: self.registry.withdraw(code, reason=reason, on=when))

    @rule(code=codes, reason=reasons)
    def reinstate(self, code: str, reason: str) -> None:
        self.attempt("reinstate", lambda: self.registry.reinstate(code, reason=reason))

    @rule(
        code=codes,
        which=st.integers(0, 3),
        with_decision=st.booleans(),
        otherwise=recognitions,
        reason=reasons,
    )
    def unrecognize(
        self,
        code: str,
        which: int,
        with_decision: bool,
        otherwise: NewRecognition,
        reason: str,
    ) -> None:
        """One of the model's recognitions (by its year and level, and its decision or
        not), or one it may not have."""
        record = self.registry.get(code)
        held = record.recognitions
        year, level, _ = otherwise.resolve(record.registered_on)
        decision = otherwise.decision
        if held and which < 3:
            chosen = held[which % len(held)]
            year, level, decision = chosen.year, chosen.level, chosen.decision
        self.attempt(
            "unrecognize",
            lambda: self.registry.unrecognize(
                code,
                year=year,
                level=level,
                reason=reason,
                decision=decision if with_decision else None,
            ),
        )

    @rule(
        target=codes,
        new=st.lists(
            st.tuples(new_models, st.lists(recognitions, max_size=2), st.booleans()),
            max_size=3,
        ),
        again=st.lists(
            st.tuples(
                st.integers(0, 50),
                st.sampled_from(("same", "recognition", "name", "field", "withdrawn", "lower")),
                recognitions,
            ),
            max_size=3,
        ),
        policy=st.sampled_from(OnConflict),
        skip_invalid=st.booleans(),
    )
    def import_(
        self,
        new: list[tuple[NewModel, list[NewRecognition], bool]],
        again: list[tuple[int, str, NewRecognition]],
        policy: OnConflict,
        skip_invalid: bool,
    ) -> Any:
        """A clerk's file: new models (a row per recognition, the place as the clerk
        names it) and rows of registered models, as exported or changed."""
        table: list[dict[str, Any]] = []
        for model, held, withdrawn in new:
            base = {
                "code": model.code,
                "name": model.name,
                "description": model.description,
                "province": model.place.province,
                "district": model.place.district,
                "commune": model.place.commune,
                "locality_scheme": model.place.boundaries,
                "field": model.field,
                "sponsor": model.sponsor,
                "holder": model.holder,
                "holder_name": model.holder_name,
                "kind": model.kind,
                "registered_on": model.registered_on,
            }
            if withdrawn:
                base |= {"withdrawn_on": LAST, "withdrawn_reason": "Nhập sai"}
            dated: list[NewRecognition | None] = [*held] or [None]
            for rec in dated:
                table.append(base | _recognition_columns(rec, model.registered_on))
        registered = list(rows(self.registry))
        for index, how, rec in again:
            if not registered:
                break
            row = dict(registered[index % len(registered)])
            if how == "recognition":
                row |= _recognition_columns(rec, row["registered_on"])
            elif how == "name":
                row["name"] = f"{row['name']} (sửa)"
            elif how == "field":
                row["field"] = "economy" if row["field"] != "economy" else "culture_society"
            elif how == "withdrawn":
                if row["withdrawn_on"] is None:
                    row |= {"withdrawn_on": LAST, "withdrawn_reason": "Nhập sai"}
                else:
                    row |= {"withdrawn_on": None, "withdrawn_reason": None}
            elif how == "lower":
                row["code"] = row["code"].lower()
            table.append(row)
        self.imports += 1
        path = self.folder / f"import-{self.imports}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows([[csv_text(row.get(c)) for c in COLUMNS] for row in table])
        before = {r["code"] for r in registered}
        options = ImportOptions(on_conflict=policy, skip_invalid=skip_invalid)
        summary = self.attempt("import", lambda: _import(self.registry, path, options))
        if summary is None:
            return multiple()
        after = {r["code"] for r in rows(self.registry)}
        return multiple(*sorted(after - before))


def _recognition_columns(rec: NewRecognition | None, registered_on: date) -> dict[str, Any]:
    if rec is None:
        return {}
    year, level, decided_on = rec.resolve(registered_on)
    return {
        "recognition_year": year,
        "recognition_level": level,
        "decision_no": rec.decision,
        "decided_on": decided_on,
        "recognized_by": rec.by,
    }


def _import(registry: Registry, path: Path, options: ImportOptions) -> Any:
    """An import, its refusal (any invalid row, without `skip_invalid`) raised as such."""
    summary = import_files(registry, [str(path)], options)
    if not summary.committed:
        raise InvalidInput("; ".join(str(e) for e in summary.errors) or "refused")
    return summary


@pytest.fixture
def machine(backend: str, tmp_path: Path) -> Iterator[type[Changes]]:
    class OnBackend(Changes):
        pass

    OnBackend.backend = Backend(backend, tmp_path)
    yield OnBackend


def test_any_history_exports_and_imports_back_unchanged(
    machine: type[Changes], backend: str
) -> None:
    """On SQLite and, given a server, on PostgreSQL (half the runs in `make test`: each
    costs three times as much there)."""
    runs = RUNS if FUZZ or backend == "sqlite" else max(5, RUNS // 2)
    run_state_machine_as_test(machine, settings=settings(PROFILE, max_examples=runs))
