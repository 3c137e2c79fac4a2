"""Late periodic reports: the commune officer, then the chairman, then the coordinator above."""

from django.utils import timezone, translation
from django.utils.translation import gettext

from notifications.recipients import ROLE_MEMBERS, Area, roles_of
from notifications.registry import Description, Resolution, roles_by_deadline
from notifications.services import worded

from .models import PeriodicReport
from .periods import Period


class ReportEscalationHandler:
    def resolve(self, deadlines, wanted) -> Resolution:
        reports = PeriodicReport.objects.select_related("unit").in_bulk([d.target_id for d in deadlines])
        area = Area([r.unit for r in reports.values()], roles_of(wanted))
        roles = roles_by_deadline(wanted)
        recipients, descriptions = {}, {}
        with translation.override("vi"):
            for deadline in deadlines:
                report = reports.get(deadline.target_id)
                if report is None:
                    continue
                for role in roles[deadline.pk]:
                    if role in ROLE_MEMBERS:
                        recipients[(deadline.pk, role)] = area.holders(report.unit, role)
                due = timezone.localtime(deadline.due_at).strftime("%d/%m/%Y")
                period = Period(report.period_start, report.period_end, report.period_code)
                words = worded(
                    lambda period=period, report=report, due=due: (
                        gettext("Periodic report %(period)s of %(unit)s: due %(due)s")
                        % {"period": period.label, "unit": report.unit.name, "due": due},
                        "",
                    )
                )
                descriptions[deadline.pk] = Description(
                    title=words["title"], body="", url=f"/reports/{report.pk}/", translations=words["translations"]
                )
        return Resolution(recipients, descriptions)
