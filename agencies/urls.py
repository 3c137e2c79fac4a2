from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("agencies/", views.directory, name="directory"),
    path("services/", views.services_list, name="services"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:pk>/", views.service_edit, name="service_edit"),
    path("services/print.pdf", views.services_print, name="services_print"),
]
