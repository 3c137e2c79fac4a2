"""Statistical indicators on children and child abuse (Thông tư 13/2021/TT-BLĐTBXH), computed from case data
for a unit subtree and a period: counts only, never a name or any other personal data.

Each indicator is a registered definition (base.Indicator) in the module of its group; `compute` runs
them all. A submitted report freezes the figures *and* the definitions (`definitions()`), and renders
from them forever, whatever is added, renamed or removed here later.
"""

import datetime

from django.utils import timezone

from agencies.models import AdministrativeUnit, AgencyType
from outgoing.names import full_name, in_text

from ..periods import Period
from . import abuse, circular, plan_tasks, procedure, support  # noqa: F401 - each module registers its indicators
from .base import Context, Indicator
from .registry import GROUPS, definition, get, indicators, register, retire, unregister


def compute(unit: AdministrativeUnit | None, period: Period, *, today: datetime.date | None = None) -> dict:
    """Every indicator for UNIT's subtree (None: the whole country) and PERIOD."""
    today = today or timezone.localdate()  # Vietnam's day, not the server's
    context = Context(unit, period, today)
    return {
        "unit": {
            "code": unit.code if unit else "VN",
            "name": unit.name if unit else "Toàn quốc",
            "level": unit.level if unit else "country",
            # As a sentence writes it: "tỉnh Tây Ninh", "xã Tân Biên" (the name alone may lack its type word).
            "in_text": in_text(full_name(unit)) if unit else "cả nước",
        },
        "period": {
            "code": period.code,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label_vi,
            # Computed before the period ends (a report due early, as offices often ask): the figures go up to
            # this day only, and the documents say so. None once the period is over.
            # (On the period's last day too: the day is not over.)
            "figures_until": today.isoformat() if today <= period.end else None,
        },
        "subunits": context.sub.names,
        # Every commune of the area, with the sub-unit it lies under: the annex of a roll-up lists them all.
        "communes": context.sub.communes,
        # Names as they are today, kept with the figures: a frozen report keeps the names of its day.
        "labels": {"agency_type": dict(AgencyType.objects.values_list("code", "name_vi"))},
        "indicators": {indicator.id: indicator.compute(context) for indicator in indicators()},
    }


def definitions() -> list[dict]:
    """The definitions of every registered indicator, as a submitted report freezes them."""
    corrections = circular.configured()
    return [indicator.describe(corrections) for indicator in indicators()]


__all__ = [
    "GROUPS",
    "Indicator",
    "compute",
    "definition",
    "definitions",
    "get",
    "indicators",
    "register",
    "retire",
    "unregister",
]
