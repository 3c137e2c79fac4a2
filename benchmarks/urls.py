"""The application's URLs plus the floor of the HTTP measure: a bare view behind the same middleware."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as application


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *application]
