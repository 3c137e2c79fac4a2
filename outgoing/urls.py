from django.urls import path, re_path

from . import views

app_name = "outgoing"

urlpatterns = [
    path("documents/register/", views.register, name="register"),
    path("documents/<int:pk>/", views.detail, name="detail"),
    path("documents/<int:pk>/sign/", views.sign, name="sign"),
    re_path(r"^documents/(?P<pk>\d+)/(?P<variant>issued|signed)\.pdf$", views.download, name="download"),
]
