from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and deadlines")

    def ready(self) -> None:
        from . import config_cache
        from .models import CalendarDay, EscalationLadder, EscalationStep, WorkingHours

        config_cache.connect(CalendarDay, EscalationLadder, EscalationStep, WorkingHours)
