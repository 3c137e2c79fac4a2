from django import template

from ..selectors.hotline import ProvinceTimeliness

register = template.Library()


@register.simple_tag
def limit_count(line: ProvinceTimeliness, kind: str, outcome: str) -> int:
    return line.count(kind, outcome)


@register.simple_tag
def limit_share(line: ProvinceTimeliness, kind: str):
    """The share met in time, in per cent (None while nothing is decided)."""
    share = line.share_met(kind)
    return None if share is None else share * 100
