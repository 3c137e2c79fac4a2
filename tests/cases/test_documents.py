"""The forms of a case file (Mẫu 01–06) as documents: the date of the step, the child's ethnicity, a number from
the commune's outgoing register once issued (never twice), and only for those who may see the case file."""

import datetime
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from outgoing.models import OutgoingDocument
from tests.factories import child_input, walk_to

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)"),
]
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(pdf: bytes, *, layout: bool = False) -> str:
    """The PDF's text, spaces collapsed; LAYOUT: as laid out on the page (a field's label and its value on one
    line), else in reading order (each column of the header and of the signer block whole)."""
    run = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", run.stdout.decode())


def test_form_01_is_dated_by_the_receipt_and_prints_the_ethnicity(tree, cast, receive):
    received = datetime.datetime(2026, 2, 3, 21, 15, tzinfo=HCM)
    with time_machine.travel(received + datetime.timedelta(minutes=5), tick=False):
        case = receive(
            received_at=received,
            children=[child_input(tree.commune_c1, name="Hoàng Thị Mai", sex="female", ethnicity="08")],
        ).case_files.get()
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0, tzinfo=HCM), tick=False):  # printed months later
        pdf = _client(cast.officer).get(f"/cases/{case.pk}/forms/1.pdf").content
    text, fields = _text(pdf), _text(pdf, layout=True)
    assert "Một, ngày 03 tháng 02 năm 2026" in text  # the date of receipt, not the print's
    assert "20 tháng 5" not in text
    assert "Dân tộc: Hmông" in fields
    assert "Ngày sinh: 04/03/2015" in fields
    assert "Giới tính: Nữ" in fields
    assert "ỦY BAN NHÂN DÂN XÃ MỘT" in text
    assert "Mẫu số 01" in text
    assert "Số: /PTN-UBND" in fields  # a draft: not issued yet, the number left blank
    assert "Phiếu tiếp nhận được lập lúc 21 giờ 15 phút ngày 03/02/2026" in text
    assert "NGƯỜI TIẾP NHẬN" in text


def test_issuing_a_form_numbers_it_once_and_prints_it_with_its_number(tree, cast, receive, health_c1):
    case = receive().case_files.get()
    officer = _client(cast.officer)
    page = officer.get(f"/cases/{case.pk}/forms/").content.decode()
    assert 'data-testid="issue-1"' in page
    assert 'data-testid="issue-5"' not in page  # Mẫu 05 is the approval decision: nothing to issue yet
    officer.post(f"/cases/{case.pk}/forms/1/issue/")
    officer.post(f"/cases/{case.pk}/forms/1/issue/")  # again: the same document
    document = OutgoingDocument.objects.get()
    assert document.number_symbol == "1/PTN-UBND"
    assert document.title.endswith(f"hồ sơ {case.reference}")  # the summary names the file, never the child
    assert "Nguyễn Văn An" not in document.title
    assert "Số: 1/PTN-UBND" in _text(officer.get(f"/cases/{case.pk}/forms/1.pdf").content)
    # The chairman approves: Mẫu 05, the decision, is issued under the People's Committee and signed by him.
    measures = [(health_c1, "medical", "Khám sức khỏe cho trẻ.", datetime.date.today() + datetime.timedelta(days=7))]
    walk_to(case, "in_intervention", officer=cast.officer, chairman=cast.chairman, measures=measures)
    officer.post(f"/cases/{case.pk}/forms/5/issue/")
    decision = OutgoingDocument.objects.get(kind="QĐ")
    assert decision.number_symbol == "2/QĐ-UBND"  # one sequence per issuing body and year
    assert decision.signer == cast.chairman
    text = _text(officer.get(f"/cases/{case.pk}/forms/5.pdf").content)
    assert "QUYẾT ĐỊNH Về việc phê duyệt kế hoạch hỗ trợ, can thiệp" in text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "Điều 3. Quyết định này có hiệu lực kể từ ngày ký./." in text
    # Outside the case file: no form, no register entry of it.
    elsewhere = _client(cast.officer_elsewhere)
    assert elsewhere.get(f"/cases/{case.pk}/forms/").status_code == 404
    assert elsewhere.post(f"/cases/{case.pk}/forms/2/issue/").status_code == 404
    assert elsewhere.get(f"/documents/{document.pk}/issued.pdf").status_code == 404
    # An agency focal point may not open the form through the register either.
    assert _client(cast.police).get(f"/documents/{document.pk}/issued.pdf").status_code == 404


def test_the_register_lists_a_case_form_only_to_who_may_see_the_case_file(tree, cast, receive):
    """A case form's entry names the case file: a leader (figures only) and, once the file is restricted,
    staff not named on it neither find it in the register nor open its page."""
    from cases.services import case_restrict

    case = receive().case_files.get()
    _client(cast.officer).post(f"/cases/{case.pk}/forms/1/issue/")
    document = OutgoingDocument.objects.get()
    for user in (cast.officer, cast.chairman):
        assert case.reference in _client(user).get("/documents/register/").content.decode()
    leader = _client(cast.leader)
    assert case.reference not in leader.get("/documents/register/").content.decode()
    assert leader.get(f"/documents/{document.pk}/").status_code == 404
    case_restrict(actor=cast.officer, case=case, named_users=[], reason="Người bị tố cáo là cán bộ xã.")
    chairman = _client(cast.chairman)
    assert case.reference not in chairman.get("/documents/register/").content.decode()
    assert chairman.get(f"/documents/{document.pk}/").status_code == 404
    assert case.reference in _client(cast.officer).get("/documents/register/").content.decode()
    assert OutgoingDocument.objects.count() == 1  # nothing changed by looking
