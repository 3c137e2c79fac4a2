"""The APIs behind the offline forms: a visit recorded (against a planned one or not), a risk assessment
resent after its first answer was lost, the collaborator's short report; each sent twice with its key is
kept once. And what the offline shell offers: the officer's forms with the province's extra fields, the
collaborator's short form only."""

import datetime
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.access import access_changed
from agencies.models import AdministrativeUnit
from cases import services
from cases.models import CaseFile, CommunityReport, ExtraField, InitialAssessment, Report, Visit
from tests.cases.test_offline import _report_body, at_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _visit_body(cast, key=None, **values):
    body = {
        "kind": "home",
        "done_on": timezone.localdate().isoformat(),
        "child_seen": True,
        "visitors": [cast.officer.pk],
        "other_visitors": "Chị Lan, cộng tác viên ấp",
        "people_seen": "Bà ngoại",
        "observations": "Trẻ ăn uống bình thường, đi học đều.",
        "next_visit_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "idempotency_key": str(key or uuid.uuid4()),
    }
    body.update(values)
    return body


# ---------------------------------------------------------------------------------------------- visits


def test_a_visit_sent_twice_with_its_key_is_recorded_once(cast, receive):
    case = receive().case_files.get()
    body = _visit_body(cast)
    first = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/visits/", body, format="json")
    again = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/visits/", body, format="json")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    done = Visit.objects.get(case=case, status="done")
    assert done.observations == "Trẻ ăn uống bình thường, đi học đều."
    assert list(done.visitors.all()) == [cast.officer]
    assert done.recorded_by == cast.officer
    assert str(done.idempotency_key) == body["idempotency_key"]
    # The next visit is scheduled once, not once per send.
    assert list(Visit.objects.filter(case=case, status="planned").values_list("planned_for", flat=True)) == [
        timezone.localdate() + datetime.timedelta(days=14)
    ]
    listed = _api(cast.officer).get(f"/api/v1/cases/{case.pk}/visits/").json()
    assert [(row["status"], row["kind"]) for row in listed] == [("planned", "home"), ("done", "home")]
    assert listed[1]["visitors"] == ["officer"]


def test_a_key_used_for_one_case_file_is_refused_for_another_and_returns_nothing_of_the_first(cast, receive):
    first_case = receive().case_files.get()
    second_case = receive().case_files.get()
    body = _visit_body(cast)
    assert _api(cast.officer).post(f"/api/v1/cases/{first_case.pk}/visits/", body, format="json").status_code == 201
    other = _api(cast.officer).post(f"/api/v1/cases/{second_case.pk}/visits/", body, format="json")
    assert other.status_code == 400
    assert other.json() == {"idempotency_key": ["This key was already used for another record."]}
    assert not Visit.objects.filter(case=second_case).exists()
    assert Visit.objects.filter(case=first_case, status="done").count() == 1
    # The same for a note: the key of a note on one file never answers for another.
    note_key = str(uuid.uuid4())
    notes = f"/api/v1/cases/{first_case.pk}/notes/"
    assert _api(cast.officer).post(notes, {"text": "Gặp bà ngoại.", "idempotency_key": note_key}).status_code == 201
    refused = _api(cast.officer).post(
        f"/api/v1/cases/{second_case.pk}/notes/", {"text": "Gặp bà ngoại.", "idempotency_key": note_key}
    )
    assert refused.status_code == 400
    assert "Gặp bà ngoại." not in refused.content.decode()
    assert not second_case.notes.exists()


def test_a_resend_of_what_was_accepted_is_answered_as_the_first_time_even_if_it_would_now_be_refused(cast, receive):
    """The first answer was lost; meanwhile something changed that would refuse the same record sent anew. The
    resend with its key gets the first answer (nothing refused, nothing to correct, nothing recorded twice)."""
    case = receive().case_files.get()
    chairman = cast.chairman
    body = _visit_body(cast, visitors=[cast.officer.pk, chairman.pk])
    first = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/visits/", body, format="json")
    assert first.status_code == 201
    chairman.memberships.update(is_active=False)  # no longer the commune's staff: could not be named now
    fresh = _api(cast.officer).post(
        f"/api/v1/cases/{case.pk}/visits/", {**body, "idempotency_key": str(uuid.uuid4())}, format="json"
    )
    assert fresh.status_code == 400
    again = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/visits/", body, format="json")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert Visit.objects.filter(case=case, status="done").count() == 1
    # A report for a commune merged away since (the 2025 reform): refused anew, answered as first sent.
    key = uuid.uuid4()
    report = _api(cast.officer).post("/api/v1/reports/", _report_body(key), format="json")
    assert report.status_code == 201
    AdministrativeUnit.objects.filter(code="90001").update(is_active=False)
    assert _api(cast.officer).post("/api/v1/reports/", _report_body(uuid.uuid4()), format="json").status_code == 400
    resent = _api(cast.officer).post("/api/v1/reports/", _report_body(key), format="json")
    assert resent.status_code == 201
    assert resent.json() == report.json()
    assert Report.objects.filter(idempotency_key=key).count() == 1
    # Who no longer records reports is refused, not answered (even with their own key).
    cast.officer.memberships.update(is_active=False)
    access_changed()
    gone = _api(type(cast.officer).objects.get(pk=cast.officer.pk)).post(
        "/api/v1/reports/", _report_body(key), format="json"
    )
    assert gone.status_code in (400, 403)
    assert str(report.json()["report_id"]) not in gone.content.decode()
    # Another user's key still answers nothing of the first user's.
    stolen = _api(chairman).post("/api/v1/reports/", _report_body(key), format="json")
    assert stolen.status_code in (400, 403)
    assert str(report.json()["report_id"]) not in stolen.content.decode()


def test_a_planned_visit_is_recorded_as_the_one_it_was(cast, receive):
    case = receive().case_files.get()
    planned = services.visit_schedule(
        actor=cast.officer, case=case, kind="school", planned_for=timezone.localdate() + datetime.timedelta(days=1)
    )
    body = _visit_body(cast, planned_visit=planned.pk, kind="school", next_visit_on=None)
    response = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/visits/", body, format="json")
    assert response.status_code == 201
    assert response.json()["id"] == planned.pk
    planned.refresh_from_db()
    assert planned.status == "done"
    assert Visit.objects.filter(case=case).count() == 1
    # Recorded meanwhile: a second recording of the same planned visit (another key) is refused in words.
    again = _api(cast.officer).post(
        f"/api/v1/cases/{case.pk}/visits/", {**body, "idempotency_key": str(uuid.uuid4())}, format="json"
    )
    assert again.status_code == 400
    assert "already recorded" in str(again.json())
    assert Visit.objects.filter(case=case).count() == 1


def test_bad_visits_are_refused_in_words_and_record_nothing(cast, receive, tree):
    case = receive().case_files.get()
    other_case = receive(actor=cast.officer_elsewhere, commune=tree.commune_c4).case_files.get()
    elsewhere = services.visit_schedule(
        actor=cast.officer_elsewhere,
        case=other_case,
        kind="home",
        planned_for=timezone.localdate() + datetime.timedelta(days=1),
    )
    api = _api(cast.officer)
    url = f"/api/v1/cases/{case.pk}/visits/"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = {
        "done_on": api.post(url, _visit_body(cast, done_on=tomorrow), format="json"),
        "visitors": api.post(url, _visit_body(cast, visitors=[cast.officer_elsewhere.pk]), format="json"),
        "planned_visit": api.post(url, _visit_body(cast, planned_visit=elsewhere.pk), format="json"),
        "observations": api.post(url, _visit_body(cast, observations="  "), format="json"),
        "child_seen": api.post(url, _visit_body(cast, child_seen=None), format="json"),
    }
    for field, response in refused.items():
        assert response.status_code == 400, field
        assert field in response.json(), (field, response.json())
    assert "future" in str(refused["done_on"].json())
    assert not Visit.objects.filter(case=case).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.status == "planned"


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("officer_elsewhere", 404), ("police", 404)])
def test_who_may_not_see_the_case_learns_nothing_of_its_visits_and_records_none(cast, receive, who, status):
    case = receive().case_files.get()
    services.visit_record(
        actor=cast.officer,
        case=case,
        data=services.VisitRecord(
            kind="home",
            done_on=timezone.localdate(),
            child_seen=True,
            observations="Bí mật của trẻ.",
            visitors=[cast.officer],
        ),
    )
    api = _api(getattr(cast, who))
    listed = api.get(f"/api/v1/cases/{case.pk}/visits/")
    assert listed.status_code == status
    assert "Bí mật" not in listed.content.decode()
    posted = api.post(f"/api/v1/cases/{case.pk}/visits/", _visit_body(cast), format="json")
    assert posted.status_code == status
    assert Visit.objects.filter(case=case).count() == 1


def test_a_viewer_without_the_right_to_change_the_case_records_no_visit(cast, receive):
    case = receive().case_files.get()
    api = _api(cast.coordinator_district)
    assert api.get(f"/api/v1/cases/{case.pk}/visits/").status_code == 200
    assert api.post(f"/api/v1/cases/{case.pk}/visits/", _visit_body(cast), format="json").status_code == 403
    assert not Visit.objects.filter(case=case).exists()


# ---------------------------------------------------------------------------------------------- assessment


def _assess_body(case, key, **values):
    body = {
        "version": case.version,
        "severity": "high",
        "perpetrator_access": "medium",
        "care_environment": "medium",
        "child_capacity": "low",
        "is_emergency": False,
        "notes": "Trẻ sợ về nhà.",
        "idempotency_key": str(key),
    }
    body.update(values)
    return body


def test_an_assessment_resent_with_its_key_returns_the_first_result_not_a_conflict(cast, receive):
    case = receive().case_files.get()
    body = _assess_body(case, uuid.uuid4())
    first = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", body, format="json")
    again = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", body, format="json")
    assert first.status_code == 200
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] == case.pk
    assert again.json()["version"] == first.json()["version"] == case.version + 1
    assessment = InitialAssessment.objects.get(case=case)
    assert str(assessment.idempotency_key) == body["idempotency_key"]
    case.refresh_from_db()
    assert (case.state, case.risk_level, case.version) == ("assessed", "high", first.json()["version"])


def test_an_assessment_with_another_key_and_a_stale_version_is_still_a_conflict(cast, receive):
    case = receive().case_files.get()
    seen = case.version
    first = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", _assess_body(case, uuid.uuid4()), format="json")
    assert first.status_code == 200
    stale = _assess_body(case, uuid.uuid4(), version=seen, severity="low")
    response = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", stale, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert InitialAssessment.objects.filter(case=case).count() == 1
    assert CaseFile.objects.get(pk=case.pk).risk_level == "high"


def test_someone_elses_assessment_key_returns_nothing_of_theirs(cast, receive):
    case = receive().case_files.get()
    key = uuid.uuid4()
    first = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", _assess_body(case, key), format="json")
    assert first.status_code == 200
    response = _api(cast.chairman).post(f"/api/v1/cases/{case.pk}/assess/", _assess_body(case, key), format="json")
    assert response.status_code in (400, 403)
    assert "risk_level" not in response.json()
    assert InitialAssessment.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_the_same_assessment_at_once_make_one(cast, receive):
    """The second waits for the first's lock, then finds the version moved on by its own first send."""
    case = receive().case_files.get()
    body = _assess_body(case, uuid.uuid4())

    def send():
        response = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", body, format="json")
        return response.status_code, response.json().get("version")

    answers = at_once(send)
    assert sorted(answers) == [(200, case.version + 1), (200, case.version + 1)]
    assert InitialAssessment.objects.filter(case=case).count() == 1


# ---------------------------------------------------------------------------------------------- collaborator


def _community_body(tree, key=None, **values):
    body = {
        "hamlet": tree.hamlet_h1.pk,
        "child": "Cháu gái nhà ông Sáu, khoảng 8 tuổi",
        "place": "Cuối ấp Một, gần rẫy cao su",
        "what": "Cháu hay bị đánh, tối qua khóc rất lâu.",
        "urgency": "soon",
        "idempotency_key": str(key or uuid.uuid4()),
    }
    body.update(values)
    return body


def test_a_collaborators_report_sent_twice_with_its_key_arrives_once(cast, tree):
    body = _community_body(tree)
    first = _api(cast.collaborator).post("/api/v1/community-reports/", body, format="json")
    again = _api(cast.collaborator).post("/api/v1/community-reports/", body, format="json")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    found = CommunityReport.objects.get()
    assert (found.commune, found.hamlet, found.submitted_by) == (tree.commune_c1, tree.hamlet_h1, cast.collaborator)
    assert found.source == "collaborator"
    assert found.status == "to_verify"
    assert str(found.idempotency_key) == body["idempotency_key"]
    assert "Cháu gái" not in first.content.decode()  # the answer repeats nothing of the child


def test_bad_collaborator_reports_are_refused_in_words(cast, tree):
    api = _api(cast.collaborator)
    missing = api.post("/api/v1/community-reports/", _community_body(tree, what=""), format="json")
    assert missing.status_code == 400
    assert "what happened" in str(missing.json()["what"])
    not_theirs = api.post("/api/v1/community-reports/", _community_body(tree, hamlet=tree.commune_c4.pk), format="json")
    assert not_theirs.status_code == 400
    assert "hamlet" in not_theirs.json()
    assert not CommunityReport.objects.exists()


def test_a_collaborator_of_several_communes_says_which_hamlet_a_report_comes_from(cast, tree):
    """Without a hamlet, the report goes to the commune of all the collaborator's places; one of two communes
    is never chosen for them: the report is refused in words, nothing kept, until they choose."""
    from tests.factories import AgencyFactory, MembershipFactory, UnitFactory

    api = _api(cast.collaborator)
    alone = api.post("/api/v1/community-reports/", _community_body(tree, hamlet=None), format="json")
    assert alone.status_code == 201
    assert (alone.json()["commune"], alone.json()["hamlet"]) == (tree.commune_c1.pk, None)
    elsewhere = UnitFactory(level="hamlet", code="H4", name="Ấp Bốn", parent=tree.commune_c4)
    MembershipFactory(
        user=cast.collaborator, role="collaborator", agency=AgencyFactory(unit=tree.commune_c4), unit=elsewhere
    )
    api = _api(type(cast.collaborator).objects.get(pk=cast.collaborator.pk))  # a new request's user
    refused = api.post("/api/v1/community-reports/", _community_body(tree, hamlet=None), format="json")
    assert refused.status_code == 400
    assert "several communes" in str(refused.json()["commune"])
    not_theirs = api.post(
        "/api/v1/community-reports/", _community_body(tree, hamlet=None, commune=tree.commune_c2.pk), format="json"
    )
    assert not_theirs.status_code == 400
    assert "commune" in not_theirs.json()
    assert CommunityReport.objects.count() == 1
    chosen = api.post("/api/v1/community-reports/", _community_body(tree, hamlet=elsewhere.pk), format="json")
    assert chosen.status_code == 201
    assert (chosen.json()["commune"], chosen.json()["hamlet"]) == (tree.commune_c4.pk, elsewhere.pk)
    outside = api.post(
        "/api/v1/community-reports/", _community_body(tree, hamlet=None, commune=tree.commune_c4.pk), format="json"
    )
    assert outside.status_code == 201
    assert (outside.json()["commune"], outside.json()["hamlet"]) == (tree.commune_c4.pk, None)


def test_the_short_form_asks_a_collaborator_of_several_communes_which_one_and_keeps_what_was_typed(cast, tree, client):
    from tests.factories import AgencyFactory, MembershipFactory, UnitFactory

    elsewhere = UnitFactory(level="hamlet", code="H4", name="Ấp Bốn", parent=tree.commune_c4)
    MembershipFactory(
        user=cast.collaborator, role="collaborator", agency=AgencyFactory(unit=tree.commune_c4), unit=elsewhere
    )
    client.force_login(cast.collaborator)
    page = client.get("/report/").content.decode()
    assert 'name="commune"' in page
    assert f'<option value="{tree.commune_c4.pk}">{tree.commune_c4.name}</option>' in page
    body = {"hamlet": "", "child": "Cháu Tí, 6 tuổi", "place": "Chợ xã", "what": "Bị bỏ đói.", "urgency": "soon"}
    refused = client.post("/report/", body)
    assert refused.status_code in (200, 400)
    text = refused.content.decode()
    assert "nhiều xã" in text
    assert "Cháu Tí, 6 tuổi" in text  # nothing typed is lost
    assert not CommunityReport.objects.exists()
    assert client.post("/report/", {**body, "commune": tree.commune_c4.pk}).status_code == 302
    found = CommunityReport.objects.get()
    assert (found.commune, found.hamlet) == (tree.commune_c4, None)


@pytest.mark.parametrize("who", ["officer", "police", "outsider", "leader"])
def test_only_a_collaborator_sends_the_short_form(cast, tree, who):
    response = _api(getattr(cast, who)).post("/api/v1/community-reports/", _community_body(tree), format="json")
    assert response.status_code == 403
    assert not CommunityReport.objects.exists()


# ---------------------------------------------------------------------------------------------- the shell


def _extra_field(cast, province, **values):
    defaults = {"target": "report", "key": "ticket", "label": "Mã phiếu tỉnh", "field_type": "text"}
    return services.extra_field_save(actor=cast.admin, field=ExtraField(province=province, **{**defaults, **values}))


def test_the_officers_shell_asks_the_provinces_extra_fields_and_offers_a_visit(client, cast, tree):
    _extra_field(cast, tree.province_p, key="households", label="Số hộ", field_type="number", is_required=True)
    _extra_field(
        cast, tree.province_p, key="ethnic", label="Dân tộc ít người", field_type="choice", options="Có\nKhông"
    )
    _extra_field(cast, tree.province_p, key="old", label="Trường bỏ", is_active=False)
    _extra_field(cast, tree.province_q, key="elsewhere", label="Câu hỏi tỉnh Q")
    client.force_login(cast.officer)
    page = client.get("/offline/").content.decode()
    assert 'data-offline-form="visit"' in page
    assert 'data-offline-form="community"' not in page
    assert "Số hộ" in page
    assert 'data-extra-type="number"' in page
    assert 'name="extra_households"' in page
    assert "Dân tộc" in page
    assert "Trường bỏ" not in page  # no longer asked
    assert "Câu hỏi tỉnh Q" not in page  # another province's
    assert f'data-province="{tree.province_p.pk}"' in page


def test_the_collaborators_shell_offers_the_short_form_only(client, cast, tree):
    client.force_login(cast.collaborator)
    page = client.get("/offline/").content.decode()
    assert 'data-offline-form="community"' in page
    for form in ("report", "note", "assess", "visit", "progress"):
        assert f'data-offline-form="{form}"' not in page
    assert f'value="{tree.hamlet_h1.pk}"' in page


def test_a_collaborator_is_not_sent_to_case_files_they_never_hold(client, cast):
    client.force_login(cast.collaborator)
    queue = client.get("/offline/queue/").content.decode()
    assert "/offline/my-cases/" not in queue
    page = client.get("/offline/my-cases/").content.decode()
    assert "Bạn không phụ trách hồ sơ nào đang mở." in page
    assert "hãy mở trang này một lần khi có mạng" not in page
    assert "data-offline-summaries" not in page
    client.force_login(cast.officer)
    assert "/offline/my-cases/" in client.get("/offline/queue/").content.decode()
    assert "data-offline-summaries" in client.get("/offline/my-cases/").content.decode()


def test_a_report_without_a_required_extra_field_is_refused_with_its_label(cast, tree):
    _extra_field(cast, tree.province_p, key="households", label="Số hộ", field_type="number", is_required=True)
    api = _api(cast.officer)
    refused = api.post("/api/v1/reports/", _report_body(uuid.uuid4()), format="json")
    assert refused.status_code == 400
    assert "Số hộ" in str(refused.json()["extra_households"])
    accepted = api.post("/api/v1/reports/", _report_body(uuid.uuid4(), extra={"households": "1,5"}), format="json")
    assert accepted.status_code == 201
    assert CaseFile.objects.get(pk=accepted.json()["case_ids"][0]).report.extra == {"households": 1.5}
