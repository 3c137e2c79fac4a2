"""A generated commune register (sổ theo dõi) as communes keep it, for the import's tests and benchmark:
good rows at every step a register shows, bad rows of each kind of problem, and rows of children already
registered. Deterministic (a seeded random)."""

import datetime
import random
from dataclasses import dataclass, field

FAMILIES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLES = ("Văn", "Thị", "Minh", "Ngọc", "Gia", "Hoài")
GIVENS = (
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Hương", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Nhung", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thảo",
    "Thắng", "Thủy", "Tiến", "Trang", "Trung", "Tú", "Tuấn", "Vân", "Việt", "Vy", "Xuân", "Yến",
)  # fmt: skip
# The register's headings: the template's, with a few of the other words registers use (the mapping guesses).
HEADINGS = (
    "STT", "Họ tên", "Ngày sinh", "Giới tính", "Xã, phường, đặc khu", "Thôn, ấp, tổ dân phố", "Địa chỉ",
    "Ngày tiếp nhận thông tin", "Hình thức xâm hại", "Môi trường xảy ra", "Nguồn tin", "Người cung cấp thông tin",
    "Tóm tắt sự việc", "Mức độ nguy cơ", "Tình trạng xử lý", "Ngày kết thúc", "Lý do kết thúc",
)  # fmt: skip
# (the register's words, the state BaoVe gives the case file)
STATUSES = (
    ("Mới tiếp nhận", "received"),
    ("Đã đánh giá ban đầu", "assessed"),
    ("Đã can thiệp khẩn cấp", "emergency_handled"),
    ("Đã thu thập thông tin", "investigated"),
    ("Đang can thiệp", "in_intervention"),
    ("Đã kết thúc", "closed"),
    ("Không phải vụ việc bảo vệ trẻ em", "not_child_protection"),
)
FORMS = (("Bạo lực", ["violence"]), ("Bỏ mặc", ["neglect"]), ("Dâm ô", ["sexual_molestation"]),
         ("Bạo lực, bóc lột", ["violence", "exploitation"]), ("Bỏ rơi", ["abandonment"]))  # fmt: skip
# One kind of bad row each: (what is wrong, the problem code the check must give).
BAD_KINDS = (
    ("birth_date", "bad_date"),
    ("commune", "unknown_commune"),
    ("aged_16", "aged_16"),
    ("full_name", "missing"),
    ("abuse_form", "unknown_abuse_form"),
    ("sexual", "sexual_abuse_unspecified"),
    ("closed", "closed_without_date"),
    ("future", "future_date"),
    ("hamlet", "unknown_hamlet"),
    ("status", "unknown_status"),
)


@dataclass
class SampleRow:
    cells: list
    kind: str  # good, bad, duplicate
    problem: str = ""
    expected: dict = field(default_factory=dict)


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def register_rows(
    count: int,
    *,
    commune: str,
    bad: int = 0,
    duplicates: list[tuple[str, datetime.date]] = (),
    today: datetime.date | None = None,
    seed: int = 21,
) -> list[SampleRow]:
    """COUNT rows of COMMUNE's register: BAD rows with a problem each, a row for each of DUPLICATES (a
    child already registered: name, date of birth), the others good. Row numbers run from 1."""
    today = today or datetime.date.today()
    rng = random.Random(seed)
    bad_at = set(rng.sample(range(count), bad + len(duplicates)))
    duplicate_at = set(rng.sample(sorted(bad_at), len(duplicates)))
    bad_at -= duplicate_at
    duplicates = list(duplicates)
    rows = []
    bad_seen = 0
    for index in range(count):
        number = index + 1
        name = f"{FAMILIES[index % 10]} {MIDDLES[(index // 10) % 6]} {GIVENS[(index // 60) % 40]}"
        received = today - datetime.timedelta(days=1 + rng.randrange(3 * 365))
        birth = received - datetime.timedelta(days=365 * rng.randrange(2, 15) + rng.randrange(300))
        words, state = STATUSES[index % len(STATUSES)]
        if state == "received" and index % 2:
            received = today - datetime.timedelta(days=rng.randrange(1, 3))  # its limits still run
            birth = received - datetime.timedelta(days=365 * 8)
        form_words, forms = FORMS[index % len(FORMS)]
        closed = received + datetime.timedelta(days=rng.randrange(10, 200)) if state in ("closed",) else None
        if closed and closed >= today:
            closed = today - datetime.timedelta(days=1)
            received = min(received, closed)
        sex = "Nữ" if index % 2 else "Nam"
        risk = ("Cao", "Trung bình", "Thấp", "")[index % 4]
        cells = [
            str(number), name, _date(birth), sex, commune, "", f"Tổ {index % 9 + 1}", _date(received), form_words,
            "Gia đình", "Trực tiếp", "" if index % 3 == 0 else "Trần Văn Báo", f"Sự việc dòng {number}.", risk, words,
            _date(closed) if closed else "", "An toàn, ổn định" if closed else "",
        ]  # fmt: skip
        expected = {
            "number": str(number),
            "full_name": name,
            "birth_date": birth,
            "received_on": received,
            "state": state,
            "closed_on": closed if state == "closed" else (received if state == "not_child_protection" else None),
            "forms": sorted(forms),
            "sex": "female" if index % 2 else "male",
            "risk_level": {"Cao": "high", "Trung bình": "medium", "Thấp": "low", "": ""}[risk],
        }
        if index in duplicate_at:
            dup_name, dup_birth = duplicates.pop()
            cells[1], cells[2] = dup_name, _date(dup_birth)
            rows.append(SampleRow(cells, "duplicate", "duplicate", expected))
            continue
        if index in bad_at:
            what, problem = BAD_KINDS[bad_seen % len(BAD_KINDS)]
            bad_seen += 1
            _spoil(cells, what, today)
            rows.append(SampleRow(cells, "bad", problem, expected))
            continue
        rows.append(SampleRow(cells, "good", "", expected))
    return rows


def _spoil(cells: list, what: str, today: datetime.date) -> None:
    if what == "birth_date":
        cells[2] = "31/02/2015"
    elif what == "commune":
        cells[4] = "Xã Không Có Thật"
    elif what == "aged_16":
        cells[2], cells[7] = "01/01/2000", "01/06/2024"
    elif what == "full_name":
        cells[1] = ""
    elif what == "abuse_form":
        cells[8] = "Đánh nhau"
    elif what == "sexual":
        cells[8] = "Xâm hại tình dục"
    elif what == "closed":
        cells[14], cells[15] = "Đã kết thúc", ""
    elif what == "future":
        cells[7] = _date(today + datetime.timedelta(days=20))
    elif what == "hamlet":
        cells[5] = "Ấp Không Có"
    elif what == "status":
        cells[14] = "Đang chờ ý kiến"


def write_xlsx(path: str, rows: list[SampleRow]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sổ theo dõi")
    sheet.append(list(HEADINGS))
    for row in rows:
        sheet.append(row.cells)
    workbook.save(path)
