"""The legal time limits of the procedure, per province, and when each one falls due."""

import datetime

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit
from notifications import config_cache
from notifications.calendar import add_working_days

from .choices import DeadlineKind, DeadlineUnit
from .models import DeadlineRule

# Decree 56/2017/NĐ-CP and the published procedures; a province's DeadlineRule rows override them.
LEGAL_DEFAULTS = {
    DeadlineKind.EMERGENCY_DECISION: (12, DeadlineUnit.HOURS),
    DeadlineKind.PLAN_SUBMISSION: (5, DeadlineUnit.WORKING_DAYS),
    DeadlineKind.PLAN_APPROVAL: (7, DeadlineUnit.WORKING_DAYS),
    DeadlineKind.REVIEW: (90, DeadlineUnit.CALENDAR_DAYS),
    # Not in the law: how long a child in an open case file may go without a contact (cases.contacts).
    DeadlineKind.NO_CONTACT: (30, DeadlineUnit.CALENDAR_DAYS),
}


def rules_for(commune: AdministrativeUnit) -> dict[str, tuple[int, str]]:
    """The time limits of the commune's province: the law's, overridden by the province's own rows (kept
    while no rule changes: notifications.config_cache)."""
    province = province_pk_of(commune)

    def read():
        rules = dict(LEGAL_DEFAULTS)
        for rule in DeadlineRule.objects.filter(province_id=province):
            rules[rule.kind] = (rule.amount, rule.unit)
        return rules

    return dict(config_cache.cached("deadline_rules", province, read))


def due_at(start: datetime.datetime, amount: int, unit: str) -> datetime.datetime:
    if unit == DeadlineUnit.HOURS:
        return start + datetime.timedelta(hours=amount)
    if unit == DeadlineUnit.CALENDAR_DAYS:
        return start + datetime.timedelta(days=amount)
    return add_working_days(start, amount)
