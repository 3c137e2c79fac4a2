"""The lists administrators keep without code: agency names with the date of a renaming, the labels of the
forms of abuse, service types and reasons for closure, and a province's extra fields on reports and case files."""

import datetime
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from agencies.models import Agency, AgencyNameChange
from agencies.selectors import agency_name_on
from agencies.services import agency_rename
from audit.models import AuditEvent
from cases import lists, services
from cases.forms import ReviewForm, offer_lists
from cases.models import CaseFile, ExtraField, ListEntry, Report
from cases.selectors.statistics import abuse_forms_by_report
from reports.indicators import compute
from reports.periods import parse
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, child_input, walk_to

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(pdf: bytes) -> str:
    """The PDF's text in reading order (a table cell's lines together), spaces collapsed."""
    run = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", run.stdout.decode())


@pytest.fixture
def admin_p(cast, tree):
    """The administrator of province P (not a superuser): keeps P's lists, no other."""
    user = UserFactory(username="admin_p")
    MembershipFactory(user=user, role="system_admin", agency=Agency.objects.get(name="Sở Y tế P"), unit=tree.province_p)
    return user


@pytest.fixture
def admin_q(cast, tree):
    health_q = AgencyFactory(agency_type__code="health", name="Sở Y tế Q", unit=tree.province_q)
    user = UserFactory(username="admin_q")
    MembershipFactory(user=user, role="system_admin", agency=health_q, unit=tree.province_q)
    return user


def _field(admin, province, **values) -> ExtraField:
    defaults = {"target": "report", "key": "ticket", "label": "Mã phiếu tỉnh", "field_type": "text"}
    return services.extra_field_save(actor=admin, field=ExtraField(province=province, **{**defaults, **values}))


def _report_post(commune, **extra):
    data = {
        "received_at": "2026-04-01T08:00",
        "receiving_point": "commune",
        "commune": commune.pk,
        "source": "walk_in",
        "reporter_name": "Bà Tư",
        "setting": "family",
        "abuse_forms": ["violence"],
        "narrative": "Hàng xóm thấy trẻ bị đánh.",
        "children-TOTAL_FORMS": 1,
        "children-INITIAL_FORMS": 0,
        "children-MIN_NUM_FORMS": 1,
        "children-MAX_NUM_FORMS": 20,
        "children-0-full_name": "Lê Thu Hà",
        "children-0-birth_date": "2015-06-01",
        "children-0-sex": "female",
    }
    data.update(extra)
    return data


# ------------------------------------------------------------------------------------------ agency names


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)")
def test_a_renamed_agency_keeps_its_old_name_on_documents_dated_before_the_renaming(tree, cast, receive, health_c1):
    def planned(day):
        with time_machine.travel(day, tick=False):
            case = receive(received_at=day - datetime.timedelta(hours=1)).case_files.get()
            measures = [(health_c1, "medical", "Khám sức khỏe cho trẻ.", day.date() + datetime.timedelta(days=7))]
            return walk_to(case, "plan_submitted", officer=cast.officer, chairman=cast.chairman, measures=measures)

    before = planned(datetime.datetime(2026, 2, 3, 9, 0, tzinfo=HCM))
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=HCM), tick=False):
        agency_rename(
            actor=cast.admin, agency=health_c1, new_name="Trạm Y tế phường Một", effective_on=datetime.date(2026, 3, 1)
        )
    after = planned(datetime.datetime(2026, 3, 12, 9, 0, tzinfo=HCM))

    health_c1.refresh_from_db()
    assert health_c1.name == "Trạm Y tế phường Một"
    assert agency_name_on(health_c1, datetime.date(2026, 2, 28)) == "Trạm Y tế Xã Một"
    assert agency_name_on(health_c1, datetime.date(2026, 3, 1)) == "Trạm Y tế phường Một"
    officer = _client(cast.officer)
    old = _text(officer.get(f"/cases/{before.pk}/forms/4.pdf").content)
    new = _text(officer.get(f"/cases/{after.pk}/forms/4.pdf").content)
    assert "Trạm Y tế Xã Một" in old
    assert "phường Một" not in old
    assert "Trạm Y tế phường Một" in new
    assert "Trạm Y tế Xã Một" not in new
    event = AuditEvent.objects.get(object_type="agency", object_id=str(health_c1.pk))
    assert event.fields == {
        "old_name": "Trạm Y tế Xã Một",
        "new_name": "Trạm Y tế phường Một",
        "effective_on": "2026-03-01",
    }


def test_a_renaming_in_the_future_or_before_the_last_one_is_refused_and_changes_nothing(cast, health_c1, english):
    today = datetime.date.today()
    with pytest.raises(ValidationError) as refused:
        agency_rename(
            actor=cast.admin, agency=health_c1, new_name="Tên mới", effective_on=today + datetime.timedelta(1)
        )
    assert "on or after the day it takes effect" in str(refused.value)
    agency_rename(actor=cast.admin, agency=health_c1, new_name="Tên mới", effective_on=today)
    with pytest.raises(ValidationError) as refused:
        agency_rename(actor=cast.admin, agency=health_c1, new_name="Tên khác", effective_on=today)
    assert "must take effect after it" in str(refused.value)
    health_c1.refresh_from_db()
    assert health_c1.name == "Tên mới"
    assert AgencyNameChange.objects.filter(agency=health_c1).count() == 1


def test_the_rename_page_tells_a_bad_date_in_words_and_keeps_what_was_typed(cast, health_c1):
    page = _client(cast.admin).post(
        f"/lists/agencies/{health_c1.pk}/rename/", {"new_name": "Trạm Y tế phường Một", "effective_on": "2099-01-01"}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "Chỉ ghi nhận việc đổi tên từ ngày có hiệu lực" in body
    assert 'value="Trạm Y tế phường Một"' in body
    health_c1.refresh_from_db()
    assert health_c1.name == "Trạm Y tế Xã Một"


# ------------------------------------------------------------------------------------------ extra fields


def test_a_provinces_extra_field_is_asked_validated_and_saved_in_the_report_form(tree, cast, admin_p):
    _field(admin_p, tree.province_p, is_required=True)
    _field(admin_p, tree.province_p, key="households", label="Số hộ liên quan", field_type="number")
    officer = _client(cast.officer)
    assert "Mã phiếu tỉnh" in officer.get("/cases/new/").content.decode()
    # Another province does not ask it.
    assert "Mã phiếu tỉnh" not in _client(cast.officer_elsewhere).get("/cases/new/").content.decode()

    refused = officer.post("/cases/new/", _report_post(tree.commune_c1, extra_households="nhiều"))
    assert refused.status_code == 200  # the form again, with its errors
    body = refused.content.decode()
    assert "“Mã phiếu tỉnh” là bắt buộc." in body
    assert "Hàng xóm thấy trẻ bị đánh." in body  # nothing typed is lost
    assert not Report.objects.exists()

    saved = officer.post("/cases/new/", _report_post(tree.commune_c1, extra_ticket="T-0042", extra_households="3"))
    assert saved.status_code == 302
    report = Report.objects.get()
    assert report.extra == {"ticket": "T-0042", "households": 3}
    case = report.case_files.get()
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "Mã phiếu tỉnh" in page
    assert "T-0042" in page
    assert lists.extra_pairs(report) == [("Mã phiếu tỉnh", "T-0042"), ("Số hộ liên quan", "3")]


def test_a_provinces_extra_field_through_the_api(tree, cast, admin_p):
    _field(admin_p, tree.province_p, key="households", label="Số hộ liên quan", field_type="number", is_required=True)
    api = _client(cast.officer)
    body = {
        "received_at": "2026-04-01T08:00:00+07:00",
        "receiving_point": "commune",
        "commune_code": tree.commune_c1.code,
        "source": "phone",
        "setting": "family",
        "narrative": "Trẻ bị bỏ mặc.",
        "abuse_forms": ["neglect"],
        "reporter_is_anonymous": True,
        "children": [{"full_name": "Lê Thu Hà", "birth_date": "2015-06-01", "sex": "female"}],
    }
    refused = api.post("/api/v1/reports/", {**body, "extra": {"households": "abc"}}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"extra_households": ["“Số hộ liên quan”: nhập một số."]}
    assert not Report.objects.exists()
    created = api.post("/api/v1/reports/", {**body, "extra": {"households": 2}}, content_type="application/json")
    assert created.status_code == 201
    case_id = created.json()["case_ids"][0]
    assert api.get(f"/api/v1/cases/{case_id}/").json()["report_extra"] == {"households": 2}
    # Province Q asks nothing: a value for P's field is refused there.
    elsewhere = {**body, "commune_code": tree.commune_c4.code, "extra": {"households": 2}}
    refused = _client(cast.officer_elsewhere).post("/api/v1/reports/", elsewhere, content_type="application/json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["extra_households"]
    assert Report.objects.count() == 1


def test_a_case_files_extra_fields_are_kept_when_the_field_is_no_longer_asked(tree, cast, admin_p, receive):
    field = _field(admin_p, tree.province_p, target="case", key="meeting_on", label="Ngày họp", field_type="date")
    case = receive().case_files.get()
    officer = _client(cast.officer)
    refused = officer.post(f"/cases/{case.pk}/extra/", {"extra_meeting_on": "31/02/2026"})
    assert refused.status_code == 400
    case.refresh_from_db()
    assert case.extra == {}
    assert officer.post(f"/cases/{case.pk}/extra/", {"extra_meeting_on": "2026-04-02"}).status_code == 302
    case.refresh_from_db()
    assert case.extra == {"meeting_on": "2026-04-02"}
    api = officer.post(
        f"/api/v1/cases/{case.pk}/extra/", {"extra": {"meeting_on": "x"}}, content_type="application/json"
    )
    assert api.status_code == 400
    field.is_active = False
    services.extra_field_save(actor=admin_p, field=field)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "Ngày họp" in page  # still shown
    assert "02/04/2026" in page
    assert officer.get(f"/cases/{case.pk}/extra/").status_code == 404  # no longer asked
    case.refresh_from_db()
    assert case.extra == {"meeting_on": "2026-04-02"}
    # The police focal point holds no right to change the case file: nothing changes.
    assert _client(cast.police).post(f"/cases/{case.pk}/extra/", {"extra_meeting_on": "2026-05-01"}).status_code in (
        403,
        404,
    )
    assert CaseFile.objects.get(pk=case.pk).extra == {"meeting_on": "2026-04-02"}


# ------------------------------------------------------------------------------------------ kept lists


def test_a_relabelled_form_of_abuse_shows_its_new_label_and_the_indicators_still_count_it(tree, cast, receive):
    violence = ListEntry.objects.get(kind="abuse_form", code="violence")
    violence.label_vi = "Bạo lực thể chất, tinh thần"
    services.list_entry_save(actor=cast.admin, entry=violence)
    own = services.list_entry_save(
        actor=cast.admin,
        entry=ListEntry(
            kind="abuse_form", code="p_online", legal_code="violence", province=tree.province_p, label_vi="Bạo lực mạng"
        ),
    )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        first = receive(received_at=datetime.datetime(2026, 3, 2, 8, 0, tzinfo=HCM)).case_files.get()
        second = receive(
            received_at=datetime.datetime(2026, 3, 2, 8, 30, tzinfo=HCM),
            abuse_forms=[own.code],
            children=[child_input(tree.commune_c1, name="Trần Bình")],
        ).case_files.get()
        for case in (first, second):
            walk_to(case, "assessed", officer=cast.officer, chairman=cast.chairman)
    page = _client(cast.officer).get(f"/cases/{first.pk}/").content.decode()
    assert "Bạo lực thể chất, tinh thần" in page
    assert "Bạo lực mạng" in _client(cast.officer).get(f"/cases/{second.pk}/").content.decode()
    assert abuse_forms_by_report([second.report_id]) == {second.report_id: {"violence"}}
    figures = compute(tree.province_p, parse("2026-H1"), today=datetime.date(2026, 11, 1))["indicators"]
    assert figures["abused_children"]["by_abuse_form"] == {"violence": 2}
    # Province Q is not offered P's own entry.
    with pytest.raises(ValidationError):
        receive(
            actor=cast.officer_elsewhere,
            commune=tree.commune_c4,
            abuse_forms=[own.code],
            children=[child_input(tree.commune_c4)],
        )


def test_a_deactivated_closure_reason_is_no_longer_offered_but_old_closures_still_show_it(tree, cast, receive):
    case = receive().case_files.get()
    CaseFile.objects.filter(pk=case.pk).update(closure_reason="moved_away", state="closed", closed_at=timezone.now())
    moved = ListEntry.objects.get(kind="closure_reason", code="moved_away")
    moved.is_active = False
    services.list_entry_save(actor=cast.admin, entry=moved)
    form = ReviewForm(initial={"version": 1})
    offer_lists(form, tree.province_p.pk)
    assert "moved_away" not in dict(form.fields["closure_reason"].choices)
    assert "safe_and_stable" in dict(form.fields["closure_reason"].choices)
    case.refresh_from_db()
    assert case.get_closure_reason_display() == moved.label_vi == "Trẻ em chuyển nơi cư trú"
    other = receive(children=[child_input(tree.commune_c1, name="Trần Bình")]).case_files.get()
    walk_to(other, "in_intervention", officer=cast.officer, chairman=cast.chairman, measures=_measures(tree))
    with pytest.raises(ValidationError) as refused:
        services.case_review(
            actor=cast.officer,
            case=other,
            findings="Trẻ đã chuyển đi.",
            child_is_safe=True,
            recommendation="close",
            closure_reason="moved_away",
        )
    assert "closure_reason" in refused.value.message_dict


def _measures(tree):
    health = AgencyFactory(agency_type__code="health", name="Trạm Y tế Một", unit=tree.commune_c1)
    return [(health, "medical", "Khám sức khỏe.", datetime.date.today() + datetime.timedelta(days=7))]


# ------------------------------------------------------------------------------------------ permissions


@pytest.mark.parametrize(
    "who", ["officer", "chairman", "police", "coordinator_district", "coordinator_province", "leader", "outsider"]
)
def test_who_does_not_keep_the_lists_learns_nothing_and_changes_nothing(tree, cast, admin_p, who, health_c1):
    field = _field(admin_p, tree.province_p)
    entry = ListEntry.objects.get(kind="abuse_form", code="violence")
    before = (list(ListEntry.objects.values_list("pk", "label_vi", "is_active")), field.label, health_c1.name)
    client = _client(getattr(cast, who))
    assert client.get("/lists/").status_code == 404
    assert client.post(f"/lists/entries/{entry.pk}/", {"label_vi": "Đổi", "legal_code": "violence"}).status_code == 404
    assert (
        client.post("/lists/new/abuse_form/", {"label_vi": "Mới", "code": "new", "legal_code": "other"}).status_code
        == 404
    )
    assert client.post(f"/lists/fields/{field.pk}/", {"label": "Đổi"}).status_code == 404
    assert (
        client.post(
            f"/lists/agencies/{health_c1.pk}/rename/", {"new_name": "Đổi", "effective_on": "2026-01-01"}
        ).status_code
        == 404
    )
    field.refresh_from_db()
    health_c1.refresh_from_db()
    assert (list(ListEntry.objects.values_list("pk", "label_vi", "is_active")), field.label, health_c1.name) == before
    assert 'data-testid="nav-lists"' not in client.get("/").content.decode()


def test_a_province_administrator_keeps_only_their_provinces_lists(tree, cast, admin_p, admin_q):
    field = _field(admin_p, tree.province_p)
    national = ListEntry.objects.get(kind="abuse_form", code="violence")
    with pytest.raises(PermissionDenied):
        services.list_entry_save(actor=admin_p, entry=ListEntry(pk=national.pk, **_values(national, label_vi="X")))
    q = _client(admin_q)
    assert q.post(f"/lists/fields/{field.pk}/", {"label": "Đổi"}).status_code == 403
    assert q.post(f"/lists/entries/{national.pk}/", {"label_vi": "Đổi", "legal_code": "violence"}).status_code == 403
    health_p = Agency.objects.get(name="Sở Y tế P")
    rename = q.post(f"/lists/agencies/{health_p.pk}/rename/", {"new_name": "Đổi", "effective_on": "2026-01-01"})
    assert rename.status_code == 404
    field.refresh_from_db()
    national.refresh_from_db()
    health_p.refresh_from_db()
    assert (field.label, national.label_vi, health_p.name) == ("Mã phiếu tỉnh", "Bạo lực", "Sở Y tế P")
    # Their own province: the page lists it and saves a new entry, audited.
    page = _client(admin_p).get("/lists/").content.decode()
    assert "Mã phiếu tỉnh" in page
    created = _client(admin_p).post(
        "/lists/new/abuse_form/",
        {
            "label_vi": "Bạo lực mạng",
            "code": "p_online",
            "legal_code": "violence",
            "province": tree.province_p.pk,
            "sort_order": 5,
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    entry = ListEntry.objects.get(code="p_online")
    assert (entry.province, entry.legal_code, entry.label_vi) == (tree.province_p, "violence", "Bạo lực mạng")
    assert AuditEvent.objects.filter(object_type="list_entry", object_id=str(entry.pk), action="create").exists()


def _values(entry, **changes) -> dict:
    names = ("kind", "code", "legal_code", "province_id", "label_vi", "label_en", "sort_order", "is_active")
    return {**{name: getattr(entry, name) for name in names}, **changes}


def test_the_types_of_agency_are_kept_by_a_national_administrator_only(tree, cast, admin_p):
    police = Agency.objects.get(name="Công an Xã Một").agency_type
    before = (police.name_vi, police.name_en)
    refused = _client(admin_p).post(f"/lists/agency-types/{police.pk}/", {"name_vi": "Đổi", "code": police.code})
    assert refused.status_code == 403
    police.refresh_from_db()
    assert (police.name_vi, police.name_en) == before
    saved = _client(cast.admin).post(
        f"/lists/agency-types/{police.pk}/",
        {"name_vi": "Công an nhân dân", "name_en": "People's police", "code": "changed", "sort_order": 3},
    )
    assert saved.status_code == 302
    police.refresh_from_db()
    assert (police.code, police.name_vi, police.name_en) == ("police", "Công an nhân dân", "People's police")
    event = AuditEvent.objects.get(object_type="agency_type", object_id=str(police.pk))
    assert event.fields["name_vi"] == [before[0], "Công an nhân dân"]


def test_a_provinces_own_service_type_counts_as_its_legal_one(tree, cast, receive, health_c1):
    services.list_entry_save(
        actor=cast.admin,
        entry=ListEntry(
            kind="service_type",
            code="p_counsel",
            legal_code="psychological",
            province=tree.province_p,
            label_vi="Tham vấn tại nhà",
        ),
    )
    case = receive().case_files.get()
    due = datetime.date.today() + datetime.timedelta(days=7)
    walk_to(
        case,
        "in_intervention",
        officer=cast.officer,
        chairman=cast.chairman,
        measures=[(health_c1, "p_counsel", "Tham vấn cho trẻ.", due)],
    )
    from cases.selectors.statistics import approved_measures

    assert approved_measures([case.pk]) == [("psychological", "health")]
    assert "Tham vấn tại nhà" in _client(cast.officer).get(f"/cases/{case.pk}/").content.decode()


def test_a_number_too_large_for_an_extra_field_is_refused_in_words_never_a_500(tree, cast, admin_p, receive):
    _field(admin_p, tree.province_p, target="case", key="households", label="Số hộ", field_type="number")
    case = receive().case_files.get()
    officer = _client(cast.officer)
    page = officer.post(f"/cases/{case.pk}/extra/", {"extra_households": "1e5000"})
    assert page.status_code == 400
    assert "“Số hộ”: số quá lớn." in page.content.decode()
    api = officer.post(
        f"/api/v1/cases/{case.pk}/extra/", {"extra": {"households": "1e999999999"}}, content_type="application/json"
    )
    assert api.status_code == 400
    assert api.json() == {"extra_households": ["“Số hộ”: số quá lớn."]}
    assert CaseFile.objects.get(pk=case.pk).extra == {}
    assert officer.post(f"/cases/{case.pk}/extra/", {"extra_households": "12"}).status_code == 302
    assert CaseFile.objects.get(pk=case.pk).extra == {"households": 12}


def test_a_choice_taken_off_the_list_stays_on_the_case_file_when_another_field_is_saved(tree, cast, admin_p, receive):
    kind = _field(
        admin_p, tree.province_p, target="case", key="place", label="Nơi ở", field_type="choice", options="Nhà\nTrọ"
    )
    _field(admin_p, tree.province_p, target="case", key="note", label="Ghi chú")
    case = receive().case_files.get()
    officer = _client(cast.officer)
    assert officer.post(f"/cases/{case.pk}/extra/", {"extra_place": "Trọ"}).status_code == 302
    kind.options = "Nhà\nNhà trọ"
    services.extra_field_save(actor=admin_p, field=kind)
    form = officer.get(f"/cases/{case.pk}/extra/").content.decode()
    assert re.search(r'<option value="Trọ" selected>', form)  # what the record holds, shown chosen
    saved = officer.post(f"/cases/{case.pk}/extra/", {"extra_place": "Trọ", "extra_note": "Đã gặp"})
    assert saved.status_code == 302
    assert CaseFile.objects.get(pk=case.pk).extra == {"place": "Trọ", "note": "Đã gặp"}
    # A value the list never had is still refused.
    refused = officer.post(f"/cases/{case.pk}/extra/", {"extra_place": "Khác", "extra_note": "Đã gặp"})
    assert refused.status_code == 400
    assert CaseFile.objects.get(pk=case.pk).extra == {"place": "Trọ", "note": "Đã gặp"}


def test_the_offline_report_form_offers_what_the_online_one_does(tree, cast):
    violence = ListEntry.objects.get(kind="abuse_form", code="violence")
    violence.label_vi = "Bạo lực thể chất, tinh thần"
    services.list_entry_save(actor=cast.admin, entry=violence)
    neglect = ListEntry.objects.get(kind="abuse_form", code="neglect")
    neglect.is_active = False
    services.list_entry_save(actor=cast.admin, entry=neglect)
    entry = ListEntry(
        kind="abuse_form", code="p_online", legal_code="violence", province=tree.province_p, label_vi="Bạo lực mạng"
    )
    services.list_entry_save(actor=cast.admin, entry=entry)
    shell = _client(cast.officer).get("/offline/").content.decode()
    assert "Bạo lực thể chất, tinh thần" in shell
    assert 'value="p_online"' in shell  # the province's own entry
    assert 'value="neglect"' not in shell  # no longer offered: a report with it would be refused when sent
    elsewhere = _client(cast.officer_elsewhere).get("/offline/").content.decode()
    assert 'value="p_online"' not in elsewhere
    assert 'value="violence"' in elsewhere


def test_an_extra_number_typed_with_a_decimal_comma_is_kept_as_typed(tree, cast, admin_p, receive):
    _field(admin_p, tree.province_p, target="case", key="hours", label="Số giờ tư vấn", field_type="number")
    case = receive().case_files.get()
    officer = _client(cast.officer)
    form = officer.get(f"/cases/{case.pk}/extra/").content.decode()
    # Not a number box: Chromium's drops the comma of "1,5" and sends 15.
    assert re.search(r'<input type="text" name="extra_hours"[^>]*inputmode="decimal"', form)
    assert officer.post(f"/cases/{case.pk}/extra/", {"extra_hours": "1,5"}).status_code == 302
    assert CaseFile.objects.get(pk=case.pk).extra == {"hours": 1.5}
    assert 'value="1,5"' in officer.get(f"/cases/{case.pk}/extra/").content.decode()
    assert officer.post(f"/cases/{case.pk}/extra/", {"extra_hours": "nhiều"}).status_code == 400
    assert CaseFile.objects.get(pk=case.pk).extra == {"hours": 1.5}


def test_a_report_is_asked_the_extra_fields_of_its_communes_province_only(tree, cast, admin_p, admin_q):
    """Someone who records reports in two provinces (a hotline) is not held to the other province's fields."""
    _field(admin_p, tree.province_p, key="ticket", label="Mã phiếu tỉnh P", is_required=True)
    _field(admin_q, tree.province_q, key="hamlet", label="Thôn của tỉnh Q", is_required=True)
    both = UserFactory(username="hotline_pq")
    for unit, agency in ((tree.commune_c1, "VH-XH Xã Một"), (tree.commune_c4, "VH-XH Xã Bốn")):
        MembershipFactory(user=both, role="focal_point", agency=Agency.objects.get(name=agency), unit=unit)
    client = _client(both)
    form = client.get("/cases/new/").content.decode()
    assert "Mã phiếu tỉnh P" in form  # the commune is not chosen yet: both are asked
    assert "Thôn của tỉnh Q" in form
    refused = client.post("/cases/new/", _report_post(tree.commune_c4))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "“Thôn của tỉnh Q” là bắt buộc." in body
    assert "Mã phiếu tỉnh P" not in body  # P's question is not Q's
    assert not Report.objects.exists()
    saved = client.post("/cases/new/", _report_post(tree.commune_c4, extra_hamlet="Thôn 3", extra_ticket="T-1"))
    assert saved.status_code == 302
    assert Report.objects.get().extra == {"hamlet": "Thôn 3"}


def test_the_case_lists_filter_offers_the_forms_of_the_users_own_provinces(tree, cast, receive):
    """A province's own forms of abuse are offered in the case list's filter of that province's people only;
    the national forms everywhere; a national user sees every province's."""
    from django.test import Client

    def offered(user) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/cases/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    services.list_entry_save(
        actor=cast.admin,
        entry=ListEntry(
            kind="abuse_form", code="p_online", legal_code="violence", province=tree.province_p, label_vi="Bạo lực mạng"
        ),
    )
    services.list_entry_save(
        actor=cast.admin,
        entry=ListEntry(
            kind="abuse_form", code="q_labour", legal_code="violence", province=tree.province_q, label_vi="Lao động sớm"
        ),
    )
    own = offered(cast.officer)  # a commune of province P
    assert 'value="p_online"' in own
    assert 'value="q_labour"' not in own
    assert 'value="violence"' in own
    elsewhere = offered(cast.officer_elsewhere)  # a commune of province Q
    assert 'value="q_labour"' in elsewhere
    assert 'value="p_online"' not in elsewhere
    national = offered(cast.admin)
    assert 'value="p_online"' in national
    assert 'value="q_labour"' in national
