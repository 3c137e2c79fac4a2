"""Working without signal on a phone (390×844), in Playwright's offline mode: a report with two children
and a photo recorded in a hamlet arrives once when the network returns, even when the first answer is
lost on the way; an assessment of a case file changed meanwhile is shown, not applied; logging out
wipes the encrypted store; nothing the service worker keeps names a child."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from cases import services
from cases.models import Attachment, CaseFile, InitialAssessment, Note, OfflineKey, Report
from config import files
from tests.e2e.conftest import login, lose_first_answer
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.factories import TEST_PASSWORD

CACHE_TEXT = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      out.push((await (await cache.match(request)).text()));
    }
  }
  return out.join("\\n");
}"""

# One store per user on the phone: "baove-offline-u<user id>".
STORE_DUMP = """async (name) => {
  const dbs = await indexedDB.databases();
  if (!dbs.some(db => db.name === name)) { return null; }
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => ok(r.result);
    r.onerror = ko;
  });
  const out = {};
  for (const name of db.objectStoreNames) {
    out[name] = await new Promise(ok => {
      const r = db.transaction(name).objectStore(name).getAll();
      r.onsuccess = () => ok(r.result);
    });
  }
  db.close();
  const text = [];
  for (const [name, rows] of Object.entries(out)) {
    for (const row of rows) {
      for (const value of Object.values(row)) {
        if (value instanceof ArrayBuffer) { text.push(new TextDecoder("utf-8", {fatal: false}).decode(value)); }
        else if (typeof value === "string") { text.push(value); }
        else if (Array.isArray(value)) { text.push(JSON.stringify(value)); }
        else if (value && value.type === "secret") { text.push("CRYPTOKEY extractable=" + value.extractable); }
      }
    }
  }
  return {counts: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length])), text: text.join("\\n")};
}"""


def store(page, user):
    """What the phone holds for USER: row counts per store, and the text of every value in the clear."""
    return page.evaluate(STORE_DUMP, f"baove-offline-u{user.pk}")


def _photo_with_metadata(path):
    image = Image.new("RGB", (3000, 2000), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "CameraMakerSecret"  # Make
    exif[0x0132] = "2026:11:30 08:00:00"  # DateTime
    image.save(path, "JPEG", quality=85, exif=exif.tobytes())
    return path


def _installed(page, path="/offline/"):
    """Open a page until the service worker controls it (the first visit installs it)."""
    page.goto(f"{page.base_url}{path}")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("caches.open('baove-shell').then(c => c.keys()).then(k => k.length >= 2)", timeout=15_000)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _fill_report(page):
    page.fill("#off-narrative", "Hai chị em bị cha dượng đánh khi say rượu.")
    page.get_by_text("Bạo lực", exact=True).click()
    page.fill("#off-reporter-name", "Nguyễn Văn Báo")
    page.fill("#off-child-1-full_name", "Lò Thị Hoa Ban")
    page.fill("#off-child-1-birth_date", "2015-03-04")
    page.get_by_role("button", name="Thêm trẻ em").click()
    page.fill("#off-child-2-full_name", "Lò Văn Sáng")
    page.fill("#off-child-2-birth_date", "2018-05-06")


@pytest.mark.django_db(transaction=True)
def test_a_two_child_report_and_a_photo_recorded_offline_arrive_once(page, cast, tmp_path):
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")  # from the phone, no network
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    expect(page.get_by_test_id("offline-banner")).to_contain_text("Không có mạng")
    page.goto(f"{page.base_url}/cases/")  # a page that needs the network: the offline forms instead
    expect(page.get_by_role("heading", name="Ghi khi không có mạng")).to_be_visible()

    # A mistake first: nothing is lost, the error says what is missing.
    page.fill("#off-narrative", "Hai chị em bị cha dượng đánh khi say rượu.")
    page.get_by_role("button", name="Lưu trên điện thoại và gửi").first.click()
    expect(page.locator("#offline-error")).to_contain_text("Họ và tên")
    expect(page.locator("#off-narrative")).to_have_value("Hai chị em bị cha dượng đánh khi say rượu.")

    _fill_report(page)
    page.set_input_files("#off-photos", str(_photo_with_metadata(tmp_path / "photo.jpg")))
    expect(page.locator("[data-offline-files] li")).to_have_count(1)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("button", name="Lưu trên điện thoại và gửi").first.click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()

    # Kept on the phone, encrypted: neither the store nor the caches hold a child's name in the clear.
    kept = store(page, cast.officer)
    assert kept["counts"]["items"] == 1
    assert kept["text"].count("CRYPTOKEY") == 1  # the one key, in the store's meta
    assert "CRYPTOKEY extractable=false" in kept["text"]
    for name in ("Hoa Ban", "Lò Văn Sáng", "Nguyễn Văn Báo", "cha dượng"):
        assert name not in kept["text"]
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.locator("[data-offline-item]")).to_have_count(1)
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "waiting")
    assert Report.objects.count() == 0

    # The network returns, but the first answer is lost on the way: the report was created, the phone
    # does not know it and sends again with the same key.
    lost = lose_first_answer(page, "**/api/v1/reports/")
    page.context.set_offline(False)
    page.get_by_role("button", name="Gửi ngay").click()
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent", timeout=40_000)
    assert lost == [True]
    page.context.unroute("**/api/v1/reports/")

    report = Report.objects.get()
    cases = list(report.case_files.select_related("child").order_by("pk"))
    assert [case.child.full_name for case in cases] == ["Lò Thị Hoa Ban", "Lò Văn Sáng"]
    assert CaseFile.objects.count() == 2
    assert report.received_by == cast.officer
    assert report.idempotency_key is not None
    photo = Attachment.objects.get()
    assert photo.case == cases[0]
    assert photo.content_type == "image/jpeg"
    stored = Image.open(io.BytesIO(files.read(photo.file)))
    assert max(stored.size) <= 1600
    assert not stored.getexif()
    expect(page.locator("[data-offline-item]")).to_contain_text(cases[0].reference)

    # What went left the phone: no sealed record, no file; a receipt with the references only.
    kept = store(page, cast.officer)
    assert kept["counts"]["items"] == 0
    assert kept["counts"]["files"] == 0
    assert kept["counts"]["receipts"] == 1
    assert cases[0].reference in kept["text"]
    for name in ("Hoa Ban", "Lò Văn Sáng", "Nguyễn Văn Báo", "cha dượng"):
        assert name not in kept["text"]
    # A forced retry of what went has nothing to send: nothing is created twice.
    page.evaluate(
        """async () => { const items = await BaoVeOffline.items();
           await BaoVeOffline.retry(items[0].id); }"""
    )
    page.evaluate("BaoVeOffline.sync()")
    assert Report.objects.count() == 1
    assert CaseFile.objects.count() == 2
    assert Attachment.objects.count() == 1

    assert not any(name in page.evaluate(CACHE_TEXT) for name in ("Hoa Ban", "Lò Văn Sáng", "Lo Thi Hoa Ban"))


@pytest.mark.django_db(transaction=True)
def test_an_assessment_of_a_case_changed_meanwhile_is_shown_not_applied(page, cast, receive):
    case = receive().case_files.get()
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.get_by_role("link", name="Đánh giá nguy cơ").click()
    expect(page.locator("#off-assess-case option")).to_contain_text(case.reference)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    page.get_by_role("link", name="Đánh giá nguy cơ").click()
    page.select_option("#off-assess-case", str(case.pk))
    page.select_option("#off-assess-severity", "high")
    page.locator("#offline-assess").get_by_role("button", name="Lưu trên điện thoại và gửi").click()
    expect(page.locator("#offline-error")).to_be_visible()  # every criterion must be rated
    for criterion in ("perpetrator_access", "care_environment", "child_capacity"):
        page.select_option(f"#off-assess-{criterion}", "medium")
    page.fill("#off-assess-notes", "Trẻ sợ về nhà.")
    page.locator("#offline-assess").get_by_role("button", name="Lưu trên điện thoại và gửi").click()
    # A high risk without emergency measures is confirmed, as on the web form.
    expect(page.locator("#offline-error")).to_contain_text("Nguy cơ ở mức cao")
    page.locator("label[for=off-assess-confirm]").click()
    page.locator("#offline-assess").get_by_role("button", name="Lưu trên điện thoại và gửi").click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    expect(page.locator("[data-confirm-no-emergency]")).to_be_hidden()  # the next assessment starts unasked

    # Meanwhile the chairman's office assessed it from the commune hall.
    services.case_assess(
        actor=cast.officer,
        case=case,
        severity="low",
        perpetrator_access="low",
        care_environment="low",
        child_capacity="low",
        is_emergency=False,
    )
    case.refresh_from_db()
    version = case.version

    page.context.set_offline(False)
    page.goto(f"{page.base_url}/offline/queue/")
    item = page.locator("[data-offline-item]")
    expect(item).to_have_attribute("data-offline-item", "conflict", timeout=40_000)
    expect(item).to_contain_text("Không áp dụng")
    expect(item.get_by_role("link", name="Mở hồ sơ")).to_have_attribute("href", f"/cases/{case.pk}/")
    case.refresh_from_db()
    assert case.version == version
    page.goto(f"{page.base_url}/")  # the work list tells the officer
    expect(page.get_by_test_id("work-offline-conflicts")).to_be_visible()
    expect(page.get_by_test_id("work-offline-conflicts")).to_contain_text("không được áp dụng")
    assessment = InitialAssessment.objects.get(case=case)
    assert assessment.severity == "low"


@pytest.mark.django_db(transaction=True)
def test_logout_wipes_the_encrypted_store_and_revokes_its_key(page, cast):
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    kept = store(page, cast.officer)
    assert kept is not None
    assert kept["text"].count("CRYPTOKEY extractable=false") == 1
    keys = OfflineKey.objects.filter(user=cast.officer)
    assert keys.exists()
    assert not keys.filter(revoked_at__isnull=False).exists()

    page.locator(".navbar-toggler").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#id_username")).to_be_visible()
    assert store(page, cast.officer) is None
    assert page.evaluate("caches.keys()") == []
    assert not keys.filter(revoked_at=None).exists()  # every key of that login


def test_a_note_recorded_offline_is_added_once_when_the_network_returns(page, cast, receive):
    case = receive().case_files.get()
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.get_by_role("link", name="Ghi chú").first.click()
    expect(page.locator("#off-note-case option")).to_contain_text(case.reference)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    page.get_by_role("link", name="Ghi chú").first.click()
    page.select_option("#off-note-case", str(case.pk))
    page.fill("#off-note-text", "Đã gặp trẻ ở nương, trẻ khỏe.")
    page.locator("#offline-note").get_by_role("button", name="Lưu trên điện thoại và gửi").click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    assert not Note.objects.filter(case=case).exists()
    page.context.set_offline(False)
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent", timeout=40_000)
    assert list(Note.objects.filter(case=case).values_list("text", flat=True)) == ["Đã gặp trẻ ở nương, trẻ khỏe."]
    # What stays on the phone is a receipt naming the case file, not the note.
    expect(page.locator("[data-offline-item]")).to_contain_text(case.reference)
    kept = store(page, cast.officer)
    assert kept["counts"]["items"] == 0
    assert "nương" not in kept["text"]


@pytest.mark.django_db(transaction=True)
def test_logging_out_with_no_signal_keeps_the_queue_and_says_why(page, cast):
    """With no network the server cannot end the login: the queue must not be wiped for nothing."""
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    _fill_report(page)
    page.get_by_role("button", name="Lưu trên điện thoại và gửi").first.click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))

    page.locator(".navbar-toggler").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_test_id("offline-notice")).to_contain_text("chưa thể đăng xuất")
    for link in page.get_by_test_id("offline-banner").get_by_role("link").all():
        assert link.bounding_box()["height"] >= 44  # the way to the offline forms, thumb-sized
    assert dialogs == []
    assert store(page, cast.officer)["counts"]["items"] == 1
    assert OfflineKey.objects.filter(user=cast.officer, revoked_at=None).exists()

    page.context.set_offline(False)  # the report still goes once the network returns
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent", timeout=40_000)
    assert Report.objects.count() == 1
