from django.urls import path, re_path

from . import views

app_name = "plans"

urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/my-tasks/", views.my_tasks, name="my_tasks"),
    path("plans/import/", views.plan_import_page, name="import"),
    path("plans/occurrences/<int:occurrence_pk>/report/", views.report_progress, name="report"),
    path("plans/<int:pk>/", views.plan_detail, name="detail"),
    re_path(r"^plans/(?P<pk>\d+)/results\.(?P<extension>pdf|xlsx)$", views.results, name="results"),
    path("plans/<int:pk>/results/issue/", views.results_issue, name="results_issue"),
]
