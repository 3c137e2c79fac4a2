"""Documents an office files as they are: the Decree 30/2020 layout (issuer, number from the register, place
and date, signer, recipients), Vietnamese formats, tables like the official forms, the XLSX laid out alike.

The PDFs are read as a person reads them, through pdftotext."""

import datetime
import io
import re
import shutil
import subprocess
import threading

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from cases.choices import AbuseForm, AssignmentStatus, CaseState, ReportSource, ServiceType, Setting, Sex
from outgoing.models import IssuingBody, OutgoingDocument, RegisterCounter
from reports import documents, services
from reports.indicators import compute
from reports.periods import parse
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory
from tests.reports.handcount import H1, at

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)"),
]
# Code words that must never reach a document: the values of the choices behind the labels.
CODE_WORDS = sorted(
    {
        value
        for choices in (AbuseForm, AssignmentStatus, CaseState, ReportSource, ServiceType, Setting, Sex)
        for value in choices.values
    }
    | {"social_affairs", "peoples_committee", "health", "police", "0-5", "6-10", "11-15", "by_subunit"}
)


def text_of(pdf: bytes, *, layout: bool = False) -> str:
    arguments = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(arguments, input=pdf, capture_output=True, check=True).stdout.decode()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def issuer_lines(pdf: bytes) -> list[str]:
    """The left column of the header, line by line, as the layout puts it on the page."""
    lines = [line for line in text_of(pdf, layout=True).splitlines() if line.strip() != DRAFT_MARK]
    return [re.split(r"\s{3,}", line.strip())[0] for line in lines[:5] if line.strip()]


DRAFT_MARK = "DỰ THẢO"  # in the top margin of every page of a document not numbered yet


def code_words_in(text: str) -> list[str]:
    return [word for word in CODE_WORDS if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


@pytest.fixture
def tay_ninh(db):
    """A province, a commune and a ward as the official list names them: the province without its type word."""
    province = UnitFactory(level="province", code="80", name="Tây Ninh", division_type="tỉnh")
    commune = UnitFactory(level="commune", code="25486", name="Xã Tân Biên", division_type="xã", parent=province)
    ward = UnitFactory(level="commune", code="25459", name="Phường Tân Ninh", division_type="phường", parent=province)
    chairman = MembershipFactory(
        role="chairman",
        agency=AgencyFactory(agency_type__code="peoples_committee", name="UBND Xã Tân Biên", unit=commune),
        user__first_name="Nguyễn Văn Chính",
    ).user
    return province, commune, ward, chairman


def test_the_issuer_is_printed_in_two_lines_with_its_type_word(tay_ninh):
    province, commune, ward, _chairman = tay_ninh
    year = parse("2026")
    expected = {
        province: (["ỦY BAN NHÂN DÂN", "TỈNH TÂY NINH"], "Tây Ninh, ngày"),
        commune: (["ỦY BAN NHÂN DÂN", "XÃ TÂN BIÊN"], "Tân Biên, ngày"),
        ward: (["ỦY BAN NHÂN DÂN", "PHƯỜNG TÂN NINH"], "Tân Ninh, ngày"),
    }
    for unit, (lines, place) in expected.items():
        pdf = documents.report_pdf(compute(unit, year))
        assert issuer_lines(pdf)[:2] == lines, unit
        assert re.search(r"\n\s*Số:\s+/BC-UBND", text_of(pdf, layout=True))  # a draft: the number is left blank
        assert DRAFT_MARK in text_of(pdf)  # and says it is a draft on every page
        assert place in text_of(pdf)
    # A department issues instead, under its People's Committee: configured per report.
    department = IssuingBody.objects.create(
        unit=province,
        superior_name="UBND TỈNH TÂY NINH",
        name="SỞ Y TẾ",
        text_name="Sở Y tế",
        symbol="SYT",
        place="Tây Ninh",
        authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Lê Thị Mai",
    )
    from outgoing.letterhead import letterhead

    pdf = documents.report_pdf(compute(province, year), letterhead=letterhead(department))
    assert issuer_lines(pdf)[:2] == ["UBND TỈNH TÂY NINH", "SỞ Y TẾ"]
    assert re.search(r"\n\s*Số:\s+/BC-SYT", text_of(pdf, layout=True))
    text = flat(text_of(pdf))
    assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" in text
    assert "Lê Thị Mai" in text
    assert "Sở Y tế báo cáo tình hình xâm hại trẻ em" in text


def _submit(unit, period, actor):
    report = services.report_draft(actor=actor, unit=unit, period=period)
    return services.report_submit(actor=actor, report=report)


def test_a_submitted_report_takes_its_number_from_the_register(tay_ninh, settings, tmp_path):
    _province, commune, _ward, chairman = tay_ninh
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(at(2026, 7, 5, 9, 0), tick=False):
        first = _submit(commune, H1, chairman)
        second = _submit(commune, parse("2026-Q2"), chairman)
    assert (first.document.number_symbol, second.document.number_symbol) == ("1/BC-UBND", "2/BC-UBND")
    pdf = first.pdf.open("rb").read()
    lines = issuer_lines(pdf)
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "XÃ TÂN BIÊN", "Số: 1/BC-UBND"]
    assert DRAFT_MARK not in text_of(pdf)  # the numbered document is no draft
    text = flat(text_of(pdf))
    assert "Tân Biên, ngày 05 tháng 7 năm 2026" in text
    assert "BÁO CÁO Tình hình xâm hại trẻ em và công tác bảo vệ trẻ em 6 tháng đầu năm 2026" in text
    assert "Căn cứ Thông tư số 13/2021/TT-BLĐTBXH ngày 30 tháng 9 năm 2021" in text  # the circular is cited
    # The signer block: authority, title and the chairman's name, kept with the closing line of the body.
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "Nguyễn Văn Chính" in text
    assert "THỦ TRƯỞNG CƠ QUAN" not in text
    assert "Ký, ghi rõ họ tên" not in text
    pages = text_of(pdf).split("\f")
    last = next(page for page in pages if "Trên đây là báo cáo" in page)
    assert "Trên đây là báo cáo" in last
    assert "Nguyễn Văn Chính" in last
    assert "Nơi nhận:" in last
    assert "- Ủy ban nhân dân Tỉnh Tây Ninh;" not in last
    assert "- Ủy ban nhân dân tỉnh Tây Ninh;" in flat(last)
    assert "- Lưu: VT." in flat(last)
    # Page numbers from page 2, at the top: none on the first page.
    assert pages[0].strip().splitlines()[0].strip() != "1"
    if len([page for page in pages if page.strip()]) > 1:
        assert pages[1].strip().splitlines()[0].strip() == "2"
    # The XLSX carries the same number and date.
    cover = openpyxl.load_workbook(first.xlsx.open("rb"))["Báo cáo"]
    column = [cell.value for cell in cover["A"]]
    assert "Số: 1/BC-UBND" in column
    assert "Tân Biên, ngày 05 tháng 7 năm 2026" in column
    # The register is searchable, by number and by words.
    from outgoing.selectors import register_search

    assert [d.number for d in register_search(chairman, query="2/BC-UBND")] == [2]
    assert {d.number for d in register_search(chairman, query="6 tháng đầu năm 2026")} == {1}
    assert [d.number for d in register_search(chairman, year=2026, kind="BC")] == [2, 1]


def test_a_failed_render_gives_its_number_back(tay_ninh, settings, tmp_path, monkeypatch):
    _province, commune, _ward, chairman = tay_ninh
    settings.MEDIA_ROOT = tmp_path
    report = services.report_draft(actor=chairman, unit=commune, period=H1)
    original = documents.report_document

    def broken(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(documents, "report_document", broken)
    with pytest.raises(ValidationError, match="MemoryError"):
        services.report_submit(actor=chairman, report=report)
    assert not OutgoingDocument.objects.exists()
    assert not RegisterCounter.objects.filter(last_number__gt=0).exists()
    monkeypatch.setattr(documents, "report_document", original)
    assert services.report_submit(actor=chairman, report=report).document.number == 1  # no gap


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_get_two_consecutive_numbers(tay_ninh, settings, tmp_path):
    """Two real PostgreSQL connections submit at the same moment for the same issuing body."""
    _province, commune, _ward, chairman = tay_ninh
    settings.MEDIA_ROOT = tmp_path
    drafts = [
        services.report_draft(actor=chairman, unit=commune, period=parse(code)) for code in ("2026-Q1", "2026-Q2")
    ]
    barrier = threading.Barrier(2)
    errors, numbers = [], []

    def submit(draft):
        try:
            barrier.wait()
            numbers.append(services.report_submit(actor=chairman, report=draft).document.number)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(numbers) == [1, 2]
    assert sorted(OutgoingDocument.objects.values_list("number", flat=True)) == [1, 2]
    assert RegisterCounter.objects.get().last_number == 2


def test_formats_order_and_words_of_a_report(tree, cast, counted, settings, tmp_path):
    """Dates dd/mm/yyyy, 16,7 %-style shares, age groups in their order, labels and never codes."""
    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))
    pdf = documents.report_pdf(data)
    text = flat(text_of(pdf))
    assert "(từ ngày 01/01/2026 đến ngày 30/06/2026)" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO date
    assert "75,0 %" in text  # the 12-hour decision: 3 of 4 on time
    assert "60,0 %" in text
    assert "20,0 %" in text
    assert not re.search(r"\d+\.\d+ ?%", text)  # no decimal point in a share
    header = text[text.index("Biểu 1.") :]
    assert header.index("0–5 tuổi") < header.index("6–10 tuổi") < header.index("11–15 tuổi")
    assert header.index("Trẻ em gái") < header.index("Trẻ em trai")
    assert code_words_in(text) == []
    workbook = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(data)))
    cells = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value)
    assert code_words_in(cells) == []
    assert not re.search(r"\d{4}-\d{2}-\d{2}", cells)


def test_the_abuse_table_is_laid_out_like_the_official_form(tree, counted):
    """Forms of abuse (rows) by total, girls, boys and age groups (columns), figures equal to the hand count."""
    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))
    table = next(t for t in documents.tables(data) if t["id"] == "abused_children.by_abuse_form")
    assert [cell["label"] for cell in table["head"][0]] == ["Hình thức xâm hại", "Tổng số", "Giới tính", "Nhóm tuổi"]
    assert [cell["label"] for cell in table["head"][1]] == [
        "Trẻ em gái",
        "Trẻ em trai",
        "0–5 tuổi",
        "6–10 tuổi",
        "11–15 tuổi",
    ]
    rows = {row[0]: row[1:] for row in table["rows"]}
    #                        total girls boys 0–5 6–10 11–15
    assert rows["Bạo lực"] == [2, 1, 1, 1, 0, 1]  # An (girl, 11) and Bảo (boy, 5)
    assert rows["Bỏ mặc"] == [2, 1, 1, 1, 0, 1]
    assert rows["Xâm hại tình dục"] == [1, 1, 0, 0, 0, 1]  # Cúc (girl, 14)
    assert rows["– Dâm ô"] == [1, 1, 0, 0, 0, 1]
    assert rows["Mua bán trẻ em"] == [0, 0, 0, 0, 0, 0]
    assert table["total"] == ["Tổng số trẻ em bị xâm hại", 3, 2, 1, 1, 0, 2]
    # Every row's total is its girls plus boys, and its age groups' sum.
    for values in [*rows.values(), table["total"][1:]]:
        assert values[0] == values[1] + values[2] == values[3] + values[4] + values[5]
    assert table["code"] == "0101"
    settings_table = next(t for t in documents.tables(data) if t["id"] == "abused_children.by_setting")
    assert sum(row[1] for row in settings_table["rows"]) == settings_table["total"][1] == 3
    verification = next(t for t in documents.tables(data) if t["id"] == "reported_unverified.verification")
    assert [row[1] for row in verification["rows"]] == [3, 1, 1]
    assert verification["total"][1] == 5
    text = flat(text_of(documents.report_pdf(data)))
    assert "Bạo lực 2 1 1 1 0 1" in text
    assert "Tổng số trẻ em bị xâm hại 3 2 1 1 0 2" in text


def test_the_units_table_and_the_annex_add_up(tree, counted):
    """Units (rows) by indicator (columns) with a total row equal to the sum of the rows; the country's roll-up
    lists every commune in an annex, the provinces' subtotals equal to their communes'."""
    data = compute(None, H1, today=datetime.date(2026, 11, 1))
    units = documents.units_table(data)
    assert [row[0] for row in units["rows"]] == ["Tỉnh P", "Tỉnh Q"]
    for column in range(1, len(units["kinds"])):
        assert units["total"][column] == sum(row[column] for row in units["rows"])
    headings = [cell["label"] for cell in units["head"][0]]
    abused = headings.index("Trẻ em bị xâm hại (mã số 0101)")
    unverified = headings.index("Trường hợp chưa xác minh")
    assert units["total"][abused] == data["indicators"]["abused_children"]["total"] == 3
    assert units["total"][unverified] == 2  # Dũng in P, Phong in Q
    assert documents.needs_annex(data)
    headings, rows = documents.annex_rows(data)
    communes = [row for row in rows if row[0] == "commune"]
    assert [row[1] for row in communes] == ["Xã Một", "Xã Hai", "Phường Ba", "Xã Bốn"]  # by official code
    groups = [row for row in rows if row[0] == "group"]
    assert [(label, figures) for _kind, label, figures in groups] == [("Tỉnh P", [None] * len(headings))]
    # A province's communes add up to its row of the units table; Xã Bốn is Tỉnh Q's only commune (no heading).
    assert [sum(values) for values in zip(*(row[2] for row in communes[:3]), strict=True)] == units["rows"][0][1:]
    assert [sum(values) for values in zip(*(row[2] for row in communes), strict=True)] == units["total"][1:]
    assert rows[-1] == ("total", "Tổng số", units["total"][1:])  # the annex's total: the report's figures
    text = flat(text_of(documents.report_pdf(data)))
    assert "PHỤ LỤC" in text
    assert "SỐ LIỆU CHỦ YẾU THEO XÃ, PHƯỜNG, ĐẶC KHU" in text
    layout = text_of(documents.report_pdf(data), layout=True)
    assert re.search(r"1\s+Xã Một\s+2\s", layout)  # the commune's line: its ordinal, its name, its figures


def test_the_xlsx_is_laid_out_like_the_pdf(tree, counted):
    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))
    workbook = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(data)))
    assert workbook.sheetnames[0] == "Báo cáo"
    sheet = workbook["Biểu 01"]
    assert sheet["A1"].value.startswith("Biểu 1. Số trẻ em bị xâm hại, theo hình thức xâm hại")
    assert "mã số 0101" in sheet["A1"].value
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert {"A4:A5", "B4:B5", "C4:D4", "E4:G4"} <= merged  # the two-level header, merged like the form
    assert [sheet.cell(row=5, column=column).value for column in range(3, 8)] == [
        "Trẻ em gái",
        "Trẻ em trai",
        "0–5 tuổi",
        "6–10 tuổi",
        "11–15 tuổi",
    ]
    assert sheet.freeze_panes == "B6"
    assert sheet.print_title_rows == "$4:$5"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    violence = next(row for row in sheet.iter_rows(min_row=6, values_only=True) if row[0] == "Bạo lực")
    assert violence == ("Bạo lực", 2, 1, 1, 1, 0, 1)  # numbers, not text
    assert sheet.cell(row=6, column=2).number_format == "#,##0"
    timeliness = next(
        workbook[name] for name in workbook.sheetnames if "Tính kịp thời" in str(workbook[name]["A1"].value)
    )
    share = next(row for row in timeliness.iter_rows(min_row=5) if row[0].value.startswith("Quyết định"))[3]
    assert share.value == pytest.approx(0.75)
    assert share.number_format == "0.0 %"


def test_a_province_of_many_communes_lists_them_in_the_annex(tay_ninh):
    """More sub-units than the body holds: the list goes to the annex (ungrouped), with its total row."""
    province = tay_ninh[0]
    for number in range(40):
        UnitFactory(level="commune", code=f"2{number:04d}", name=f"Xã Thử {number:02d}", parent=province)
    data = compute(province, H1)
    assert len(data["subunits"]) == 42
    assert documents.needs_annex(data)
    assert not documents.units_in_body(data)
    _headings, rows = documents.annex_rows(data)
    assert [kind for kind, _label, _figures in rows] == ["commune"] * 42 + ["total"]
    text = flat(text_of(documents.report_pdf(data)))
    assert "II. SỐ LIỆU THEO ĐƠN VỊ" in text
    assert "(42 đơn vị cấp xã) tại Phụ lục kèm theo" in text
    assert "Xã Thử 39" in text


def _annex_sheet_rows(workbook) -> list[tuple]:
    """The rows of the XLSX annex under its header: (ordinal, label, figures…)."""
    return [row for row in workbook["Phụ lục"].iter_rows(min_row=5, values_only=True) if row[1] is not None]


def test_the_annex_lists_each_commune_once_and_its_columns_add_up_to_the_total(tree, counted):
    """Tây Ninh's shape since the 2025 reform: communes under the province itself, and a former district kept as
    an intermediate unit. Each commune is one numbered row, in the PDF and the XLSX alike; a heading row (with no
    figures, so that no column counts anything twice) only over a former district of several communes; the
    total is the sum of the commune rows, and the body says how many communes the annex lists."""
    former_e = UnitFactory(level="intermediate", code="902", name="Huyện E (cũ)", parent=tree.province_p)
    UnitFactory(level="commune", code="90005", name="Xã Năm", parent=former_e)  # a former district of one commune
    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))
    assert documents.needs_annex(data)
    headings, rows = documents.annex_rows(data)
    communes = [row for row in rows if row[0] == "commune"]
    assert sorted(label for _kind, label, _figures in communes) == sorted(c["name"] for c in data["communes"].values())
    assert [(kind, label) for kind, label, _figures in rows if kind != "commune"] == [
        ("group", "Huyện D (cũ)"),
        ("total", "Tổng số"),
    ]
    assert [figures for kind, _label, figures in rows if kind == "group"] == [[None] * len(headings)]
    total = rows[-1][2]
    assert total == [sum(values) for values in zip(*(figures for _k, _l, figures in communes), strict=True)]
    assert total == documents.units_table(data)["total"][1:]
    abused = headings.index("Trẻ em bị xâm hại (mã số 0101)")
    assert total[abused] == data["indicators"]["abused_children"]["total"] == 3

    sheet_rows = _annex_sheet_rows(openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(data))))
    body, total_row = sheet_rows[:-1], sheet_rows[-1]
    assert total_row[1] == "Tổng số"
    assert [row[1] for row in body if row[0] is None] == ["HUYỆN D (CŨ)"]  # the one unnumbered row: a heading
    numbered = [row for row in body if row[0] is not None]
    assert [row[0] for row in numbered] == list(range(1, len(data["communes"]) + 1))
    assert len({row[1].casefold() for row in body}) == len(body)  # no unit twice, in capitals or not
    for column in range(2, 2 + len(headings)):  # every column of the sheet adds up to its total
        assert sum(row[column] or 0 for row in body) == total_row[column] == total[column - 2]

    annex = documents.annex_pages(data)
    lines = [line.strip() for page in annex["pages"] for line in page["names"].splitlines()]
    assert [line for line in lines if not line[0].isdigit()] == ["HUYỆN D (CŨ)", "TỔNG SỐ"]
    assert [line.split("  ", 1)[0] for line in lines if line[0].isdigit()] == ["1", "2", "3", "4"]
    assert annex["count"] == len(data["communes"]) == 4
    text = flat(text_of(documents.report_pdf(data)))
    assert f"({len(data['communes'])} đơn vị cấp xã) tại Phụ lục kèm theo" in text
    annex_text = text_of(documents.report_pdf(data), layout=True).split("SỐ LIỆU CHỦ YẾU THEO XÃ, PHƯỜNG, ĐẶC KHU")[-1]
    assert len(re.findall(r"(?m)^\s*\d+\s+Xã Một\s", annex_text)) == 1
    assert len(re.findall(r"(?i)phường ba", annex_text)) == 1  # listed once, never as a heading of itself
    assert "HUYỆN E (CŨ)" not in annex_text  # a former district of one commune: no heading


def test_the_submission_table_states_its_count_and_a_footnote_only_for_a_marked_row(tree, counted):
    from reports.models import PeriodicReport

    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))
    rows = services.rollup(PeriodicReport(unit=tree.province_p, period_code=H1.code), data)
    assert [row["name"] for row in rows] == ["Huyện D (cũ)", "Phường Ba"]
    footnote = "(*) Số liệu hiện tại khác số liệu trong báo cáo đã nộp."
    text = flat(text_of(documents.report_pdf(data, rollup=rows)))
    assert "Số đơn vị cấp dưới trực tiếp: 2 đơn vị." in text
    assert "(*)" not in text  # no row differs: no mark, no footnote
    marked = [{**rows[0], "submitted": 0, "differs": True}, rows[1]]
    text = flat(text_of(documents.report_pdf(data, rollup=marked)))
    assert text.count("(*)") == 2  # the marked row and its footnote
    assert footnote in text


def test_an_indicator_code_corrected_in_the_administration_is_printed(tree, counted):
    """The codes are data: read from the official text, an administrator corrects them; none is guessed."""
    from reports.models import IndicatorReference

    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))
    assert next(t for t in documents.tables(data) if t["indicator"] == "abuse_cases")["code"] == ""
    IndicatorReference.objects.create(indicator="abuse_cases", code="9999", circular_name="Số vụ xâm hại trẻ em")
    assert next(t for t in documents.tables(data) if t["indicator"] == "abuse_cases")["code"] == "9999"
    assert "Số vụ xâm hại (mã số 9999)" in [cell["label"] for cell in documents.units_table(data)["head"][0]]
    assert "Biểu 3. Số vụ xâm hại trẻ em (mã số 9999)" in flat(text_of(documents.report_pdf(data)))


def test_the_issuer_is_chosen_per_report_and_bad_choices_get_a_message(tay_ninh, settings, tmp_path):
    from django.test import Client

    province, commune, _ward, chairman = tay_ninh
    settings.MEDIA_ROOT = tmp_path
    department = IssuingBody.objects.create(
        unit=commune, name="PHÒNG VĂN HÓA – XÃ HỘI", superior_name="UBND XÃ TÂN BIÊN", symbol="VHXH", place="Tân Biên",
        signer_title="TRƯỞNG PHÒNG", text_name="Phòng Văn hóa – Xã hội",
    )  # fmt: skip
    elsewhere = IssuingBody.objects.create(
        unit=province, name="SỞ Y TẾ", symbol="SYT", place="Tây Ninh", signer_title="GIÁM ĐỐC"
    )
    report = services.report_draft(actor=chairman, unit=commune, period=H1)
    client = Client()
    client.force_login(chairman)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "PHÒNG VĂN HÓA – XÃ HỘI" in page
    assert "SỞ Y TẾ" not in page
    for bad in ("abc", str(elsewhere.pk)):
        response = client.post(f"/reports/{report.pk}/", {"action": "save", "issuing_body": bad}, follow=True)
        assert response.status_code == 200
        assert "Hãy chọn" in response.content.decode()
    response = client.post(
        f"/reports/{report.pk}/", {"action": "submit", "issuing_body": department.pk, "assessment": ""}
    )
    assert response.url == f"/reports/{report.pk}/submit/"  # checked on a page of its own before it is frozen
    client.post(f"/reports/{report.pk}/submit/")
    report.refresh_from_db()
    assert report.document.number_symbol == "1/BC-VHXH"
    assert issuer_lines(report.pdf.open("rb").read())[:2] == ["UBND XÃ TÂN BIÊN", "PHÒNG VĂN HÓA – XÃ HỘI"]
