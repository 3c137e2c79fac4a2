from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Periodic reports")

    def ready(self) -> None:
        from notifications.registry import register_escalation_handler

        from .escalation import ReportEscalationHandler

        register_escalation_handler("reports.periodicreport", ReportEscalationHandler())

        from outgoing.subjects import Subject, register_subject

        from .access import report_for_user

        register_subject(
            "periodic_report",
            Subject(
                url=lambda document: f"/reports/{document.subject_id}/",
                check=lambda user, document: report_for_user(user, document.subject_id),
            ),
        )
