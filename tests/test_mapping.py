"""The 2025 old → new commune mapping, pinned to the official texts.

Every row below was written by hand from the texts, not from `dandan/data`: a test that
asked `reorganisation()` for its expected value could not notice a wrong mapping.

Sources, one per column:

- old units and codes: the General Statistics Office's list of administrative units
  (danhmuchanhchinh.gso.gov.vn) as it stood on 30 June 2025;
- new units and codes: Công văn số 1027/CTK-CSCL ngày 25/6/2025 của Cục Thống kê,
  Phụ lục I "Danh mục và mã số các đơn vị hành chính cấp xã";
- what became of each old commune: the resolutions of the National Assembly Standing
  Committee of 16 June 2025 on the commune-level units of each province, Article 1
  ("Điều 1"), the clause ("khoản") named in the row:

  - Nghị quyết số 1656/NQ-UBTVQH15 ngày 16/6/2025 về việc sắp xếp các ĐVHC cấp xã của
    Thành phố Hà Nội năm 2025;
  - Nghị quyết số 1679/NQ-UBTVQH15 ngày 16/6/2025 về việc sắp xếp các ĐVHC cấp xã của
    tỉnh Quảng Ninh năm 2025;
  - Nghị quyết số 1680/NQ-UBTVQH15 ngày 16/6/2025 về việc sắp xếp các ĐVHC cấp xã của
    tỉnh Quảng Trị năm 2025 (the new Quảng Trị: old Quảng Bình and old Quảng Trị);
  - Nghị quyết số 1685/NQ-UBTVQH15 ngày 16/6/2025 về việc sắp xếp các ĐVHC cấp xã của
    Thành phố Hồ Chí Minh năm 2025 (old Hồ Chí Minh, Bình Dương and Bà Rịa - Vũng Tàu).

Divided communes. When a resolution puts "một phần diện tích tự nhiên, quy mô dân số"
(a part) of an old commune into one new commune and "phần còn lại" (the rest) into
another, the old commune's territory was divided, and an old record in it belongs to
whichever part its address lies in. The texts name no default. dandan counts such a
record under one new commune, the one its source data flags as the default
(`split_default` in `dandan/data/README.md`, the source's `isDefaultNewWard`). That flag
goes back to the `vietnamadminunits` data (MIT, tranngocminhhieu/vietnamadminunits,
`vietnamadminunits/data/converter_2025.json`, `DICT_PROVINCE_WARD_DIVIDED`), which chose
it by place: the new commune whose boundary (sapnhap.bando.com.vn) contains the old
commune's location, else the one whose centre is nearest. The default in each divided
row is read from that file, by hand; the other targets come from the resolution.
So a divided row checks three things: every part the text names is a target, the
record is counted under the default, and never under a commune the text does not name.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import pytest

from dandan.localities import gazetteer, legacy_gazetteer, reorganisation
from dandan.registry import Registry
from dandan.text import fold
from dandan.validation import resolve_locality
from tests.conftest import Run

OLD = legacy_gazetteer()
NOW = gazetteer()
MAP = reorganisation()


class Moved(NamedTuple):
    """One old commune and the current commune a record placed in it is counted under."""

    old_province: str
    old_district: str
    old_commune: str
    old_code: int
    new_province: str
    new_commune: str
    new_code: int
    source: str  # resolution and clause
    #: For a divided commune, the codes of every new commune the text gives a part of it
    #: to (the default among them); empty when the whole commune went to `new_code`.
    parts: tuple[int, ...] = ()


QT, HN, HCM, QN = "1680/NQ-UBTVQH15", "1656/NQ-UBTVQH15", "1685/NQ-UBTVQH15", "1679/NQ-UBTVQH15"

WHOLE = [
    # -- Quảng Trị (1680): old Quảng Bình (44) and old Quảng Trị (45) -----------------------
    # k1: "Sắp xếp toàn bộ diện tích tự nhiên, quy mô dân số của các xã Quảng Hòa, Quảng Lộc,
    # Quảng Văn và Quảng Minh thành xã mới có tên gọi là xã Nam Gianh."
    Moved("Quảng Bình", "Thị xã Ba Đồn", "Xã Quảng Hòa", 19105,
          "Quảng Trị", "Xã Nam Gianh", 19093, f"{QT} Điều 1 khoản 1"),
    # k6: "... của thị trấn Quy Đạt và các xã Xuân Hóa, Yên Hóa, Hồng Hóa thành xã mới có
    # tên gọi là xã Minh Hóa."
    Moved("Quảng Bình", "Huyện Minh Hóa", "Thị trấn Quy Đạt", 18901,
          "Quảng Trị", "Xã Minh Hóa", 18901, f"{QT} Điều 1 khoản 6"),
    # k78: "... và 01 xã không thực hiện sắp xếp là xã Tân Thành (huyện Minh Hóa)."
    Moved("Quảng Bình", "Huyện Minh Hóa", "Xã Tân Thành", 18919,
          "Quảng Trị", "Xã Tân Thành", 18919, f"{QT} Điều 1 khoản 78"),
    # k19: "... của thị trấn Phong Nha và các xã Lâm Trạch, Xuân Trạch, Phúc Trạch thành xã
    # mới có tên gọi là xã Phong Nha."
    Moved("Quảng Bình", "Huyện Bố Trạch", "Thị trấn Phong Nha", 19165,
          "Quảng Trị", "Xã Phong Nha", 19138, f"{QT} Điều 1 khoản 19"),
    # k21: "... của các xã Hải Phú (huyện Bố Trạch), Sơn Lộc, Đức Trạch và Đồng Trạch thành
    # xã mới có tên gọi là xã Đông Trạch."  (Two old Hải Phú: see k66.)
    Moved("Quảng Bình", "Huyện Bố Trạch", "Xã Hải Phú", 19144,
          "Quảng Trị", "Xã Đông Trạch", 19159, f"{QT} Điều 1 khoản 21"),
    # k69: "... của các phường Đức Ninh Đông, Đồng Hải, Đồng Phú, Phú Hải, Hải Thành, Nam Lý,
    # xã Bảo Ninh và xã Đức Ninh thành phường mới có tên gọi là phường Đồng Hới."
    Moved("Quảng Bình", "Thành phố Đồng Hới", "Xã Bảo Ninh", 18889,
          "Quảng Trị", "Phường Đồng Hới", 18880, f"{QT} Điều 1 khoản 69"),
    # k26: "... của các xã Tân Ninh, Gia Ninh, Duy Ninh và Hải Ninh thành xã mới có tên gọi
    # là xã Ninh Châu."
    Moved("Quảng Bình", "Huyện Quảng Ninh", "Xã Hải Ninh", 19216,
          "Quảng Trị", "Xã Ninh Châu", 19225, f"{QT} Điều 1 khoản 26"),
    # k66: "... của các xã Hải Phú (huyện Hải Lăng), Hải Lâm và Hải Thượng thành xã mới có
    # tên gọi là xã Hải Lăng."
    Moved("Quảng Trị", "Huyện Hải Lăng", "Xã Hải Phú", 19702,
          "Quảng Trị", "Xã Hải Lăng", 19702, f"{QT} Điều 1 khoản 66"),
    # k74: "... của Phường 1 và Phường 3 (thành phố Đông Hà), Phường 4, phường Đông Giang,
    # phường Đông Thanh thành phường mới có tên gọi là phường Đông Hà."
    Moved("Quảng Trị", "Thành phố Đông Hà", "Phường 1", 19333,
          "Quảng Trị", "Phường Đông Hà", 19333, f"{QT} Điều 1 khoản 74"),
    # k76: "... của Phường 1, Phường 2 và Phường 3 (thị xã Quảng Trị), phường An Đôn, xã Hải
    # Lệ thành phường mới có tên gọi là phường Quảng Trị."
    Moved("Quảng Trị", "Thị xã Quảng Trị", "Phường 1", 19357,
          "Quảng Trị", "Phường Quảng Trị", 19360, f"{QT} Điều 1 khoản 76"),
    # k36: "... của thị trấn Hồ Xá, xã Vĩnh Long và xã Vĩnh Chấp thành xã mới có tên gọi là
    # xã Vĩnh Linh."
    Moved("Quảng Trị", "Huyện Vĩnh Linh", "Thị trấn Hồ Xá", 19363,
          "Quảng Trị", "Xã Vĩnh Linh", 19363, f"{QT} Điều 1 khoản 36"),
    # k56: "... của xã Tân Thành (huyện Hướng Hóa), xã Tân Long và thị trấn Lao Bảo thành xã
    # mới có tên gọi là xã Lao Bảo."
    Moved("Quảng Trị", "Huyện Hướng Hóa", "Xã Tân Thành", 19456,
          "Quảng Trị", "Xã Lao Bảo", 19432, f"{QT} Điều 1 khoản 56"),
    # -- Hà Nội (1656) ------------------------------------------------------------------------
    # k1: "Sắp xếp toàn bộ diện tích tự nhiên, quy mô dân số của các phường Hàng Bạc, Hàng Bồ,
    # Hàng Buồm, Hàng Đào, Hàng Gai, Hàng Mã, Lý Thái Tổ và một phần ... thành phường mới có
    # tên gọi là phường Hoàn Kiếm."
    Moved("Hà Nội", "Quận Hoàn Kiếm", "Phường Hàng Bạc", 61,
          "Hà Nội", "Phường Hoàn Kiếm", 70, f"{HN} Điều 1 khoản 1"),
    # k3: "... của phường Quán Thánh, phường Trúc Bạch, một phần ... thành phường mới có tên
    # gọi là phường Ba Đình."
    Moved("Hà Nội", "Quận Ba Đình", "Phường Quán Thánh", 13,
          "Hà Nội", "Phường Ba Đình", 4, f"{HN} Điều 1 khoản 3"),
    # k4: "... của phường Vĩnh Phúc, phường Liễu Giai, một phần ... thành phường mới có tên
    # gọi là phường Ngọc Hà."
    Moved("Hà Nội", "Quận Ba Đình", "Phường Vĩnh Phúc", 6,
          "Hà Nội", "Phường Ngọc Hà", 8, f"{HN} Điều 1 khoản 4"),
    # k9: "... của phường Thịnh Quang và một phần ... thành phường mới có tên gọi là phường
    # Đống Đa."
    Moved("Hà Nội", "Quận Đống Đa", "Phường Thịnh Quang", 235,
          "Hà Nội", "Phường Đống Đa", 235, f"{HN} Điều 1 khoản 9"),
    # -- Hồ Chí Minh (1685): old Hồ Chí Minh (79), Bình Dương (74), Bà Rịa - Vũng Tàu (77) --
    # k1: "... của phường Bến Nghé và một phần ... của phường Đa Kao, phường Nguyễn Thái Bình
    # thành phường mới có tên gọi là phường Sài Gòn."
    Moved("Hồ Chí Minh", "Quận 1", "Phường Bến Nghé", 26740,
          "Hồ Chí Minh", "Phường Sài Gòn", 26740, f"{HCM} Điều 1 khoản 1"),
    # k47: "... của Phường 1 và Phường 3 (quận Gò Vấp) thành phường mới có tên gọi là phường
    # Hạnh Thông."
    Moved("Hồ Chí Minh", "Quận Gò Vấp", "Phường 1", 26890,
          "Hồ Chí Minh", "Phường Hạnh Thông", 26890, f"{HCM} Điều 1 khoản 47"),
    # k164: "... 05 đơn vị hành chính cấp xã không thực hiện sắp xếp là phường Thới Hòa, các
    # xã Long Sơn, Hòa Hiệp, Bình Châu, Thạnh An."
    Moved("Hồ Chí Minh", "Huyện Cần Giờ", "Xã Thạnh An", 27676,
          "Hồ Chí Minh", "Xã Thạnh An", 27676, f"{HCM} Điều 1 khoản 164"),
    # k102: "... của Phường 1, Phường 2, Phường 3, Phường 4 và Phường 5 (thành phố Vũng Tàu),
    # phường Thắng Nhì, phường Thắng Tam thành phường mới có tên gọi là phường Vũng Tàu."
    Moved("Bà Rịa - Vũng Tàu", "Thành phố Vũng Tàu", "Phường 1", 26506,
          "Hồ Chí Minh", "Phường Vũng Tàu", 26506, f"{HCM} Điều 1 khoản 102"),
    # -- Quảng Ninh (1679) --------------------------------------------------------------------
    # k18: "... của thị trấn Bình Liêu, xã Húc Động và phần còn lại của xã Vô Ngại ... thành xã
    # mới có tên gọi là xã Bình Liêu."
    Moved("Quảng Ninh", "Huyện Bình Liêu", "Thị trấn Bình Liêu", 6838,
          "Quảng Ninh", "Xã Bình Liêu", 6838, f"{QN} Điều 1 khoản 18"),
]  # fmt: skip

DIVIDED = [
    # -- Hà Nội (1656) ------------------------------------------------------------------------
    # k3: "... một phần diện tích tự nhiên, quy mô dân số của các phường Cửa Nam, Điện Biên,
    # Đội Cấn, Kim Mã, Ngọc Hà ... thành phường mới có tên gọi là phường Ba Đình."
    # k4: "... phần còn lại của phường Đội Cấn và phường Ngọc Hà sau khi sắp xếp theo quy định
    # tại khoản 3 Điều này thành phường mới có tên gọi là phường Ngọc Hà."
    # Default (vietnamadminunits): Ba Đình, not the new ward that kept its name and code.
    Moved("Hà Nội", "Quận Ba Đình", "Phường Ngọc Hà", 16,
          "Hà Nội", "Phường Ba Đình", 4, f"{HN} Điều 1 khoản 3, khoản 4", parts=(4, 8)),
    # k4: "... một phần ... của các phường Cống Vị, Kim Mã, Ngọc Khánh, Nghĩa Đô ... thành
    # phường mới có tên gọi là phường Ngọc Hà."
    # k5: "... phần còn lại của phường Cống Vị sau khi sắp xếp theo quy định tại khoản 4 Điều
    # này ... thành phường mới có tên gọi là phường Giảng Võ."  Default: Ngọc Hà.
    Moved("Hà Nội", "Quận Ba Đình", "Phường Cống Vị", 7,
          "Hà Nội", "Phường Ngọc Hà", 8, f"{HN} Điều 1 khoản 4, khoản 5", parts=(8, 25)),
    # k1: "... một phần ... của các phường Cửa Đông, Cửa Nam, Điện Biên, Đồng Xuân, Hàng Bông,
    # Hàng Trống, Tràng Tiền thành phường mới có tên gọi là phường Hoàn Kiếm."
    # k2: "... phần còn lại của các phường Hàng Bông, Hàng Trống, Tràng Tiền sau khi sắp xếp
    # theo quy định tại khoản 1 Điều này thành phường mới có tên gọi là phường Cửa Nam."
    # Defaults: Hàng Trống → Hoàn Kiếm; Tràng Tiền → Cửa Nam.
    Moved("Hà Nội", "Quận Hoàn Kiếm", "Phường Hàng Trống", 70,
          "Hà Nội", "Phường Hoàn Kiếm", 70, f"{HN} Điều 1 khoản 1, khoản 2", parts=(70, 82)),
    Moved("Hà Nội", "Quận Hoàn Kiếm", "Phường Tràng Tiền", 79,
          "Hà Nội", "Phường Cửa Nam", 82, f"{HN} Điều 1 khoản 1, khoản 2", parts=(70, 82)),
    # k7: "Sắp xếp một phần diện tích tự nhiên, quy mô dân số của các phường Mai Động, Thanh
    # Lương, Vĩnh Hưng và Vĩnh Tuy thành phường mới có tên gọi là phường Vĩnh Tuy."
    # k17: "... phần còn lại của phường Vĩnh Tuy sau khi sắp xếp theo quy định tại khoản 7
    # Điều này thành phường mới có tên gọi là phường Vĩnh Hưng."  Default: Vĩnh Tuy.
    Moved("Hà Nội", "Quận Hai Bà Trưng", "Phường Vĩnh Tuy", 283,
          "Hà Nội", "Phường Vĩnh Tuy", 283, f"{HN} Điều 1 khoản 7, khoản 17", parts=(283, 301)),
    # k85: "... một phần diện tích tự nhiên, quy mô dân số của xã Cẩm Lĩnh và xã Minh Quang
    # thành xã mới có tên gọi là xã Bất Bạt."
    # k87: "... của xã Ba Vì, xã Khánh Thượng và phần còn lại của xã Minh Quang sau khi sắp xếp
    # theo quy định tại khoản 85 Điều này thành xã mới có tên gọi là xã Ba Vì."  Default: Ba Vì.
    Moved("Hà Nội", "Huyện Ba Vì", "Xã Minh Quang", 9700,
          "Hà Nội", "Xã Ba Vì", 9700, f"{HN} Điều 1 khoản 85, khoản 87", parts=(9676, 9700)),
    # -- Hồ Chí Minh (1685) -------------------------------------------------------------------
    # k1: "... một phần diện tích tự nhiên, quy mô dân số của phường Đa Kao, phường Nguyễn Thái
    # Bình thành phường mới có tên gọi là phường Sài Gòn."
    # k2: "... của phường Tân Định (Quận 1) và phần còn lại của phường Đa Kao sau khi sắp xếp
    # theo quy định tại khoản 1 Điều này thành phường mới có tên gọi là phường Tân Định."
    # Default: Sài Gòn, although Tân Định kept Đa Kao's code.
    Moved("Hồ Chí Minh", "Quận 1", "Phường Đa Kao", 26737,
          "Hồ Chí Minh", "Phường Sài Gòn", 26740, f"{HCM} Điều 1 khoản 1, khoản 2",
          parts=(26737, 26740)),
    # k3: "... một phần diện tích tự nhiên, quy mô dân số của phường Cầu Ông Lãnh ... thành
    # phường mới có tên gọi là phường Bến Thành."
    # k4: "... phần còn lại của phường Cầu Ông Lãnh sau khi sắp xếp theo quy định tại khoản 3
    # Điều này thành phường mới có tên gọi là phường Cầu Ông Lãnh."  Default: Bến Thành.
    Moved("Hồ Chí Minh", "Quận 1", "Phường Cầu Ông Lãnh", 26752,
          "Hồ Chí Minh", "Phường Bến Thành", 26743, f"{HCM} Điều 1 khoản 3, khoản 4",
          parts=(26743, 26758)),
    # k25: "... một phần diện tích tự nhiên, quy mô dân số của Phường 14 (Quận 10) thành phường
    # mới có tên gọi là phường Diên Hồng."
    # k27: "... phần còn lại của Phường 14 (Quận 10) sau khi sắp xếp theo quy định tại khoản 25
    # Điều này thành phường mới có tên gọi là phường Hòa Hưng."  Default: Diên Hồng.
    Moved("Hồ Chí Minh", "Quận 10", "Phường 14", 27169,
          "Hồ Chí Minh", "Phường Diên Hồng", 27169, f"{HCM} Điều 1 khoản 25, khoản 27",
          parts=(27163, 27169)),
    # k60: "... một phần diện tích tự nhiên, quy mô dân số của Phường 15 (quận Tân Bình) thành
    # phường mới có tên gọi là phường Tân Bình."
    # k61: "Sắp xếp phần còn lại của Phường 15 (quận Tân Bình) sau khi sắp xếp theo quy định
    # tại khoản 60 Điều này thành phường mới có tên gọi là phường Tân Sơn."  Default: Tân Sơn.
    Moved("Hồ Chí Minh", "Quận Tân Bình", "Phường 15", 27007,
          "Hồ Chí Minh", "Phường Tân Sơn", 27007, f"{HCM} Điều 1 khoản 60, khoản 61",
          parts=(27004, 27007)),
    # Three ways. k63: "... một phần ... của phường Tân Quý, phường Tân Thành thành phường mới
    # có tên gọi là phường Tân Sơn Nhì."  k64: "... một phần ... của phường Tân Thành ... thành
    # phường mới có tên gọi là phường Phú Thọ Hòa."  k65: "... phần còn lại của phường Tân
    # Thành sau khi sắp xếp theo quy định tại khoản 63, khoản 64 Điều này thành phường mới có
    # tên gọi là phường Tân Phú."  Default: Tân Sơn Nhì.
    Moved("Hồ Chí Minh", "Quận Tân Phú", "Phường Tân Thành", 27022,
          "Hồ Chí Minh", "Phường Tân Sơn Nhì", 27019, f"{HCM} Điều 1 khoản 63, 64, 65",
          parts=(27019, 27022, 27031)),
    # k99: "... một phần diện tích tự nhiên, quy mô dân số của xã Tân Mỹ thành phường mới có
    # tên gọi là phường Tân Uyên."
    # k136: "... phần còn lại của xã Tân Mỹ sau khi sắp xếp theo quy định tại khoản 99 Điều này
    # thành xã mới có tên gọi là xã Thường Tân."  Default: Tân Uyên.
    Moved("Bình Dương", "Huyện Bắc Tân Uyên", "Xã Tân Mỹ", 25918,
          "Hồ Chí Minh", "Phường Tân Uyên", 25888, f"{HCM} Điều 1 khoản 99, khoản 136",
          parts=(25888, 25909)),
    # -- Quảng Ninh (1679) --------------------------------------------------------------------
    # k4: "... một phần diện tích tự nhiên, quy mô dân số của các xã Yên Than, Đại Dực, Đông
    # Ngũ, Vô Ngại thành xã mới có tên gọi là xã Tiên Yên."
    # k18: "... phần còn lại của xã Vô Ngại sau khi sắp xếp theo quy định tại khoản 4 Điều này
    # thành xã mới có tên gọi là xã Bình Liêu."  Default: Bình Liêu.
    Moved("Quảng Ninh", "Huyện Bình Liêu", "Xã Vô Ngại", 6853,
          "Quảng Ninh", "Xã Bình Liêu", 6838, f"{QN} Điều 1 khoản 4, khoản 18",
          parts=(6838, 6862)),
]  # fmt: skip

ROWS = WHOLE + DIVIDED


def row_id(row: Moved) -> str:
    return f"{row.old_commune} ({row.old_district}, {row.old_province})"


ROW_PARAMS = [pytest.param(row, id=row_id(row)) for row in ROWS]


def test_the_table_is_as_described() -> None:
    """At least 30 rows over several provinces, several divided, no old commune twice."""
    assert len(ROWS) >= 30 and len(DIVIDED) >= 5
    assert len({row.old_code for row in ROWS}) == len(ROWS)
    assert len({row.new_province for row in ROWS}) >= 4
    for row in DIVIDED:
        assert row.new_code in row.parts and len(row.parts) >= 2


@pytest.mark.parametrize("row", ROW_PARAMS)
def test_the_old_code_is_the_gso_unit(row: Moved) -> None:
    """The row's old code names the old commune, district and province it says."""
    old = OLD.communes[row.old_code]
    assert old.district_code is not None
    assert fold(old.name) == fold(row.old_commune)
    assert fold(OLD.districts[old.district_code].name) == fold(row.old_district)
    assert fold(OLD.provinces[old.province_code].name) == fold(row.old_province)


@pytest.mark.parametrize("row", ROW_PARAMS)
def test_the_new_code_is_the_official_unit(row: Moved) -> None:
    """Codes per Công văn 1027/CTK-CSCL, for the counted commune and every part."""
    new = NOW.communes[row.new_code]
    assert fold(new.name) == fold(row.new_commune)
    assert fold(NOW.provinces[new.province_code].name) == fold(row.new_province)
    for code in row.parts:
        assert NOW.communes[code].province_code == new.province_code


@pytest.mark.parametrize("row", ROW_PARAMS)
def test_an_old_commune_is_counted_under_the_commune_the_text_gives(row: Moved) -> None:
    """A whole commune has one target; a divided one has exactly the parts the text names
    and is counted under the default among them."""
    expected_targets = tuple(sorted(row.parts)) if row.parts else (row.new_code,)
    assert tuple(sorted(MAP.communes[row.old_code])) == expected_targets
    assert MAP.commune(row.old_code) == row.new_code
    old = OLD.communes[row.old_code]
    assert MAP.province(old.province_code) == NOW.communes[row.new_code].province_code


@pytest.mark.parametrize("row", ROW_PARAMS)
def test_old_names_resolve_to_the_current_commune(row: Moved) -> None:
    """What a clerk types for a record of 2021–2025 lands on the row's current commune."""
    loc = resolve_locality(row.old_province, row.old_commune, row.old_district, before_merger=True)
    assert loc.legacy_commune is not None and loc.legacy_commune.code == row.old_code
    assert loc.commune is not None
    assert (loc.commune.code, loc.commune.name) == (row.new_code, NOW.communes[row.new_code].name)
    assert fold(loc.commune.name) == fold(row.new_commune)


def test_every_divided_commune_in_the_data_has_a_default_among_its_parts() -> None:
    """The rule the rows rely on, for all 471: the default is one of the parts."""
    divided = {old: new for old, new in MAP.communes.items() if len(new) > 1}
    assert set(divided) == set(MAP.split_default)
    assert all(MAP.split_default[old] in new for old, new in divided.items())


# -- through the CLI ------------------------------------------------------------------------

CLI_ROWS = [
    row
    for row in ROWS
    if row.old_code in {19105, 19357, 61, 26506, 16, 79, 9700, 26737, 27169, 27022, 25918}
]


@pytest.mark.parametrize("row", [pytest.param(row, id=row_id(row)) for row in CLI_ROWS])
def test_a_record_of_2024_shows_and_tallies_under_the_current_commune(
    run: Run, registry: Registry, row: Moved
) -> None:
    result = run(
        "register", "Mô hình", "--province", row.old_province, "--district", row.old_district,
        "--commune", row.old_commune, "--field", "kinh te", "--sponsor", "phu nu",
        "--registered-on", "2024-06-30",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    code = result.stdout.strip()

    stored = registry.get(code)
    assert stored.legacy is not None and stored.legacy["commune_code"] == row.old_code
    assert stored.commune_code == row.new_code
    assert fold(stored.commune or "") == fold(row.new_commune)

    shown = json.loads(run("show", code, "--format", "json").stdout)
    assert (shown["commune_code"], shown["legacy"]["commune_code"]) == (row.new_code, row.old_code)
    assert fold(shown["commune"]) == fold(row.new_commune)

    tallied = json.loads(run("tally", "--commune", "--format", "json").stdout)
    assert [(r["commune_code"], fold(r["commune"]), r["registered"]) for r in tallied["rows"]] == [
        (row.new_code, fold(row.new_commune), 1)
    ]


def test_records_in_every_part_of_a_divided_commune_are_counted_once_under_its_default(
    run: Run,
) -> None:
    """Old Phường Tân Thành (Tân Phú) went to three wards (1685/NQ-UBTVQH15 khoản 63–65);
    its records are all counted under Tân Sơn Nhì, and none under Phú Thọ Hòa or Tân Phú,
    which only a record placed in today's units can reach."""
    for on in ("2022-01-03", "2024-12-31"):
        result = run(
            "register", "Mô hình", "--province", "Hồ Chí Minh", "--district", "Quận Tân Phú",
            "--commune", "Phường Tân Thành", "--field", "kinh te", "--sponsor", "phu nu",
            "--registered-on", on,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
    result = run(
        "register", "Mô hình", "--province", "Hồ Chí Minh", "--commune", "Phường Phú Thọ Hòa",
        "--field", "kinh te", "--sponsor", "phu nu", "--registered-on", "2025-07-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = json.loads(run("tally", "--commune", "--format", "json").stdout)["rows"]
    assert {r["commune_code"]: r["registered"] for r in rows} == {27019: 2, 27022: 1}
