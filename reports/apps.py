from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Periodic reports")

    def ready(self) -> None:
        from notifications.registry import register_escalation_handler

        from .escalation import ReportEscalationHandler

        register_escalation_handler("reports.periodicreport", ReportEscalationHandler())
