import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("baove")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker's and beat's Prometheus metrics, counted through Celery's signals.
from . import celery_metrics  # noqa: E402, F401
