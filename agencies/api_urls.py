from django.urls import path

from .api import ServiceListApi

urlpatterns = [
    path("services/", ServiceListApi.as_view(), name="api-services"),
]
