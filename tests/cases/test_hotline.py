"""The hotline 111's loop: the status of each report it passed on and whether each legal limit was met,
through the API (no names, no narrative) and its own webhook; and the supervisor's figures per province,
checked against a fixture counted by hand."""

import datetime
import http.server
import json
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services
from cases.models import CaseFile
from cases.selectors.hotline import Outcome, supervisor_statuses, timeliness_by_province
from cases.tasks import hotline_status_tell
from cases.walker import walk_to
from notifications.models import Delivery, OutboxMessage, WebhookEndpoint
from notifications.tasks import deliver
from notifications.transports.webhook import verify
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, child_input, report_input

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NARRATIVE = "Tường thuật cuộc gọi số 6180."


def _at(*args):
    return datetime.datetime(*args, tzinfo=HCM)


@pytest.fixture
def hotline(tree, cast):
    agency = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    account = MembershipFactory(user=UserFactory(username="tongdai"), role="focal_point", agency=agency, unit=None).user
    supervisor = MembershipFactory(
        user=UserFactory(username="giamsat"), role="hotline_supervisor", agency=agency, unit=None
    ).user
    other_hotline = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài khác", unit=None)
    other = MembershipFactory(user=UserFactory(username="tongdai2"), role="focal_point", agency=other_hotline).user
    return account, supervisor, other


def _receive(actor, commune, name, at, **extra):
    return services.report_receive(
        actor=actor,
        report=report_input(
            commune,
            received_at=at,
            receiving_point="hotline_111",
            source="hotline_111",
            narrative=NARRATIVE,
            external_reference=f"111-{name[-3:]}",
            **extra,
        ),
        children=[child_input(commune, name=name)],
    )


@pytest.fixture
def fixture(tree, cast, hotline):
    """Counted by hand (now: Friday 20 March 2026, 12:00; limits 12 h, 5 and 7 working days):

    A  Xã Một (P)   received Mon 9 Mar 08:00; assessed 10:00 (due 20:00: met); plan submitted Thu 12
                    (due Mon 16: met); approved Tue 17 (due Wed 18: met)                → being handled
    B  Xã Hai (P)   received Mon 9 Mar 08:00; assessed Tue 10 09:00 (due Mon 20:00: late); nothing more:
                    plan due Mon 16 (missed), approval due Wed 18 (missed)              → being handled
    C  Phường Ba (P) received Thu 19 Mar 09:00; nothing done: 12 h due 21:00 (missed); plan due Thu 26
                    and approval due Mon 30 (both still running)                        → being handled
    D  Xã Bốn (Q)   received Wed 18 Mar 10:00; not child protection at 11:00 (every limit not needed)
                                                                                        → closed
    E  Xã Một (P)   recorded by the commune's officer, received at the commune: not the hotline's.

    Province P: 3 reports, 3 case files, 3 being handled; 12 h: met 1, late 1, missed 1 (1/3 in time);
    5 days: met 1, missed 1, running 1 (1/2); 7 days: met 1, missed 1, running 1 (1/2).
    Province Q: 1 report, 1 case file, closed; every limit not needed (no share).
    """
    account, _supervisor, _other = hotline
    officer_c2 = MembershipFactory(
        user=UserFactory(username="officer_c2"),
        role="commune_officer",
        agency=AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Hai", unit=tree.commune_c2),
        unit=tree.commune_c2,
    ).user
    police = cast.police.memberships.get().agency
    cases = {}
    with time_machine.travel(_at(2026, 3, 9, 8, 0), tick=False) as clock:
        cases["A"] = _receive(account, tree.commune_c1, "Trẻ Aaa", _at(2026, 3, 9, 8, 0)).case_files.get()
        cases["B"] = _receive(account, tree.commune_c2, "Trẻ Bbb", _at(2026, 3, 9, 8, 0)).case_files.get()
        times = {
            "assess": _at(2026, 3, 9, 10, 0),
            "investigate": _at(2026, 3, 11, 9, 0),
            "submit_plan": _at(2026, 3, 12, 9, 0),
            "approve_plan": _at(2026, 3, 17, 9, 0),
        }
        walk_to(
            cases["A"],
            "in_intervention",
            officer=cast.officer,
            chairman=cast.chairman,
            measures=[(police, "police", "Bảo vệ trẻ.", datetime.date(2026, 3, 31))],
            before=lambda step: clock.move_to(times[step]),
        )
        clock.move_to(_at(2026, 3, 10, 9, 0))
        walk_to(cases["B"], "assessed", officer=officer_c2, chairman=None)
        clock.move_to(_at(2026, 3, 18, 10, 0))
        cases["D"] = _receive(account, tree.commune_c4, "Trẻ Ddd", _at(2026, 3, 18, 10, 0)).case_files.get()
        clock.move_to(_at(2026, 3, 18, 11, 0))
        services.case_mark_not_child_protection(actor=cast.officer_elsewhere, case=cases["D"], reason="Dân sự.")
        clock.move_to(_at(2026, 3, 19, 9, 0))
        cases["C"] = _receive(account, tree.commune_c3, "Trẻ Ccc", _at(2026, 3, 19, 9, 0)).case_files.get()
        cases["E"] = services.report_receive(
            actor=cast.officer, report=report_input(tree.commune_c1), children=[child_input(tree.commune_c1)]
        ).case_files.get()
    return cases


NOW = _at(2026, 3, 20, 12, 0)


@time_machine.travel(NOW, tick=False)
def test_the_supervisors_figures_per_province_match_the_hand_count(fixture, hotline):
    _account, supervisor, _other = hotline
    lines = {line.code: line for line in timeliness_by_province(supervisor_statuses(supervisor))}
    assert set(lines) == {"91", "92"}
    p, q = lines["91"], lines["92"]
    assert (p.reports, p.case_files, p.in_hand, p.closed) == (3, 3, 3, 0)
    assert p.limits == {
        "emergency_decision": {Outcome.MET: 1, Outcome.LATE: 1, Outcome.MISSED: 1},
        "plan_submission": {Outcome.MET: 1, Outcome.MISSED: 1, Outcome.PENDING: 1},
        "plan_approval": {Outcome.MET: 1, Outcome.MISSED: 1, Outcome.PENDING: 1},
    }
    assert p.share_met("emergency_decision") == pytest.approx(1 / 3)
    assert p.share_met("plan_submission") == pytest.approx(1 / 2)
    assert (q.reports, q.case_files, q.in_hand, q.closed) == (1, 1, 0, 1)
    assert q.limits == {kind: {Outcome.NOT_APPLICABLE: 1} for kind in p.limits}
    assert q.share_met("emergency_decision") is None


@time_machine.travel(NOW, tick=False)
def test_the_supervisors_page_shows_the_figures_and_no_child(fixture, hotline):
    _account, supervisor, _other = hotline
    client = Client()
    client.force_login(supervisor)
    page = client.get(reverse("cases:hotline")).content.decode()
    assert "Tỉnh P" in page
    assert "Tỉnh Q" in page
    assert "33,3\u00a0%" in page  # the 12 hours met in time in province P
    detail = client.get(reverse("cases:hotline"), {"province": "91"}).content.decode()
    assert fixture["A"].reference in detail
    for leak in ("Trẻ Aaa", "Trẻ Bbb", "Trẻ Ccc", NARRATIVE, fixture["E"].reference):
        assert leak not in page + detail, leak


@time_machine.travel(NOW, tick=False)
def test_the_hotline_reads_the_status_and_limits_of_what_it_passed_on_and_nothing_else(fixture, hotline):
    account, _supervisor, other = hotline
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=account).key}")
    body = client.get(reverse("api-hotline-reports")).json()
    by_reference = {row["cases"][0]["reference"]: row for row in body}
    assert set(by_reference) == {fixture[key].reference for key in "ABCD"}
    b = by_reference[fixture["B"].reference]
    assert b["status"] == "in_hand"
    assert b["external_reference"] == "111-Bbb"
    assert [(limit["kind"], limit["outcome"]) for limit in b["cases"][0]["limits"]] == [
        ("emergency_decision", "late"),
        ("plan_submission", "missed"),
        ("plan_approval", "missed"),
    ]
    assert by_reference[fixture["D"].reference]["status"] == "closed"
    text = json.dumps(body, ensure_ascii=False)
    for leak in ("Trẻ Aaa", "Trẻ Bbb", NARRATIVE, "Cô Hoa", "0912345678", "Nguyễn Văn An"):
        assert leak not in text, leak
    one = client.get(reverse("api-hotline-report", args=[fixture["A"].report_id])).json()
    assert [limit["outcome"] for limit in one["cases"][0]["limits"]] == ["met", "met", "met"]
    # Another hotline's account, an officer: nothing.
    for user in (other, fixture["A"].officer):
        stranger = APIClient()
        stranger.force_authenticate(user)
        assert stranger.get(reverse("api-hotline-reports")).json() == []
        assert stranger.get(reverse("api-hotline-report", args=[fixture["A"].report_id])).status_code == 404
    assert client.get(reverse("api-hotline-report", args=[fixture["E"].report_id])).status_code == 404


def test_the_api_is_in_the_openapi_schema(db):
    schema = Client().get(reverse("api-schema"), {"format": "json"})
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/hotline/reports/" in paths
    assert "/api/v1/hotline/reports/{id}/" in paths


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_hotline_is_told_of_each_change_through_its_own_webhook(tree, cast, hotline):
    account, _supervisor, _other = hotline
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.received = []
    try:
        WebhookEndpoint.objects.create(
            name="111", user=account, url=f"http://127.0.0.1:{server.server_port}/hook", secret="s3", urgent_only=False
        )
        WebhookEndpoint.objects.create(
            name="province gateway", user=cast.officer, url="http://127.0.0.1:9/never", secret="x", urgent_only=False
        )
        case = _receive(account, tree.commune_c1, "Trẻ Aaa", datetime.datetime.now(tz=HCM)).case_files.get()
        walk_to(case, "assessed", officer=cast.officer, chairman=None)
        queued = OutboxMessage.objects.filter(task="cases.tasks.hotline_status_tell", args=[case.pk])
        assert queued.count() == 1  # the assessment (the receipt was the API's answer)
        assert queued.get().sent_at is None  # left for the beat's relay: nothing published at the commit
        assert hotline_status_tell(case.pk) == 1
        assert hotline_status_tell(case.pk) == 0  # nothing new: told once
        delivery = Delivery.objects.get(notification__user=account, channel="webhook")
        assert delivery.endpoint.user == account
        deliver.apply(args=[delivery.pk])
        delivery.refresh_from_db()
        assert delivery.state == "sent"
    finally:
        server.shutdown()
    ((headers, body),) = _Receiver.received
    assert verify("s3", headers["X-BaoVe-Timestamp"], body, headers["X-BaoVe-Signature"].removeprefix("sha256="))
    payload = json.loads(body)
    assert headers["X-BaoVe-Delivery"] == str(payload["delivery"])  # the receiver's key to drop a repeat
    assert payload["url"] == reverse("api-hotline-report", args=[case.report_id])
    assert "emergency_decision=met" in payload["body"]
    assert "Đang xử lý" in payload["title"]
    assert "Trẻ Aaa" not in body.decode()
    assert NARRATIVE not in body.decode()
    # The officer's own endpoint carries none of the hotline's notices.
    assert not Delivery.objects.filter(notification__user=account, endpoint__user=cast.officer).exists()


def test_the_hotlines_operator_records_a_report_and_gets_the_numbers_to_give_the_caller(tree, cast, hotline):
    """The operator passes a report on to a commune whose case files they do not open: after saving they land on
    their reports passed on, the new one first with its case file's number; never on a page they may not see."""
    from tests.cases.test_pages import _report_post

    account, _supervisor, other = hotline
    client = Client()
    client.force_login(account)
    form = client.get(reverse("cases:report_new")).content.decode()
    assert 'value="hotline_111" selected' in form  # receiving point and source: the hotline, from the start
    assert form.count('value="hotline_111" selected') == 2
    data = _report_post(tree.commune_c2, [{"full_name": "Trẻ Ggg", "birth_date": "2015-06-01", "sex": "male"}])
    response = client.post(reverse("cases:report_new"), {**data, "receiving_point": "hotline_111"})
    case = CaseFile.objects.get(child__full_name="Trẻ Ggg")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('cases:passed_on')}?saved={case.report_id}"
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert case.reference in text
    assert "Xã Hai" in text
    assert [str(message) for message in page.context["messages"]] == [
        f"Đã ghi nhận thông tin: mở 1 hồ sơ ({case.reference}), thời hạn theo quy định bắt đầu được tính."
    ]
    assert "Trẻ Ggg" not in text  # the child's details stay with the commune
    # The browser's draft of the report goes: the next caller's report starts empty.
    assert f'data-clear-report-draft="{account.pk}"' in text
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:passed_on"), {"saved": "²"}).status_code == 200
    # Another hotline, an officer: not theirs.
    for user in (other, cast.officer):
        stranger = Client()
        stranger.force_login(user)
        found = stranger.get(reverse("cases:passed_on"), {"saved": case.report_id})
        assert found.status_code == 404 or case.reference not in found.content.decode()


def test_a_form_of_many_communes_offers_the_province_first(tree, cast, hotline, monkeypatch):
    """The hotline records for every commune of the country: each option names its province, the select
    lists the provinces (the page's script shows them first); a commune officer's form of one commune not."""
    from cases import forms
    from cases.access import communes_for_intake

    monkeypatch.setattr(forms, "MANY_COMMUNES", 2)  # the test's tree has a handful of communes, not thousands
    account, _supervisor, _other = hotline
    many = forms.ReportForm(communes=communes_for_intake(account))
    html = str(many["commune"])
    provinces = json.loads(many.fields["commune"].widget.attrs["data-provinces"])
    assert sorted(name for _pk, name in provinces) == ["Tỉnh P", "Tỉnh Q"]
    assert f'value="{tree.commune_c1.pk}" data-province="{tree.province_p.pk}"' in html
    assert f'value="{tree.commune_c4.pk}" data-province="{tree.province_q.pk}"' in html
    one = forms.ReportForm(communes=communes_for_intake(cast.officer))
    assert "data-province" not in str(one["commune"])


def test_provinces_are_offered_in_the_vietnamese_alphabets_order(db):
    from config.vietnamese import sort_key

    names = ["Đồng Nai", "Tây Ninh", "Thành phố Hà Nội", "Cà Mau", "Cao Bằng", "An Giang", "Hải Phòng"]
    ordered = sorted(names, key=lambda name: sort_key(name.removeprefix("Thành phố ")))
    assert ordered == ["An Giang", "Cà Mau", "Cao Bằng", "Đồng Nai", "Thành phố Hà Nội", "Hải Phòng", "Tây Ninh"]
