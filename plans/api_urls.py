from django.urls import path

from . import api

urlpatterns = [
    path("plans/", api.PlanListApi.as_view(), name="api-plan-list"),
    path("plans/my-occurrences/", api.MyOccurrencesApi.as_view(), name="api-plan-my-occurrences"),
    path("plans/<int:pk>/", api.PlanDetailApi.as_view(), name="api-plan-detail"),
    path("plans/occurrences/<int:pk>/reports/", api.ProgressReportApi.as_view(), name="api-plan-progress"),
]
