"""A period is named in the reader's language on pages; documents keep the Vietnamese name (label_vi), and a
Vietnamese page reads exactly as the documents do."""

import pytest
from django.test import Client
from django.utils import translation

from reports import services
from reports.periods import parse

CODES = {
    "2026": ("năm 2026", "year 2026"),
    "2026-H1": ("6 tháng đầu năm 2026", "first half of 2026"),
    "2026-H2": ("6 tháng cuối năm 2026", "second half of 2026"),
    "2026-Q3": ("quý 3 năm 2026", "Q3 2026"),
    "2026-04": ("tháng 4 năm 2026", "4/2026"),
    "2026-02-01..2026-03-15": ("từ 01/02/2026 đến 15/03/2026", "from 01/02/2026 to 15/03/2026"),
}


@pytest.mark.parametrize(("code", "names"), CODES.items())
def test_each_kind_of_period_is_named_in_the_readers_language(code, names):
    period = parse(code)
    with translation.override("vi"):
        assert period.label == names[0]
    assert period.label_vi == names[0]
    with translation.override("en"):
        assert period.label == names[1]
        assert period.label_vi == names[0]  # what documents print, whatever the page's language


@pytest.mark.django_db
def test_a_report_page_in_english_names_its_period_in_english(tree, cast):
    report = services.report_draft(actor=cast.officer, unit=tree.commune_c1, period=parse("2026-H1"))
    client = Client()
    client.force_login(cast.officer)
    english = client.get(f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "first half of 2026" in english
    assert "6 tháng đầu năm 2026" not in english
    vietnamese = client.get(f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "6 tháng đầu năm 2026" in vietnamese
