import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_a_token_expires_and_a_revoked_token_is_refused(cast, settings):
    token = Token.objects.create(user=cast.officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/cases/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=91))
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"] or "hết hạn" in response.json()["detail"]
    Token.objects.filter(pk=token.pk).delete()
    assert client.get("/api/v1/cases/").status_code == 401


@pytest.mark.django_db
def test_api_calls_are_rate_limited(cast, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "3/minute"},
    }
    api_settings.reload()
    UserRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        client = APIClient()
        client.force_authenticate(cast.officer)
        codes = [client.get("/api/v1/cases/").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200]
        assert codes[3:] == [429, 429]
    finally:
        cache.clear()
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
        }
        api_settings.reload()
        UserRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


@pytest.mark.django_db(transaction=True)
def test_the_database_going_away_gives_a_clean_error_page(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.officer)
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = 1  # nothing listens there: every query fails
    try:
        response = client.get("/cases/")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Hệ thống tạm thời gián đoạn" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body
