"""A commune's register brought in on a phone (390×844): from the case list, the template, the upload, the
columns guessed, the check (its problems in Vietnamese and English), the import, and the file of rows given
back; axe-core finds no serious violation on the way. The background tasks are run here, as the worker would."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from benchmarks.register_sample import register_rows, write_xlsx
from cases.models import CaseFile, RegisterImport
from cases.services import register_import as service
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.factories import TEST_PASSWORD, child_input


def _axe(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE)


def test_an_officer_imports_the_commune_register(page, tree, cast, receive, tmp_path, settings, default_ladders):
    settings.MEDIA_ROOT = tmp_path
    born = datetime.date(2013, 4, 5)
    receive(children=[child_input(tree.commune_c1, name="Lò Văn Páo", birth=born)])
    rows = register_rows(24, commune="Xã Một", bad=3, duplicates=[("Lò Văn Páo", born)], today=timezone.localdate())
    path = tmp_path / "so-theo-doi.xlsx"
    write_xlsx(str(path), rows)
    login(page, "officer", TEST_PASSWORD)
    violations = []

    page.goto(f"{page.base_url}/cases/")
    page.get_by_test_id("register-import-link").click()
    with page.expect_download() as download:
        page.get_by_test_id("register-template").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    violations += _axe(page)
    page.set_input_files("#id_file", str(path))
    page.get_by_test_id("register-upload").click()

    # The columns, guessed from the headings: the required ones are all found.
    expect(page.get_by_test_id("register-mapping-form")).to_be_visible()
    expect(page.locator("#id_full_name")).to_have_value("1")  # "Họ tên", the file's second column
    violations += _axe(page)
    page.get_by_test_id("register-check").click()
    expect(page.get_by_test_id("register-status")).to_have_text("Đang kiểm tra các dòng")
    upload = RegisterImport.objects.get()
    service.register_check(upload.pk)  # the worker's part; the page follows and reloads itself
    expect(page.get_by_test_id("register-good")).to_have_text("20", timeout=15_000)
    expect(page.get_by_test_id("register-problem-row")).to_have_count(4)
    expect(page.get_by_test_id("register-problems")).to_contain_text("Có thể đã có trong BaoVe: Lò Văn Páo")
    expect(page.get_by_test_id("register-problems")).to_contain_text("Possibly already registered")
    violations += _axe(page)
    with page.expect_download() as download:
        page.get_by_test_id("register-rejected").click()
    assert download.value.suggested_filename == "so-theo-doi-dong-chua-nhap.xlsx"

    page.get_by_test_id("register-run").click()
    service.register_import_run(upload.pk)
    expect(page.get_by_test_id("register-imported")).to_have_text("20", timeout=15_000)
    assert CaseFile.objects.filter(commune=tree.commune_c1).count() == 21
    assert violations == []
