"""Vietnamese formats in templates of issued documents: {% load vn %} then {{ n|vn_number }},
{{ x|vn_percent }}, {{ day|vn_date }}, {{ day|vn_date_line }}, {{ cell|vn_cell:column.kind }}."""

from django import template

from config import vietnamese

register = template.Library()


@register.filter
def vn_number(value):
    return vietnamese.number(value)


@register.filter
def vn_percent(value):
    return vietnamese.percent(value)


@register.filter
def vn_date(value):
    return vietnamese.date(value)


@register.filter
def vn_date_line(value):
    return vietnamese.date_line(value)


@register.filter
def vn_upper(value):
    return vietnamese.upper(str(value))


@register.filter
def vn_cell(value, kind: str = "count"):
    """A table cell as its column says: a count (1.234), a share (16,7 %), a date, or text."""
    if kind == "percent":
        return vietnamese.percent(value)
    if kind == "date":
        return vietnamese.date(value)
    if kind in ("count", "number"):
        return vietnamese.number(value)
    return "" if value is None else value
