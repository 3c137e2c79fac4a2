from django.urls import path

from .views import (
    assignments,
    audit,
    case_page,
    documents,
    families,
    files,
    intake,
    lists,
    privacy,
    responsibility,
    restriction,
)

app_name = "cases"

urlpatterns = [
    path("cases/", lists.case_list, name="list"),
    path("cases/new/", intake.report_new, name="report_new"),
    path("cases/export.csv", lists.case_export, name="export"),
    path("assignments/", assignments.inbox, name="inbox"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/reassign/", assignments.assignment_reassign, name="reassign"),
    path("coordination/", assignments.coordination, name="coordination"),
    path("audit/", audit.audit_search, name="audit"),
    path("cases/children/similar/", intake.child_similar, name="child_similar"),
    path("cases/children/<int:pk>/history/", families.child_history, name="child_history"),
    path("cases/<int:pk>/", case_page.case_detail, name="detail"),
    path("cases/<int:pk>/family/", families.household, name="household"),
    path("cases/<int:pk>/family/leave/", families.household_leave, name="household_leave"),
    path("cases/<int:pk>/act/<slug:name>/", case_page.case_action, name="action"),
    path("cases/<int:pk>/restrict/", restriction.case_restrict, name="restrict"),
    path("cases/<int:pk>/unrestrict/", restriction.case_unrestrict, name="unrestrict"),
    path("cases/<int:pk>/responsible/", responsibility.case_assign_officer, name="responsible"),
    path("cases/<int:pk>/privacy/", privacy.privacy_page, name="privacy"),
    path("cases/<int:pk>/privacy/basis/", privacy.basis_set, name="privacy_basis"),
    path("cases/<int:pk>/privacy/consents/", privacy.consent_add, name="consent_add"),
    path(
        "cases/<int:pk>/privacy/consents/<int:consent_pk>/withdraw/",
        privacy.consent_withdraw,
        name="consent_withdraw",
    ),
    path("cases/<int:pk>/privacy/disclosures/", privacy.disclosure_add, name="disclosure_add"),
    path("cases/<int:pk>/privacy/requests/", privacy.request_add, name="data_request_add"),
    path(
        "cases/<int:pk>/privacy/requests/<int:request_pk>/answer/",
        privacy.request_answer,
        name="data_request_answer",
    ),
    path(
        "cases/<int:pk>/privacy/requests/<int:request_pk>/export.<str:extension>",
        privacy.request_export,
        name="data_request_export",
    ),
    path("cases/privacy/requests/", privacy.request_register, name="data_requests"),
    path("cases/<int:pk>/forms/<int:number>.pdf", case_page.form_pdf, name="form_pdf"),
    path("cases/<int:pk>/forms/", documents.forms_page, name="forms"),
    path("cases/<int:pk>/forms/<int:number>/issue/", documents.form_issue, name="form_issue"),
    path("cases/<int:pk>/notes/", files.note_add, name="note_add"),
    path("cases/<int:pk>/attachments/", files.attachment_add, name="attachment_add"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", files.attachment_download, name="attachment"),
]
