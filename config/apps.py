from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project's own app: operators' commands and tasks (config/management, config/tasks.py), and the
    lookups every app's queries may use."""

    name = "config"
    verbose_name = "BaoVe"

    def ready(self) -> None:
        from . import lookups  # noqa: F401  (registers field__in_array)
