"""The period picker: a year, a half, a quarter, a month or dates, chosen instead of typed as a code."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .periods import Period, PeriodError, parse

KINDS = [
    ("year", _("Year")),
    ("half", _("Half-year")),
    ("quarter", _("Quarter")),
    ("month", _("Month")),
    ("custom", _("From a date to a date")),
]
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _select(choices) -> forms.Select:
    return forms.Select(choices=choices, attrs={"class": "form-select"})


class PeriodForm(forms.Form):
    """GET parameters kind, year, half, quarter, month, start, end; links keep the short code (?period=2026-H1)."""

    kind = forms.ChoiceField(label=_("Period"), choices=KINDS, widget=_select(KINDS))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    half = forms.TypedChoiceField(
        label=_("Half-year"),
        coerce=int,
        required=False,
        choices=[(1, _("First 6 months")), (2, _("Last 6 months"))],
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, required=False, choices=[(number, number) for number in range(1, 5)]
    )
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, required=False, choices=[(number, number) for number in range(1, 13)]
    )
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        years = [(year, year) for year in range(today.year + 1, today.year - 10, -1)]
        self.fields["year"].choices = years
        for name in ("year", "half", "quarter", "month"):
            self.fields[name].widget = _select(self.fields[name].choices)

    @classmethod
    def initial_for(cls, period: Period) -> dict:
        """The picker's fields showing PERIOD."""
        code, start = period.code, period.start
        initial = {"year": start.year, "half": 1 if start.month <= 6 else 2, "quarter": (start.month + 2) // 3}
        initial["month"], initial["start"], initial["end"] = start.month, start, period.end
        if len(code) == 4:
            initial["kind"] = "year"
        elif "-H" in code:
            initial["kind"] = "half"
        elif "-Q" in code:
            initial["kind"] = "quarter"
        elif ".." in code:
            initial["kind"] = "custom"
        else:
            initial["kind"] = "month"
        return initial

    def clean(self):
        data = super().clean()
        kind, year = data.get("kind"), data.get("year")
        if not kind or not year:
            return data
        needed = {"half": "half", "quarter": "quarter", "month": "month"}.get(kind)
        if needed and not data.get(needed):
            self.add_error(needed, _("Choose one."))
            return data
        if kind == "custom":
            if not data.get("start") or not data.get("end"):
                self.add_error("start" if not data.get("start") else "end", _("Give both dates."))
                return data
            if data["end"] < data["start"]:
                self.add_error("end", _("The end of the period is before its start."))
                return data
        codes = {
            "year": lambda: f"{year}",
            "half": lambda: f"{year}-H{data['half']}",
            "quarter": lambda: f"{year}-Q{data['quarter']}",
            "month": lambda: f"{year}-{data['month']:02d}",
            "custom": lambda: f"{data['start']:%Y-%m-%d}..{data['end']:%Y-%m-%d}",
        }
        try:
            data["period"] = parse(codes[kind]())
        except PeriodError as error:
            self.add_error(None, str(error))
        return data
