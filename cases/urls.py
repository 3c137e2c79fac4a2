from django.urls import path

from . import assignment_views, privacy_views, views

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
    path("cases/<int:pk>/unrestrict/", views.case_unrestrict, name="unrestrict"),
    path("cases/<int:pk>/privacy/", privacy_views.privacy_page, name="privacy"),
    path("cases/<int:pk>/privacy/basis/", privacy_views.basis_set, name="privacy_basis"),
    path("cases/<int:pk>/privacy/consents/", privacy_views.consent_add, name="consent_add"),
    path(
        "cases/<int:pk>/privacy/consents/<int:consent_pk>/withdraw/",
        privacy_views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("cases/<int:pk>/privacy/disclosures/", privacy_views.disclosure_add, name="disclosure_add"),
    path("cases/<int:pk>/privacy/requests/", privacy_views.request_add, name="data_request_add"),
    path(
        "cases/<int:pk>/privacy/requests/<int:request_pk>/answer/",
        privacy_views.request_answer,
        name="data_request_answer",
    ),
    path(
        "cases/<int:pk>/privacy/requests/<int:request_pk>/export.<str:extension>",
        privacy_views.request_export,
        name="data_request_export",
    ),
    path("cases/privacy/requests/", privacy_views.request_register, name="data_requests"),
    path("cases/<int:pk>/forms/<int:number>.pdf", views.form_pdf, name="form_pdf"),
    path("cases/<int:pk>/notes/", views.note_add, name="note_add"),
    path("cases/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
