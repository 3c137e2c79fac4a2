"""Caseloads and handover: every open file has an officer (the database says so), an officer's files go to
another in one step with one notice each, and the caseload page counts right within the viewer's area."""

import datetime
import importlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.access import access_changed
from audit.models import AuditEvent
from cases import selectors, services
from cases.models import CaseEvent, CaseFile
from notifications.models import Notification
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, child_input, walk_to

pytestmark = pytest.mark.django_db
CHILD = "Lò Thị Mai"


def _second_officer(cast, tree, username="officer_two", first_name="Trần Thị Hai"):
    user = UserFactory(username=username, first_name=first_name)
    MembershipFactory(user=user, role="commune_officer", agency=cast.officer.memberships.get().agency,
                      unit=tree.commune_c1)  # fmt: skip
    return user


def _officer_of_c2(tree):
    user = UserFactory(username="officer_c2", first_name="Phạm Văn Ba")
    social = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Hai", unit=tree.commune_c2)
    MembershipFactory(user=user, role="commune_officer", agency=social, unit=tree.commune_c2)
    return user


def _state(*cases):
    return [(case.pk, case.officer_id, case.version) for case in CaseFile.objects.filter(pk__in=[c.pk for c in cases])]


# ---------------------------------------------------------------------------------------------- the rule


def test_the_database_refuses_an_open_case_file_without_an_officer(receive):
    case = receive().case_files.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFile.objects.filter(pk=case.pk).update(officer=None)
    case.state, case.closed_at = "closed", timezone.now()
    case.save(update_fields=["state", "closed_at"])
    CaseFile.objects.filter(pk=case.pk).update(officer=None)  # a closed file may keep none (old data)


def test_old_open_files_without_an_officer_get_one_sensibly(tree, cast, receive):
    """The data migration: the receiving officer, else the least-loaded officer, else the chairman, else the
    nearest coordinator."""
    second = _second_officer(cast, tree)
    by_officer = receive().case_files.get()
    by_chairman = receive(actor=cast.chairman, children=[child_input(tree.commune_c1, name="Hai")]).case_files.get()
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE cases_casefile DROP CONSTRAINT case_open_has_officer")
    CaseFile.objects.filter(pk__in=[by_officer.pk, by_chairman.pk]).update(officer=None)
    migration = importlib.import_module("cases.migrations.0020_officer_required")
    from django.apps import apps

    with connection.schema_editor(atomic=False) as editor:
        migration.fill(apps, editor)
    by_officer.refresh_from_db()
    by_chairman.refresh_from_db()
    assert by_officer.officer == cast.officer  # who received the report
    assert by_chairman.officer == second  # the chairman is no officer: the officer with fewer open files


def test_a_report_goes_to_the_chairman_then_the_nearest_coordinator_when_the_commune_has_no_officer(
    tree, cast, receive
):
    ubnd_c2 = AgencyFactory(agency_type__code="peoples_committee", name="UBND Xã Hai", unit=tree.commune_c2)
    chairman_c2 = MembershipFactory(user=UserFactory(username="chairman_c2"), role="chairman", agency=ubnd_c2).user
    assert receive(actor=chairman_c2, commune=tree.commune_c2).case_files.get().officer == chairman_c2
    police_c3 = AgencyFactory(agency_type__code="police", name="Công an Phường Ba", unit=tree.commune_c3)
    police = MembershipFactory(user=UserFactory(username="police_c3"), role="focal_point", agency=police_c3).user
    assert receive(actor=police, commune=tree.commune_c3).case_files.get().officer == cast.coordinator_province


def test_a_report_where_nobody_answers_is_refused_with_a_message(tree, cast, receive, english):
    cast.coordinator_province.memberships.update(is_active=False)
    access_changed()  # a bulk update sends no signal
    police_c3 = AgencyFactory(agency_type__code="police", name="Công an Phường Ba", unit=tree.commune_c3)
    police = MembershipFactory(user=UserFactory(username="police_c3"), role="focal_point", agency=police_c3).user
    with pytest.raises(ValidationError) as refused:
        receive(actor=police, commune=tree.commune_c3)
    assert "Nobody in BaoVe answers for this commune" in str(refused.value)
    assert not CaseFile.objects.filter(commune=tree.commune_c3).exists()
    # The hotline's API gets the same answer, in words (not a server error), and can route the call elsewhere.
    hotline = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    machine = MembershipFactory(user=UserFactory(username="hotline"), role="focal_point", agency=hotline, unit=None)
    api = APIClient()
    api.force_authenticate(machine.user)
    body = {
        "received_at": timezone.now().isoformat(), "receiving_point": "hotline_111", "commune_code": "90003",
        "source": "hotline_111", "setting": "family", "narrative": "Cuộc gọi.", "abuse_forms": ["violence"],
        "reporter_is_anonymous": True, "children": [{"full_name": "Lò Văn Páo", "birth_date": "2013-09-09"}],
    }  # fmt: skip
    answer = api.post("/api/v1/reports/", body, format="json")
    assert answer.status_code == 400
    assert "Xã này chưa có ai phụ trách trên BaoVe" in answer.json()["commune"][0]  # Vietnamese first


def test_an_accepted_transfer_makes_the_receiving_communes_officer_responsible(tree, cast, receive):
    officer_c2 = _officer_of_c2(tree)
    case = receive().case_files.get()
    services.case_transfer(actor=cast.officer, case=case, to_commune=tree.commune_c2, reason="Chuyển nhà.")
    services.case_accept_transfer(actor=officer_c2, case=case)
    case.refresh_from_db()
    assert (case.commune, case.officer) == (tree.commune_c2, officer_c2)


# ---------------------------------------------------------------------------------------------- handover


@pytest.fixture
def caseload_c1(tree, cast, receive):
    """The officer of C1 answers for three open files (one restricted, not naming the second officer) and
    a closed one; the second officer for one."""
    second = _second_officer(cast, tree)
    files = [
        receive(children=[child_input(tree.commune_c1, name=name)]).case_files.get()
        for name in (CHILD, "Lò Văn Hai", "Lò Văn Ba", "Lò Văn Bốn")
    ]
    walk_to(files[1], "assessed", officer=cast.officer, chairman=cast.chairman)
    services.case_restrict(actor=cast.officer, case=files[2], named_users=[], reason="Người nhà cán bộ.")
    services.case_mark_not_child_protection(actor=cast.officer, case=files[3], reason="Tranh chấp dân sự.")
    theirs = receive(actor=second, children=[child_input(tree.commune_c1, name="Lò Văn Năm")]).case_files.get()
    for case in files:
        case.refresh_from_db()
    return second, files, theirs


def test_a_handover_moves_every_open_file_reports_the_restricted_one_and_tells_each_officer_once(cast, caseload_c1):
    second, files, theirs = caseload_c1
    Notification.objects.all().delete()
    result = services.caseload_hand_over(
        actor=cast.chairman, commune=files[0].commune, from_officer=cast.officer, to_officer=second,
        reason="Nghỉ thai sản.",
    )  # fmt: skip
    assert {case.pk for case in result.handed} == {files[0].pk, files[1].pk}
    assert [(kept.pk, kept.is_visible) for kept in result.kept] == [(files[2].pk, False)]  # reported, not dropped
    officers = dict(CaseFile.objects.values_list("pk", "officer_id"))
    assert officers[files[0].pk] == officers[files[1].pk] == officers[theirs.pk] == second.pk
    assert officers[files[2].pk] == cast.officer.pk  # stays: it does not name the new officer
    assert officers[files[3].pk] == cast.officer.pk  # closed: not part of the caseload
    assert not CaseFile.objects.filter(officer__isnull=True).exclude(state__in=["closed", "not_child_protection"])
    events = CaseEvent.objects.filter(kind="responsibility_reassigned")
    assert events.count() == 2
    assert {event.data["reason"] for event in events} == {"Nghỉ thai sản."}
    assert len({event.data["handover"] for event in events}) == 1
    assert AuditEvent.objects.filter(object_type="case", case_id__in=[files[0].pk, files[1].pk],
                                     fields__event="responsibility_reassigned").count() == 2  # fmt: skip
    (to_new,) = Notification.objects.filter(user=second)
    (to_old,) = Notification.objects.filter(user=cast.officer)
    assert to_new.title == "2 hồ sơ trường hợp của Xã Một được bàn giao cho bạn"
    assert "2 hồ sơ" in to_old.title
    assert "Nghỉ thai sản." in to_old.body
    assert "1 hồ sơ đang được giới hạn" in to_old.body
    assert f"officer={second.pk}" in to_new.url
    assert not Notification.objects.exclude(user__in=[second, cast.officer]).exists()
    everything = " ".join(f"{title} {body}" for title, body in Notification.objects.values_list("title", "body"))
    assert CHILD not in everything
    assert files[2].reference not in everything


@pytest.mark.parametrize("who", ["officer", "police", "officer_elsewhere", "leader", "coordinator_outside"])
def test_someone_without_the_right_hands_nothing_over(tree, cast, caseload_c1, who):
    second, files, theirs = caseload_c1
    if who == "coordinator_outside":
        social_q = AgencyFactory(agency_type__code="social_affairs", name="Sở Q", unit=tree.province_q)
        actor = MembershipFactory(user=UserFactory(username="coordinator_q"), role="coordinator", agency=social_q).user
    else:
        actor = getattr(cast, who)
    before, notices = _state(*files, theirs), Notification.objects.count()
    with pytest.raises(PermissionDenied):
        services.caseload_hand_over(actor=actor, commune=tree.commune_c1, from_officer=cast.officer,
                                    to_officer=second, reason="Nghỉ phép.")  # fmt: skip
    assert _state(*files, theirs) == before
    assert Notification.objects.count() == notices


def test_handing_over_to_an_officer_of_another_commune_or_without_reason_changes_nothing(
    tree, cast, caseload_c1, english
):
    second, files, theirs = caseload_c1
    before, notices = _state(*files, theirs), Notification.objects.count()
    for to_officer, reason, field in (
        (cast.officer_elsewhere, "Nghỉ phép.", "to_officer"),
        (_officer_of_c2(tree), "Nghỉ phép.", "to_officer"),
        (cast.officer, "Nghỉ phép.", "to_officer"),  # the same officer
        (second, "  ", "reason"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.caseload_hand_over(actor=cast.coordinator_district, commune=tree.commune_c1,
                                        from_officer=cast.officer, to_officer=to_officer, reason=reason)  # fmt: skip
        assert field in refused.value.message_dict
    assert _state(*files, theirs) == before
    assert Notification.objects.count() == notices


def test_the_handover_page_shows_the_list_to_check_then_hands_over_and_says_what_stayed(tree, cast, caseload_c1):
    second, files, _theirs = caseload_c1
    client = Client()
    client.force_login(cast.coordinator_district)
    url = reverse("cases:handover", args=[tree.commune_c1.pk])
    page = client.get(url + f"?from={cast.officer.pk}")
    assert page.status_code == 200
    assert f'value="{cast.officer.pk}" selected' in page.content.decode()
    refused = client.post(url, {"from_officer": cast.officer.pk, "to_officer": second.pk, "reason": ""})
    assert refused.status_code == 400
    assert "field-error" in refused.content.decode().split('data-field="reason"')[0][-200:]
    before, notices, events = _state(*files), Notification.objects.count(), CaseEvent.objects.count()
    # Every mistake at once, in words.
    both = client.post(url, {"from_officer": cast.officer.pk, "to_officer": cast.officer.pk, "reason": ""})
    assert both.status_code == 400
    assert "Nêu lý do (nghỉ phép" in both.content.decode()
    assert "Chọn một cán bộ khác với cán bộ đang bàn giao hồ sơ." in both.content.decode()
    summary = both.content.decode().split('data-testid="error-summary"')[1].split("</div>")[0]
    assert summary.count('data-testid="error-summary-link"') == 2  # both mistakes, each a link to its field
    filled = {"from_officer": cast.officer.pk, "to_officer": second.pk, "reason": "Chuyển công tác.\nTừ 01/12."}
    sent = client.post(url, filled)
    assert sent.status_code == 302
    assert sent["Location"] == url + "?check=1"  # a page of its own: Back from a case file returns to it
    check = client.get(sent["Location"])
    text = check.content.decode()
    assert check.status_code == 200
    assert client.get(sent["Location"]).content.decode().count("handover-moving") == 1  # shown again, the same
    moving = text.split('data-testid="handover-moving"')[1].split("</ul>")[0]
    assert files[0].reference in moving
    assert files[1].reference in moving
    staying = text.split('data-testid="handover-staying"')[1].split("</ul>")[0]
    assert files[2].reference not in text  # restricted, not naming the coordinator: counted, never named
    assert "giới hạn" in staying
    assert files[3].reference not in text  # closed: not part of the caseload
    assert CHILD not in text  # no child's name, as on the caseload page
    assert 'value="Chuyển công tác.\nTừ 01/12."' in text  # the reason travels with the confirmation
    assert "Chuyển công tác.<br>Từ 01/12." in text
    assert _state(*files) == before  # checking changes nothing
    assert (Notification.objects.count(), CaseEvent.objects.count()) == (notices, events)
    # Back to change something: the form as it was filled, no error shown.
    back = client.post(url, {**filled, "change": "1"})
    assert back.status_code == 200
    assert f'value="{second.pk}" selected' in back.content.decode()
    assert "Từ 01/12." in back.content.decode()
    assert "field-error" not in back.content.decode()
    assert _state(*files) == before
    shown = [files[0].pk, files[1].pk]
    done = client.post(url, {**filled, "files": shown, "confirm": "1"}, follow=True)
    text = done.content.decode()
    assert "2 hồ sơ trường hợp đã được bàn giao" in text
    assert "1 hồ sơ đang được giới hạn" in text
    assert files[2].reference not in text
    assert CHILD not in text
    assert set(CaseFile.objects.filter(pk__in=shown).values_list("officer_id", flat=True)) == {second.pk}
    # Sent again (a second tap, a reload): nothing more moves, and it says so.
    again = client.post(url, {**filled, "files": shown, "confirm": "1"}, follow=True)
    assert "Các hồ sơ bạn đã kiểm tra đã được bàn giao rồi." in again.content.decode()
    assert CaseEvent.objects.filter(kind="responsibility_reassigned").count() == 2
    assert client.get(url + "?check=1")["Location"] == url  # the check is over
    officer_page = Client()
    officer_page.force_login(cast.officer)
    assert officer_page.get(url).status_code == 403
    outside = Client()
    outside.force_login(cast.officer_elsewhere)
    assert outside.get(url).status_code == 403
    chairman = Client()
    chairman.force_login(cast.chairman)
    assert chairman.get(reverse("cases:handover", args=[tree.commune_c2.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------- the page


@pytest.fixture
def area(tree, cast, caseload_c1, receive):
    second, files, theirs = caseload_c1
    officer_c2 = _officer_of_c2(tree)
    in_c2 = receive(actor=officer_c2, commune=tree.commune_c2,
                    children=[child_input(tree.commune_c2, name="Lò Văn Sáu")]).case_files.get()  # fmt: skip
    elsewhere = receive(actor=cast.officer_elsewhere, commune=tree.commune_c4,
                        children=[child_input(tree.commune_c4, name="Lò Văn Bảy")]).case_files.get()  # fmt: skip
    return second, files, theirs, officer_c2, in_c2, elsewhere


def _by_officer(communes):
    return {(commune.name, officer.pk): officer for commune in communes for officer in commune.officers}


def test_the_caseload_counts_open_files_by_step_overdue_and_restricted_within_the_area(cast, area):
    second, _files, _theirs, officer_c2, _in_c2, _elsewhere = area
    # 13 hours later the 12-hour decision on every file still "received" is overdue; the assessed one is not.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=13)):
        communes = selectors.caseload(cast.coordinator_district)
    assert [commune.name for commune in communes] == ["Xã Một", "Xã Hai"]  # most overdue first
    one, two = communes
    assert (one.open, one.overdue, one.hidden) == (3, 2, 1)  # the restricted file: counted apart
    assert one.by_state == {"received": 2, "assessed": 1}
    loads = _by_officer(communes)
    mine = loads[("Xã Một", cast.officer.pk)]
    assert (mine.by_state, mine.overdue, mine.hidden, mine.is_officer) == ({"received": 1, "assessed": 1}, 1, 1, True)
    assert mine.waiting_since is not None  # the file received and not yet assessed: waiting since its opening
    assert mine.unseen == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=45)):
        later = _by_officer(selectors.caseload(cast.coordinator_district))
    assert later[("Xã Một", cast.officer.pk)].unseen == 2  # neither file it may open had a contact in 30 days
    assert later[("Xã Một", second.pk)].unseen == 1
    assert (loads[("Xã Một", second.pk)].open, loads[("Xã Một", second.pk)].overdue) == (1, 1)
    assert (two.open, loads[("Xã Hai", officer_c2.pk)].open) == (1, 1)
    assert all(officer.pk != cast.officer_elsewhere.pk for commune in communes for officer in commune.officers)
    # The chairman sees their commune only; the officer named on the restricted file is the officer.
    (only,) = selectors.caseload(cast.chairman)
    assert only.name == "Xã Một"
    assert selectors.caseload(cast.officer) == []


def test_an_officer_who_left_still_shows_with_their_files(tree, cast, area):
    cast.officer.memberships.update(is_active=False)
    access_changed()
    loads = _by_officer(selectors.caseload(cast.chairman))
    left = loads[("Xã Một", cast.officer.pk)]
    assert (left.is_officer, left.open) == (False, 2)


def test_the_caseload_page_links_each_number_to_the_filtered_list_and_names_no_child(tree, cast, area):
    _second, files, theirs, _officer_c2, in_c2, elsewhere = area
    client = Client()
    client.force_login(cast.coordinator_district)
    response = client.get(reverse("cases:caseload"))
    assert response.status_code == 200
    text = response.content.decode()
    link = f"/cases/?commune={tree.commune_c1.pk}&amp;officer={cast.officer.pk}&amp;open=on"
    assert link in text
    assert f"/cases/?commune={tree.commune_c1.pk}&amp;officer={cast.officer.pk}&amp;state=assessed" in text
    assert "Phạm Văn Ba" in text
    assert "Trần Thị Hai" in text
    assert "Xã Bốn" not in text
    for case in (*files, theirs, in_c2, elsewhere):
        assert case.reference not in text
    for name in (CHILD, "Lò Văn", "Lò Thị"):
        assert name not in text
    assert "Lần tiếp xúc cũ nhất" in text
    assert "Quá lâu chưa gặp trẻ" in text
    # The number's link opens exactly those files.
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert files[0].reference in listed
    assert files[1].reference in listed
    assert theirs.reference not in listed
    assert files[3].reference not in listed
    assert "Trần Thị Hai" not in listed
    for who in (cast.officer, cast.police, cast.leader, cast.officer_elsewhere):
        denied = Client()
        denied.force_login(who)
        answer = denied.get(reverse("cases:caseload"))
        assert answer.status_code == 403
        assert files[0].reference not in answer.content.decode()


def test_the_caseload_page_takes_a_fixed_number_of_queries(tree, cast, area, django_assert_max_num_queries):
    client = Client()
    client.force_login(cast.coordinator_province)
    client.get(reverse("cases:caseload"))
    for index in range(5):  # more officers: not more queries
        _second_officer(cast, tree, username=f"more_{index}", first_name=f"Cán bộ {index}")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("cases:caseload")).status_code == 200


def test_a_restricted_file_that_does_not_name_who_hands_over_stays_even_when_it_names_the_new_officer(
    tree, cast, receive, caseload_c1
):
    second, _files, _theirs = caseload_c1
    secret = receive(children=[child_input(tree.commune_c1, name="Lò Văn Sáu")]).case_files.get()
    services.case_restrict(actor=cast.officer, case=secret, named_users=[second], reason="Người nhà cán bộ.")
    result = services.caseload_hand_over(
        actor=cast.chairman, commune=secret.commune, from_officer=cast.officer, to_officer=second,
        reason="Nghỉ phép.",
    )  # fmt: skip
    assert (secret.pk, False) in [(kept.pk, kept.is_visible) for kept in result.kept]  # counted, never named
    secret.refresh_from_db()
    assert secret.officer_id == cast.officer.pk


def test_a_file_given_to_the_officer_after_the_check_stays_with_them_and_is_reported(tree, cast, caseload_c1, receive):
    second, files, _theirs = caseload_c1
    client = Client()
    client.force_login(cast.chairman)
    url = reverse("cases:handover", args=[tree.commune_c1.pk])
    filled = {"from_officer": cast.officer.pk, "to_officer": second.pk, "reason": "Nghỉ phép."}
    check = client.get(client.post(url, filled)["Location"]).content.decode()
    shown = [int(pk) for pk in check.split('name="files" value="')[1:] for pk in [pk.split('"')[0]]]
    assert sorted(shown) == sorted([files[0].pk, files[1].pk])
    # Meanwhile a new report makes the officer answer for one more file.
    late = receive(children=[child_input(tree.commune_c1, name="Lò Văn Muộn")]).case_files.get()
    assert late.officer_id == cast.officer.pk
    done = client.post(url, {**filled, "files": [*shown, "x1", "", "²"], "confirm": "1"}, follow=True)
    text = done.content.decode()
    assert "2 hồ sơ trường hợp đã được bàn giao" in text
    assert "không có trong danh sách bạn đã kiểm tra" in text
    assert late.reference in text
    officers = dict(CaseFile.objects.values_list("pk", "officer_id"))
    assert officers[late.pk] == cast.officer.pk  # never moved without being shown
    assert officers[files[0].pk] == officers[files[1].pk] == second.pk
    (notice,) = Notification.objects.filter(user=cast.officer, key__startswith="handover:")
    assert "1 hồ sơ đang mở khác vẫn do bạn phụ trách" in notice.body


def test_the_check_is_refused_like_the_handover_and_changes_nothing(tree, cast, caseload_c1):
    second, files, theirs = caseload_c1
    before, notices = _state(*files, theirs), Notification.objects.count()
    with pytest.raises(PermissionDenied):
        services.caseload_handover_plan(actor=cast.officer, commune=tree.commune_c1, from_officer=cast.officer,
                                        to_officer=second, reason="Nghỉ phép.")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.caseload_handover_plan(actor=cast.chairman, commune=tree.commune_c1, from_officer=cast.officer,
                                        to_officer=cast.officer, reason="Nghỉ phép.")  # fmt: skip
    assert "to_officer" in refused.value.message_dict
    plan = services.caseload_handover_plan(
        actor=cast.chairman, commune=tree.commune_c1, from_officer=cast.officer, to_officer=second, reason="Nghỉ phép."
    )
    assert [file.pk for file in plan.moving] == [files[0].pk, files[1].pk]
    assert [(kept.pk, kept.is_visible) for kept in plan.staying] == [(files[2].pk, False)]
    assert _state(*files, theirs) == before
    assert Notification.objects.count() == notices
