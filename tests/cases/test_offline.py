"""The server side of offline work: the per-login key of the phone's encrypted store (issued, checked,
revoked on logout, refused after 72 hours), idempotent sends of reports, notes and files, the
service worker and manifest, and the offline pages that hold no child's name."""

import base64
import datetime
import io
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from cases import services
from cases.models import AssignmentProgress, Attachment, CaseFile, Child, Note, OfflineKey, Report
from tests.cases.test_assignments import approved  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _report_body(key, **extra):
    body = {
        "received_at": (timezone.now() - datetime.timedelta(minutes=30)).isoformat(),
        "receiving_point": "commune",
        "commune_code": "90001",
        "source": "walk_in",
        "setting": "family",
        "narrative": "Hai anh em bị đánh.",
        "abuse_forms": ["violence"],
        "reporter_is_anonymous": True,
        "children": [
            {"full_name": "Lò Thị Mai", "birth_date": "2015-03-04"},
            {"full_name": "Lò Văn Sáng", "birth_date": "2018-05-06"},
        ],
        "idempotency_key": str(key),
    }
    body.update(extra)
    return body


def test_a_report_sent_twice_with_its_key_is_recorded_once(cast):
    key = uuid.uuid4()
    first = _api(cast.officer).post("/api/v1/reports/", _report_body(key), format="json")
    again = _api(cast.officer).post("/api/v1/reports/", _report_body(key), format="json")
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert Report.objects.count() == 1
    assert CaseFile.objects.count() == 2
    assert Child.objects.count() == 2
    assert Report.objects.get().idempotency_key == key


def test_someone_elses_key_is_refused_and_returns_nothing_of_theirs(cast):
    key = uuid.uuid4()
    _api(cast.officer).post("/api/v1/reports/", _report_body(key), format="json")
    response = _api(cast.chairman).post("/api/v1/reports/", _report_body(key), format="json")
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert "case_ids" not in response.json()
    assert Report.objects.count() == 1


def test_reports_without_a_key_are_each_recorded(cast):
    body = _report_body(None)
    body.pop("idempotency_key")
    _api(cast.officer).post("/api/v1/reports/", body, format="json")
    _api(cast.officer).post("/api/v1/reports/", body, format="json")
    assert Report.objects.count() == 2


def test_a_note_and_a_file_sent_twice_are_kept_once(cast, receive):
    case = receive().case_files.get()
    client = _api(cast.officer)
    key = str(uuid.uuid4())
    first = client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Đã gặp trẻ.", "idempotency_key": key})
    again = client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Đã gặp trẻ.", "idempotency_key": key})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Note.objects.filter(case=case).count() == 1

    image = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(image, "JPEG")
    key = str(uuid.uuid4())
    ids = []
    for _attempt in range(2):
        upload = SimpleUploadedFile("anh.jpg", image.getvalue(), content_type="image/jpeg")
        response = client.post(
            f"/api/v1/cases/{case.pk}/attachments/", {"file": upload, "idempotency_key": key}, format="multipart"
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    assert ids[0] == ids[1]
    assert Attachment.objects.filter(case=case).count() == 1


def _key(client, key_id=None):
    return client.post("/offline/key/", {"key_id": key_id} if key_id else {}, content_type="application/json")


def test_the_key_is_issued_to_a_login_checked_and_revoked_at_logout(client, cast):
    assert _key(client).status_code == 401
    client.force_login(cast.officer)
    issued = _key(client)
    assert issued.status_code == 200
    assert issued["Cache-Control"].startswith("max-age=0")
    body = issued.json()
    assert len(base64.b64decode(body["key"])) == 32
    key = OfflineKey.objects.get(key_id=body["key_id"])
    assert key.user == cast.officer
    assert bytes(key.material) == base64.b64decode(body["key"])

    checked = _key(client, body["key_id"])
    assert checked.status_code == 200
    assert "key" not in checked.json()  # a check does not hand the material out again

    client.post("/accounts/logout/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    client.force_login(cast.officer)
    refused = _key(client, body["key_id"])
    assert refused.status_code == 403
    assert refused.json()["code"] == "key_revoked"


def test_a_key_survives_an_idle_timeout_but_not_72_hours_without_a_check(client, cast):
    client.force_login(cast.officer)
    key_id = _key(client).json()["key_id"]
    client.logout  # noqa: B018 (an idle timeout ends the session without a logout)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=71), tick=False):
        client.force_login(cast.officer)
        assert _key(client, key_id).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=71 + 73), tick=False):
        client.force_login(cast.officer)
        assert _key(client, key_id).status_code == 403
    assert OfflineKey.objects.get(key_id=key_id).revoked_at is not None


def test_another_users_key_is_refused(client, cast):
    client.force_login(cast.officer)
    key_id = _key(client).json()["key_id"]
    other = Client()
    other.force_login(cast.chairman)
    assert _key(other, key_id).status_code == 403
    assert OfflineKey.objects.get(key_id=key_id).revoked_at is None  # not theirs to revoke
    assert _key(client, "not-a-uuid").status_code == 400


def test_own_open_case_files_for_offline_reading_are_scoped_and_never_cached(client, cast, tree, receive):
    case = receive().case_files.get()
    receive(actor=cast.officer_elsewhere, commune=tree.commune_c4)
    client.force_login(cast.officer)
    response = client.get("/offline/cases/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = response.json()["cases"]
    assert [row["id"] for row in rows] == [case.pk]
    assert rows[0]["version"] == case.version
    assert rows[0]["can_assess"] is True
    client.logout()
    client.force_login(cast.outsider)
    assert client.get("/offline/cases/").status_code == 403
    client.logout()
    assert client.get("/offline/cases/").status_code == 401


def test_the_service_worker_covers_the_app_and_the_shell_names_no_child(client, cast, receive):
    case = receive().case_files.get()
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker["Service-Worker-Allowed"] == "/"
    assert worker["Content-Type"].startswith("application/javascript")
    assert b"/static/vendor/workbox-7.4.1/workbox-sw.js" in worker.content
    assert b"storage.googleapis.com" not in worker.content
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"

    client.force_login(cast.officer)
    for path in ("/offline/", "/offline/queue/"):
        page = client.get(path)
        assert page.status_code == 200
        assert case.child.full_name not in page.content.decode()
        assert case.reference not in page.content.decode()
    assert b'data-offline-form="report"' in client.get("/offline/").content


def test_the_pages_kept_on_the_phone_say_nothing_of_the_person_they_were_fetched_for(client, cast, receive):
    """The offline pages are kept on the phone and shown to whoever opens them without signal (a shared phone,
    a session that timed out): no name, role, commune or count of the person in their menu."""
    receive()  # one thing waiting: the menu's counts are not zero
    cast.officer.first_name, cast.officer.last_name = "Hoàng Thị", "Thu Nguyệt"
    cast.officer.save()
    client.force_login(cast.officer)
    own = client.get("/cases/").content.decode()
    assert "Hoàng Thị Thu Nguyệt" in own  # an ordinary page says who is logged in
    assert 'data-testid="current-user"' in own
    assert 'data-testid="work-badge"' in own
    for path in ("/offline/", "/offline/queue/", "/offline/my-cases/"):
        kept = client.get(path).content.decode()
        assert "Hoàng Thị Thu Nguyệt" not in kept, path
        assert cast.officer.username not in kept, path
        assert 'data-testid="current-user"' not in kept, path
        assert 'data-testid="work-badge"' not in kept, path
        assert 'data-testid="unread-count"' not in kept, path
        assert 'name="csrfmiddlewaretoken"' in kept  # the menu's logout still works


def _webm(size: int) -> bytes:
    header = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    return header + b"\x00" * (size - len(header))


def test_a_voice_note_is_attached_with_its_type_and_size_checked(cast, receive):
    case = receive().case_files.get()
    client = _api(cast.officer)
    voice = SimpleUploadedFile("ghi-am.webm", _webm(20_000), content_type="audio/webm")
    response = client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": voice}, format="multipart")
    assert response.status_code == 201
    assert response.json()["content_type"] == "video/webm"  # read from its bytes, not the browser's claim
    too_long = SimpleUploadedFile("ghi-am.webm", _webm(6 * 1024 * 1024), content_type="audio/webm")
    response = client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": too_long}, format="multipart")
    assert response.status_code == 400
    assert "MB" in str(response.json())
    fake = SimpleUploadedFile("ghi-am.webm", b"#!/bin/sh\necho hello\n" * 10, content_type="audio/webm")
    assert client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": fake}, format="multipart").status_code == 400
    assert Attachment.objects.filter(case=case).count() == 1


def test_an_agencys_progress_report_sent_twice_is_kept_once_and_a_stale_one_is_refused(client, cast, approved):  # noqa: F811
    _case, police_job, _health_job, _nurse, _health = approved
    services.assignment_accept(actor=cast.police, assignment=police_job)
    police_job.refresh_from_db()
    client.force_login(cast.police)
    rows = client.get("/offline/cases/").json()
    assert rows["cases"] == []
    assert [row["id"] for row in rows["assignments"]] == [police_job.pk]
    assert "Nguyễn" not in str(rows)  # an agency's list names no child

    api = _api(cast.police)
    body = {"text": "Đã làm việc với gia đình.", "version": police_job.version, "idempotency_key": str(uuid.uuid4())}
    first = api.post(f"/api/v1/assignments/{police_job.pk}/progress/", body, format="json")
    again = api.post(f"/api/v1/assignments/{police_job.pk}/progress/", body, format="json")
    assert first.status_code == again.status_code == 200
    assert AssignmentProgress.objects.filter(assignment=police_job).count() == 1
    stale = {**body, "idempotency_key": str(uuid.uuid4())}  # seen before the first report moved it on
    assert api.post(f"/api/v1/assignments/{police_job.pk}/progress/", stale, format="json").status_code == 409
    assert AssignmentProgress.objects.filter(assignment=police_job).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_the_same_report_at_once_record_it_once(cast):
    """A phone that retries while its first send is still running (two tabs, a lost answer)."""
    key = uuid.uuid4()

    def send():
        response = _api(cast.officer).post("/api/v1/reports/", _report_body(key), format="json")
        return response.status_code, response.json()

    answers = at_once(send)
    assert [status for status, _body in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Report.objects.count() == 1
    assert CaseFile.objects.count() == 2
    assert Child.objects.count() == 2


def test_each_role_is_offered_the_offline_work_it_may_do(client, cast, health_c1):
    """The officer, an agency's focal point and a collaborator each get the offline link, the banner's
    words and the offline forms for what they may record; only the officer gets visits, notes, assessments
    and their own case files to read; someone with no such role gets no link to a form they could not use."""
    from tests.factories import MembershipFactory, UserFactory

    def shown(user, path="/notifications/") -> str:
        client.force_login(user)
        return client.get(path).content.decode()

    officer = shown(cast.officer)
    assert 'data-testid="nav-offline"' in officer
    assert 'data-cases-url="/offline/cases/"' in officer
    assert 'data-summaries-url="/offline/my-cases/' in officer
    assert "chuyến thăm, ghi chú hoặc đánh giá nguy cơ" in officer
    assert 'href="/offline/my-cases/"' in officer
    forms = shown(cast.officer, "/offline/")
    assert all(f'data-offline-form="{kind}"' in forms for kind in ("report", "visit", "note", "assess"))

    nurse = MembershipFactory(user=UserFactory(username="nurse"), role="focal_point", agency=health_c1).user
    page = shown(nurse)
    assert 'data-testid="nav-offline"' in page
    assert 'href="/offline/queue/"' in page
    assert 'data-cases-url="/offline/cases/"' in page
    assert "data-summaries-url" not in page
    assert "hoặc báo cáo tiến độ của cơ quan về một việc được giao" in page
    assert 'href="/offline/my-cases/"' not in page
    forms = shown(nurse, "/offline/")
    assert 'data-offline-form="report"' in forms
    assert 'data-offline-form="progress"' in forms
    assert not any(f'data-offline-form="{kind}"' in forms for kind in ("visit", "note", "assess"))

    collaborator = shown(cast.collaborator)
    assert 'data-testid="nav-offline"' in collaborator
    assert "data-cases-url" not in collaborator
    assert "data-summaries-url" not in collaborator
    assert "Bạn vẫn có thể báo tin trẻ em có nguy cơ" in collaborator

    outsider = shown(cast.outsider)
    assert 'data-testid="nav-offline"' not in outsider
    assert 'href="/offline/"' not in outsider
    assert "Mọi việc đều cần mạng" in outsider


def at_once(send, times: int = 2) -> list:
    """SEND called by TIMES threads released together (each with its own database connection, closed
    after): their answers, in the order they came."""
    import threading

    from django.db import connection

    answers = []
    start = threading.Barrier(times)

    def run():
        try:
            start.wait()
            answers.append(send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
