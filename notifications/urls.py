from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.mark_read, name="mark_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/preferences/phone/", views.phone_add, name="phone_add"),
    path("notifications/preferences/phone/confirm/", views.phone_confirm, name="phone_confirm"),
    path("notifications/preferences/phone/remove/", views.phone_delete, name="phone_remove"),
    path("notifications/callbacks/<slug:channel>/<slug:account_key>/", views.delivery_report, name="delivery_report"),
]
