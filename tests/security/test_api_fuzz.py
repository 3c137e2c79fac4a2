"""Schemathesis against the project's own OpenAPI schema: bounded examples per operation, as a commune
officer holding a token. No response may be a 5xx, and documented responses must match the schema."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

RAW = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(RAW)
schema.app = WSGIHandler()


@pytest.fixture
def token(cast, receive):
    # As Django's test client does: keep the test's connection (and its transaction) open across requests.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    receive()  # something for the officer to see
    yield Token.objects.create(user=cast.officer).key
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.django_db
def test_no_server_error_and_responses_match_the_schema(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"}, checks=[not_a_server_error, response_schema_conformance]
    )
