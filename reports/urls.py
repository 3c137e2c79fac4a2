from django.urls import path, re_path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/submissions/", views.submissions, name="submissions"),
    path("reports/<int:pk>/", views.detail, name="detail"),
    path("reports/<int:pk>/progress/", views.progress, name="progress"),
    path("reports/<int:pk>/submit/", views.submit_confirm, name="submit"),
    re_path(r"^reports/(?P<pk>\d+)/open-data\.(?P<extension>json|csv)$", views.open_data, name="open_data"),
    re_path(r"^reports/(?P<pk>\d+)/file\.(?P<extension>pdf|xlsx|preview\.pdf)$", views.download, name="download"),
]
