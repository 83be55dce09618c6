"""Deterministic synthetic registry rows, in the import CSV schema.

The demo seed, the brute-force tally tests and the import benchmarks all need
rows that look like what clerks send (real communes, Vietnamese names, terms
written every which way) and that pass every rule of `dandan.validation`, in
any quantity from a few thousand to four million. So the generator:

* is deterministic: `random.Random(seed)` drives every choice, so a seed
  names a data set and a failing test can be replayed. Which old commune, and
  which spelling of its district, a row dated before the merger names is drawn
  from a second stream of the same seed, so that writing old names did not
  change the models, dates and current places a seed gives;
* streams: `generate_rows` yields one dict at a time and keeps only a few
  counters, so memory stays flat at any size;
* is fast (well over 150,000 rows a second): everything that does not depend
  on the row (places, spellings, date strings) is computed once, and rows draw
  indexes into those tables with `random()` instead of `choice()`;
* builds rows valid by construction (dates are drawn inside the windows the
  rules allow), rather than drawing freely and discarding;
* writes places as the clerk of the day did: a model registered before
  1 July 2025 names the old units (old province, district and commune, see
  `OldPlace`), a later one the current units. Either way every row means one
  current commune, the one drawn, so counts under today's boundaries can be
  worked out from the drawn places alone.

`RowMaker.model` exposes the same machinery with constraints, so calibrated
data sets (`scripts/make_seed.py`) can fix how many models are registered or
recognised where and when.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from itertools import accumulate
from random import Random

from dandan.localities import (
    CODE_PREFIXES,
    CURRENT_SCHEME,
    MERGER_DAY,
    Commune,
    District,
    Province,
    gazetteer,
    legacy_gazetteer,
    reorganisation,
)
from dandan.sources import COLUMNS as IMPORT_COLUMNS
from dandan.terms import Field, Holder, Level, Sponsor, parse_term, terms_of

#: The import schema: one row per model, or one row per recognition of a model
#: recognised several times (each repeating the model's columns). Rows name places,
#: never codes: the `district` column carries the old district of a row dated
#: before 2025-07-01, and `locality_scheme` is filled only where such a row names
#: current units anyway.
COLUMNS: tuple[str, ...] = tuple(c for c in IMPORT_COLUMNS if not c.endswith("_code"))

FIRST_DAY = date(2021, 1, 1)
LAST_REGISTRATION = date(2026, 10, 31)
#: The "today" the rows are valid for: nothing is dated after it.
TODAY = date(2026, 11, 22)

RECOGNISED_SHARE = 0.45
#: Of the recognised models, the share recognised a second time at a higher level.
TWICE_SHARE = 0.12
WITHDRAWN_SHARE = 0.02
INDIVIDUAL_SHARE = 0.25
DESCRIBED_SHARE = 0.7

# Dates are day indexes from FIRST_DAY: comparisons and draws on ints, one list
# lookup for the ISO text.
_DAYS: tuple[str, ...] = tuple(
    (FIRST_DAY + timedelta(days=i)).isoformat() for i in range((TODAY - FIRST_DAY).days + 1)
)
_YEAR_OF: tuple[int, ...] = tuple(int(d[:4]) for d in _DAYS)
_YEAR_TEXT: dict[int, str] = {y: str(y) for y in set(_YEAR_OF)}
_TODAY = len(_DAYS) - 1
_LAST_REGISTRATION = (LAST_REGISTRATION - FIRST_DAY).days
_DISTRICTS_END = (MERGER_DAY - FIRST_DAY).days  # first day without districts
_MERGER = (MERGER_DAY - FIRST_DAY).days  # first day of the current units
#: Of the rows naming an old district, the share writing it abbreviated ("TP. Đông Hà").
ABBREVIATED_DISTRICT_SHARE = 0.2

# Levels by rank, so "a higher level" is a larger index.
_LEVELS = (Level.commune, Level.district, Level.province, Level.central)
_COMMUNE, _DISTRICT, _PROVINCE, _CENTRAL = range(4)
# Cumulative odds of the first recognition's level, before and after districts ended.
_LEVEL_ODDS_WITH_DISTRICTS = (0.55, 0.80, 0.97, 1.0)
_LEVEL_ODDS_WITHOUT = (0.72, 0.72, 0.97, 1.0)


def day_index(day: date) -> int:
    """Position of a date in the generator's calendar (0 is 2021-01-01)."""
    return (day - FIRST_DAY).days


# -- how clerks write the terms --------------------------------------------------

# A clerk (or a spreadsheet template) writes all the terms of a row one way:
# Vietnamese labels, English identifiers, Vietnamese without marks, or the usual
# abbreviations. Cumulative odds of each way, in that order.
_STYLE_ODDS = (0.58, 0.78, 0.91, 1.0)

_SHORT: dict[str, str] = {
    Field.economy: "KT",
    Field.culture_society: "VHXH",
    Field.defence_security: "QPAN",
    Field.party_building: "Xây dựng Đảng",
    Sponsor.party: "Đảng ủy",
    Sponsor.government: "UBND",
    Sponsor.fatherland_front: "MTTQ",
    Sponsor.women: "Hội Phụ nữ",
    Sponsor.youth: "Đoàn TNCS Hồ Chí Minh",
    Sponsor.farmers: "Nông dân",
    Sponsor.veterans: "CCB",
    Sponsor.trade_union: "Công đoàn cơ sở",
    Sponsor.army: "Ban Chỉ huy Quân sự",
    Sponsor.police: "Công an nhân dân",
    Sponsor.other: "Khác",
    Level.commune: "Xã",
    Level.district: "Huyện",
    Level.province: "Tỉnh",
    Level.central: "TW",
    Holder.collective: "TT",
    Holder.individual: "CN",
}


def strip_marks(value: str) -> str:
    """Vietnamese as typed on a keyboard without a Vietnamese input method."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _spellings(kind: type[StrEnum], order: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Per term (in the given order), its spelling in each style.

    Every spelling is checked against `parse_term` here, once: a generator that
    wrote unparseable terms would fail benchmarks in confusing ways.
    """
    terms = {term.value: term for term in terms_of(kind)}
    table: list[tuple[str, ...]] = []
    for value in order:
        term = terms[value]
        styles = (term.vi, term.value, strip_marks(term.vi), _SHORT[term.value])
        for spelling in styles:
            if parse_term(kind, spelling).value != term.value:
                raise RuntimeError(f"{spelling!r} does not parse as {term.value}")
        table.append(styles)
    return tuple(table)


# -- the words models are made of ------------------------------------------------

# Model names per field as (head, tail, what the model does): a place ("thôn 3")
# may go between head and tail; the description travels with its name.
_NAMES: dict[Field, tuple[tuple[str, str, str], ...]] = {
    Field.economy: (
        (
            "Tổ hợp tác trồng rau an toàn",
            "",
            "Các hộ cùng sản xuất rau theo quy trình an toàn, "
            "liên kết với bếp ăn trường học và siêu thị.",
        ),
        (
            "Chi hội phụ nữ",
            " tiết kiệm",
            "Hội viên góp tiết kiệm hằng tháng, cho chị em khó "
            "khăn vay vốn không lãi để phát triển kinh tế.",
        ),
        (
            "Tổ tiết kiệm và vay vốn",
            "",
            "Giúp hộ nghèo, hộ cận nghèo tiếp cận vốn vay ưu đãi và hướng dẫn cách làm ăn.",
        ),
        (
            "Hiến đất làm đường giao thông nông thôn",
            "",
            "Vận động nhân dân hiến đất, góp ngày công mở rộng đường giao thông nông thôn.",
        ),
        (
            "Cánh đồng lớn liên kết sản xuất",
            "",
            "Dồn ruộng, sản xuất một giống lúa, doanh nghiệp bao tiêu sản phẩm.",
        ),
        (
            "Nuôi bò sinh sản giúp hộ nghèo",
            "",
            "Hội viên giúp nhau con giống, bê đầu tiên chuyển cho hộ nghèo khác nuôi tiếp.",
        ),
        (
            "Vườn mẫu nông thôn mới",
            "",
            "Cải tạo vườn tạp thành vườn cây ăn quả cho thu nhập ổn định.",
        ),
        (
            "Liên kết tiêu thụ nông sản qua sàn thương mại điện tử",
            "",
            "Hướng dẫn nông dân đưa sản phẩm lên sàn thương mại điện tử, bán hàng trực tuyến.",
        ),
        (
            "Trồng rừng gỗ lớn",
            "",
            "Vận động chủ rừng kéo dài chu kỳ khai thác, trồng rừng gỗ lớn có chứng chỉ.",
        ),
        (
            "Phát triển sản phẩm OCOP",
            "",
            "Xây dựng thương hiệu, bao bì, truy xuất nguồn gốc "
            "cho sản phẩm đặc trưng của địa phương.",
        ),
        (
            "Nuôi trồng thủy sản theo hướng VietGAP",
            "",
            "Các hộ nuôi trồng thủy sản liên kết áp dụng quy trình VietGAP.",
        ),
        (
            "Dồn điền đổi thửa",
            "",
            "Vận động các hộ đổi ruộng cho nhau để có thửa lớn, thuận tiện cơ giới hóa.",
        ),
        (
            "Hợp tác xã dịch vụ nông nghiệp",
            "",
            "Hợp tác xã cung ứng giống, vật tư và bao tiêu sản phẩm cho xã viên.",
        ),
        (
            "Giúp nhau phát triển kinh tế hộ gia đình",
            "",
            "Hộ khá giúp hộ khó khăn về vốn, kỹ thuật và ngày công.",
        ),
        (
            "Trồng dược liệu dưới tán rừng",
            "",
            "Trồng cây dược liệu dưới tán rừng, vừa giữ rừng vừa tăng thu nhập.",
        ),
        (
            "Chi hội nông dân",
            " nghề nghiệp",
            "Nông dân cùng nghề trao đổi kỹ thuật, cùng mua vật tư và bán sản phẩm.",
        ),
    ),
    Field.culture_society: (
        (
            "Tổ tự quản đường làng",
            " xanh – sạch – đẹp",
            "Các hộ nhận chăm sóc, quét dọn từng đoạn đường, trồng hoa hai bên đường.",
        ),
        (
            "Nhà văn hóa",
            " sáng – xanh – sạch – đẹp",
            "Nhân dân góp công, góp tiền tu sửa, trồng cây xanh tại nhà văn hóa.",
        ),
        ("Tuyến đường hoa", "", "Mỗi hộ trồng và chăm sóc hoa trước cổng nhà mình."),
        (
            "Phân loại rác thải tại nguồn",
            "",
            "Hướng dẫn các hộ phân loại rác, ủ rác hữu cơ làm phân bón.",
        ),
        (
            "Hũ gạo tình thương",
            "",
            "Mỗi tuần hội viên góp một nắm gạo để giúp học sinh và người già neo đơn.",
        ),
        (
            "Mái ấm tình thương",
            "",
            "Vận động quyên góp tiền, vật liệu, ngày công xây nhà cho hộ khó khăn về nhà ở.",
        ),
        (
            "Câu lạc bộ dân ca",
            "",
            "Duy trì sinh hoạt văn nghệ, gìn giữ làn điệu dân ca của quê hương.",
        ),
        ("Tủ sách cộng đồng", "", "Quyên góp sách báo, mở cửa cho thiếu nhi đọc miễn phí."),
        (
            "Nuôi heo đất giúp học sinh nghèo",
            "",
            "Học sinh và phụ huynh bỏ ống tiết kiệm, cuối năm tặng học sinh nghèo.",
        ),
        (
            "Ngày Chủ nhật xanh",
            "",
            "Sáng chủ nhật hằng tuần, đoàn viên và nhân dân cùng dọn vệ sinh khu dân cư.",
        ),
        (
            "Thắp sáng đường quê",
            "",
            "Nhân dân góp kinh phí lắp đèn chiếu sáng các tuyến đường liên thôn.",
        ),
        ("Nồi cháo tình thương", "", "Nấu cháo miễn phí cho bệnh nhân nghèo tại bệnh viện."),
        (
            "Đỡ đầu trẻ em mồ côi",
            "",
            "Mỗi tổ chức, cá nhân nhận đỡ đầu một trẻ em mồ côi đến khi đủ 18 tuổi.",
        ),
        (
            "Câu lạc bộ dưỡng sinh người cao tuổi",
            "",
            "Người cao tuổi tập dưỡng sinh hằng ngày, thăm hỏi nhau khi ốm đau.",
        ),
        (
            "Bữa cơm bán trú cho học sinh",
            "",
            "Phụ huynh và nhà hảo tâm góp gạo, thực phẩm cho bữa ăn bán trú.",
        ),
        (
            "Nhà văn hóa",
            " – điểm sinh hoạt cộng đồng",
            "Tổ chức sinh hoạt văn hóa, thể "
            "thao, hướng dẫn dịch vụ công trực tuyến tại nhà văn hóa.",
        ),
    ),
    Field.defence_security: (
        (
            "Camera an ninh",
            "",
            "Vận động nhân dân góp kinh phí lắp camera giám sát tại các tuyến đường chính.",
        ),
        (
            "Camera an ninh",
            " – mắt thần khu dân cư",
            "Camera kết nối về công an xã, giúp phát hiện và xử lý kịp thời vụ việc.",
        ),
        (
            "Tổ tự quản an ninh trật tự",
            "",
            "Tổ tuần tra ban đêm, nắm tình hình và báo tin cho công an.",
        ),
        (
            "Khu dân cư an toàn về an ninh trật tự",
            "",
            "Các hộ ký cam kết, không để xảy ra trộm cắp, tệ nạn trong khu dân cư.",
        ),
        (
            "Tổ liên gia tự quản",
            "",
            "Các hộ liền kề giúp nhau trông coi nhà cửa, báo tin khi có người lạ.",
        ),
        (
            "Dòng họ không có người vi phạm pháp luật",
            "",
            "Hội đồng gia tộc nhắc nhở con cháu chấp hành pháp luật, đưa vào hương ước dòng họ.",
        ),
        (
            "Tổ an ninh tự quản đường biên, cột mốc",
            "",
            "Phối hợp với đồn biên phòng tuần tra, bảo vệ đường biên, cột mốc.",
        ),
        ("Tổ hòa giải ở cơ sở", "", "Hòa giải mâu thuẫn trong nhân dân ngay từ khi mới phát sinh."),
        (
            "Loa phát thanh an ninh",
            "",
            "Phát thanh các thủ đoạn lừa đảo, cách phòng ngừa tội phạm trên hệ thống loa.",
        ),
        (
            "Tổ xung kích phòng chống thiên tai",
            "",
            "Đội xung kích giúp dân gia cố nhà cửa, di dời tài sản trong mùa mưa bão.",
        ),
        (
            "Cổng trường an toàn giao thông",
            "",
            "Phụ huynh và đoàn viên hướng dẫn học sinh qua đường giờ tan trường.",
        ),
        (
            "Tổ phòng cháy chữa cháy liên gia",
            "",
            "Các hộ trang bị bình chữa cháy dùng chung, tập phương án chữa cháy tại chỗ.",
        ),
        (
            "Xây dựng thế trận lòng dân",
            "",
            "Lực lượng vũ trang giúp dân làm nhà, sản xuất, củng cố lòng tin của nhân dân.",
        ),
    ),
    Field.party_building: (
        (
            "Chi bộ bốn tốt",
            "",
            "Chi bộ sinh hoạt đều, đảng viên gương mẫu, khu dân cư đoàn kết, phát triển.",
        ),
        (
            "Đảng viên gương mẫu nơi cư trú",
            "",
            "Đảng viên đi đầu thực hiện và vận động nhân dân nơi cư trú.",
        ),
        (
            "Mỗi đảng viên gắn với một hộ gia đình",
            "",
            "Đảng viên nhận phụ trách hộ gia đình, nắm tâm tư nguyện vọng của nhân dân.",
        ),
        (
            "Cà phê sáng với cán bộ",
            "",
            "Sáng thứ bảy, cán bộ ngồi cà phê nghe dân góp ý, giải đáp thắc mắc.",
        ),
        (
            "Hộp thư góp ý của nhân dân",
            "",
            "Đặt hộp thư tại nhà văn hóa, cấp ủy mở và trả lời hằng tháng.",
        ),
        (
            "Zalo kết nối chính quyền với nhân dân",
            "",
            "Nhóm Zalo tiếp nhận, phản hồi ý kiến người dân trong ngày.",
        ),
        (
            "Dân biết, dân bàn, dân làm, dân kiểm tra",
            "",
            "Công khai dự án, để nhân dân bàn và giám sát việc thực hiện.",
        ),
        (
            "Đối thoại trực tiếp với nhân dân",
            "",
            "Định kỳ đối thoại giữa cấp ủy, chính quyền với nhân dân để giải quyết kiến nghị.",
        ),
        (
            "Sinh hoạt chi bộ gắn với khu dân cư",
            "",
            "Sinh hoạt chi bộ có chuyên đề, gắn nghị quyết với việc cụ thể ở khu dân cư.",
        ),
        (
            "Bộ phận một cửa thân thiện",
            "",
            "Cán bộ một cửa hướng dẫn tận tình, trả kết quả đúng hẹn cho người dân.",
        ),
        (
            "Cán bộ gần dân, hiểu dân, giúp dân",
            "",
            "Cán bộ xuống cơ sở hằng tuần, giúp dân tháo gỡ khó khăn.",
        ),
        ("Tổ dân vận", "", "Tổ dân vận nắm tình hình nhân dân, phản ánh kịp thời với cấp ủy."),
    ),
}

# What “Dân vận khéo” is practised in, for names of the form
# Mô hình “Dân vận khéo” trong <topic>.
_TOPICS: dict[Field, tuple[str, ...]] = {
    Field.economy: (
        "xây dựng nông thôn mới",
        "giảm nghèo bền vững",
        "phát triển kinh tế hộ gia đình",
        "chuyển đổi cơ cấu cây trồng, vật nuôi",
        "giải phóng mặt bằng",
        "tiêu thụ nông sản",
    ),
    Field.culture_society: (
        "bảo vệ môi trường",
        "xây dựng đời sống văn hóa ở khu dân cư",
        "chăm lo gia đình chính sách",
        "chuyển đổi số",
        "xóa nhà tạm, nhà dột nát",
        "phòng chống dịch bệnh",
    ),
    Field.defence_security: (
        "giữ gìn an ninh trật tự",
        "phòng chống tội phạm và tệ nạn xã hội",
        "công tác tuyển quân",
        "bảo vệ chủ quyền, an ninh biên giới",
        "bảo đảm trật tự an toàn giao thông",
    ),
    Field.party_building: (
        "phát triển đảng viên",
        "thực hiện quy chế dân chủ ở cơ sở",
        "cải cách hành chính",
        "tiếp công dân và giải quyết khiếu nại",
        "xây dựng chi bộ trong sạch, vững mạnh",
    ),
}

_DESCRIPTIONS: dict[Field, tuple[str, ...]] = {
    Field.economy: (
        "Vận động hội viên góp vốn, giúp nhau con giống và ngày công để phát triển kinh tế.",
        "Vận động nhân dân hiến đất, góp công mở rộng đường giao thông nông thôn.",
        "Liên kết hộ sản xuất với doanh nghiệp bao tiêu sản phẩm, nâng cao thu nhập.",
        "Giúp hộ nghèo, hộ cận nghèo tiếp cận vốn vay và kỹ thuật sản xuất.",
        "Ứng dụng khoa học kỹ thuật vào sản xuất, xây dựng thương hiệu nông sản địa phương.",
    ),
    Field.culture_society: (
        "Vận động hộ gia đình phân loại rác, trồng hoa và giữ gìn vệ sinh đường làng ngõ xóm.",
        "Mỗi tuần hội viên góp một nắm gạo để giúp học sinh và người già neo đơn.",
        "Duy trì sinh hoạt văn hóa, văn nghệ, thể thao tại nhà văn hóa khu dân cư.",
        "Hỗ trợ ngày công, vật liệu xây dựng nhà cho hộ khó khăn về nhà ở.",
        "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến và thanh toán không dùng tiền mặt.",
    ),
    Field.defence_security: (
        "Vận động nhân dân góp kinh phí lắp đặt camera giám sát tại các tuyến đường chính.",
        "Các hộ liên gia tự quản, thông tin kịp thời cho công an về tình hình an ninh trật tự.",
        "Tổ chức tuần tra, hòa giải mâu thuẫn ngay từ cơ sở.",
        "Phối hợp với đồn biên phòng bảo vệ đường biên, cột mốc.",
        "Tuyên truyền phòng chống ma túy, tội phạm công nghệ cao trong thanh thiếu niên.",
    ),
    Field.party_building: (
        "Đảng viên nhận phụ trách hộ gia đình, nắm tâm tư nguyện vọng của nhân dân.",
        "Định kỳ đối thoại giữa cấp ủy, chính quyền với nhân dân để giải quyết kiến nghị.",
        "Cán bộ bộ phận một cửa hướng dẫn tận tình, trả kết quả đúng hẹn cho người dân.",
        "Lập nhóm Zalo tiếp nhận, phản hồi ý kiến người dân trong ngày.",
        "Sinh hoạt chi bộ có chuyên đề, gắn nghị quyết với việc cụ thể ở khu dân cư.",
    ),
}

_WITHDRAWN_REASONS = (
    "Mô hình không còn duy trì hoạt động",
    "Chủ thể mô hình chuyển nơi cư trú",
    "Sáp nhập thôn, tổ dân phố",
    "Trùng với mô hình đã đăng ký",
    "Đơn vị đề nghị rút đăng ký",
    "Không đạt tiêu chí khi kiểm tra, đánh giá lại",
    "Sắp xếp lại đơn vị hành chính cấp xã",
)

# Surnames repeated roughly in proportion to how common they are.
_FAMILY = (
    ("Nguyễn",) * 12
    + ("Trần",) * 4
    + ("Lê",) * 4
    + ("Phạm", "Phạm", "Hoàng", "Huỳnh", "Phan", "Phan", "Vũ", "Võ", "Võ", "Đặng")
    + ("Bùi", "Đỗ", "Hồ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lương")
)
_FEMALE_MIDDLE = ("Thị",) * 6 + ("Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng")
_FEMALE_GIVEN = (
    "Hoa", "Lan", "Hương", "Mai", "Hạnh", "Nga", "Hằng", "Thảo", "Trang", "Linh",
    "Loan", "Nhung", "Phương", "Thủy", "Yến", "Hiền", "Dung", "Huyền", "Vân", "Tâm",
)  # fmt: skip
_MALE_MIDDLE = ("Văn",) * 5 + ("Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Ngọc")
_MALE_GIVEN = (
    "Hùng", "Dũng", "Nam", "Tuấn", "Hải", "Sơn", "Long", "Thắng", "Bình", "Cường",
    "Hòa", "Phúc", "Quân", "Trung", "Tâm", "Vinh", "Khánh", "Lâm", "Hiếu", "Thành",
)  # fmt: skip

# Collective holders per sponsor: (head, what follows) where what follows is
# 0 a village or residential group, 1 the commune ("xã Cam Lộ"), 2 its bare name.
_UNIT, _LOCAL, _BARE = range(3)
_COLLECTIVES: dict[Sponsor, tuple[tuple[str, int], ...]] = {
    Sponsor.party: (("Chi bộ", _UNIT), ("Đảng ủy", _LOCAL)),
    Sponsor.government: (("Bộ phận Một cửa", _LOCAL), ("Ban Nhân dân", _UNIT)),
    Sponsor.fatherland_front: (("Ban Công tác Mặt trận", _UNIT),),
    Sponsor.women: (("Chi hội Phụ nữ", _UNIT), ("Hội Liên hiệp Phụ nữ", _LOCAL)),
    Sponsor.youth: (("Chi đoàn", _UNIT), ("Đoàn Thanh niên", _LOCAL)),
    Sponsor.farmers: (("Chi hội Nông dân", _UNIT), ("Tổ hội nghề nghiệp", _UNIT)),
    Sponsor.veterans: (("Chi hội Cựu chiến binh", _UNIT),),
    Sponsor.trade_union: (
        ("Công đoàn Trường Tiểu học", _BARE),
        ("Công đoàn Trạm Y tế", _LOCAL),
        ("Công đoàn Trường Mầm non", _BARE),
    ),
    Sponsor.army: (("Ban Chỉ huy Quân sự", _LOCAL), ("Trung đội dân quân cơ động", _LOCAL)),
    Sponsor.police: (("Công an", _LOCAL), ("Tổ bảo vệ an ninh trật tự", _UNIT)),
    Sponsor.other: (("Hợp tác xã Dịch vụ nông nghiệp", _BARE), ("Tổ tự quản", _UNIT)),
}

# Fields and sponsors, and the cumulative odds of each (same order).
_FIELDS = tuple(Field)
_FIELD_ODDS = tuple(accumulate((0.34, 0.34, 0.19, 0.13)))
_SPONSORS = tuple(Sponsor)
_SPONSOR_ODDS = tuple(
    accumulate((0.12, 0.11, 0.12, 0.16, 0.10, 0.12, 0.08, 0.05, 0.04, 0.06, 0.04))
)
_MAX_GROUPS = 12  # villages / residential groups numbered 1..12


@dataclass(frozen=True, slots=True)
class OldPlace:
    """An old commune (as on 30 June 2025) and the strings a row written then needs.

    Only old units that the official mapping sends to the `Place` holding them are
    used (`reorganisation().commune`, or `.island_districts`), so a row naming one
    means that current commune.
    """

    province: Province  # the old province: code 44 is Quảng Bình here
    district: District
    commune: Commune | None  # None for an island district, which had no communes
    commune_name: str  # official: "Phường 1", "Thị trấn Cam Lộ"; "" without a commune
    province_spellings: tuple[str, str]  # "Quảng Bình", "Tỉnh Quảng Bình"
    # The official name, then the abbreviation clerks use if it is unambiguous in
    # the old province: "Thành phố Đông Hà", "TP. Đông Hà".
    district_spellings: tuple[str, ...]
    local: str  # "phường 1", "thị trấn Cam Lộ"
    bare: str  # "1", "Cam Lộ"
    units: tuple[str, ...]
    # Per level, as in `Place`, with the old commune, district and province.
    bodies: tuple[tuple[tuple[str, str], ...], ...]


@dataclass(frozen=True, slots=True)
class Place:
    """A commune with every string rows about it need, computed once."""

    province: Province
    commune: Commune
    commune_name: str  # official, as clerks write it: "Phường Đông Hà"
    prefix: str  # of model codes: "QTR"
    code_heads: tuple[str, ...]  # by year from 2021: "QTR-2021-", "QTR-2022-", …
    province_spellings: tuple[str, str]  # "Quảng Trị", "Tỉnh Quảng Trị"
    local: str  # the commune inside a sentence: "xã Cam Lộ", "phường Đông Hà"
    bare: str  # without its type: "Cam Lộ"
    units: tuple[str, ...]  # villages or residential groups: "thôn 3", "tổ dân phố 3"
    # Per level (commune, district, province, central): (recognised by, decision suffix).
    bodies: tuple[tuple[tuple[str, str], ...], ...]
    # The old units a row dated before 1 July 2025 names instead. Empty only for a
    # current commune that no old unit is counted under (Phường Yên Sở of Hà Nội
    # only received parts of divided wards): its rows keep the current names.
    olds: tuple[OldPlace, ...] = ()


# Strings shared by many places are built once and shared, not rebuilt per
# commune: rows touch them all the time, and fewer distinct objects stay in the
# CPU cache (random places cost a cache miss per distinct object touched).
_RURAL_UNITS = tuple(f"thôn {k}" for k in range(1, _MAX_GROUPS + 1))
_URBAN_UNITS = tuple(f"tổ dân phố {k}" for k in range(1, _MAX_GROUPS + 1)) + tuple(
    f"khu phố {k}" for k in range(1, 6)
)
# District-level bodies: there are no districts in today's gazetteer, so the
# kind of district is guessed from the commune (wards lay in urban districts,
# provincial cities or towns; communes in rural districts).
_RURAL_DISTRICT: tuple[tuple[str, str], ...] = (
    ("UBND huyện", "/QĐ-UBND"),
    ("Ban Dân vận Huyện ủy", "-QĐ/HU"),
)
_URBAN_DISTRICT: tuple[tuple[str, str], ...] = (
    ("UBND quận", "/QĐ-UBND"),
    ("Ban Dân vận Quận ủy", "-QĐ/QU"),
)
_TOWN_DISTRICT: tuple[tuple[str, str], ...] = (  # provincial cities and towns alike
    ("UBND thành phố", "/QĐ-UBND"),
    ("Ban Dân vận Thành ủy", "-QĐ/TU"),
    ("UBND thị xã", "/QĐ-UBND"),
    ("Ban Dân vận Thị ủy", "-QĐ/TU"),
)
_CENTRAL_BODIES = (("Ban Dân vận Trung ương", "-QĐ/BDVTW"),)


def _province_parts(
    province: Province,
) -> tuple[tuple[str, ...], tuple[str, str], tuple[tuple[str, str], ...]]:
    """What every place of a province shares: code heads, spellings, provincial bodies."""
    prefix = CODE_PREFIXES[province.code]
    heads = tuple(f"{prefix}-{year}-" for year in range(FIRST_DAY.year, TODAY.year + 1))
    city = province.division_type != "tỉnh"
    authority, party = ("thành phố", "Thành ủy") if city else ("tỉnh", "Tỉnh ủy")
    bodies = (
        (f"UBND {authority} {province.name}", "/QĐ-UBND"),
        (f"Ban Dân vận {party} {province.name}", "-QĐ/BDVTU"),
    )
    return heads, (province.name, province.full_name), bodies


def _split_type(name: str, kind: str) -> tuple[str, str]:
    """(local, bare): "Xã Cam Lộ" of type "xã" is "xã Cam Lộ" in a sentence, "Cam Lộ" bare."""
    bare = name[len(kind) + 1 :] if name.lower().startswith(kind) else name
    return f"{kind} {bare}", bare


def _place(
    province: Province,
    commune: Commune,
    parts: tuple[tuple[str, ...], tuple[str, str], tuple[tuple[str, str], ...]],
    olds: tuple[OldPlace, ...] = (),
) -> Place:
    heads, spellings, provincial = parts
    kind = commune.division_type
    local, bare = _split_type(commune.name, kind)
    rural = kind != "phường"  # xã, and the island đặc khu (formerly island districts)
    if rural:
        district = _RURAL_DISTRICT
    elif province.division_type != "tỉnh":
        district = _URBAN_DISTRICT
    else:
        district = _TOWN_DISTRICT
    communal = ((f"UBND {local}", "/QĐ-UBND"), (f"Đảng ủy {local}", "-QĐ/ĐU"))
    return Place(
        province=province,
        commune=commune,
        commune_name=commune.name,
        prefix=CODE_PREFIXES[province.code],
        code_heads=heads,
        province_spellings=spellings,
        local=local,
        bare=bare,
        units=_RURAL_UNITS if rural else _URBAN_UNITS,
        bodies=(communal, district, provincial, _CENTRAL_BODIES),
        olds=olds,
    )


# How an old district's name is abbreviated, and what its bodies are called.
_DISTRICT_KINDS: dict[str, tuple[str, str, str]] = {
    "huyện": ("H.", "Huyện ủy", "-QĐ/HU"),
    "quận": ("Q.", "Quận ủy", "-QĐ/QU"),
    "thị xã": ("TX.", "Thị ủy", "-QĐ/TU"),
    "thành phố": ("TP.", "Thành ủy", "-QĐ/TU"),
}


def _old_places() -> dict[int, tuple[OldPlace, ...]]:
    """Per current commune code, the old units a record there was written with: the
    old communes counted under it and, for an island special zone, the district
    without communes it replaced ("Huyện Cồn Cỏ", written with no commune).

    Every spelling is checked against the old gazetteer here, once: the province
    (short and full), the district (official and abbreviated) and, within that
    district, the commune's official name must each name exactly the unit meant,
    or the spelling is not used (an abbreviation) or the generator stops.
    """
    old, moves = legacy_gazetteer(), reorganisation()
    provinces: dict[int, tuple[tuple[str, str], tuple[tuple[str, str], ...]]] = {}
    for p in old.provinces.values():
        for spelling in (p.name, p.full_name):
            if old.find_provinces(spelling) != [p]:
                raise RuntimeError(f"{spelling!r} does not name old province {p.code}")
        city = p.division_type != "tỉnh"
        authority, party = ("thành phố", "Thành ủy") if city else ("tỉnh", "Tỉnh ủy")
        provinces[p.code] = (
            (p.name, p.full_name),
            (
                (f"UBND {authority} {p.name}", "/QĐ-UBND"),
                (f"Ban Dân vận {party} {p.name}", "-QĐ/BDVTU"),
            ),
        )
    districts: dict[int, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {}
    for d in old.districts.values():
        short, party, suffix = _DISTRICT_KINDS[d.division_type]
        local, bare = _split_type(d.name, d.division_type)
        province = old.provinces[d.province_code]
        if old.find_districts(d.name, province) != [d]:
            raise RuntimeError(f"{d.name!r} does not name old district {d.code}")
        spellings: tuple[str, ...] = (d.name,)
        abbreviated = f"{short} {bare}"
        if old.find_districts(abbreviated, province) == [d]:
            spellings += (abbreviated,)
        districts[d.code] = (
            spellings,
            ((f"UBND {local}", "/QĐ-UBND"), (f"Ban Dân vận {party} {bare}", suffix)),
        )

    def place(d: District, c: Commune | None) -> OldPlace:
        p = old.provinces[d.province_code]
        province_spellings, provincial = provinces[p.code]
        district_spellings, district_bodies = districts[d.code]
        if c is None:  # an island district: its own bodies were the lowest ones
            local, bare = _split_type(d.name, d.division_type)
            communal, urban = district_bodies, False
        else:
            local, bare = _split_type(c.name, c.division_type)
            communal = ((f"UBND {local}", "/QĐ-UBND"), (f"Đảng ủy {local}", "-QĐ/ĐU"))
            urban = c.division_type in ("phường", "thị trấn")
        return OldPlace(
            province=p,
            district=d,
            commune=c,
            commune_name="" if c is None else c.name,
            province_spellings=province_spellings,
            district_spellings=district_spellings,
            local=local,
            bare=bare,
            units=_URBAN_UNITS if urban else _RURAL_UNITS,
            bodies=(communal, district_bodies, provincial, _CENTRAL_BODIES),
        )

    by_new: dict[int, list[OldPlace]] = {}
    for c in sorted(old.communes.values(), key=lambda c: c.code):
        assert c.district_code is not None
        d = old.districts[c.district_code]
        if old.find_commune(c.name, old.provinces[c.province_code], d) != [c]:
            raise RuntimeError(f"{c.name!r} does not name old commune {c.code} in {d.name}")
        by_new.setdefault(moves.commune(c.code), []).append(place(d, c))
    for district_code, zone in sorted(moves.island_districts.items()):
        by_new.setdefault(zone, []).append(place(old.districts[district_code], None))
    return {code: tuple(places) for code, places in by_new.items()}


@dataclass(frozen=True, slots=True)
class _Tables:
    places: dict[int, tuple[Place, ...]]  # by province code, communes in code order
    # Spellings [term][style], terms in the order of _FIELDS, _SPONSORS, _LEVELS
    # and (collective, individual).
    fields: tuple[tuple[str, ...], ...]
    sponsors: tuple[tuple[str, ...], ...]
    levels: tuple[tuple[str, ...], ...]
    holders: tuple[tuple[str, ...], ...]
    # The word lists by field or sponsor index (vocabulary order): rows draw an
    # index once and use it everywhere.
    names: tuple[tuple[tuple[str, str, str], ...], ...]
    topics: tuple[tuple[str, ...], ...]
    descriptions: tuple[tuple[str, ...], ...]
    collectives: tuple[tuple[tuple[str, int], ...], ...]


@cache
def _tables() -> _Tables:
    g = gazetteer()
    olds = _old_places()
    by_province: dict[int, list[Place]] = {code: [] for code in g.provinces}
    parts = {code: _province_parts(p) for code, p in g.provinces.items()}
    for commune in sorted(g.communes.values(), key=lambda c: c.code):
        province = g.provinces[commune.province_code]
        place = _place(province, commune, parts[province.code], olds.get(commune.code, ()))
        by_province[province.code].append(place)
    return _Tables(
        places={code: tuple(places) for code, places in by_province.items()},
        fields=_spellings(Field, _FIELDS),
        sponsors=_spellings(Sponsor, _SPONSORS),
        levels=_spellings(Level, _LEVELS),
        holders=_spellings(Holder, (Holder.collective, Holder.individual)),
        names=tuple(_NAMES[f] for f in _FIELDS),
        topics=tuple(_TOPICS[f] for f in _FIELDS),
        descriptions=tuple(_DESCRIPTIONS[f] for f in _FIELDS),
        collectives=tuple(_COLLECTIVES[s] for s in _SPONSORS),
    )


_ANY_DAY: tuple[date | None, date | None] = (None, None)


def _window(bounds: tuple[date | None, date | None], lo: int, hi: int) -> tuple[int, int]:
    """A date window as day indexes, narrowed to [lo, hi]."""
    if bounds is _ANY_DAY:  # the common case, kept cheap
        return lo, hi
    first, last = bounds
    a = max(lo, day_index(first)) if first is not None else lo
    b = min(hi, day_index(last)) if last is not None else hi
    return a, b


class RowMaker:
    """Makes the rows of one model at a time; one instance numbers codes uniquely.

    `generate_rows` draws everything at random; `model` lets a caller pin the
    place, the registration window and whether (and when) the model is
    recognised or withdrawn, for calibrated data sets.
    """

    def __init__(self, seed: int = 2024, provinces: Sequence[int] | None = None) -> None:
        self._tables = _tables()
        self.random = Random(seed)
        self._then = Random(f"{seed}: old units").random
        codes = list(self._tables.places) if provinces is None else list(provinces)
        unknown = [c for c in codes if c not in self._tables.places]
        if unknown or not codes:
            raise ValueError(f"unknown province codes: {unknown or 'none given'}")
        # Drawing a commune uniformly weights provinces by their number of communes.
        self._places: tuple[Place, ...] = tuple(
            p for code in codes for p in self._tables.places[code]
        )
        self._numbers: dict[str, int] = {}  # last number by code head ("QTR-2023-")

    def places(self, province: int) -> tuple[Place, ...]:
        """The communes of a province (current code), in code order."""
        return self._tables.places[province]

    def model(
        self,
        place: Place | None = None,
        *,
        registered: tuple[date | None, date | None] = _ANY_DAY,
        recognised: bool | None = None,
        first_decided: tuple[date | None, date | None] = _ANY_DAY,
        twice: bool | None = None,
        withdrawn: bool | None = None,
    ) -> list[dict[str, str]]:
        """The rows of one new model: one, or one per recognition.

        `None` means "draw it at the usual rates". `registered` and
        `first_decided` bound the registration date and the first recognition's
        decision date (inclusive; either end may be None). An explicit `twice`
        or `withdrawn` that the dates leave no room for raises ValueError.
        """
        rnd = self.random.random
        if place is None:
            place = self._places[int(rnd() * len(self._places))]
        lo, hi = _window(registered, 0, _LAST_REGISTRATION)
        if lo > hi:
            raise ValueError(f"empty registration window {registered}")
        reg = lo + int(rnd() * (hi - lo + 1))

        decisions: list[tuple[int, int]] = []  # (day, level rank)
        if recognised is None:
            recognised = rnd() < RECOGNISED_SHARE
        if recognised:
            a, b = _window(first_decided, reg, _TODAY)
            if a > b:
                raise ValueError(
                    f"no day in {first_decided} to recognise a model registered {_DAYS[reg]}"
                )
            first = self._decision_day(reg, a, b)
            decisions.append((first, self._first_level(first)))
            again = rnd() < TWICE_SHARE if twice is None else twice
            if again:
                second = self._second_decision(*decisions[0])
                if second is not None:
                    decisions.append(second)
                elif twice:
                    raise ValueError("no room for a second recognition at a higher level")

        withdrawn_day: int | None = None
        withdraw = rnd() < WITHDRAWN_SHARE if withdrawn is None else withdrawn
        if withdraw:
            # After the registration and after every recognition (import refuses
            # a recognition dated after the withdrawal).
            after = (decisions[-1][0] if decisions else reg) + 1
            if after <= _TODAY:
                withdrawn_day = after + int(rnd() * min(_TODAY - after + 1, 730))
            elif withdrawn:
                raise ValueError("no day left to withdraw the model")

        return self._rows(place, reg, decisions, withdrawn_day)

    # -- drawing ---------------------------------------------------------------

    def _decision_day(self, reg: int, lo: int, hi: int) -> int:
        """A decision usually comes one to twenty-four months after registration."""
        a, b = max(lo, reg + 30), min(hi, reg + 720)
        if a > b:
            a, b = lo, hi
        return a + int(self.random.random() * (b - a + 1))

    def _first_level(self, day: int) -> int:
        odds = _LEVEL_ODDS_WITH_DISTRICTS if day < _DISTRICTS_END else _LEVEL_ODDS_WITHOUT
        return bisect(odds, self.random.random())

    def _second_decision(self, day: int, level: int) -> tuple[int, int] | None:
        """A later recognition at a higher level (never district after districts ended)."""
        lo, hi = day + 60, min(_TODAY, day + 900)
        if lo > hi:
            return None
        rnd = self.random.random
        second = lo + int(rnd() * (hi - lo + 1))
        higher = [
            rank
            for rank in range(level + 1, len(_LEVELS))
            if rank != _DISTRICT or second < _DISTRICTS_END
        ]
        if not higher:
            return None
        rank = higher[0] if rnd() < 0.7 else higher[int(rnd() * len(higher))]
        return second, rank

    def _code(self, place: Place, year: int) -> str:
        head = place.code_heads[year - FIRST_DAY.year]
        number = self._numbers.get(head, 0) + 1
        self._numbers[head] = number
        return f"{head}{number:05d}"

    def _rows(
        self,
        place: Place,
        reg: int,
        decisions: list[tuple[int, int]],
        withdrawn_day: int | None,
    ) -> list[dict[str, str]]:
        rnd = self.random.random
        t = self._tables
        # Where the row was written: before the merger, in an old commune counted
        # under `place` (when there is one), from the second stream.
        here: Place | OldPlace = place
        district = scheme = ""
        if reg < _MERGER:
            olds = place.olds
            if olds:
                then = self._then
                old = here = olds[int(then() * len(olds))]
                spellings = old.district_spellings
                abbreviated = len(spellings) > 1 and then() < ABBREVIATED_DISTRICT_SHARE
                district = spellings[1] if abbreviated else spellings[0]
            else:
                scheme = CURRENT_SCHEME  # current names on an old date: say so
        style = bisect(_STYLE_ODDS, rnd())
        field_i = min(bisect(_FIELD_ODDS, rnd()), len(t.fields) - 1)
        sponsor_i = min(bisect(_SPONSOR_ODDS, rnd()), len(t.sponsors) - 1)
        unit = here.units[int(rnd() * len(here.units))]

        heads = t.names[field_i]
        head, tail, about = heads[int(rnd() * len(heads))]
        form = rnd()
        if form < 0.30:
            name = f"{head} {unit}{tail}"
        elif form < 0.45:
            name = f"{head}{tail} {here.local}"
        elif form < 0.60:
            name = f"Mô hình “{head}{tail}”"
        elif form < 0.75:
            topics = t.topics[field_i]
            name = f"Mô hình “Dân vận khéo” trong {topics[int(rnd() * len(topics))]}"
            texts = t.descriptions[field_i]
            about = texts[int(rnd() * len(texts))]
        else:
            name = head + tail
        description = about if rnd() < DESCRIBED_SHARE else ""

        individual = rnd() < INDIVIDUAL_SHARE
        if individual:
            if rnd() < 0.55:
                middle, given = _FEMALE_MIDDLE, _FEMALE_GIVEN
            else:
                middle, given = _MALE_MIDDLE, _MALE_GIVEN
            holder_name = (
                f"{_FAMILY[int(rnd() * len(_FAMILY))]} {middle[int(rnd() * len(middle))]} "
                f"{given[int(rnd() * len(given))]}"
            )
        else:
            options = t.collectives[sponsor_i]
            who, what = options[int(rnd() * len(options))]
            where = unit if what == _UNIT else here.local if what == _LOCAL else here.bare
            holder_name = f"{who} {where}"

        year = _YEAR_OF[reg]
        province = here.province_spellings[0 if rnd() < 0.85 else 1]
        row = {
            "code": self._code(place, year),
            "name": name,
            "description": description,
            "province": province,
            "district": district,
            "commune": here.commune_name,
            "locality_scheme": scheme,
            "field": t.fields[field_i][style],
            "sponsor": t.sponsors[sponsor_i][style],
            "holder": t.holders[1 if individual else 0][style],
            "holder_name": holder_name,
            # Left to its default (a model): the rows' draws, and the figures the tests
            # and benchmarks know, stay as they were.
            "kind": "",
            # No areas nor form items, for the same reason.
            "areas": "",
            "objectives": "",
            "method": "",
            "target_group": "",
            "expected_results": "",
            "sustainability": "",
            "registered_on": _DAYS[reg],
            "withdrawn_on": "" if withdrawn_day is None else _DAYS[withdrawn_day],
            "withdrawn_reason": ""
            if withdrawn_day is None
            else _WITHDRAWN_REASONS[int(rnd() * len(_WITHDRAWN_REASONS))],
            "recognition_year": "",
            "recognition_level": "",
            "decision_no": "",
            "decided_on": "",
            "recognized_by": "",
            # Left empty, as the kind: the rows' draws, and the figures the tests and
            # benchmarks know, stay as they were.
            "outstanding": "",
            # No review and no replica: the seed script adds them, by a generator of its own.
            "replicates": "",
            "review_year": "",
            "review_result": "",
            "review_note": "",
            "commendation_year": "",
            "commendation_award": "",
            "commendation_by": "",
            "commendation_decision": "",
            "commendation_decided_on": "",
        }
        if not decisions:
            return [row]
        rows: list[dict[str, str]] = []
        for i, (day, rank) in enumerate(decisions):
            recognition = row if i == 0 else dict(row)
            # Decided before the merger: by the bodies of the units of the day.
            bodies = (here if day < _MERGER else place).bodies[rank]
            body, suffix = bodies[int(rnd() * len(bodies))]
            number = 1 + int(rnd() * (400 if rank in (_COMMUNE, _CENTRAL) else 3000))
            recognition["recognition_year"] = _YEAR_TEXT[_YEAR_OF[day]]
            recognition["recognition_level"] = t.levels[rank][style]
            recognition["decision_no"] = f"{number}{suffix}"
            recognition["decided_on"] = _DAYS[day]
            recognition["recognized_by"] = body
            rows.append(recognition)
        return rows


def generate_rows(
    n: int, *, seed: int = 2024, provinces: Sequence[int] | None = None
) -> Iterator[dict[str, str]]:
    """Rows for `n` models (more rows than models: some are recognised twice).

    The same arguments always give the same rows. Communes are drawn uniformly
    among those of `provinces` (current codes; all 34 by default), so larger
    provinces get more models. Codes are `{prefix}-{year}-{NNNNN}`, numbered
    per province and year from 00001; past 99,999 models in one province and
    year the number simply grows a digit.
    """
    maker = RowMaker(seed, provinces)
    model = maker.model
    for _ in range(n):
        yield from model()
