"""Reports from the community: the collaborator's short form and the public reporting page, each landing
in the commune officer's work list "to verify"; the reporter learns three words and nothing else."""

import base64
import datetime
import io
import json
import re

import altcha
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from cases import services
from cases.models import Attachment, CommunityReport, Report
from cases.receipts import receipt_digest
from config import abuse, files
from config.settings.base import redis_cache
from tests.factories import MembershipFactory, UserFactory, child_input, walk_to
from tests.test_healthz import _free_port
from work.selectors import work_for

pytestmark = pytest.mark.django_db

ANSWER = re.compile(r'data-testid="status-answer">.*?</div>', re.S)
SECRET_WHAT = "Bé bị cha đánh bằng roi mây tối qua, số bí mật 5521."
CHILD_WORDS = "Cháu Lò Thị Mỷ, 9 tuổi"


@pytest.fixture(autouse=True)
def clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _collaborator_post(client, **extra):
    data = {"child": CHILD_WORDS, "place": "Ấp Một, gần chợ", "what": SECRET_WHAT, "urgency": "danger_now"}
    data.update(extra)
    return client.post(reverse("cases:community_new"), data)


def _solved() -> str:
    """What the widget posts: the challenge of /bao-tin/thu-thach/ solved as a browser would."""
    challenge = altcha.Challenge.from_dict(json.loads(Client().get(reverse("cases:public_challenge")).content))
    solution = altcha.solve_challenge(challenge)
    return altcha.Payload(challenge, solution).to_base64()


def _public_data(tree, **extra):
    data = {
        "province": tree.province_p.pk,
        "commune": tree.commune_c1.pk,
        "child": CHILD_WORDS,
        "place": "Nhà cuối hẻm 3",
        "what": SECRET_WHAT,
        "urgency": "soon",
        "reporter_name": "",
        "reporter_phone": "",
    }
    data.update(extra)
    return data


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- collaborator


def test_the_collaborator_is_sent_from_the_new_report_form_to_the_short_form(cast):
    response = _client(cast.collaborator).get(reverse("cases:report_new"))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:community_new")
    page = _client(cast.collaborator).get(reverse("cases:community_new"))
    assert page.status_code == 200
    assert "Ấp Một" in page.content.decode()  # their hamlet, chosen


def test_a_collaborators_report_lands_in_the_officers_work_list_to_verify(cast, tree):
    response = _collaborator_post(_client(cast.collaborator), hamlet=tree.hamlet_h1.pk)
    assert response.status_code == 302
    found = CommunityReport.objects.get()
    assert (found.source, found.commune, found.hamlet, found.submitted_by) == (
        "collaborator",
        tree.commune_c1,
        tree.hamlet_h1,
        cast.collaborator,
    )
    assert (found.status, found.urgency, found.what) == ("to_verify", "danger_now", SECRET_WHAT)
    assert found.receipt_digest == ""
    sections = {section.key: section for section in work_for(cast.officer).sections}
    assert [item.url for item in sections["verify"].items] == [reverse("cases:community_detail", args=[found.pk])]
    assert sections["verify"].items[0].due_at == found.received_at + datetime.timedelta(hours=12)
    home = _client(cast.officer).get(reverse("home")).content.decode()
    assert "Thông tin cần xác minh" in home
    # The officer of another commune sees nothing of it.
    assert "verify" not in {section.key for section in work_for(cast.officer_elsewhere).sections}
    # The officers are told at once (urgent: the child is in danger now), without the child's words.
    notice = cast.officer.notifications.get()
    assert notice.is_urgent
    assert CHILD_WORDS not in notice.title + notice.body


def test_a_collaborator_reports_only_for_their_own_commune(cast, tree):
    data = services.CommunityReportInput(
        commune=tree.commune_c2, child="x", place="y", what="z", urgency="soon", hamlet=None
    )
    with pytest.raises(ValidationError):
        services.community_report_submit(actor=cast.collaborator, data=data)
    assert CommunityReport.objects.count() == 0


def test_the_short_form_keeps_what_was_typed_and_says_what_is_missing(cast):
    response = _collaborator_post(_client(cast.collaborator), what="", urgency="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Có 2 lỗi cần sửa" in page or "2 lỗi" in page
    assert CHILD_WORDS in page
    assert CommunityReport.objects.count() == 0


def test_the_officer_records_it_as_a_report_whose_twelve_hours_count_from_its_arrival(cast, tree):
    _collaborator_post(_client(cast.collaborator))
    found = CommunityReport.objects.get()
    officer = _client(cast.officer)
    form = officer.get(reverse("cases:report_new") + f"?community={found.pk}")
    assert form.status_code == 200
    assert SECRET_WHAT in form.content.decode()  # the narrative is filled in
    local = timezone.localtime(found.received_at)
    data = {
        "received_at": local.strftime("%Y-%m-%dT%H:%M"),
        "receiving_point": "commune",
        "commune": tree.commune_c1.pk,
        "source": "collaborator",
        "reporter_name": "Cộng tác viên",
        "setting": "family",
        "abuse_forms": ["violence"],
        "narrative": SECRET_WHAT,
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "20",
        "children-0-full_name": "Lò Thị Mỷ",
        "children-0-birth_date": "2017-05-05",
        "children-0-sex": "female",
    }
    response = officer.post(reverse("cases:report_new") + f"?community={found.pk}", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    found.refresh_from_db()
    report = Report.objects.get()
    assert (found.status, found.report, found.handled_by) == ("recorded", report, cast.officer)
    assert report.received_at == local.replace(second=0, microsecond=0)
    # Recorded once: a second try is refused.
    assert officer.get(reverse("cases:report_new") + f"?community={found.pk}").status_code == 403


def test_the_photo_of_a_public_report_is_encrypted_and_follows_it_to_the_case_file(cast, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("anh.jpg", _jpeg(), content_type="image/jpeg")
    found, _code = services.community_report_submit(
        actor=None,
        data=services.CommunityReportInput(
            commune=tree.commune_c1, child="Một em nhỏ", place="Chợ", what="Bị bỏ rơi", urgency="soon", photo=photo
        ),
    )
    stored = found.photo.open("rb").read()
    found.photo.close()
    assert not stored.startswith(b"\xff\xd8")  # not a JPEG on disk: encrypted
    assert files.decrypt(stored).startswith(b"\xff\xd8")
    officer = _client(cast.officer)
    assert officer.get(reverse("cases:community_photo", args=[found.pk])).content.startswith(b"\xff\xd8")
    report = services.report_receive(
        actor=cast.officer,
        report=services.ReportInput(
            received_at=found.received_at,
            receiving_point="commune",
            commune=tree.commune_c1,
            source="online",
            setting="family",
            narrative="Bị bỏ rơi",
            abuse_forms=["abandonment"],
            reporter_is_anonymous=True,
        ),
        children=[child_input(tree.commune_c1)],
        community_report=found,
    )
    attachment = Attachment.objects.get(case=report.case_files.get())
    assert attachment.content_type == "image/jpeg"
    assert files.read(attachment.file).startswith(b"\xff\xd8")


def test_the_officer_closes_one_with_a_reason(cast):
    _collaborator_post(_client(cast.collaborator))
    found = CommunityReport.objects.get()
    officer = _client(cast.officer)
    empty = officer.post(reverse("cases:community_close", args=[found.pk]), {"reason": ""})
    assert empty.status_code == 400
    response = officer.post(reverse("cases:community_close", args=[found.pk]), {"reason": "Đã xác minh: không có."})
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.status, found.closing_reason) == ("closed", "Đã xác minh: không có.")
    page = _client(cast.collaborator).get(reverse("cases:community_mine")).content.decode()
    assert "Đã kết thúc" in page


# ---------------------------------------------------------------------------------------------- status views


def _collaborator_world(cast, tree):
    """Two collaborators' reports; the first recorded as a report and carried to a plan, with notes."""
    other = UserFactory(username="other_collaborator")
    MembershipFactory(
        user=other, role="collaborator", agency=cast.collaborator.memberships.get().agency, unit=tree.hamlet_h1
    )
    _collaborator_post(_client(cast.collaborator))
    _collaborator_post(_client(other), what="Chuyện của người khác, số 8890.", child="Em Kha")
    mine = CommunityReport.objects.get(submitted_by=cast.collaborator)
    report = services.report_receive(
        actor=cast.officer,
        report=services.ReportInput(
            received_at=mine.received_at,
            receiving_point="commune",
            commune=tree.commune_c1,
            source="collaborator",
            setting="family",
            narrative="Tường thuật của cán bộ, số 3141.",
            abuse_forms=["violence"],
            reporter_name="CTV",
        ),
        children=[child_input(tree.commune_c1, name="Lò Thị Mỷ Hạnh")],
        community_report=mine,
    )
    case = report.case_files.get()
    walk_to(case, "investigated", officer=cast.officer, chairman=cast.chairman)
    services.note_add(actor=cast.officer, case=case, text="Ghi chú nội bộ số 2718.")
    return mine, case, other


def test_the_collaborator_sees_what_they_sent_and_three_words_nothing_else(cast, tree):
    mine, case, other = _collaborator_world(cast, tree)
    page = _client(cast.collaborator).get(reverse("cases:community_mine")).content.decode()
    assert SECRET_WHAT in page
    assert "Đang xử lý" in page
    for leak in (case.reference, "Lò Thị Mỷ Hạnh", "3141", "2718", "8890", "Em Kha", "Canbo", "Thấp", "low"):
        assert leak not in page, leak
    page_other = _client(other).get(reverse("cases:community_mine")).content.decode()
    assert "8890" in page_other
    assert SECRET_WHAT not in page_other
    # The officer's page of it is not theirs to open.
    assert _client(cast.collaborator).get(reverse("cases:community_detail", args=[mine.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------- public page


def test_a_public_report_needs_the_proof_of_work(tree):
    response = Client().post(reverse("cases:public_report"), _public_data(tree))
    assert response.status_code == 400
    assert "kiểm tra an toàn" in response.content.decode()
    assert CHILD_WORDS in response.content.decode()  # nothing typed is lost
    assert CommunityReport.objects.count() == 0
    forged = base64.b64encode(json.dumps({"challenge": {}, "solution": {}}).encode()).decode()
    assert Client().post(reverse("cases:public_report"), _public_data(tree, altcha=forged)).status_code == 400
    assert CommunityReport.objects.count() == 0


def test_a_public_report_lands_unverified_and_gives_a_receipt_shown_once(cast, tree):
    client = Client()
    response = client.post(reverse("cases:public_report"), _public_data(tree, altcha=_solved()))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:public_sent")
    found = CommunityReport.objects.get()
    assert (found.source, found.commune, found.status, found.submitted_by) == (
        "public",
        tree.commune_c1,
        "to_verify",
        None,
    )
    receipt = client.get(reverse("cases:public_sent"))
    code = receipt.context["code"]
    assert len(code) == 14
    assert found.receipt_digest == receipt_digest(code)
    assert code not in json.dumps(list(CommunityReport.objects.values()), default=str)  # only its digest is kept
    again = client.get(reverse("cases:public_sent"))
    assert again.status_code == 302  # shown once
    assert "verify" in {section.key for section in work_for(cast.officer).sections}


def test_a_solved_challenge_is_used_once(tree):
    payload = _solved()
    assert Client().post(reverse("cases:public_report"), _public_data(tree, altcha=payload)).status_code == 302
    assert Client().post(reverse("cases:public_report"), _public_data(tree, altcha=payload)).status_code == 400
    assert CommunityReport.objects.count() == 1


def test_the_commune_must_be_in_the_chosen_province(tree):
    data = _public_data(tree, province=tree.province_q.pk, altcha=_solved())
    response = Client().post(reverse("cases:public_report"), data)
    assert response.status_code == 400
    assert CommunityReport.objects.count() == 0


def test_a_photo_that_is_not_an_image_or_too_large_is_refused(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("a.jpg", b"%PDF-1.4\n%%EOF\n", content_type="image/jpeg")
    response = Client().post(reverse("cases:public_report"), {**_public_data(tree, altcha=_solved()), "photo": pdf})
    assert response.status_code == 400
    assert "Chỉ gửi được ảnh" in response.content.decode()
    big = SimpleUploadedFile("b.jpg", _jpeg() + b"\0" * (8 * 1024 * 1024), content_type="image/jpeg")
    response = Client().post(reverse("cases:public_report"), {**_public_data(tree, altcha=_solved()), "photo": big})
    assert response.status_code in (400, 413)
    assert CommunityReport.objects.count() == 0
    assert list(tmp_path.rglob("*.enc")) == []


def test_reports_from_one_address_are_limited(tree):
    for _ in range(5):
        assert Client().post(reverse("cases:public_report"), _public_data(tree, altcha=_solved())).status_code == 302
    response = Client().post(reverse("cases:public_report"), _public_data(tree, altcha=_solved()))
    assert response.status_code == 429
    assert CommunityReport.objects.count() == 5
    other = Client(REMOTE_ADDR="10.9.8.7").post(reverse("cases:public_report"), _public_data(tree, altcha=_solved()))
    assert other.status_code == 302  # another address is not held back


def test_look_ups_from_one_address_are_limited(tree):
    for _ in range(20):
        assert Client().post(reverse("cases:public_status"), {"code": "AAAA-BBBB-CCCC"}).status_code == 200
    assert Client().post(reverse("cases:public_status"), {"code": "AAAA-BBBB-CCCC"}).status_code == 429


def test_with_the_cache_down_the_limits_let_reports_through(tree, settings):
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{_free_port()}/0")}
    for _ in range(7):
        assert Client().post(reverse("cases:public_report"), _public_data(tree, altcha=_solved())).status_code == 302
    assert CommunityReport.objects.count() == 7
    assert abuse.rate_limit_exceeded("x", "1.2.3.4", limit=0, window=datetime.timedelta(minutes=1)) is False


def test_the_status_page_says_three_words_and_the_same_for_any_unknown_code(cast, tree):
    found, code = services.community_report_submit(
        actor=None,
        data=services.CommunityReportInput(
            commune=tree.commune_c1, child=CHILD_WORDS, place="Chợ", what=SECRET_WHAT, urgency="soon"
        ),
    )
    client = Client()
    page = client.post(reverse("cases:public_status"), {"code": code.lower().replace("-", " ")})
    assert page.context["status"] == "received"
    assert "Đã tiếp nhận" in page.content.decode()
    unknown = [
        client.post(reverse("cases:public_status"), {"code": guess}) for guess in ("ZZZZ-ZZZZ-ZZZZ", "x", code[:-1])
    ]
    answers = {ANSWER.search(response.content.decode())[0] for response in unknown}
    assert len(answers) == 1
    assert all(response.status_code == 200 for response in unknown)
    # Recorded and carried through the procedure: "being handled", then "closed" once its file is closed.
    report = services.report_receive(
        actor=cast.officer,
        report=services.ReportInput(
            received_at=found.received_at,
            receiving_point="commune",
            commune=tree.commune_c1,
            source="online",
            setting="family",
            narrative="Tường thuật của cán bộ, số 3141.",
            abuse_forms=["violence"],
            reporter_is_anonymous=True,
        ),
        children=[child_input(tree.commune_c1, name="Lò Thị Mỷ Hạnh")],
        community_report=found,
    )
    case = report.case_files.get()
    page = client.post(reverse("cases:public_status"), {"code": code}).content.decode()
    assert "Đang xử lý" in page
    for leak in (case.reference, "Lò Thị Mỷ Hạnh", "3141", SECRET_WHAT, CHILD_WORDS, tree.commune_c1.name):
        assert leak not in page, leak
    services.case_mark_not_child_protection(actor=cast.officer, case=case, reason="Không phải.")
    assert "Đã kết thúc" in client.post(reverse("cases:public_status"), {"code": code}).content.decode()


def test_nothing_of_the_public_page_needs_a_login(tree):
    client = Client()
    for name in ("cases:public_report", "cases:public_status", "cases:public_challenge"):
        assert client.get(reverse(name)).status_code == 200, name
    communes = client.get(reverse("cases:public_communes"), {"province": tree.province_p.pk}).json()["communes"]
    assert {row["name"] for row in communes} == {"Xã Một", "Xã Hai", "Phường Ba"}
    found = client.get(reverse("cases:public_communes"), {"q": "xa mot"}).json()["communes"]
    assert [row["id"] for row in found] == [tree.commune_c1.pk]


def test_every_public_report_and_refusal_is_in_the_audit_trail(tree):
    Client().post(reverse("cases:public_report"), _public_data(tree, altcha=_solved()))
    assert AuditEvent.objects.filter(object_type="community_report", action="create", user=None).count() == 1
