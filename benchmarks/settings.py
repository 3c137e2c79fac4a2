"""Settings for the benchmark: the test settings (PostgreSQL, Redis) with the production behaviour
that costs time per request (two-factor checks for case roles), a bench-only URL for the bare view,
and no debug. Never used to serve real data."""

import os

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
TWO_FACTOR_ROLES = ["commune_officer", "chairman", "focal_point", "coordinator", "system_admin"]
TWO_FACTOR_SUPERUSERS = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# The load test serves with persistent connections, as production does (benchmarks/load.py); the other
# measures keep the test settings' connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("BENCH_CONN_MAX_AGE", "0"))  # noqa: F405
