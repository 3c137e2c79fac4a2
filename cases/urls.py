from django.urls import path

from . import assignment_views, views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.report_new, name="report_new"),
    path("cases/export.csv", views.case_export, name="export"),
    path("assignments/", assignment_views.inbox, name="inbox"),
    path("assignments/<int:pk>/", assignment_views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/reassign/", assignment_views.assignment_reassign, name="reassign"),
    path("coordination/", assignment_views.coordination, name="coordination"),
    path("audit/", assignment_views.audit_search, name="audit"),
    path("cases/children/similar/", views.child_similar, name="child_similar"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/act/<slug:name>/", views.case_action, name="action"),
    path("cases/<int:pk>/restrict/", views.case_restrict, name="restrict"),
    path("cases/<int:pk>/forms/<int:number>.pdf", views.form_pdf, name="form_pdf"),
    path("cases/<int:pk>/notes/", views.note_add, name="note_add"),
    path("cases/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
