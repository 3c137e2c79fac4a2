from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Multi-agency plans")

    def ready(self) -> None:
        from notifications.registry import register_escalation_handler

        from .escalation import OccurrenceEscalationHandler

        register_escalation_handler("plans.taskoccurrence", OccurrenceEscalationHandler())

        from outgoing.subjects import Subject, register_subject

        from .access import plan_for_user

        register_subject(
            "plan_results",
            Subject(
                url=lambda document: f"/plans/{document.subject_id}/",
                check=lambda user, document: plan_for_user(user, document.subject_id),
            ),
        )
