"""Every role of the fixed cast × every case endpoint: the expected allow or deny, and for every deny
(and every empty list) the response carries nothing of the case. Nothing changes on the way.

The test fails when an endpoint exists that has no entry here: add one when you add a URL.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from agencies.models import Agency, AgencyNameChange, AgencyType, ServiceProvider
from benchmarks import register_sample
from cases import services
from cases.models import (
    Assignment,
    Attachment,
    CaseEvent,
    CaseFile,
    CaseFlag,
    Child,
    ChildMerge,
    CommunityReport,
    Consent,
    DataSubjectRequest,
    DuplicateDismissal,
    ExtraField,
    Household,
    ImportedRow,
    ListEntry,
    Note,
    RegisterImport,
    SafetyPlan,
    Visit,
)
from cases.services import SafetyItemInput, privacy, register_import
from cases.services import exports as exports_service
from cases.workflow import ACTIONS
from notifications.models import ChannelAccount, Delivery
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory, child_input, walk_to_approved

pytestmark = pytest.mark.django_db

CHILD = "Hà Thị Bảo Ngọc"
# The same girl registered a second time without diacritics (a possible duplicate of CHILD), and two records of
# another boy already merged (the merge record's pages).
TWIN = "Ha Thi Bao Ngoc"
MERGED_CHILD = "Đoàn Văn Tư"
NARRATIVE = "Chi tiết mật của vụ việc số 7731."
PUBLIC_CHILD = "Em Sùng Thị Pà, chợ phiên"
WHAT = "Điều người báo tin kể lại, số 4412."
SAFETY = "Mẹ đưa em sang nhà bà ngoại, số 9917."
ROLES = (
    "hotline",
    "hotline_supervisor",
    "officer",
    "officer_elsewhere",
    "collaborator",
    "chairman",
    "police",
    "police_other",
    "school",
    "coordinator_district",
    "coordinator_beside",
    "leader",
    "admin",
    "anonymous",
)
FULL = {"officer", "chairman", "coordinator_district", "admin"}
AGENCY = {"police"}
PRIVACY = {"officer", "coordinator_district"}
MERGERS = {"officer", "coordinator_district"}
IMPORTERS = {"officer", "chairman", "coordinator_district"}
OK, EMPTY, DENY = "ok", "empty", "deny"
# Who keeps case files or assignments for offline reading: who receives reports or acts for an agency.
OFFLINE_READERS = {"hotline", "officer", "officer_elsewhere", "chairman", "police", "police_other", "school"}


@pytest.fixture
def world(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    police_c1 = cast.police.memberships.get().agency
    school_c1 = AgencyFactory(agency_type__code="education", name="Trường Xã Một", unit=tree.commune_c1)
    police_c2 = AgencyFactory(agency_type__code="police", name="Công an Xã Hai", unit=tree.commune_c2)
    social_q = AgencyFactory(agency_type__code="social_affairs", name="Sở Q", unit=tree.province_q)
    users = {name: getattr(cast, name, None) for name in ROLES}
    users["school"] = MembershipFactory(user=UserFactory(username="school"), role="focal_point", agency=school_c1).user
    users["police_other"] = MembershipFactory(
        user=UserFactory(username="police_other"), role="focal_point", agency=police_c2
    ).user
    hotline_111 = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    users["hotline"] = MembershipFactory(
        user=UserFactory(username="hotline"), role="focal_point", agency=hotline_111, unit=None
    ).user
    users["hotline_supervisor"] = MembershipFactory(
        user=UserFactory(username="hotline_supervisor"), role="hotline_supervisor", agency=hotline_111, unit=None
    ).user
    users["coordinator_beside"] = MembershipFactory(
        user=UserFactory(username="coordinator_beside"), role="coordinator", agency=social_q
    ).user
    # Passed on by the hotline 111's integration (its loop reads it back); the commune's officer answers for it.
    case = receive(
        actor=users["hotline"], children=[child_input(tree.commune_c1, name=CHILD)], narrative=NARRATIVE
    ).case_files.get()
    officer, chairman = cast.officer, cast.chairman
    walk_to_approved(
        case,
        officer,
        chairman,
        [(police_c1, "police", "Bảo vệ trẻ.", timezone.localdate() + datetime.timedelta(days=5))],
    )
    services.note_add(actor=officer, case=case, text="Ghi chú")
    attachment = services.attachment_add(
        actor=officer, case=case, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"), description="d"
    )
    data_request = privacy.request_record(
        actor=officer, case=case, kind="access", requester_name="Mẹ em", requester_relation="mẹ"
    )
    withdrawn = Consent.objects.create(
        case=case,
        giver="child",
        recipient="Tổ chức X",
        purpose="Học bổng",
        given_on=timezone.localdate(),
        evidence="Biên bản",
        withdrawn_on=timezone.localdate(),
        recorded_by=officer,
    )
    # What the collaborator passed on, recorded as the case's report; and a public report still to verify.
    mine, _none = services.community_report_submit(
        actor=cast.collaborator,
        data=services.CommunityReportInput(
            commune=tree.commune_c1, hamlet=tree.hamlet_h1, child="Em bé", place="Ấp Một", what=WHAT, urgency="soon"
        ),
    )
    mine.status, mine.report = "recorded", case.report
    mine.save(update_fields=["status", "report"])
    public, receipt = services.community_report_submit(
        actor=None,
        data=services.CommunityReportInput(
            commune=tree.commune_c1,
            child=PUBLIC_CHILD,
            place="Chợ",
            what=WHAT,
            urgency="soon",
            photo=SimpleUploadedFile("a.png", _png(), content_type="image/png"),
        ),
    )
    twin = receive(children=[child_input(tree.commune_c1, name=TWIN, sex="female")]).case_files.get()
    boys = [
        receive(children=[child_input(tree.commune_c1, name=MERGED_CHILD)]).case_files.get().child for _ in range(2)
    ]
    merge = services.child_merge(actor=officer, kept=boys[0], merged=boys[1], reason="Cùng giấy khai sinh")
    case.refresh_from_db()
    services.safety_plan_record(
        actor=officer,
        case=case,
        items=[
            SafetyItemInput(kind="action", text=SAFETY, is_hidden_from_perpetrator=True),
            SafetyItemInput(kind="contact", text="Tổng đài 111", phone="111"),
        ],
        review_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    provider = ServiceProvider.objects.create(
        name="Nhà tạm lánh Xã Một", kind="shelter", services="Chỗ ở an toàn", created_by=cast.admin
    )
    provider.areas.set([tree.commune_c1])
    planned = services.visit_schedule(
        actor=officer, case=case, kind="home", planned_for=timezone.localdate() + datetime.timedelta(days=3)
    )
    done = services.visit_record(
        actor=officer,
        case=case,
        data=services.VisitRecord(
            kind="school", done_on=timezone.localdate(), child_seen=True, observations="Ổn", other_visitors="GV"
        ),
    )
    # A register of the commune, checked: its rows (the child's name, a wrong date) all have problems, so a
    # permitted "import" changes nothing either.
    register_path = str(tmp_path / "register.xlsx")
    register_sample.write_xlsx(
        register_path,
        [
            register_sample.SampleRow([str(n), CHILD, "31/02/2015", "Nữ", "", "", "", "01/03/2025", "Bạo lực"], "bad")
            for n in (1, 2)
        ],
    )
    with open(register_path, "rb") as source:
        upload = SimpleUploadedFile("so.xlsx", source.read())
    register = register_import.register_upload(actor=officer, commune=tree.commune_c1, upload=upload)
    register_import.register_mapping_save(actor=officer, register_import=register, mapping=register.mapping)
    register_import.register_check(register.pk)
    case.refresh_from_db()
    channel_accounts = {
        channel: ChannelAccount.objects.create(
            channel=channel, province=tree.province_p, name=channel, api_key="k", callback_secret="bi-mat"
        )
        for channel in ("sms", "zalo")
    }
    # The officer's export of the case list, built: its page is theirs alone.
    export = exports_service.export_request(actor=officer, kind="case_list", file_format="csv", query="")
    exports_service.export_build(export.pk)
    # A province's extra field of the case file (its page answers 404 where the province asks none).
    ExtraField.objects.create(
        province=tree.province_p,
        target="case",
        key="note_p",
        label="Ghi chú của tỉnh",
        field_type="text",
        created_by=cast.admin,
    )
    return {
        "export": export,
        "channel_accounts": channel_accounts,
        "community": mine,
        "public": public,
        "receipt": receipt,
        "data_request": data_request,
        "consent": withdrawn,
        "case": case,
        "twin": twin,
        "merge": merge,
        "users": users,
        "assignment": Assignment.objects.get(case=case),
        "attachment": attachment,
        "provider": provider,
        "unit": UnitFactory,
        "planned_visit": planned,
        "done_visit": done,
        "register": register,
    }


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def _secrets(case):
    return [CHILD, case.reference, NARRATIVE, PUBLIC_CHILD, TWIN, MERGED_CHILD, SAFETY]


def _endpoints(world):
    """name → (method, url, data, expectations by role, or a default)."""
    case, assignment, attachment = world["case"], world["assignment"], world["attachment"]
    everyone_else = set(ROLES) - {"anonymous"}

    def by(ok=(), empty=()):
        return {role: OK if role in ok else EMPTY if role in empty else DENY for role in ROLES}

    list_like = by(ok=FULL, empty=everyone_else - FULL)
    full_only = by(ok=FULL)
    bad_version = {"version": "not-a-number"}
    endpoints = {
        "cases:list": ("get", reverse("cases:list"), None, list_like),
        # Asking for an export: only who opens case files (the others have no list to export); beside the
        # area, an empty list.
        "cases:export": (
            "get",
            reverse("cases:export"),
            None,
            by(ok=FULL, empty={"officer_elsewhere", "coordinator_beside"}),
        ),
        # An export's page (and, with a password, its file): its owner only; a short password is refused.
        "cases:export_detail": (
            "post",
            reverse("cases:export_detail", args=[world["export"].token]),
            {"password": "short", "password_again": "short"},
            by(ok={"officer"}),
        ),
        "cases:audit_export": ("get", reverse("cases:audit_export"), None, by(ok={"admin", "leader"})),
        # The installable app: its service worker and manifest are the same for everyone and carry no data;
        # the offline shell and queue pages are the same for every signed-in user (the queue lives on the
        # phone, encrypted); the key is issued to any signed-in user; the case files kept for offline
        # reading are the user's own (the officer's files, the police's assignments), never another's.
        "cases:service_worker": ("get", reverse("cases:service_worker"), None, by(empty=set(ROLES))),
        "cases:manifest": ("get", reverse("cases:manifest"), None, by(empty=set(ROLES))),
        "cases:offline": ("get", reverse("cases:offline"), None, by(empty=everyone_else)),
        "cases:offline_queue": ("get", reverse("cases:offline_queue"), None, by(empty=everyone_else)),
        "cases:offline_key": ("post", reverse("cases:offline_key"), None, by(empty=everyone_else)),
        "cases:offline_cases": (
            "get",
            reverse("cases:offline_cases"),
            None,
            by(ok={"officer", "police"}, empty=OFFLINE_READERS - {"officer", "police"}),
        ),
        # Read-only summaries of the officer's own open case files, for reading with no signal: the page is
        # the same for everyone (filled in from the phone's encrypted store); the summaries are the
        # officer's own only, for those who receive reports.
        "cases:offline_my_cases": ("get", reverse("cases:offline_my_cases"), None, by(empty=everyone_else)),
        "cases:offline_case_summaries": (
            "get",
            reverse("cases:offline_case_summaries"),
            None,
            by(ok={"officer"}, empty=OFFLINE_READERS - {"officer"}),
        ),
        # Counts per officer and commune, never a child or a reference, as the caseload page.
        "cases:caseload_export": (
            "get",
            reverse("cases:caseload_export", args=["csv"]),
            None,
            by(ok={"chairman", "coordinator_district"}, empty={"coordinator_beside"}),
        ),
        "cases:report_new": (
            "get",
            reverse("cases:report_new"),
            None,
            # A collaborator is sent on to their short form (cases:community_new).
            by(
                ok={"collaborator"},
                empty={"officer", "chairman", "police", "officer_elsewhere", "school", "police_other", "hotline"},
            ),
        ),
        "cases:child_similar": ("post", reverse("cases:child_similar"), {"name": "ha thi bao ngoc"}, list_like),
        "cases:detail": ("get", reverse("cases:detail", args=[case.pk]), None, by(ok=FULL | AGENCY)),
        "cases:action": (
            "post",
            reverse("cases:action", args=[case.pk, "review"]),
            {"version": ""},
            by(ok={"officer"}),
        ),
        "cases:household": ("get", reverse("cases:household", args=[case.pk]), None, by(ok={"officer"})),
        # The child is in no family group: the officer is told so (400), nothing changes.
        "cases:household_leave": ("post", reverse("cases:household_leave", args=[case.pk]), {}, by(ok={"officer"})),
        "cases:child_history": ("get", reverse("cases:child_history", args=[case.child_id]), None, full_only),
        "cases:restrict": (
            "get",
            reverse("cases:restrict", args=[case.pk]),
            None,
            by(ok={"officer", "coordinator_district"}),
        ),
        "cases:privacy": ("get", reverse("cases:privacy", args=[case.pk]), None, full_only),
        "cases:privacy_basis": (
            "post",
            reverse("cases:privacy_basis", args=[case.pk]),
            bad_version,
            by(ok=PRIVACY),
        ),
        "cases:consent_add": ("post", reverse("cases:consent_add", args=[case.pk]), {}, by(ok=PRIVACY)),
        "cases:consent_withdraw": (
            "post",
            reverse("cases:consent_withdraw", args=[case.pk, world["consent"].pk]),
            {},
            by(ok=PRIVACY),
        ),
        "cases:disclosure_add": ("post", reverse("cases:disclosure_add", args=[case.pk]), {}, by(ok=PRIVACY)),
        "cases:data_request_add": ("post", reverse("cases:data_request_add", args=[case.pk]), {}, by(ok=PRIVACY)),
        "cases:data_request_answer": (
            "post",
            reverse("cases:data_request_answer", args=[case.pk, world["data_request"].pk]),
            {},
            by(ok=PRIVACY),
        ),
        "cases:data_request_export": (
            "get",
            reverse("cases:data_request_export", args=[case.pk, world["data_request"].pk, "json"]),
            None,
            by(ok=PRIVACY),
        ),
        "cases:data_requests": (
            "get",
            reverse("cases:data_requests"),
            None,
            by(ok=PRIVACY, empty=everyone_else - PRIVACY),
        ),
        "cases:responsible": (
            "get",
            reverse("cases:responsible", args=[case.pk]),
            None,
            by(ok={"officer", "chairman", "coordinator_district"}),
        ),
        "cases:unrestrict": (
            "get",
            reverse("cases:unrestrict", args=[case.pk]),
            None,
            by(ok={"officer", "coordinator_district"}),
        ),
        "cases:form_pdf": ("get", reverse("cases:form_pdf", args=[case.pk, 1]), None, full_only),
        "cases:forms": ("get", reverse("cases:forms", args=[case.pk]), None, full_only),
        # Mẫu 05 before any approval: the officer is told there is nothing to issue, nothing is written.
        "cases:form_issue": ("post", reverse("cases:form_issue", args=[case.pk, 5]), {}, by(ok={"officer"})),
        "cases:safety": ("get", reverse("cases:safety", args=[case.pk]), None, full_only),
        "cases:safety_edit": ("get", reverse("cases:safety_edit", args=[case.pk]), None, by(ok={"officer"})),
        # The family's copy: a PDF only those who see the whole file print (every print recorded).
        "cases:safety_family_pdf": ("get", reverse("cases:safety_family_pdf", args=[case.pk]), None, full_only),
        "cases:note_add": ("post", reverse("cases:note_add", args=[case.pk]), {"text": ""}, by(ok={"officer"})),
        # Visits: seen by whoever sees the case file; scheduled, recorded and cancelled by the commune officer
        # (an empty form: refused with its messages; a visit already done: not cancelled).
        "cases:visits": ("get", reverse("cases:visits", args=[case.pk]), None, full_only),
        "cases:visit_new": ("post", reverse("cases:visit_new", args=[case.pk]), {}, by(ok={"officer"})),
        "cases:visit_record": (
            "post",
            reverse("cases:visit_record", args=[case.pk, world["planned_visit"].pk]),
            {},
            by(ok={"officer"}),
        ),
        "cases:visit_cancel": (
            "post",
            reverse("cases:visit_cancel", args=[case.pk, world["done_visit"].pk]),
            {},
            by(ok={"officer"}),
        ),
        # Flags: the officer's supervisors who see the case file (a leader sees no case file at all).
        "cases:flag": ("get", reverse("cases:flag", args=[case.pk]), None, by(ok={"chairman", "coordinator_district"})),
        # Nothing is flagged: they are told so, nothing changes.
        "cases:flag_lift": (
            "post",
            reverse("cases:flag_lift", args=[case.pk]),
            {},
            by(ok={"chairman", "coordinator_district"}),
        ),
        "cases:attachment_add": ("post", reverse("cases:attachment_add", args=[case.pk]), {}, by(ok={"officer"})),
        "cases:attachment": ("get", reverse("cases:attachment", args=[case.pk, attachment.pk]), None, full_only),
        "cases:inbox": ("get", reverse("cases:inbox"), None, by(ok=AGENCY, empty=everyone_else - AGENCY)),
        "cases:assignment": ("get", reverse("cases:assignment", args=[assignment.pk]), None, by(ok=FULL | AGENCY)),
        "cases:reassign": (
            "get",
            reverse("cases:reassign", args=[assignment.pk]),
            None,
            by(ok={"officer", "coordinator_district"}),
        ),
        "cases:coordination": (
            "get",
            reverse("cases:coordination"),
            None,
            by(ok=FULL, empty={"officer_elsewhere", "coordinator_beside"}),
        ),
        # Counts per officer and commune, never a child or a reference; beside the area: an empty page.
        "cases:caseload": (
            "get",
            reverse("cases:caseload"),
            None,
            by(ok={"chairman", "coordinator_district"}, empty={"coordinator_beside"}),
        ),
        # An empty reason: the form is refused, nothing is handed over (the snapshot below says so).
        "cases:handover": (
            "post",
            reverse("cases:handover", args=[case.commune_id]),
            {"from_officer": world["users"]["officer"].pk, "to_officer": world["users"]["officer"].pk, "reason": ""},
            by(ok={"chairman", "coordinator_district"}),
        ),
        "cases:audit": ("get", reverse("cases:audit"), None, by(ok={"admin", "leader"})),
        "cases:community_new": (
            "post",
            reverse("cases:community_new"),
            {"child": "", "what": ""},
            by(ok={"collaborator"}),
        ),
        # Their own reports only: everyone else gets an empty list (the collaborator's is checked below).
        "cases:community_mine": (
            "get",
            reverse("cases:community_mine"),
            None,
            by(ok={"collaborator"}, empty=everyone_else - {"collaborator"}),
        ),
        "cases:community_detail": (
            "get",
            reverse("cases:community_detail", args=[world["public"].pk]),
            None,
            by(ok={"officer"}),
        ),
        "cases:community_close": (
            "post",
            reverse("cases:community_close", args=[world["public"].pk]),
            {"reason": ""},
            by(ok={"officer"}),
        ),
        "cases:community_photo": (
            "get",
            reverse("cases:community_photo", args=[world["public"].pk]),
            None,
            by(ok={"officer"}),
        ),
        # The public pages: open to all, and they say nothing of any report without its receipt code.
        "cases:public_report": ("post", reverse("cases:public_report"), {"child": "x"}, by(empty=set(ROLES))),
        "cases:public_sent": ("get", reverse("cases:public_sent"), None, by(ok=set(ROLES))),
        "cases:public_status": (
            "post",
            reverse("cases:public_status"),
            {"code": "ZZZZ-ZZZZ-ZZZZ"},
            by(empty=set(ROLES)),
        ),
        "cases:public_challenge": ("get", reverse("cases:public_challenge"), None, by(empty=set(ROLES))),
        "cases:public_communes": (
            "get",
            reverse("cases:public_communes") + "?q=xa mot",
            None,
            by(empty=set(ROLES)),
        ),
        "cases:hotline": ("get", reverse("cases:hotline") + "?province=91", None, by(ok={"hotline_supervisor"})),
        # The hotline's own reports passed on (references and limits, no child: test_hotline checks the page).
        "cases:passed_on": ("get", reverse("cases:passed_on"), None, by(ok={"hotline"})),
        "api-hotline-reports": (
            "get",
            reverse("api-hotline-reports"),
            None,
            by(ok={"hotline"}, empty=everyone_else - {"hotline"}),
        ),
        # Duplicates: the commune's officer and the coordinator over it, who see both records and all their
        # case files; a chairman or administrator who sees them may not merge (403), others learn nothing (404).
        # An officer or coordinator of another area has an empty list. The posts are incomplete (400): nothing
        # is merged or undone.
        # A commune's register: its officer, its chairman and the coordinator over it. Officers and coordinators
        # of other areas open the page and the template (for their own communes) and see none of this one.
        "cases:register_import": (
            "get",
            reverse("cases:register_import"),
            None,
            by(ok=IMPORTERS, empty={"officer_elsewhere", "coordinator_beside"}),
        ),
        "cases:register_template": (
            "get",
            reverse("cases:register_template"),
            None,
            by(ok=IMPORTERS, empty={"officer_elsewhere", "coordinator_beside"}),
        ),
        "cases:register_mapping": (
            "post",
            reverse("cases:register_mapping", args=[world["register"].pk]),
            {"row_number": ""},
            by(ok=IMPORTERS),
        ),
        "cases:register_detail": (
            "get",
            reverse("cases:register_detail", args=[world["register"].pk]),
            None,
            by(ok=IMPORTERS),
        ),
        "cases:register_progress": (
            "get",
            reverse("cases:register_progress", args=[world["register"].pk]),
            None,
            by(ok=IMPORTERS),
        ),
        "cases:register_run": (
            "post",
            reverse("cases:register_run", args=[world["register"].pk]),
            None,
            by(ok=IMPORTERS),
        ),
        "cases:register_resume": (
            "post",
            reverse("cases:register_resume", args=[world["register"].pk]),
            None,
            by(ok=IMPORTERS),
        ),
        "cases:register_rejected": (
            "get",
            reverse("cases:register_rejected", args=[world["register"].pk]),
            None,
            by(ok=IMPORTERS),
        ),
        "cases:duplicates": (
            "get",
            reverse("cases:duplicates"),
            None,
            by(ok=MERGERS, empty={"officer_elsewhere", "coordinator_beside"}),
        ),
        "cases:duplicate_mark": ("get", reverse("cases:duplicate_mark", args=[case.pk]), None, by(ok=MERGERS)),
        "cases:duplicate_compare": (
            "post",
            reverse("cases:duplicate_compare", args=[case.child_id, world["twin"].child_id]),
            {"reason": "x"},
            by(ok=MERGERS),
        ),
        "cases:duplicate_dismiss": (
            "post",
            reverse("cases:duplicate_dismiss", args=[case.child_id, world["twin"].child_id]),
            {"reason": ""},
            by(ok=MERGERS),
        ),
        "cases:child_merge": ("get", reverse("cases:child_merge", args=[world["merge"].pk]), None, by(ok=MERGERS)),
        "cases:child_merge_undo": (
            "post",
            reverse("cases:child_merge_undo", args=[world["merge"].pk]),
            {},
            by(ok=MERGERS),
        ),
        "api-hotline-report": (
            "get",
            reverse("api-hotline-report", args=[case.report_id]),
            None,
            by(ok={"hotline"}),
        ),
        "api-case-list": ("get", reverse("api-case-list"), None, list_like),
        "api-case-detail": ("get", reverse("api-case-detail", args=[case.pk]), None, full_only),
        "api-case-notes": ("get", reverse("api-case-notes", args=[case.pk]), None, full_only),
        "api-case-visits": ("get", reverse("api-case-visits", args=[case.pk]), None, full_only),
        "api-case-attachments": ("get", reverse("api-case-attachments", args=[case.pk]), None, full_only),
        "api-case-attachment": ("get", reverse("api-case-attachment", args=[case.pk, attachment.pk]), None, full_only),
        "api-report-create": ("post", reverse("api-report-create"), {}, by(empty=everyone_else)),
        "api-child-search": ("post", reverse("api-child-search"), {"name": "ha thi bao ngoc"}, list_like),
        "api-child-detail": ("get", reverse("api-child-detail", args=[case.child_id]), None, full_only),
        "api-assignment-inbox": (
            "get",
            reverse("api-assignment-inbox"),
            None,
            by(ok=AGENCY, empty=everyone_else - AGENCY),
        ),
        "api-assignment-detail": (
            "get",
            reverse("api-assignment-detail", args=[assignment.pk]),
            None,
            by(ok=FULL | AGENCY),
        ),
    }
    # Each person's own notices and preferences (SMS, Zalo, quiet hours, their phone number): every signed-in
    # user, about themselves only; the gateways' delivery reports: nobody without the account's secret.
    signed_in = by(ok=everyone_else)
    endpoints |= {
        "notifications:list": ("get", reverse("notifications:list"), None, signed_in),
        "notifications:mark_read": ("post", reverse("notifications:mark_read"), {}, signed_in),
        "notifications:preferences": ("get", reverse("notifications:preferences"), None, signed_in),
        "notifications:phone_add": ("post", reverse("notifications:phone_add"), {"phone": "12"}, signed_in),
        "notifications:phone_confirm": ("post", reverse("notifications:phone_confirm"), {}, signed_in),
        "notifications:phone_remove": ("post", reverse("notifications:phone_remove"), {}, signed_in),
    }
    # The directory of services: every member of staff reads it and prints a commune's list; coordinators and
    # administrators keep it, each within their area (the entry serves Xã Một: not the coordinator of Q's).
    keepers = {"coordinator_district", "coordinator_beside", "admin"}
    endpoints |= {
        "agencies:directory": ("get", reverse("agencies:directory"), None, signed_in),
        "agencies:services": ("get", reverse("agencies:services"), None, signed_in),
        "agencies:service_new": ("get", reverse("agencies:service_new"), None, by(ok=keepers)),
        "agencies:service_edit": (
            "get",
            reverse("agencies:service_edit", args=[world["provider"].pk]),
            None,
            by(ok={"coordinator_district", "admin"}),
        ),
        "agencies:service_edit:post": (
            "post",
            reverse("agencies:service_edit", args=[world["provider"].pk]),
            {"name": ""},
            by(ok={"coordinator_district", "admin"}),
        ),
        "api-services": ("get", reverse("api-services") + f"?area={case.commune_id}", None, signed_in),
        "agencies:services_print": (
            "get",
            reverse("agencies:services_print") + f"?area={case.commune_id}",
            None,
            signed_in,
        ),
    }
    # The lists administrators keep: only a system administrator (here nationwide) opens or changes them; a
    # case file's extra fields are changed by whoever may change the case file.
    list_keepers = by(ok={"admin"})
    endpoints |= {
        "cases:lists": ("get", reverse("cases:lists"), None, list_keepers),
        "cases:list_entry_new": ("get", reverse("cases:list_entry_new", args=["abuse_form"]), None, list_keepers),
        "cases:list_entry": (
            "post",
            reverse("cases:list_entry", args=[ListEntry.objects.get(code="violence").pk]),
            {"label_vi": ""},
            list_keepers,
        ),
        "cases:extra_field_new": ("get", reverse("cases:extra_field_new"), None, list_keepers),
        "cases:extra_field": (
            "post",
            reverse("cases:extra_field", args=[ExtraField.objects.get(key="note_p").pk]),
            {"label": ""},
            list_keepers,
        ),
        "cases:agency_rename": (
            "post",
            reverse("cases:agency_rename", args=[world["assignment"].agency_id]),
            {"new_name": ""},
            list_keepers,
        ),
        "cases:agency_type_new": ("get", reverse("cases:agency_type_new"), None, list_keepers),
        "cases:agency_type": (
            "post",
            reverse("cases:agency_type", args=[world["assignment"].agency.agency_type_id]),
            {"name_vi": ""},
            list_keepers,
        ),
        "cases:case_extra": ("post", reverse("cases:case_extra", args=[case.pk]), {}, by(ok={"officer"})),
        "api-case-extra": ("post", reverse("api-case-extra", args=[case.pk]), {}, by(ok={"officer"})),
    }
    for channel, account in world["channel_accounts"].items():
        endpoints[f"notifications:delivery_report:{channel}"] = (
            "post",
            reverse("notifications:delivery_report", args=[channel, f"a{account.pk}"]),
            {"SMSID": "1", "SendStatus": "5"},
            by(),
        )
    for name in ("accept", "decline", "progress", "close"):
        endpoints[f"api-assignment-{name}"] = (
            "post",
            reverse(f"api-assignment-{name}", args=[assignment.pk]),
            bad_version,
            by(ok=AGENCY),
        )
    endpoints["api-assignment-reassign"] = (
        "post",
        reverse("api-assignment-reassign", args=[assignment.pk]),
        bad_version,
        by(ok={"officer", "coordinator_district"}),
    )
    for name, action in ACTIONS.items():
        allowed = (
            set()
            if action.at_transfer_target
            else {"commune_officer": "officer", "chairman": "chairman"}.get(action.roles[0], set())
        )
        endpoints[f"api-case-{name}"] = (
            "post",
            reverse(f"api-case-{name}", args=[case.pk]),
            bad_version,
            by(ok={allowed} if isinstance(allowed, str) else allowed),
        )
    return endpoints


def _registered_endpoint_names() -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        for sub in getattr(pattern, "url_patterns", []):
            if namespace == "cases" and sub.name:
                names.add(f"cases:{sub.name}")
            elif namespace in ("notifications", "agencies") and sub.name:
                names.add(f"{namespace}:{sub.name}")
            elif (
                namespace is None
                and sub.name
                and sub.name.startswith(
                    ("api-case", "api-report", "api-child", "api-assignment", "api-hotline", "api-services")
                )
            ):
                names.add(sub.name)
    return names


def test_every_endpoint_has_an_entry_in_the_matrix(world):
    # One URL may have several entries (the delivery reports: one per channel), named "url name:variant".
    entries = set(_endpoints(world))
    assert _registered_endpoint_names() == {":".join(name.split(":")[:2]) for name in entries}
    assert {f"notifications:delivery_report:{channel}" for channel in ("sms", "zalo")} <= entries


def _client(user, address="127.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    if user is not None:
        client.force_login(user)
    return client


def _snapshot(case):
    case.refresh_from_db()
    return (
        case.state,
        case.version,
        Assignment.objects.count(),
        Note.objects.count(),
        Attachment.objects.count(),
        CaseEvent.objects.count(),
        Consent.objects.count(),
        list(DataSubjectRequest.objects.values_list("status", "version")),
        list(Consent.objects.values_list("withdrawn_on", flat=True)),
        list(Assignment.objects.values_list("status", "version")),
        list(Delivery.objects.values_list("receipt", flat=True)),
        list(CommunityReport.objects.order_by("pk").values_list("status", "closing_reason")),
        list(Child.objects.order_by("pk").values_list("household_id", flat=True)),
        Household.objects.count(),
        list(Child.objects.order_by("pk").values_list("merged_into_id", flat=True)),
        list(ChildMerge.objects.order_by("pk").values_list("undone_at", flat=True)),
        DuplicateDismissal.objects.count(),
        list(SafetyPlan.objects.values_list("pk", "is_current")),
        list(ServiceProvider.objects.values_list("name", "is_active", "updated_at")),
        list(Visit.objects.order_by("pk").values_list("status", "done_on")),
        list(CaseFlag.objects.values_list("lifted_at", flat=True)),
        list(RegisterImport.objects.values_list("status", "imported_by", "mapping")),
        ImportedRow.objects.count(),
        list(ListEntry.objects.order_by("pk").values_list("label_vi", "is_active", "updated_at")),
        list(ExtraField.objects.order_by("pk").values_list("label", "is_active", "updated_at")),
        list(Agency.objects.order_by("pk").values_list("name", flat=True)),
        AgencyNameChange.objects.count(),
        list(AgencyType.objects.order_by("pk").values_list("name_vi", "name_en", "sort_order")),
        list(CaseFile.objects.order_by("pk").values_list("extra", flat=True)),
    )


def test_permission_matrix(world):
    case = world["case"]
    before = _snapshot(case)
    failures = []
    for name, (method, url, data, expected) in _endpoints(world).items():
        for index, role in enumerate(ROLES):
            client = _client(world["users"][role], f"10.0.0.{index + 1}")
            response = getattr(client, method)(url, data or {}) if method == "post" else client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", errors="replace")
            status = response.status_code
            outcome = expected[role]
            if status >= 500:
                failures.append(f"{name} {role}: {status}")
            elif outcome == OK:
                login_redirect = status == 302 and "/accounts/login/" in response.get("Location", "")
                if status not in (200, 201, 302, 400) or login_redirect:
                    failures.append(f"{name} {role}: expected allowed, got {status}")
            else:
                if outcome == DENY and not (
                    status in (401, 403, 404) or (status == 302 and "/accounts/login/" in response.get("Location", ""))
                ):
                    failures.append(f"{name} {role}: expected denied, got {status}")
                if outcome == EMPTY and status not in (200, 400):
                    failures.append(f"{name} {role}: expected an empty answer, got {status}")
                leaked = [secret for secret in _secrets(case) if secret in text]
                if leaked:
                    failures.append(f"{name} {role}: leaked {leaked}")
    assert failures == [], "\n".join(failures)
    assert _snapshot(case) == before


def test_allowed_reads_do_show_the_case(world):
    """The matrix's "ok" is not only a status: the data is there for those allowed."""
    case = world["case"]
    for role in FULL:
        assert CHILD in _client(world["users"][role]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    police = _client(world["users"]["police"])
    page = police.get(reverse("cases:assignment", args=[world["assignment"].pk])).content.decode()
    assert CHILD in page
    assert NARRATIVE in page  # the police service sees the narrative by default
    assert case.reference in police.get(reverse("cases:inbox")).content.decode()
    summaries = _client(world["users"]["officer"]).get(reverse("cases:offline_case_summaries")).content.decode()
    assert case.reference in summaries


def test_status_views_show_nothing_beyond_the_status(world):
    """The collaborator's list, the public look-up and the hotline's loop are allowed reads that must still
    carry nothing of the case file: no child, no narrative, no other reporter's words."""
    case, users = world["case"], world["users"]
    mine = _client(users["collaborator"]).get(reverse("cases:community_mine")).content.decode()
    assert WHAT in mine  # what they typed themself
    assert "Đang xử lý" in mine
    looked_up = _client(None).post(reverse("cases:public_status"), {"code": world["receipt"]}).content.decode()
    assert "Đã tiếp nhận" in looked_up
    hotline = _client(users["hotline"])
    answers = [
        hotline.get(reverse("api-hotline-reports")).content.decode(),
        hotline.get(reverse("api-hotline-report", args=[case.report_id])).content.decode(),
        _client(users["hotline_supervisor"]).get(reverse("cases:hotline") + "?province=91").content.decode(),
    ]
    assert case.reference in answers[0]  # the reference is how the hotline follows it
    for text in (mine, looked_up, *answers):
        for secret in (CHILD, NARRATIVE, PUBLIC_CHILD, "Hà Thị", "Cô Hoa", "0912345678", "Ghi chú"):
            assert secret not in text, secret
    for text in (mine, looked_up):
        assert case.reference not in text
    assert WHAT not in looked_up
