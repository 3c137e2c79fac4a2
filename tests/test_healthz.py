import shutil
import socket
import subprocess
import time

import pytest
from django.test import Client

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, so that it can really be stopped."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


@pytest.fixture
def broker_url(monkeypatch):
    original = celery_app.conf.broker_url

    def use(url):
        celery_app.conf.broker_url = url
        # Celery reads CELERY_BROKER_URL from the environment before its configuration.
        monkeypatch.setenv("CELERY_BROKER_URL", url)

    yield use
    celery_app.conf.broker_url = original


def test_healthy_when_database_and_broker_answer():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_a_stopped_broker_gives_503(own_redis, broker_url):
    process, url = own_redis
    broker_url(url)
    assert Client().get("/healthz").status_code == 200

    process.terminate()
    process.wait()

    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] != "ok"


def test_healthz_needs_no_login_and_reveals_no_configuration():
    body = Client().get("/healthz").content.decode()
    assert "redis://" not in body
    assert "postgres" not in body
