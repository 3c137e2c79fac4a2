"""Reporting periods: a year, a half (H1: 1 Jan–30 Jun, H2), a quarter, a month, or any range."""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from config.vietnamese import date as vn_date


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    code: str

    @property
    def label(self) -> str:
        """The period in the reader's language, for pages ("6 tháng cuối năm 2026", "second half of 2026");
        documents and what is stored with them use `label_vi`."""
        if re.fullmatch(r"\d{4}", self.code):
            return _("year %(year)s") % {"year": self.code}
        if m := re.fullmatch(r"(\d{4})-H([12])", self.code):
            text = _("first half of %(year)s") if m[2] == "1" else _("second half of %(year)s")
            return text % {"year": m[1]}
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", self.code):
            return _("Q%(quarter)s %(year)s") % {"quarter": m[2], "year": m[1]}
        if m := re.fullmatch(r"(\d{4})-(\d{2})", self.code):
            return _("%(month)s/%(year)s") % {"month": int(m[2]), "year": m[1]}
        return _("from %(start)s to %(end)s") % {"start": f"{self.start:%d/%m/%Y}", "end": f"{self.end:%d/%m/%Y}"}

    @property
    def label_vi(self) -> str:
        """The period as documents name it ("6 tháng đầu năm 2026"), whatever the page's language."""
        with translation.override("vi"):
            return self.label

    def previous(self) -> "Period":
        """The period of the same length just before (H1 2026 → H2 2025)."""
        if re.fullmatch(r"\d{4}", self.code):
            return parse(str(int(self.code) - 1))
        if m := re.fullmatch(r"(\d{4})-H([12])", self.code):
            return parse(f"{m[1]}-H1") if m[2] == "2" else parse(f"{int(m[1]) - 1}-H2")
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", self.code):
            year, quarter = int(m[1]), int(m[2])
            return parse(f"{year}-Q{quarter - 1}") if quarter > 1 else parse(f"{year - 1}-Q4")
        if m := re.fullmatch(r"(\d{4})-(\d{2})", self.code):
            year, month = int(m[1]), int(m[2])
            return parse(f"{year}-{month - 1:02d}") if month > 1 else parse(f"{year - 1}-12")
        length = self.end - self.start
        end = self.start - datetime.timedelta(days=1)
        return Period(end - length, end, f"{end - length}..{end}")


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse(code: str) -> Period:
    """YYYY, YYYY-H1/H2, YYYY-Qn, YYYY-MM or FROM..TO (dates as YYYY-MM-DD)."""
    code = (code or "").strip()
    try:
        if re.fullmatch(r"\d{4}", code):
            year = int(code)
            return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), code)
        if m := re.fullmatch(r"(\d{4})-H([12])", code):
            year = int(m[1])
            if m[2] == "1":
                return Period(datetime.date(year, 1, 1), datetime.date(year, 6, 30), code)
            return Period(datetime.date(year, 7, 1), datetime.date(year, 12, 31), code)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", code):
            year, quarter = int(m[1]), int(m[2])
            return Period(datetime.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), code)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", code):
            year, month = int(m[1]), int(m[2])
            return Period(datetime.date(year, month, 1), _month_end(year, month), code)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", code):
            start, end = datetime.date.fromisoformat(m[1]), datetime.date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(_("The end of the period is before its start."))
            return Period(start, end, code)
    except ValueError as error:
        if isinstance(error, PeriodError):
            raise
        raise PeriodError(_("“%(code)s” is not a valid period.") % {"code": code}) from error
    raise PeriodError(
        _("“%(code)s” is not a period: use YYYY, YYYY-H1, YYYY-H2, YYYY-Q1…Q4, YYYY-MM or FROM..TO.") % {"code": code}
    )


def period_in_words(data: dict) -> str:
    """The period as the documents write it: "6 tháng đầu năm 2026 (từ ngày 01/01/2026 đến ngày 30/06/2026)",
    with the day the figures stop at when they were computed before its end."""
    start, end = vn_date(data["period"]["start"]), vn_date(data["period"]["end"])
    until = data["period"].get("figures_until")  # absent from reports frozen before it was kept
    cut = f"; số liệu tính đến ngày {vn_date(until)}" if until else ""
    return f"{data['period']['label']} (từ ngày {start} đến ngày {end}{cut})"
