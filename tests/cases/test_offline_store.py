"""The server side of the phone's per-user offline store: the key handed back only to its own user (the
phone drops it while someone else is logged in), and the read-only summaries of the officer's own open
case files (only what the access door lets them open; never cached)."""

import base64
import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases import services
from cases.models import CaseFile, OfflineKey
from tests.factories import child_input

pytestmark = pytest.mark.django_db


def _key(client, key_id=None, *, restore=False):
    body = {"key_id": key_id} if key_id else {}
    if restore:
        body["restore"] = True
    return client.post("/offline/key/", body, content_type="application/json")


def test_the_key_is_handed_back_to_its_own_user_only(client, cast):
    client.force_login(cast.officer)
    issued = _key(client).json()
    assert "key" not in _key(client, issued["key_id"]).json()  # a check does not hand it out

    other = Client()
    other.force_login(cast.chairman)
    refused = _key(other, issued["key_id"], restore=True)
    assert refused.status_code == 403
    assert "key" not in refused.json()
    assert OfflineKey.objects.get(key_id=issued["key_id"]).revoked_at is None  # not theirs to revoke

    # The officer's login timed out; they log in again on the same phone.
    again = Client()
    again.force_login(cast.officer)
    restored = _key(again, issued["key_id"], restore=True)
    assert restored.status_code == 200
    assert restored.json()["key"] == issued["key"]
    assert restored["Cache-Control"].startswith("max-age=0")


def test_a_revoked_or_expired_key_is_never_handed_back(client, cast):
    client.force_login(cast.officer)
    issued = _key(client).json()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=73), tick=False):
        late = Client()
        late.force_login(cast.officer)
        expired = _key(late, issued["key_id"], restore=True)
        assert expired.status_code == 403
        assert "key" not in expired.json()

    client.force_login(cast.officer)
    second = _key(client).json()
    client.post("/accounts/logout/")
    client.force_login(cast.officer)
    revoked = _key(client, second["key_id"], restore=True)
    assert revoked.status_code == 403
    assert "key" not in revoked.json()
    assert base64.b64decode(second["key"])  # issued once, never again after the logout


def _summaries(client):
    response = client.get("/offline/my-cases/summaries/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.json()["cases"]


def test_summaries_hold_only_the_officers_own_open_files_they_may_open(client, cast, tree, receive):
    own = receive(children=[child_input(tree.commune_c1, name="Lò Thị Hoa Ban", birth=datetime.date(2016, 1, 2))])
    own_case = own.case_files.get()
    services.note_add(actor=cast.officer, case=own_case, text="Đã gặp trẻ ở nương.\nTrẻ khỏe, mẹ đi làm rẫy.")
    hidden = receive(children=[child_input(tree.commune_c1, name="Vàng Thị Mí")]).case_files.get()
    named = receive(children=[child_input(tree.commune_c1, name="Giàng A Páo")]).case_files.get()
    CaseFile.objects.filter(pk__in=[hidden.pk, named.pk]).update(is_restricted=True)
    assign_perm("cases.view_casefile", cast.officer, named)  # a restricted file naming the officer
    receive(
        actor=cast.officer_elsewhere, commune=tree.commune_c4, children=[child_input(tree.commune_c4, name="Hờ A Dế")]
    )

    client.force_login(cast.officer)
    rows = _summaries(client)
    assert sorted(row["id"] for row in rows) == sorted([own_case.pk, named.pk])
    row = next(row for row in rows if row["id"] == own_case.pk)
    assert row["reference"] == own_case.reference
    assert row["child"] == "Lò Thị Hoa Ban"
    assert row["age"] == timezone.localdate().year - 2016 - (
        timezone.localdate() < datetime.date(timezone.localdate().year, 1, 2)
    )
    assert row["state"] == own_case.get_state_display()
    assert row["notes"] == ["Đã gặp trẻ ở nương."]
    assert row["deadline"] is not None
    assert row["deadline"]["label"]
    assert "Vàng Thị Mí" not in str(rows)

    other = Client()
    other.force_login(cast.officer_elsewhere)
    elsewhere = _summaries(other)
    assert [row["child"] for row in elsewhere] == ["Hờ A Dế"]
    assert not {own_case.pk, hidden.pk, named.pk} & {row["id"] for row in elsewhere}


def test_summaries_are_refused_to_roles_that_receive_no_reports_and_to_the_logged_out(client, cast, receive):
    case = receive().case_files.get()
    client.force_login(cast.outsider)
    response = client.get("/offline/my-cases/summaries/")
    assert response.status_code == 403
    # The child's name and the file's reference (not "Nguy": the outsider may be called Nguyễn).
    assert case.child.full_name not in response.content.decode()
    assert case.reference not in response.content.decode()
    client.logout()
    response = client.get("/offline/my-cases/summaries/")
    assert response.status_code == 401
    assert case.child.full_name not in response.content.decode()
    assert case.reference not in response.content.decode()


def test_the_summaries_page_is_a_shell_page_that_names_no_child(client, cast, receive):
    case = receive().case_files.get()
    client.force_login(cast.officer)
    page = client.get("/offline/my-cases/")
    assert page.status_code == 200
    text = page.content.decode()
    assert case.child.full_name not in text
    assert case.reference not in text
    assert "/offline/my-cases/" in client.get("/sw.js").content.decode()
