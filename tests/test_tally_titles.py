"""`dandan tally`: a title states the whole selection, an ambiguous place is refused,
and groups with an order of their own come out in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

# Seven models: six in Quảng Trị (Phường Đông Hà), one in Hà Nội. Registered 2021: 1,
# 2022: 4, 2023: 2 (count order 2022, 2023, 2021); recognised at the commune level 1,
# the district level 2, the province level 3 (count order province, district, commune).
ROWS = """\
name,province,commune,locality_scheme,field,sponsor,holder,registered_on,recognition_year,recognition_level,decided_on,recognized_by
Mô hình một,Quảng Trị,Phường Đông Hà,current,economy,women,collective,2021-03-01,2023,commune,2023-06-01,UBND phường
Mô hình hai,Quảng Trị,Phường Đông Hà,current,economy,farmers,collective,2022-03-01,2023,district,2023-06-01,UBND huyện
Mô hình ba,Quảng Trị,Phường Đông Hà,current,culture,women,collective,2022-04-01,2023,district,2023-06-01,UBND huyện
Mô hình bốn,Quảng Trị,Phường Đông Hà,current,economy,youth,collective,2022-05-01,2023,province,2023-06-01,UBND tỉnh
Mô hình năm,Quảng Trị,Phường Đông Hà,current,economy,women,collective,2023-03-01,2023,province,2023-06-01,UBND tỉnh
Mô hình sáu,Quảng Trị,Phường Đông Hà,current,culture,youth,collective,2023-04-01,2023,province,2023-06-01,UBND tỉnh
Mô hình bảy,Hà Nội,,current,economy,women,collective,2022-03-01,,,,
"""  # noqa: E501


@pytest.fixture
def seeded(run: Run, tmp_path: Path) -> Run:
    source = tmp_path / "models.csv"
    source.write_text(ROWS, encoding="utf-8")
    result = run("import", str(source))
    assert result.exit_code == 0, result.stderr
    return run


def title(run: Run, *args: str) -> str:
    """The tally's title: the text before the table, its lines joined (a terminal wraps it)."""
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    before_table = result.stdout.split("┏")[0]
    return " ".join(before_table.split())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["tally", "--in", "quang tri", "--by-end-of", "2023"],
            "Models in Quảng Trị, by the end of 2023",
        ),
        (
            ["--lang", "vi", "tally", "--in", "quang tri", "--by-end-of", "2023"],
            "Mô hình tại Quảng Trị, đến hết năm 2023",
        ),
        (
            ["tally", "--in", "quang tri", "--by-end-of", "2023", "--by", "field"],
            "Models by field in Quảng Trị, by the end of 2023",
        ),
        (
            ["--lang", "vi", "tally", "--in", "quang tri", "--by-end-of", "2023", "--by", "field"],
            "Mô hình theo lĩnh vực tại Quảng Trị, đến hết năm 2023",
        ),
        (
            ["tally", "--in", "quang tri", "--boundaries", "2024", "--by-end-of", "2023"],
            "Models in Quảng Trị (before 2025-07-01), by the end of 2023",
        ),
        (
            [
                "--lang",
                "vi",
                "tally",
                "--in",
                "quang tri",
                "--boundaries",
                "2024",
                "--by",
                "province",
                "--by-end-of",
                "2023",
            ],
            "Mô hình theo tỉnh (đơn vị hành chính trước 01/07/2025) tại Quảng Trị "
            "(trước 01/07/2025), đến hết năm 2023",
        ),
        (["tally", "--by-end-of", "2023"], "Models nationwide, by the end of 2023"),
    ],
)
def test_title_names_the_place(seeded: Run, args: list[str], expected: str) -> None:
    assert title(seeded, *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["tally", "--in", "quang tri", "--by-end-of", "2023", "--field", "economy"],
            "Models in Quảng Trị, by the end of 2023 (field: Economy)",
        ),
        (
            [
                "tally",
                "--by",
                "year",
                "--period",
                "2021-2025",
                "--sponsor",
                "women",
                "--status",
                "recognized",
            ],
            "Models by year, in 2021–2025 (sponsor: Women's Union; status: Recognised)",
        ),
        (
            [
                "--lang",
                "vi",
                "tally",
                "--in",
                "quang tri",
                "--by-end-of",
                "2023",
                "--field",
                "economy",
                "--sponsor",
                "women",
                "--level",
                "province",
                "--holder",
                "collective",
                "--status",
                "recognized",
                "--search",
                "mô hình",
            ],
            "Mô hình tại Quảng Trị, đến hết năm 2023 (lĩnh vực: Kinh tế; khối chủ trì: Hội "
            "Liên hiệp Phụ nữ; cấp: Cấp tỉnh; chủ thể: Tập thể; trạng thái: Đã công nhận; "
            "tên có chứa: “mô hình”)",
        ),
    ],
)
def test_title_states_every_filter(seeded: Run, args: list[str], expected: str) -> None:
    assert title(seeded, *args) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "error: --in: 'dong ha' is ambiguous: before 2025-07-01 Thành phố Đông Hà "
            "(Quảng Trị, 461), today Phường Đông Hà (Quảng Trị, 19333); give the code; or say "
            "which with --boundaries 2024 (the old unit) or --boundaries current (today's)\n",
        ),
        (
            "vi",
            "lỗi: --in: 'dong ha' chưa rõ là đơn vị nào: trước 01/07/2025 là Thành phố Đông Hà "
            "(Quảng Trị, 461), hiện nay là Phường Đông Hà (Quảng Trị, 19333); hãy ghi mã; hoặc "
            "chỉ rõ bằng --boundaries 2024 (đơn vị cũ) hay --boundaries current (đơn vị hiện "
            "nay)\n",
        ),
    ],
)
@pytest.mark.parametrize("command", ["tally", "report"])
def test_an_old_and_a_current_unit_of_one_name_is_refused(
    seeded: Run, tmp_path: Path, lang: str, expected: str, command: str
) -> None:
    args = ["--lang", lang, command, "--in", "dong ha"]
    if command == "report":
        args.insert(3, str(tmp_path / "page.html"))
    result = seeded(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected
    assert not (tmp_path / "page.html").exists()


def test_elsewhere_the_refusal_asks_for_the_code(seeded: Run) -> None:
    result = seeded("list", "--in", "dong ha")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: --in: 'dong ha' is ambiguous: before 2025-07-01 Thành phố Đông Hà "
        "(Quảng Trị, 461), today Phường Đông Hà (Quảng Trị, 19333); give the code\n"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--boundaries", "current"], "Models in Phường Đông Hà, Quảng Trị, all time"),
        (
            ["--boundaries", "2024"],
            "Models in Thành phố Đông Hà, Quảng Trị (before 2025-07-01), all time",
        ),
        (["--in", "19333"], "Models in Phường Đông Hà, Quảng Trị, all time"),
    ],
)
def test_boundaries_or_a_code_say_which_unit(seeded: Run, args: list[str], expected: str) -> None:
    place = [] if "--in" in args else ["--in", "dong ha"]
    assert title(seeded, "tally", *place, *args) == expected


def rows(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("tally", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)["rows"]
    return found


@pytest.mark.parametrize("window", [[], ["--period", "2021-2025"]])
def test_years_come_in_order_whatever_the_counts(seeded: Run, window: list[str]) -> None:
    assert [r["year"] for r in rows(seeded, "--by", "year", *window)] == [2021, 2022, 2023]
    assert [r["year"] for r in rows(seeded, "--by", "year", *window, "--sort", "count")] == [
        2022,
        2023,
        2021,
    ]


def test_levels_come_from_the_commune_up(seeded: Run) -> None:
    assert [r["level"] for r in rows(seeded, "--by", "level")] == [
        "commune",
        "district",
        "province",
    ]
    assert [r["level"] for r in rows(seeded, "--by", "level", "--sort", "count")] == [
        "province",
        "district",
        "commune",
    ]


def test_other_groups_keep_the_count_order(seeded: Run) -> None:
    assert [r["province"] for r in rows(seeded, "--by", "province")] == ["Quảng Trị", "Hà Nội"]
    # Within each year, fields by count: 2022 has three in economy, one in culture; 2023
    # one each, and four recognitions in economy, two in culture.
    by_year_field = [(r["year"], r["field"]) for r in rows(seeded, "--by", "year", "--by", "field")]
    assert by_year_field == [
        (2021, "economy"),
        (2022, "economy"),
        (2022, "culture_society"),
        (2023, "economy"),
        (2023, "culture_society"),
    ]
