import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args, env, tmp_path):
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "BAOVE_VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/baove",
            "ALLOWED_HOSTS": "baove.example.vn",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run(
        ["manage.py", "check"],
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/baove",
            "ALLOWED_HOSTS": "baove.example.vn",
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set in production" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("k" * 20 + secrets.token_urlsafe(48))
    result = _run(
        ["-c", "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"],
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY_FILE": str(key_file),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/baove",
            "ALLOWED_HOSTS": "baove.example.vn",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key_file.read_text()


def test_embedded_default_needs_no_server_and_keeps_its_secret(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_BROKER_URL); "
        "print(settings.SECRET_KEY)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base"}
    first = _run(["-c", script], env, tmp_path)
    second = _run(["-c", script], env, tmp_path)
    assert first.returncode == 0, first.stderr
    engine, broker, key = first.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert len(key) >= 50
    assert second.stdout.split()[2] == key  # generated once, then reused
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("METRICS_ALLOWED_IPS", "10.0.0.0/8,prometheus.local", "ImproperlyConfigured: METRICS_ALLOWED_IPS"),
        ("CELERY_METRICS_LISTEN", "worker.local", "CELERY_METRICS_LISTEN: host:port expected, not 'worker.local'"),
    ],
)
def test_a_metrics_address_that_is_not_one_stops_the_start(tmp_path, name, value, message):
    script = "import django; django.setup()"
    result = _run(["-c", script], {"DJANGO_SETTINGS_MODULE": "config.settings.base", name: value}, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert value.rpartition(",")[2] in result.stderr


def test_production_logs_one_json_object_a_line_without_personal_data(tmp_path):
    script = (
        "import django, logging; django.setup(); from django.conf import settings; "
        "logging.getLogger('cases').warning('report from %s, phone %s', 'a.b@example.vn', '0912 345 678'); "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/baove",
        "ALLOWED_HOSTS": "baove.example.vn",
    }
    result = _run(["-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "WARNING"
    assert line["logger"] == "cases"
    assert line["message"] == "report from [email], phone [phone]"
    assert "0912" not in result.stderr
    assert "example.vn" not in result.stderr
    # Queries, errors and connections counted for /metrics through django-prometheus's wrapper.
    assert result.stdout.strip() == "django_prometheus.db.backends.postgresql"
