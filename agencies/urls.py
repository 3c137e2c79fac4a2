from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("agencies/", views.directory, name="directory"),
]
