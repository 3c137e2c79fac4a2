from django.urls import path

from . import api

urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", api.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/notes/", api.CaseNotesApi.as_view(), name="api-case-notes"),
    path("cases/<int:pk>/extra/", api.CaseExtraApi.as_view(), name="api-case-extra"),
    path("cases/<int:pk>/visits/", api.CaseVisitsApi.as_view(), name="api-case-visits"),
    path("cases/<int:pk>/attachments/", api.CaseAttachmentsApi.as_view(), name="api-case-attachments"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/",
        api.CaseAttachmentDownloadApi.as_view(),
        name="api-case-attachment",
    ),
    *[
        path(f"cases/<int:pk>/{name.replace('_', '-')}/", view, name=f"api-case-{name}")
        for name, view in api.ACTION_VIEWS.items()
    ],
    path("reports/", api.ReportCreateApi.as_view(), name="api-report-create"),
    path("community-reports/", api.CommunityReportCreateApi.as_view(), name="api-community-report-create"),
    path("hotline/reports/", api.PassedOnReportListApi.as_view(), name="api-hotline-reports"),
    path("hotline/reports/<int:pk>/", api.PassedOnReportDetailApi.as_view(), name="api-hotline-report"),
    path("assignments/", api.AssignmentInboxApi.as_view(), name="api-assignment-inbox"),
    path("assignments/<int:pk>/", api.AssignmentDetailApi.as_view(), name="api-assignment-detail"),
    *[
        path(f"assignments/<int:pk>/{name}/", view, name=f"api-assignment-{name}")
        for name, view in api.ASSIGNMENT_ACTION_VIEWS.items()
    ],
    path("children/search/", api.ChildSearchApi.as_view(), name="api-child-search"),
    path("children/<int:pk>/", api.ChildDetailApi.as_view(), name="api-child-detail"),
]
