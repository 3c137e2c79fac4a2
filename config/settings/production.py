"""Production: PostgreSQL, Redis, HTTPS. Every secret comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import FILE_STORAGE, LOGGING, _read_secret, env, log_handlers, replica_database

DEBUG = False

SECRET_KEY = _read_secret("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production.")

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# django-prometheus's wrapper of the same backend: queries, errors and connections counted (config/metrics.py).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
_db_password = _read_secret("DATABASE_PASSWORD")
if _db_password:
    DATABASES["default"]["PASSWORD"] = _db_password
if _replica := replica_database(DATABASES["default"]):
    DATABASES["replica"] = _replica

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
BAOVE_REQUIRE_FILE_KEYS = True
BAOVE_REQUIRE_BACKUP_KEYS = True

STORAGES = {
    "default": {"BACKEND": FILE_STORAGE},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS is terminated by the reverse proxy in front of gunicorn.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]  # asked by the load balancer and Prometheus over plain HTTP
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# One JSON object a line for the log collector (LOG_FORMAT=text for plain lines); scrubbed of personal data.
LOGGING = {**LOGGING, "handlers": log_handlers(env.str("LOG_FORMAT", default="json"))}
