"""Settings shared by every environment, read from the environment (django-environ).

Without any environment variable this is the embedded default used by `make run`:
SQLite, a Celery broker on the local file system, files on local disk.
"""

import datetime
import ipaddress
import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("BAOVE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _read_secret(name: str) -> str | None:
    """Value of NAME, or of the file named by NAME_FILE (Docker and Kubernetes secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return env.str(name, default=None)


def _local_secret_key() -> str:
    """A key generated once and kept under var/, so the embedded default needs no setup."""
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _read_secret("SECRET_KEY") or _local_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # trigram lookups; inert on SQLite
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "django_celery_beat",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_prometheus",  # /metrics (config/metrics.py): requests, database and cache metrics
    "config",  # the operators' commands (backup, restore, rotate_file_keys, files_check) and tasks
    "audit",
    "agencies",
    "cases",
    "plans",
    "outgoing",
    "reports",
    "notifications",
    "work",
]

MIDDLEWARE = [
    # First and (but for django-axes) last: django-prometheus times every request and counts its answer.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after WhiteNoise: every response but a static file gets Cache-Control: no-store.
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Read-your-writes: after a POST this browser reads from the primary for a while (config/replicas.py).
    "config.replicas.ReplicaPinMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a parameter from the database: NUL and other control characters get a 400.
    "config.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.recorder.AuditMiddleware",
    "agencies.two_factor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.session_timeout.SessionTimeoutMiddleware",
    "config.middleware.FriendlyErrorPagesMiddleware",  # with DEBUG only: no technical 404 or 500 page
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.memberships",
                "work.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'baove.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False


def tune_postgresql(database: dict) -> None:
    """Persistent connections (checked before reuse) and no JIT: BaoVe's queries are short, and
    PostgreSQL's JIT spends more compiling them (over 100 ms measured) than it saves. Through
    django-prometheus's wrapper of the same backend: queries, errors and connections counted per alias."""
    database["ENGINE"] = database["ENGINE"].replace("django.db.backends.", "django_prometheus.db.backends.")
    database.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    database.setdefault("CONN_HEALTH_CHECKS", True)
    options = database.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()


if DATABASES["default"]["ENGINE"] in ("django.db.backends.postgresql", "django_prometheus.db.backends.postgresql"):
    tune_postgresql(DATABASES["default"])
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves web requests and a Celery worker from one file: wait for
    # the other writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )


def replica_database(default: dict) -> dict | None:
    """The streaming replica (DATABASE_REPLICA_URL) that reports, dashboards, exports and the audit search
    read from (config/replicas.py); its password is the primary's unless the URL gives one."""
    url = env.str("DATABASE_REPLICA_URL", default="")
    if not url:
        return None
    replica = env.db_url_config(url)
    if not replica.get("PASSWORD") and default.get("PASSWORD"):
        replica["PASSWORD"] = default["PASSWORD"]
    tune_postgresql(replica)
    # A replica that does not answer is given up quickly (the primary answers instead).
    replica["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2))
    replica["TEST"] = {"MIRROR": "default"}
    return replica


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    _replica := replica_database(DATABASES["default"])
):
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
# A replica further behind than this is not read from; its state is checked at most this often per
# process; after a write, the browser reads from the primary for this long (read-your-writes).
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=3.0)
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=30)
# The dashboard's figures (counts per unit and period) are kept this long in the cache (reports.selectors).
REPORT_FIGURES_SECONDS = env.int("REPORT_FIGURES_SECONDS", default=120)
REPORT_FIGURES_CLOSED_SECONDS = env.int("REPORT_FIGURES_CLOSED_SECONDS", default=1800)
# A commune's unfiltered case list is kept in the cache until one of its files changes, this long at most
# (cases.selectors; 0: read from the database every time).
CASE_LIST_KEPT_SECONDS = env.int("CASE_LIST_KEPT_SECONDS", default=900)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt while the account is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout after repeated failed logins (django-axes): per account and address, so that one office's
# shared address does not lock out its colleagues.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor authentication (TOTP, django-otp) for the roles that can open case files; superusers
# always. TWO_FACTOR_ROLES="" turns it off (the demo of `make run` does, to be tried without a phone).
TWO_FACTOR_ROLES = [
    role
    for role in env.list(
        "TWO_FACTOR_ROLES",
        default=["commune_officer", "chairman", "focal_point", "coordinator", "system_admin"],
    )
    if role
]
TWO_FACTOR_SUPERUSERS = env.bool("TWO_FACTOR_SUPERUSERS", default=bool(TWO_FACTOR_ROLES))
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="BaoVe")
OTP_TOTP_THROTTLE_FACTOR = 1

# Closed case files are pseudonymised this many years after closure (cases.tasks.pseudonymise_expired).
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)

# Sessions end after 30 idle minutes and after 12 hours in any case (config/session_timeout.py).
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(hours=env.int("SESSION_MAX_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy without inline scripts or styles (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first; English complete.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads are encrypted at rest (config/files.py); keys newest first, comma-separated.
BAOVE_VAR_DIR = str(VAR_DIR)
BAOVE_FILE_KEYS = env.list("BAOVE_FILE_KEYS", default=[])
# Case attachments are never served from MEDIA_URL: only through permission-checked views.
MEDIA_URL = "/media/"
# Files are written whole or not at all (temporary file, fsync, rename): config/storage.py.
FILE_STORAGE = "config.storage.AtomicFileSystemStorage"
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def redis_cache(url: str) -> dict:
    """Redis as a cache that fails open (django-redis, IGNORE_EXCEPTIONS): with Redis down, a read
    misses and a write is dropped, so the API's rate limiter lets calls through and the name search
    reads the database, instead of every request failing. Short timeouts keep a hung Redis from
    holding a request; the outage is logged as one warning a minute (config.logging.CacheOutage)."""
    return {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",  # django-redis's, with hits and misses counted
        "LOCATION": url,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.5),
        },
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "baove.cache"

# Cache: Redis in production (REDIS_URL), process memory in the embedded default.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache"}}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
# Well under a delivery's lease (notifications.tasks.LEASE): a hung mail server never outlives the claim.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Absolute links in emails and webhooks.
BAOVE_BASE_URL = env.str("BAOVE_BASE_URL", default="http://127.0.0.1:8000")
# The PKCS#11 libraries a signing device may load (a USB token's driver, an HSM's, a CA's remote signing
# library), set by the operator: the administration only chooses among them, so no one can make the web
# process load a library of their own.
BAOVE_PKCS11_MODULES = env.list("BAOVE_PKCS11_MODULES", default=["/usr/lib/softhsm/libsofthsm2.so"])
# SMS and Zalo accounts from the environment (notifications.accounts): BAOVE_SMS_API_KEY, BAOVE_ZALO_API_KEY,
# BAOVE_SMS_API_KEY__72 (one province by its official code)… A secret may be read from a file: …_FILE.
BAOVE_CHANNEL_ENVIRONMENT = {}
for _name, _value in sorted(os.environ.items()):
    if _name.startswith(("BAOVE_SMS_", "BAOVE_ZALO_")):
        if "_FILE" in _name and _name.replace("_FILE", "", 1) not in os.environ:
            BAOVE_CHANNEL_ENVIRONMENT[_name.replace("_FILE", "", 1)] = Path(_value).read_text(encoding="utf-8").strip()
        else:
            BAOVE_CHANNEL_ENVIRONMENT[_name] = _value
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="BaoVe <no-reply@baove.local>")

# Celery. The embedded default uses kombu's file-system transport: no broker server needed.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
BROKER_SOCKET_TIMEOUTS = {
    "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_CONNECT_TIMEOUT", default=3),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5),  # above kombu's 1 s BRPOP wait
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A message a worker took and never acknowledged (the worker was killed) is delivered again
    # after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # How often a worker looks for such messages: every interval × throttle seconds.
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
        # A hung Redis (accepting connections, answering nothing) must not hold a web request that
        # publishes its outbox after the commit: give up and leave the message for the relay.
        **BROKER_SOCKET_TIMEOUTS,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers and beat log through LOGGING (scrubbed of personal data; JSON in production), not Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Entries here are written into django-celery-beat's table when beat starts (the others come from
# migrations). Nightly: files on disk without a row, rows without their file (config/storage.py).
CELERY_BEAT_SCHEDULE = {
    "files-check": {"task": "config.tasks.files_check", "schedule": crontab(hour=3, minute=40)},
    # The audit trail and the case timeline: this month's partition and the next three (config/partitions.py).
    "partitions-ensure": {"task": "config.tasks.partitions_ensure", "schedule": crontab(hour=2, minute=50)},
    # Deliveries whose broker message was lost (a Redis restarted empty, a worker killed) are sent again.
    "deliveries-redrive": {"task": "notifications.tasks.redrive_deliveries", "schedule": crontab(minute="*/5")},
    # PDF renderings likewise: a lost message or a worker that died mid-rendering.
    "previews-redrive": {"task": "reports.tasks.redrive_previews", "schedule": crontab(minute="*/5")},
    # Exports: expired files deleted (their links expire after 24 h), lost builds queued again.
    "exports-tend": {"task": "cases.tasks.exports_tend", "schedule": crontab(minute="*/10")},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an unauthenticated call is answered 401 with WWW-Authenticate.
        "config.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="30/minute"),
        "user": env.str("API_RATE_USER", default="600/minute"),
    },
}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
# The public reporting page's proof of work (config/abuse.py): the browser tries on average about half of
# this many SHA-256 hashes (a second or two on a cheap phone); the server checks one. The challenges are
# signed with ALTCHA_HMAC_KEY (by default derived from SECRET_KEY).
PUBLIC_REPORT_POW_MAX_COUNTER = env.int("PUBLIC_REPORT_POW_MAX_COUNTER", default=50_000)
ALTCHA_HMAC_KEY = env.str("ALTCHA_HMAC_KEY", default="")
SPECTACULAR_SETTINGS = {
    "TITLE": "BaoVe API",
    "DESCRIPTION": "Child-protection case management (Decree 56/2017/NĐ-CP).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "cases.choices.RiskLevel",
        "CaseStateEnum": "cases.choices.CaseState",
        "AssignmentStatusEnum": "cases.choices.AssignmentStatus",
        "OccurrenceStatusEnum": "plans.models.OccurrenceStatus",
        "PlanStatusEnum": "plans.models.PlanStatus",
        "PublicStatusEnum": "cases.models.community.PublicStatus",
        "VisitKindEnum": "cases.choices.VisitKind",
        "VisitStatusEnum": "cases.choices.VisitStatus",
        "UrgencyEnum": "cases.models.community.Urgency",
        "CommunityReportStatusEnum": "cases.models.community.CommunityReportStatus",
    },
    "COMPONENT_SPLIT_REQUEST": True,
}

# django-guardian: no anonymous user row; anonymous visitors never hold object rights.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# LOG_FORMAT=json: one JSON object a line for a log collector (config.logging.JsonFormatter; production's
# default); text otherwise. Either way scrubbed of personal data (config.logging.ScrubPersonalData).
LOG_FORMATTERS = {"json": {"()": "config.logging.JsonFormatter"}, "text": {"format": "%(message)s"}}


def log_handlers(log_format: str) -> dict:
    formatter = log_format if log_format in LOG_FORMATTERS else "text"
    return {"console": {"class": "logging.StreamHandler", "filters": ["scrub"], "formatter": formatter}}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub": {"()": "config.logging.ScrubPersonalData"},
        "cache_outage": {"()": "config.logging.CacheOutage"},
    },
    "formatters": LOG_FORMATTERS,
    "handlers": log_handlers(env.str("LOG_FORMAT", default="text")),
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each rendering step at INFO: noise in a worker's and the demo's output.
        "weasyprint.progress": {"level": "WARNING"},
        DJANGO_REDIS_LOGGER: {"filters": ["cache_outage"]},
    },
}

# Operators' metrics (config/metrics.py): /metrics answers a scraper that sends METRICS_TOKEN as a bearer
# token or comes from METRICS_ALLOWED_IPS (addresses or networks, e.g. 10.0.0.0/8); with neither it is not
# served. The figures computed at scrape time: one collector per app.
METRICS_TOKEN = _read_secret("METRICS_TOKEN") or ""
try:
    METRICS_ALLOWED_IPS = [
        str(ipaddress.ip_network(item, strict=False)) for item in env.list("METRICS_ALLOWED_IPS", default=[])
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {error}") from error
BAOVE_METRIC_COLLECTORS = ["notifications.metrics.collect", "reports.metrics.collect"]
# The Celery worker's and beat's own metrics (config/celery_metrics.py), served by each on this host:port
# (e.g. 0.0.0.0:9808) to the same scrapers; empty: not served.
CELERY_METRICS_LISTEN = env.str("CELERY_METRICS_LISTEN", default="")
if CELERY_METRICS_LISTEN and not CELERY_METRICS_LISTEN.rpartition(":")[2].isdigit():
    raise ImproperlyConfigured(f"CELERY_METRICS_LISTEN: host:port expected, not {CELERY_METRICS_LISTEN!r}")

# Backups (config/backup.py): the manifest is signed with HMAC-SHA256, the dump and the files are
# encrypted with age to the recipients' public keys; restoring needs the matching identity (secret key),
# which is kept away from the server and the backups. Unset in the embedded default: keys are generated
# under var/ on first use; production refuses to back up without them.
BAOVE_BACKUP_RECIPIENTS = env.list("BAOVE_BACKUP_RECIPIENTS", default=[])
BAOVE_BACKUP_IDENTITY = _read_secret("BAOVE_BACKUP_IDENTITY")
BAOVE_BACKUP_SIGNING_KEY = _read_secret("BAOVE_BACKUP_SIGNING_KEY")

# Reminders that are not urgent are sent only in these hours of working days (local time); a province
# may set its own (administration, "working hours for reminders"). Emergencies are never held.
REMINDER_HOURS = (env.str("REMINDER_HOURS_FROM", default="07:00"), env.str("REMINDER_HOURS_UNTIL", default="21:00"))
