"""The test suite: real PostgreSQL and Redis, never mocks of them."""

from .base import *  # noqa: F403
from .base import (
    BROKER_SOCKET_TIMEOUTS,
    DJANGO_REDIS_LOGGER,
    FILE_STORAGE,
    REST_FRAMEWORK,
    env,
    redis_cache,
    tune_postgresql,
)

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-real-deployment-0123456789"

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres:postgres@127.0.0.1:5432/baove"),
}
tune_postgresql(DATABASES["default"])
DATABASES["default"]["CONN_MAX_AGE"] = 0  # tests open and close connections freely (threads, subprocesses)
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_baove")}

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {"default": redis_cache(REDIS_URL)}  # as in production
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such messages: every interval × throttle seconds.
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    **BROKER_SOCKET_TIMEOUTS,
}

WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub": {"()": "config.logging.ScrubPersonalData"},
        "cache_outage": {"()": "config.logging.CacheOutage"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {DJANGO_REDIS_LOGGER: {"filters": ["cache_outage"]}},
}

# A fixed key for the suite only (never used anywhere else).
BAOVE_FILE_KEYS = ["_kHMKjHFbD8-pIrMVrk9OLKuxKzbVJBAKNvh9IovrSg="]

# The suite makes many calls as the same few users; one test checks the throttle with a low rate.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}

# Most tests log in with force_login (no second factor); the 2FA tests turn it on per test.
TWO_FACTOR_ROLES = []
TWO_FACTOR_SUPERUSERS = False

# Backup keys for the suite only (never used anywhere else): an age key pair and a signing key.
BAOVE_BACKUP_RECIPIENTS = ["age1n49e8ep4eed9cyf4hx8lfmlljud62gq5059xklyuagcen809dczqy308f9"]
BAOVE_BACKUP_IDENTITY = "AGE-SECRET-KEY-1EEV42TKDQKJHH9S44F55JCWA0TP3QFZX03R050RUMXD9JLUXVKQS83LPD2"
BAOVE_BACKUP_SIGNING_KEY = "test-only-backup-signing-key-0123456789abcdef"

# SMS and Zalo accounts come from each test, never from the environment of the machine running the suite.
BAOVE_CHANNEL_ENVIRONMENT = {}
BAOVE_BASE_URL = "https://baove.example.gov.vn"
# A proof of work the suite solves in a few milliseconds.
PUBLIC_REPORT_POW_MAX_COUNTER = 200
