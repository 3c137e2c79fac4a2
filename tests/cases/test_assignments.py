import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.test import Client
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from audit.models import AuditEvent
from cases import access, services
from cases.models import Assignment, CaseFile
from config.errors import Conflict
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, walk_to_approved

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def approved(tree, cast, receive):
    """A case whose approved plan gives one measure to the police of C1 and one to the health station."""
    police = cast.police.memberships.get().agency
    health = AgencyFactory(agency_type__code="health", name="Trạm Y tế Xã Một", unit=tree.commune_c1)
    nurse = MembershipFactory(user=UserFactory(username="nurse"), role="focal_point", agency=health).user
    case = receive().case_files.get()
    due = timezone.localdate() + datetime.timedelta(days=7)
    walk_to_approved(
        case,
        cast.officer,
        cast.chairman,
        [(police, "police", "Xác minh, bảo vệ trẻ.", due), (health, "medical", "Khám sức khỏe.", due)],
    )
    assignments = {a.agency_id: a for a in Assignment.objects.filter(case=case)}
    return case, assignments[police.pk], assignments[health.pk], nurse, health


def _sees(user, case):
    try:
        return access.case_access(user, case.pk)[1]
    except Http404:
        return None


def test_police_access_starts_with_the_assignment_and_ends_when_it_closes(cast, approved):
    case, police_job, _health_job, _nurse, _health = approved
    assert _sees(cast.police, case) == "assignment"
    services.assignment_accept(actor=cast.police, assignment=police_job)
    services.assignment_report_progress(actor=cast.police, assignment=police_job, text="Đã làm việc với gia đình.")
    assert _sees(cast.police, case) == "assignment"
    services.assignment_close(actor=cast.police, assignment=police_job, is_done=True, outcome="Trẻ an toàn.")
    assert _sees(cast.police, case) is None
    assert Client().get(f"/cases/{case.pk}/").status_code == 302
    client = Client()
    client.force_login(cast.police)
    response = client.get(f"/assignments/{police_job.pk}/")
    # The agency's notice still leads somewhere: what became of the assignment, nothing of the case file.
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="assignment-ended"' in page
    assert case.reference in page
    police_job.refresh_from_db()
    with translation.override("vi"):
        assert f'data-testid="assignment-ended-status">{police_job.get_status_display()}<' in page
    for leak in ("Nguyễn Văn An", "Xác minh, bảo vệ trẻ.", case.report.narrative, "Trẻ an toàn."):
        assert leak not in page, leak
    # Its API and its actions stay closed.
    api = client.get(f"/api/v1/assignments/{police_job.pk}/")
    assert api.status_code == 404
    version = police_job.version
    acted = client.post(f"/assignments/{police_job.pk}/", {"action": "progress", "progress-text": "Thêm."})
    assert 'data-testid="assignment-ended"' in acted.content.decode()  # the same page; nothing done
    police_job.refresh_from_db()
    assert police_job.version == version


def test_a_notice_about_an_assignment_declined_leads_to_what_became_of_it_and_is_read(tree, cast, approved):
    from notifications.models import Notification

    _case, police_job, _h, nurse, _health = approved
    services.assignment_decline(actor=cast.police, assignment=police_job, reason="Không thuộc thẩm quyền.")
    notice = Notification.objects.filter(user=cast.police, url=f"/assignments/{police_job.pk}/").first()
    assert notice is not None
    assert notice.read_at is None
    client = Client()
    client.force_login(cast.police)
    page = client.get(notice.url).content.decode()
    with translation.override("vi"):
        assert police_job.__class__(status="declined").get_status_display() in page
        assert translation.gettext("Your agency declined it: the commune gives the work to another agency.") in page
    notice.refresh_from_db()
    assert notice.read_at is not None
    # Another agency's staff: nothing, as before.
    stranger = Client()
    stranger.force_login(nurse)
    assert stranger.get(notice.url).status_code == 404


def test_a_declined_assignment_ends_access_and_goes_back_for_reassignment(tree, cast, approved):
    case, police_job, _h, _n, _health = approved
    with pytest.raises(ValidationError, match="reason"):
        services.assignment_decline(actor=cast.police, assignment=police_job, reason="  ")
    services.assignment_decline(actor=cast.police, assignment=police_job, reason="Không thuộc thẩm quyền.")
    assert _sees(cast.police, case) is None
    other_police = AgencyFactory(agency_type__code="police", name="Công an Huyện D", unit=tree.district_d)
    new = services.assignment_reassign(actor=cast.officer, assignment=police_job, agency=other_police)
    assert (new.agency, new.status, new.measure_id) == (other_police, "proposed", police_job.measure_id)


def test_wrong_moves_are_refused_with_messages_and_recorded(tree, cast, approved):
    _case, police_job, health_job, nurse, _health = approved
    services.assignment_accept(actor=cast.police, assignment=police_job)
    with pytest.raises(ValidationError, match="Not possible now"):
        services.assignment_accept(actor=cast.police, assignment=police_job)  # accepting twice
    with pytest.raises(ValidationError, match="Not possible now"):
        services.assignment_close(actor=nurse, assignment=health_job, is_done=True, outcome="x")  # not accepted
    with pytest.raises(PermissionDenied):
        services.assignment_accept(actor=nurse, assignment=police_job)  # another agency's assignment
    outside = AgencyFactory(agency_type__code="police", name="Công an Xã Bốn", unit=tree.commune_c4)
    with pytest.raises(ValidationError) as error:
        services.assignment_reassign(actor=cast.officer, assignment=health_job, agency=outside)
    assert "agency" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.assignment_reassign(actor=cast.chairman, assignment=health_job, agency=outside)
    refusals = AuditEvent.objects.filter(action="denied", object_type="assignment")
    assert refusals.count() == 5
    assert {event.fields["action"] for event in refusals} == {
        "assignment_accept",
        "assignment_close",
        "assignment_reassign",
    }
    health_job.refresh_from_db()
    assert health_job.status == "proposed"


def test_a_stale_assignment_page_is_refused(cast, approved):
    _case, police_job, _h, _n, _health = approved
    services.assignment_accept(actor=cast.police, assignment=police_job, expected_version=1)
    with pytest.raises(Conflict):
        services.assignment_report_progress(actor=cast.police, assignment=police_job, text="x", expected_version=1)
    client = Client()
    client.force_login(cast.police)
    response = client.post(
        f"/assignments/{police_job.pk}/", {"action": "progress", "progress-version": 1, "progress-text": "Đã xong"}
    )
    assert response.status_code == 409
    assert "Đã xong" in response.content.decode()  # what was typed is kept in the refused form


def test_the_plan_is_implemented_when_every_assignment_is_closed(cast, approved):
    case, police_job, health_job, nurse, _health = approved
    for actor, job in ((cast.police, police_job), (nurse, health_job)):
        services.assignment_accept(actor=actor, assignment=job)
        services.assignment_close(actor=actor, assignment=job, is_done=True, outcome="Xong.")
    assert case.events.filter(kind="plan_implemented").count() == 1


def test_agency_sees_only_what_its_service_needs(cast, approved):
    from tests.factories import MembershipFactory as Member

    case, _police_job, _health_job, _nurse, _health = approved
    school = AgencyFactory(agency_type__code="education", name="Trường THCS Xã Một", unit=case.commune)
    teacher = Member(user=UserFactory(username="teacher"), role="focal_point", agency=school).user
    job = services.assignment_reassign(actor=cast.officer, assignment=_health_job, agency=school)
    Assignment.objects.filter(pk=job.pk).update(service_type="education")
    client = Client()
    client.force_login(teacher)
    page = client.get(f"/assignments/{job.pk}/").content.decode()
    assert "Nguyễn Văn An" in page
    assert "Giáo viên phát hiện vết bầm" not in page  # the school does not see the narrative
    assert client.get(f"/cases/{case.pk}/forms/1.pdf").status_code == 403


def test_a_restricted_case_is_seen_only_by_named_users(cast, approved):
    case, _p, _h, _n, _health = approved
    case.is_restricted = True
    case.save(update_fields=["is_restricted"])
    assert _sees(cast.officer, case) is None
    assert _sees(cast.police, case) is None
    assign_perm("cases.view_casefile", cast.coordinator_province, case)
    assert _sees(cast.coordinator_province, case) == "full"
    assert _sees(cast.coordinator_district, case) is None


def test_every_read_path_is_audited(tree, cast, approved, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    case, police_job, _h, _n, _health = approved
    attachment = services.attachment_add(
        actor=cast.officer, case=case, upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    client = Client()
    client.force_login(cast.officer)
    paths = {
        ("view", "case"): f"/cases/{case.pk}/",
        ("print", "case"): f"/cases/{case.pk}/forms/2.pdf",
        ("download", "attachment"): f"/cases/{case.pk}/attachments/{attachment.pk}/",
        ("view", "case_list"): "/cases/",
        ("view", "assignment"): f"/assignments/{police_job.pk}/",
        ("view", "child"): f"/api/v1/children/{case.child_id}/",
    }
    for (action, object_type), path in paths.items():
        before = AuditEvent.objects.filter(action=action, object_type=object_type, user=cast.officer).count()
        assert client.get(path, REMOTE_ADDR="10.1.2.3").status_code == 200, path
        event = (
            AuditEvent.objects.filter(action=action, object_type=object_type, user=cast.officer).order_by("pk").last()
        )
        assert event is not None, path
        assert (
            AuditEvent.objects.filter(action=action, object_type=object_type, user=cast.officer).count() == before + 1
        )
        assert event.ip == "10.1.2.3"
        assert event.channel == ("api" if path.startswith("/api/") else "page")
    client.post("/cases/children/similar/", {"name": "nguyen"}, REMOTE_ADDR="10.1.2.3")
    assert AuditEvent.objects.filter(action="view", object_type="child_search", user=cast.officer).exists()
    assert AuditEvent.objects.filter(action="change", case_id=case.pk, fields__event="assess").exists()
    outsider = Client()
    outsider.force_login(cast.officer_elsewhere)
    outsider.get(f"/cases/{case.pk}/")
    assert AuditEvent.objects.filter(action="denied", user=cast.officer_elsewhere, object_id=str(case.pk)).exists()
    client.force_login(cast.officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="viewers"' in page


def test_the_audit_table_refuses_update_and_delete(cast, approved):
    event = AuditEvent.objects.first()
    for statement in (
        f"UPDATE audit_auditevent SET action = 'view' WHERE id = {event.pk}",
        f"DELETE FROM audit_auditevent WHERE id = {event.pk}",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_search_for_administrators_and_leaders(cast, approved):
    case, *_ = approved
    for user, allowed in ((cast.admin, True), (cast.leader, True), (cast.officer, False), (cast.police, False)):
        client = Client()
        client.force_login(user)
        response = client.get("/audit/", {"reference": case.reference})
        assert (response.status_code == 200) is allowed
        if allowed:
            assert case.reference in response.content.decode()
            assert "Nguyễn Văn An" not in response.content.decode()


def test_coordinator_sees_overdue_first_and_the_workload(tree, cast, approved):
    _case, police_job, health_job, _n, _health = approved
    Assignment.objects.filter(pk=health_job.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    client = Client()
    client.force_login(cast.coordinator_district)
    page = client.get("/coordination/").content.decode()
    assert page.index(f"reassign-{health_job.pk}") < page.index(f"reassign-{police_job.pk}")
    assert 'data-testid="workload"' in page


def test_restricting_a_case_from_its_page_limits_it_to_the_named_users(cast, approved):
    case, *_rest = approved
    client = Client()
    client.force_login(cast.officer)
    page = client.get(f"/cases/{case.pk}/restrict/").content.decode()
    assert "coordinator_province" in page or cast.coordinator_province.get_full_name() in page
    response = client.post(
        f"/cases/{case.pk}/restrict/",
        {
            "version": CaseFile.objects.get(pk=case.pk).version,
            "named_users": [cast.coordinator_province.pk],
            "reason": "Người bị nghi xâm hại là người thân của cán bộ xã.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_restricted
    assert _sees(cast.officer, case) == "full"  # the one who restricted it stays named
    assert _sees(cast.coordinator_province, case) == "full"
    for user in (cast.chairman, cast.coordinator_district, cast.police, cast.admin):
        assert _sees(type(user).objects.get(pk=user.pk), case) is None
    assert case.events.filter(kind="restrict").exists()
    chairman = Client()
    chairman.force_login(cast.chairman)
    assert chairman.get(f"/cases/{case.pk}/restrict/").status_code == 404

    # Lifting it: a reason is required (what was typed is kept), then everyone sees it again.
    refused = client.post(f"/cases/{case.pk}/unrestrict/", {"version": case.version, "reason": "  "})
    assert refused.status_code == 400
    case.refresh_from_db()
    assert case.is_restricted
    stale = client.post(f"/cases/{case.pk}/unrestrict/", {"version": case.version - 1, "reason": "Đã xác minh."})
    assert stale.status_code == 400
    assert "Người khác đã thay đổi" in stale.content.decode()
    lifted = client.post(f"/cases/{case.pk}/unrestrict/", {"version": case.version, "reason": "Đã xác minh."})
    assert lifted.status_code == 302
    case.refresh_from_db()
    assert not case.is_restricted
    for user in (cast.chairman, cast.coordinator_district, cast.police):
        assert _sees(type(user).objects.get(pk=user.pk), case) is not None
    event = case.events.get(kind="unrestrict")
    assert event.data["previously_named"] == sorted(["officer", "coordinator_province"])


def test_the_api_refuses_an_agency_action_like_the_page_does(cast, approved, tree):
    """The same rules and the same audit trail through the API as through the page."""
    _case, police_job, _health_job, _nurse, _health = approved
    api = Client()
    api.force_login(cast.police)
    url = f"/api/v1/assignments/{police_job.pk}/accept/"
    assert api.post(url, {"version": police_job.version}, content_type="application/json").status_code == 200
    police_job.refresh_from_db()
    assert police_job.status == "accepted"

    # A stale version is a conflict (409) whatever else is wrong, and the refusal is in the trail.
    stale = api.post(url, {"version": police_job.version - 1}, content_type="application/json")
    assert stale.status_code == 409
    assert AuditEvent.objects.filter(action="denied", object_type="assignment", object_id=str(police_job.pk)).exists()
    # Accepting twice: refused in words, nothing changed.
    again = api.post(url, {"version": police_job.version}, content_type="application/json")
    assert again.status_code == 400
    police_job.refresh_from_db()
    assert (police_job.status, police_job.version) == ("accepted", 2)


def test_a_commune_officer_who_is_also_a_focal_point_acts_for_the_case_not_for_the_agency(cast, approved):
    """With full access to the case, the user sees the assignment from the case's side: no agency actions,
    on the page or through the API."""
    _case, police_job, _health_job, _nurse, _health = approved
    MembershipFactory(user=cast.officer, role="focal_point", agency=police_job.agency, unit=police_job.agency.unit)
    client = Client()
    client.force_login(cast.officer)
    api = client.post(
        f"/api/v1/assignments/{police_job.pk}/accept/", {"version": police_job.version}, content_type="application/json"
    )
    assert api.status_code == 403
    page = client.get(f"/assignments/{police_job.pk}/").content.decode()
    assert 'data-testid="assignment-accept"' not in page
    assert 'data-testid="reassign"' in page
    police_job.refresh_from_db()
    assert police_job.status == "proposed"


def test_the_chairman_sees_what_approving_a_closure_cancels(cast, approved):
    case, police_job, health_job, _nurse, _health = approved
    services.assignment_accept(actor=cast.police, assignment=police_job)
    services.case_review(
        actor=cast.officer,
        case=case,
        findings="Trẻ đã ổn định.",
        child_is_safe=True,
        recommendation="close",
        closure_reason="safe_and_stable",
    )
    client = Client()
    client.force_login(cast.chairman)
    page = client.get(f"/cases/{case.pk}/act/approve_closure/").content.decode()
    start = page.index('data-testid="closing-open-assignments"')
    block = page[start : page.index("</div>", start)]
    assert police_job.agency.name in block
    assert health_job.agency.name in block
    with translation.override("vi"):
        assert police_job.__class__(status="accepted").get_status_display() in block
    case.refresh_from_db()
    assert (case.state, case.version) == ("closure_proposed", case.version)  # seeing it changes nothing
    assert Assignment.objects.filter(case=case, status__in=["proposed", "accepted"]).count() == 2


def test_the_inbox_says_by_when_a_new_assignment_is_answered(cast, approved):
    _case, police_job, _health_job, _nurse, _health = approved
    client = Client()
    client.force_login(cast.police)
    page = client.get("/assignments/").content.decode()
    new = page.split('data-testid="inbox-new"')[1].split("</div>\n{% endfor %}")[0]
    assert f"/assignments/{police_job.pk}/" in new
    assert 'data-testid="answer-by"' in new  # its 2 working days, in words, as on the home page
    services.assignment_accept(actor=cast.police, assignment=police_job)
    assert 'data-testid="answer-by"' not in client.get("/assignments/").content.decode()


def test_a_declined_assignment_is_offered_to_other_single_agencies(tree, cast, approved):
    _case, police_job, _h, _nurse, health = approved
    group = AgencyFactory(
        agency_type__code="peoples_committee", name="Ủy ban nhân dân các xã, thị trấn huyện D", unit=tree.commune_c1
    )
    one_body = AgencyFactory(
        agency_type__code="peoples_committee", name="Ban quản lý các dự án xã Một", unit=tree.commune_c1
    )
    services.assignment_decline(actor=cast.police, assignment=police_job, reason="Không thuộc thẩm quyền.")
    client = Client()
    client.force_login(cast.officer)
    form = client.get(f"/assignments/{police_job.pk}/reassign/").context["form"]
    assert one_body.pk in {agency.pk for agency in form.fields["agency"].queryset}
    offered = {agency.pk for agency in form.fields["agency"].queryset}
    assert health.pk in offered
    assert police_job.agency_id not in offered  # the agency that declined it
    assert group.pk not in offered  # a plan's group of bodies, not one agency
