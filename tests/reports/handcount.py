"""The hand count of the report tests: names, the period and local time."""

import datetime
from zoneinfo import ZoneInfo

from reports.periods import parse

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = ["Đỗ Thị An", "Đỗ Văn Bảo", "Lưu Thị Cúc", "Tạ Văn Dũng", "Mai Văn Én", "Kha Văn Phong", "Vi Thị Gấm"]
H1 = parse("2026-H1")


def at(*args):
    return datetime.datetime(*args, tzinfo=HCM)
