"""The phone's offline store, one per user (Playwright's offline mode, 390×844): another user logging in
on the same phone neither reads nor sends nor wipes the first user's queue (its key leaves the phone
while nobody or someone else is logged in), which goes once they log in again; a warning before the
72-hour wipe; what was sent leaves the store; the officer's own case files read with no signal,
encrypted, wiped at logout; the first release's single store adopted by its user."""

import datetime
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Note, Report
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.e2e.test_offline import CACHE_TEXT, STORE_DUMP, _fill_report, _installed, store
from tests.factories import TEST_PASSWORD, child_input

SHOTS = os.environ.get("BAOVE_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-desktop.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})


def _until(page, script, argument, seconds=10):
    """Wait until an async SCRIPT (awaited, unlike wait_for_function's answer) is true."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script, argument):
        assert time.monotonic() < deadline, "never became true"
        page.wait_for_timeout(100)


def _record_report_offline(page):
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    _fill_report(page)
    page.get_by_role("button", name="Lưu trên điện thoại và gửi").first.click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()


def _logout(page):
    page.locator(".navbar-toggler").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#id_username")).to_be_visible(timeout=15_000)  # the store is wiped first


OPEN = """const db = await new Promise((ok, ko) => {
    const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = ko;
  });"""
# Moves a time kept in a user's store back by HOURS: the key's last check, or every receipt's sending.
SHIFT = """async ([name, what, hours]) => {
  OPEN
  const ago = new Date(Date.now() - hours * 3600 * 1000);
  const storeName = what === "key" ? "meta" : "receipts";
  await new Promise((ok, ko) => {
    const transaction = db.transaction(storeName, "readwrite");
    const store = transaction.objectStore(storeName);
    const request = store.getAll();
    request.onsuccess = () => {
      for (const row of request.result) {
        if (what === "key" && row.name === "key") { row.checkedAt = ago.getTime(); store.put(row); }
        if (what === "receipts") { row.sentAt = ago.toISOString(); store.put(row); }
      }
    };
    transaction.oncomplete = ok;
    transaction.onerror = ko;
  });
  db.close();
}""".replace("OPEN", OPEN)
# Whether the phone holds USER's key in a usable form (false: dropped while someone else is logged in).
KEY_DROPPED = """async (name) => {
  OPEN
  const meta = await new Promise(ok => {
    const r = db.transaction("meta").objectStore("meta").get("key"); r.onsuccess = () => ok(r.result);
  });
  db.close();
  return meta && meta.key === null;
}""".replace("OPEN", OPEN)


@pytest.mark.django_db(transaction=True)
def test_another_user_on_the_phone_neither_reads_nor_sends_the_first_users_queue(page, cast):
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    _record_report_offline(page)
    assert store(page, cast.officer)["counts"]["items"] == 1

    # The officer's login times out; the chairman logs in on the same phone, with the network.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.context.set_offline(False)
    # The login page, with nobody logged in: the officer's key already leaves the phone.
    page.goto(f"{page.base_url}/accounts/login/")
    _until(page, KEY_DROPPED, f"baove-offline-u{cast.officer.pk}")
    assert store(page, cast.officer)["counts"]["items"] == 1
    login(page, "chairman", TEST_PASSWORD)
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.get_by_role("heading", name="Chờ gửi", exact=True)).to_be_visible()
    _until(page, "() => BaoVeOffline.ready().then(meta => !!meta)", None)
    page.evaluate("BaoVeOffline.sync()")
    expect(page.locator("[data-offline-empty]")).to_be_visible()
    assert page.locator("[data-offline-item]").count() == 0
    assert page.evaluate("BaoVeOffline.items().then(items => items.length)") == 0
    # The officer's items stay, sealed, but the chairman's page holds no key to open them.
    _until(page, KEY_DROPPED, f"baove-offline-u{cast.officer.pk}")
    officers = store(page, cast.officer)
    assert officers["counts"]["items"] == 1
    assert "CRYPTOKEY" not in officers["text"]
    assert Report.objects.count() == 0

    _logout(page)  # the chairman's logout wipes the chairman's store only
    assert store(page, cast.chairman) is None
    assert store(page, cast.officer)["counts"]["items"] == 1

    # The officer logs in again (within 72 hours): the key is handed back, the report goes, once.
    login(page, "officer", TEST_PASSWORD)
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent", timeout=40_000)
    report = Report.objects.get()
    assert report.received_by == cast.officer
    assert report.case_files.count() == 2
    kept = store(page, cast.officer)
    assert kept["counts"]["items"] == 0
    assert kept["counts"]["receipts"] == 1
    assert "CRYPTOKEY extractable=false" in kept["text"]
    references = sorted(report.case_files.values_list("reference", flat=True))
    expect(page.locator("[data-offline-item]")).to_contain_text(references[0])
    expect(page.locator("[data-offline-item]")).to_contain_text("Tiếp nhận thông tin mới, đã gửi lúc")
    _shot(page, "queue-sent")

    # A receipt stays a week, then goes.
    page.evaluate(SHIFT, [f"baove-offline-u{cast.officer.pk}", "receipts", 8 * 24])
    page.reload()
    expect(page.locator("[data-offline-empty]")).to_be_visible()
    _until(
        page,
        f"name => ({STORE_DUMP})(name).then(kept => kept.counts.receipts === 0)",
        f"baove-offline-u{cast.officer.pk}",
    )


@pytest.mark.django_db(transaction=True)
def test_the_banner_and_the_queue_warn_before_the_72_hour_wipe(page, cast):
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    _record_report_offline(page)
    name = f"baove-offline-u{cast.officer.pk}"
    expect(page.get_by_test_id("offline-expiry")).to_be_hidden()

    page.evaluate(SHIFT, [name, "key", 61.5])  # 10 h 30 left
    page.goto(f"{page.base_url}/offline/queue/")
    warning = page.get_by_test_id("queue-expiry")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Còn 10 giờ để gửi 1 mục")
    expect(warning).to_contain_text("có sóng")
    expect(page.get_by_test_id("offline-expiry")).to_be_hidden()  # said once on the queue page
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    _shot(page, "queue-expiry-warning")

    page.evaluate(SHIFT, [name, "key", 71.5])
    page.goto(f"{page.base_url}/offline/")
    expect(page.get_by_test_id("offline-expiry")).to_be_visible()
    expect(page.get_by_test_id("offline-expiry")).to_contain_text("Còn chưa đến 1 giờ")
    _shot(page, "banner-expiry-warning")

    page.evaluate(SHIFT, [name, "key", 72.5])  # past the limit: wiped, and said so
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.get_by_test_id("offline-notice")).to_contain_text("72 giờ")
    expect(page.get_by_test_id("offline-expiry")).to_be_hidden()
    assert page.locator("[data-offline-item]").count() == 0


@pytest.mark.django_db(transaction=True)
def test_own_case_files_are_readable_offline_encrypted_and_wiped_at_logout(page, cast, tree, receive):
    report = receive(children=[child_input(tree.commune_c1, name="Lò Thị Hoa Ban", birth=datetime.date(2016, 1, 2))])
    case = report.case_files.get()
    services.note_add(actor=cast.officer, case=case, text="Đã gặp trẻ ở nương.")
    receive(
        actor=cast.officer_elsewhere, commune=tree.commune_c4, children=[child_input(tree.commune_c4, name="Hờ A Dế")]
    )
    login(page, "officer", TEST_PASSWORD)
    _installed(page, "/offline/my-cases/")
    summary = page.get_by_test_id("summary")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("Lò Thị Hoa Ban")

    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/queue/")
    page.get_by_test_id("queue-my-cases").click()
    expect(page.get_by_role("heading", name="Hồ sơ của tôi (chỉ xem)")).to_be_visible()
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("Lò Thị Hoa Ban")
    expect(summary).to_contain_text(case.reference)
    expect(summary).to_contain_text("Đã gặp trẻ ở nương.")
    expect(summary).not_to_contain_text("Hờ A Dế")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    _shot(page, "my-cases-offline")
    kept = store(page, cast.officer)
    assert "Hoa Ban" not in kept["text"]
    assert not any(text in page.evaluate(CACHE_TEXT) for text in ("Hoa Ban", case.reference, "ở nương"))

    page.context.set_offline(False)
    page.goto(f"{page.base_url}/")
    _logout(page)
    assert store(page, cast.officer) is None


# The one store of the first release, as a phone kept it: a note sealed under a key the server issued.
LEGACY_STORE = """async ([caseId, csrf]) => {
  const answer = await fetch("/offline/key/", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: "{}"});
  const body = await answer.json();
  const raw = Uint8Array.from(atob(body.key), c => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, {name: "AES-GCM"}, false, ["encrypt", "decrypt"]);
  const item = {id: crypto.randomUUID(), kind: "note", label: "Ghi chú", caseId: String(caseId),
    createdAt: new Date().toISOString(), status: "waiting", error: "",
    steps: [{url: `/api/v1/cases/${caseId}/notes/`, json: {text: "Ghi từ bản cũ."},
             idempotencyKey: crypto.randomUUID(), done: false}]};
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({name: "AES-GCM", iv}, key, new TextEncoder().encode(JSON.stringify(item)));
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("baove-offline", 1);
    r.onupgradeneeded = () => { for (const name of ["meta", "items", "files", "cases"]) {
      r.result.createObjectStore(name, {keyPath: name === "meta" ? "name" : "id"}); } };
    r.onsuccess = () => ok(r.result); r.onerror = ko;
  });
  await new Promise((ok, ko) => {
    const transaction = db.transaction(["meta", "items"], "readwrite");
    transaction.objectStore("meta").put({name: "key", keyId: body.key_id, key, checkedAt: Date.now()});
    transaction.objectStore("items").put({id: item.id, iv, data});
    transaction.oncomplete = ok; transaction.onerror = ko;
  });
  db.close();
}"""


@pytest.mark.django_db(transaction=True)
def test_the_first_releases_store_becomes_its_users_own_and_its_queue_goes(page, cast, receive):
    case = receive().case_files.get()
    # Logged in without opening a page of the app, then the old store laid out as the first release kept it.
    page.goto(f"{page.base_url}/accounts/login/")
    csrf = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    page.request.post(
        f"{page.base_url}/accounts/login/",
        form={"username": "officer", "password": TEST_PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{page.base_url}/accounts/login/"},
    )
    csrf = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    page.goto(f"{page.base_url}/static/favicon.svg")
    page.evaluate(LEGACY_STORE, [case.pk, csrf])
    assert not Note.objects.filter(case=case).exists()

    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent", timeout=40_000)
    assert list(Note.objects.filter(case=case).values_list("text", flat=True)) == ["Ghi từ bản cũ."]
    assert "baove-offline" not in page.evaluate("indexedDB.databases().then(dbs => dbs.map(db => db.name))")
    kept = store(page, cast.officer)
    assert kept["counts"]["items"] == 0
    assert kept["counts"]["receipts"] == 1
    expect(page.locator("[data-offline-item]")).to_contain_text("Ghi chú, đã gửi lúc")
