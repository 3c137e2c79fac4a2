"""Importing a commune's register: a realistic register of 2,000 rows (50 bad, 30 already registered),
every imported case file checked, the rows given back, the same file imported again to no change, and
who may import."""

import datetime
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from benchmarks.register_sample import HEADINGS, register_rows, write_xlsx
from cases import access
from cases.choices import CaseEventKind, DeadlineKind
from cases.models import (
    CaseEvent,
    CaseFile,
    Child,
    ImportedRow,
    ImportStatus,
    RegisterImport,
    RegisterImportRow,
    RegisterMapping,
    Report,
    RowStatus,
)
from cases.register import template_workbook
from cases.services import register_import as service
from notifications.models import Deadline, DeadlineState
from notifications.outbox import OutboxMessage
from tests.factories import child_input

pytestmark = pytest.mark.django_db


def _upload(path: str, name: str = "so-theo-doi.xlsx") -> SimpleUploadedFile:
    with open(path, "rb") as source:
        return SimpleUploadedFile(name, source.read())


def _check(actor, commune, path, name="so-theo-doi.xlsx") -> RegisterImport:
    upload = service.register_upload(actor=actor, commune=commune, upload=_upload(path, name))
    service.register_mapping_save(actor=actor, register_import=upload, mapping=upload.mapping)
    assert service.register_check(upload.pk) == "checked"
    upload.refresh_from_db()
    return upload


def _import(actor, upload) -> RegisterImport:
    service.register_import_start(actor=actor, register_import=upload)
    assert service.register_import_run(upload.pk) == "done"
    upload.refresh_from_db()
    return upload


def _registered(receive, tree, count: int) -> list[tuple[str, datetime.date]]:
    """COUNT children already in BaoVe (their own case files), as the register names them."""
    people = []
    for index in range(count):
        name = ("Lò Thị Khuê", "Mùa A Páo", "Giàng Thị Mỷ")[index % 3] + f" {index:02d}"
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=index * 7)
        receive(children=[child_input(tree.commune_c1, name=name, birth=birth)])
        people.append((name, birth))
    return people


def _counts() -> dict:
    return {
        "children": Child.objects.count(),
        "cases": CaseFile.objects.count(),
        "reports": Report.objects.count(),
        "events": CaseEvent.objects.count(),
        "deadlines": Deadline.objects.count(),
        "imported": ImportedRow.objects.count(),
    }


def test_a_register_of_2000_rows_imports_its_good_rows_and_gives_the_bad_ones_back(
    cast, tree, receive, tmp_path, default_ladders
):
    registered = _registered(receive, tree, 30)
    rows = register_rows(2000, commune="Xã Một", bad=50, duplicates=registered, today=timezone.localdate())
    path = str(tmp_path / "register.xlsx")
    write_xlsx(path, rows)
    before = _counts()
    upload = _check(cast.officer, tree.commune_c1, path)

    # The preview: each bad row with its problem, each duplicate with the child it matches; nothing saved yet.
    assert (upload.total_rows, upload.good_rows, upload.bad_rows, upload.duplicate_rows) == (2000, 1920, 50, 30)
    assert _counts() == before
    checked = {row.position: row for row in RegisterImportRow.objects.filter(register_import=upload)}
    registered_ids = dict(
        Child.objects.filter(full_name__in=[n for n, _b in registered]).values_list("full_name", "pk")
    )
    for position, sample in enumerate(rows, start=2):
        row = checked[position]
        codes = [code for code, _params in row.problems]
        if sample.kind == "bad":
            assert row.status == RowStatus.BAD, (position, codes)
            assert sample.problem in codes, (position, codes)
        elif sample.kind == "duplicate":
            assert row.status == RowStatus.DUPLICATE
            assert codes == ["duplicate"]
            assert row.match_id == registered_ids[sample.cells[1]]
        else:
            assert row.status == RowStatus.GOOD, (position, row.problems)
            assert not codes

    started = timezone.now()
    upload = _import(cast.officer, upload)
    assert upload.status == ImportStatus.DONE
    assert upload.imported_rows == 1920

    # Every imported case file: its child, report, step, dates, and its event and audit row as an import.
    imported = {
        row.position: row.case
        for row in ImportedRow.objects.filter(register_import=upload).select_related("case__child", "case__report")
    }
    assert len(imported) == 1920
    events = dict(CaseEvent.objects.filter(kind=CaseEventKind.IMPORTED).values_list("case_id", "to_state"))
    audited = set(
        AuditEvent.objects.filter(object_type="case", fields__event="imported").values_list("case_id", flat=True)
    )
    for position, sample in enumerate(rows, start=2):
        if sample.kind != "good":
            assert position not in imported
            continue
        case, expected = imported[position], sample.expected
        assert case.child.full_name == expected["full_name"]
        assert case.child.birth_date == expected["birth_date"]
        assert case.child.sex == expected["sex"]
        assert case.child.residence_commune_id == tree.commune_c1.pk
        assert case.commune_id == tree.commune_c1.pk
        assert case.officer_id == cast.officer.pk
        assert case.state == expected["state"]
        assert case.risk_level == expected["risk_level"]
        assert timezone.localtime(case.opened_at).date() == expected["received_on"]
        assert timezone.localtime(case.report.received_at).date() == expected["received_on"]
        closed = timezone.localtime(case.closed_at).date() if case.closed_at else None
        assert closed == expected["closed_on"]
        assert sorted(case.report.abuse_forms.values_list("form", flat=True)) == expected["forms"]
        assert case.reference == f"HS-{expected['received_on']:%Y}-{case.pk:06d}"
        assert events[case.pk] == expected["state"]
        assert case.pk in audited

    # Historical files: no time limit already past was registered (nothing escalates), the live ones were.
    case_ids = [case.pk for case in imported.values()]
    limits = Deadline.objects.filter(target_type__model="casefile", target_id__in=case_ids)
    assert not limits.filter(due_at__lte=started).exists()
    assert not limits.filter(state=DeadlineState.OPEN, target_id__in=[
        case.pk for case in imported.values() if case.state in ("closed", "not_child_protection")
    ]).exists()  # fmt: skip
    two_days_ago = timezone.localdate() - datetime.timedelta(days=2)
    recent = [
        case.pk
        for position, case in imported.items()
        if case.state == "received" and rows[position - 2].expected["received_on"] >= two_days_ago
    ]
    assert recent
    assert set(limits.filter(kind=DeadlineKind.PLAN_APPROVAL).values_list("target_id", flat=True)) >= set(recent)
    reviews = limits.filter(kind=DeadlineKind.REVIEW).values_list("target_id", flat=True)
    assert set(reviews) == {case.pk for case in imported.values() if case.state == "in_intervention"}

    # The rows given back: the file's own columns as typed, and the reason in Vietnamese and English.
    sheet = load_workbook(service.stored_path(upload.error_file), read_only=True).worksheets[0]
    given_back = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert given_back[0] == [*HEADINGS, "Lý do / Reason"]
    expected_back = [sample for sample in rows if sample.kind != "good"]
    assert len(given_back) - 1 == len(expected_back) == 80
    for line, sample in zip(given_back[1:], expected_back, strict=True):
        assert [cell or "" for cell in line[: len(HEADINGS)]] == sample.cells
        reason = line[-1]
        if sample.problem == "duplicate":
            assert "Có thể đã có trong BaoVe" in reason
            assert "Possibly already registered" in reason
        elif sample.problem == "aged_16":
            assert "dưới 16 tuổi" in reason
        assert reason
        assert " / " in reason

    # The same file again: every good row is recognised, and nothing changes.
    after = _counts()
    again = _check(cast.officer, tree.commune_c1, path, name="so-theo-doi (2).xlsx")
    assert (again.good_rows, again.already_imported_rows, again.bad_rows, again.duplicate_rows) == (0, 1920, 50, 30)
    with pytest.raises(ValidationError):
        service.register_import_start(actor=cast.officer, register_import=again)  # nothing left to import
    RegisterImport.objects.filter(pk=again.pk).update(status=ImportStatus.IMPORTING, imported_by=cast.officer)
    assert service.register_import_run(again.pk) == "done"
    assert _counts() == after


def test_the_check_speaks_of_communes_hamlets_and_ages_in_both_languages(cast, tree, tmp_path):
    blank = [""] * 6
    rows = [
        ["1", "Nguyễn Văn Tí", "2015", "Nam", "Xã Hai", "", "", "01/03/2025", "Bạo lực", *blank, "", ""],
        ["2", "Lê Thị Hoa", "12/13/2015", "Nữ", "Xã Bốn", "", "", "01/03/2025", "Bạo lực", *blank, "", ""],
        ["3", "Trần An", "05/05/2008", "nam", "", "Ấp Một", "", "06/06/2025", "dâm ô; mua bán", *blank[:5],
         "đang can thiệp", "", ""],
    ]  # fmt: skip
    path = str(tmp_path / "small.xlsx")
    from benchmarks.register_sample import SampleRow

    write_xlsx(path, [SampleRow(cells, "x") for cells in rows])
    upload = _check(cast.officer, tree.commune_c1, path)
    checked = list(RegisterImportRow.objects.filter(register_import=upload).order_by("position"))
    assert [code for code, _ in checked[0].problems] == ["commune_not_yours"]  # Xã Hai: C2, not the officer's
    assert [code for code, _ in checked[1].problems] == ["bad_date", "unknown_commune"]  # another province
    assert [code for code, _ in checked[2].problems] == ["aged_16"]  # 17 on the day of the report
    from cases.register import problems_text

    (text,) = problems_text(checked[2].problems)
    assert text.startswith("Trẻ em là người dưới 16 tuổi") or "dưới 16 tuổi" in text.split(" / ")[0]
    assert "a child is a person under 16" in text.split(" / ")[1]
    # The coordinator of the district imports C2 too.
    upload = _check(cast.coordinator_district, tree.commune_c1, path)
    first = RegisterImportRow.objects.get(register_import=upload, position=2)
    assert first.status == RowStatus.GOOD
    assert first.values["birth_year_only"] is True


def test_the_mapping_is_remembered_for_the_commune(cast, tree, tmp_path):
    path = str(tmp_path / "own.xlsx")
    headings = ["Số TT", "Tên của trẻ", "Sinh ngày", "Ngày báo", "Loại vụ việc"]
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(headings)
    workbook.active.append(["1", "Phạm Văn Bé", "01/01/2016", "02/02/2025", "Bỏ mặc"])
    workbook.save(path)
    upload = service.register_upload(actor=cast.officer, commune=tree.commune_c1, upload=_upload(path))
    assert "full_name" not in upload.mapping  # nothing known about "Tên của trẻ"
    with pytest.raises(ValidationError) as refused:
        service.register_mapping_save(actor=cast.officer, register_import=upload, mapping={"row_number": 0})
    assert set(refused.value.message_dict) == {"full_name", "birth_date", "received_on", "abuse_forms"}
    mapping = {"row_number": 0, "full_name": 1, "birth_date": 2, "received_on": 3, "abuse_forms": 4}
    service.register_mapping_save(actor=cast.officer, register_import=upload, mapping=mapping)
    assert OutboxMessage.objects.filter(task="cases.tasks.register_import_check", args=[upload.pk]).exists()
    assert RegisterMapping.objects.get(commune=tree.commune_c1).headings["ten cua tre"] == "full_name"
    second = service.register_upload(actor=cast.chairman, commune=tree.commune_c1, upload=_upload(path))
    assert second.mapping == mapping


def test_bad_uploads_are_refused_with_a_message(cast, tree):
    with pytest.raises(ValidationError) as refused:
        service.register_upload(
            actor=cast.officer, commune=tree.commune_c1, upload=SimpleUploadedFile("so.pdf", b"%PDF-1.4")
        )
    assert "file" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        service.register_upload(
            actor=cast.officer, commune=tree.commune_c1, upload=SimpleUploadedFile("so.xlsx", b"not a workbook")
        )
    assert "file" in refused.value.message_dict
    assert not RegisterImport.objects.exists()


@pytest.mark.parametrize("who", ["officer_elsewhere", "police", "collaborator", "leader", "outsider"])
def test_nobody_else_imports_into_a_commune(cast, tree, tmp_path, who, client):
    user = getattr(cast, who)
    rows = register_rows(5, commune="Xã Một")
    path = str(tmp_path / "register.xlsx")
    write_xlsx(path, rows)
    with pytest.raises(ValidationError):
        service.register_upload(actor=user, commune=tree.commune_c1, upload=_upload(path))
    assert not RegisterImport.objects.exists()
    upload = _check(cast.officer, tree.commune_c1, path)
    before = _counts()
    with pytest.raises(Http404):
        access.register_import_for_user(user, upload.pk)
    client.force_login(user)
    assert client.post(reverse("cases:register_run", args=[upload.pk])).status_code in (403, 404)
    assert client.get(reverse("cases:register_detail", args=[upload.pk])).status_code in (403, 404)
    assert client.get(reverse("cases:register_rejected", args=[upload.pk])).status_code in (403, 404)
    page = client.get(reverse("cases:register_import"))
    assert page.status_code == 403 or (page.status_code == 200 and "Xã Một" not in page.content.decode())
    assert tree.commune_c1 not in access.communes_for_register_import(user)
    upload.refresh_from_db()
    assert upload.status == ImportStatus.CHECKED
    assert upload.imported_by is None
    # Even a message queued by someone else does nothing for a user who may not import there.
    RegisterImport.objects.filter(pk=upload.pk).update(status=ImportStatus.IMPORTING, imported_by=user)
    assert service.register_import_run(upload.pk) == "refused"
    assert _counts() == before


def test_the_pages_walk_an_officer_through(cast, tree, tmp_path, client, default_ladders):
    client.force_login(cast.officer)
    page = client.get(reverse("cases:list"))
    assert reverse("cases:register_import") in page.content.decode()
    template = client.get(reverse("cases:register_template"))
    assert template.status_code == 200
    assert template.content == template_workbook()
    rows = register_rows(12, commune="Xã Một", bad=2)
    path = str(tmp_path / "register.xlsx")
    write_xlsx(path, rows)
    response = client.post(
        reverse("cases:register_import"), {"commune": tree.commune_c1.pk, "file": _upload(path)}, follow=True
    )
    upload = RegisterImport.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cases:register_mapping", args=[upload.pk])
    form = {code: "" if index is None else str(index) for code, index in upload.mapping.items()}
    response = client.post(reverse("cases:register_mapping", args=[upload.pk]), form)
    assert response.status_code == 302
    service.register_check(upload.pk)
    page = client.get(reverse("cases:register_detail", args=[upload.pk])).content.decode()
    assert page.count('data-testid="register-problem-row"') == 2
    client.post(reverse("cases:register_run", args=[upload.pk]))
    service.register_import_run(upload.pk)
    upload.refresh_from_db()
    assert upload.imported_rows == 10
    rejected = client.get(reverse("cases:register_rejected", args=[upload.pk]))
    assert rejected.status_code == 200
    assert b"".join(rejected.streaming_content)[:2] == b"PK"


def test_an_empty_required_column_is_refused_on_the_page_with_input_kept(cast, tree, tmp_path, client):
    rows = register_rows(3, commune="Xã Một")
    path = str(tmp_path / "register.xlsx")
    write_xlsx(path, rows)
    upload = service.register_upload(actor=cast.officer, commune=tree.commune_c1, upload=_upload(path))
    client.force_login(cast.officer)
    response = client.post(reverse("cases:register_mapping", args=[upload.pk]), {"row_number": "0", "sex": "3"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body
    assert 'value="3" selected' in body  # the choice made is kept
    upload.refresh_from_db()
    assert upload.status == ImportStatus.MAPPING


def test_work_whose_message_was_lost_starts_again_and_runs_once(cast, tree, tmp_path, client, default_ladders):
    path = str(tmp_path / "register.xlsx")
    write_xlsx(path, register_rows(6, commune="Xã Một"))
    upload = service.register_upload(actor=cast.officer, commune=tree.commune_c1, upload=_upload(path))
    service.register_mapping_save(actor=cast.officer, register_import=upload, mapping=upload.mapping)
    client.force_login(cast.chairman)
    client.post(reverse("cases:register_resume", args=[upload.pk]))
    assert OutboxMessage.objects.filter(task="cases.tasks.register_import_check", args=[upload.pk]).count() == 2
    assert service.register_check(upload.pk) == "checked"
    assert service.register_check(upload.pk) == "skipped"  # the second message
    upload.refresh_from_db()
    service.register_import_start(actor=cast.chairman, register_import=upload)
    assert service.register_import_run(upload.pk) == "done"
    assert service.register_import_run(upload.pk) == "skipped"
    upload.refresh_from_db()
    assert upload.imported_rows == 6
    assert CaseFile.objects.count() == 6
    assert not service.may_resume(upload)


def test_a_csv_register_is_read_and_a_row_meeting_a_newer_record_fails_the_import_whole(
    cast, tree, receive, tmp_path, default_ladders
):
    """A semicolon CSV as Excel writes it; a personal identification number on two rows is a problem; one
    registered between the check and the import fails the import as a whole (nothing half-imported)."""
    path = tmp_path / "so.csv"
    lines = [
        "STT;Họ và tên trẻ em;Ngày sinh;Số định danh cá nhân;Ngày tiếp nhận;Hình thức xâm hại",
        "1;Đinh Thị Mơ;03/04/2015;012345678901;05/05/2025;Bạo lực",
        "2;Đinh Văn Tèo;03/04/2016;012345678901;05/05/2025;Bỏ mặc",
        "3;Đinh Văn Tý;03/04/2017;012345678902;05/05/2025;Bỏ mặc",
    ]
    path.write_bytes("\ufeff".encode() + "\r\n".join(lines).encode())
    upload = _check(cast.officer, tree.commune_c1, str(path), name="so.csv")
    rows = {row.position: row for row in RegisterImportRow.objects.filter(register_import=upload)}
    assert rows[2].status == RowStatus.GOOD
    assert rows[2].values["full_name"] == "Đinh Thị Mơ"
    assert rows[3].problems == [["personal_id_repeated", {"line": 2}]]
    assert rows[4].status == RowStatus.GOOD
    receive(children=[child_input(tree.commune_c1, name="Đinh Văn Tý", personal_id="012345678902")])
    before = _counts()
    service.register_import_start(actor=cast.officer, register_import=upload)
    assert service.register_import_run(upload.pk) == "failed"
    upload.refresh_from_db()
    assert upload.status == ImportStatus.FAILED
    assert "check the rows again" in upload.failure or "kiểm tra lại" in upload.failure
    assert _counts() == before


def test_an_upload_forgets_the_childrens_data_after_30_days_and_its_cases_stay(
    cast, tree, tmp_path, settings, default_ladders, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    path = str(tmp_path / "register.xlsx")
    write_xlsx(path, register_rows(8, commune="Xã Một", bad=2))
    upload = _import(cast.officer, _check(cast.officer, tree.commune_c1, path))
    files = [service.stored_path(upload.stored_name), service.stored_path(upload.error_file)]
    assert all(os.path.exists(name) for name in files)
    assert service.register_uploads_forget() == 0  # a fresh upload is kept, to correct and import again
    later = timezone.now() + datetime.timedelta(days=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert service.register_uploads_forget(now=later) == 1
    assert not RegisterImportRow.objects.filter(register_import=upload).exists()
    assert not any(os.path.exists(name) for name in files)
    upload.refresh_from_db()
    assert (upload.stored_name, upload.error_file, upload.imported_rows) == ("", "", 6)
    assert CaseFile.objects.count() == ImportedRow.objects.count() == 6
    assert service.register_uploads_forget(now=later) == 0  # idempotent


def test_a_utf8_csv_longer_than_the_sniffed_head_keeps_its_diacritics(cast, tree, tmp_path):
    """The encoding was guessed from the first 4,096 bytes: when that cut a Vietnamese letter in two, the
    whole UTF-8 file was read as Windows-1258 ("Nguyá»…n")."""
    lines = ["STT,Họ và tên trẻ em,Ngày sinh,Ngày tiếp nhận,Hình thức xâm hại"]
    lines += [f"{number},Nguyễn Thị Ánh {number},05/03/2015,12/01/2025,Bạo lực" for number in range(1, 200)]
    text = "\n".join(lines)
    for pad in range(64):  # move the 4,096th byte into the middle of a letter
        data = text.replace("STT", "STT" + " " * pad, 1).encode()
        try:
            data[:4096].decode("utf-8")
        except UnicodeDecodeError:
            break
    (tmp_path / "so.csv").write_bytes(data)
    upload = _check(cast.officer, tree.commune_c1, str(tmp_path / "so.csv"), name="so.csv")
    assert upload.headings[1] == "Họ và tên trẻ em"
    row = RegisterImportRow.objects.get(register_import=upload, position=2)
    assert row.values["full_name"] == "Nguyễn Thị Ánh 1"
    assert row.cells[1] == "Nguyễn Thị Ánh 1"


def test_an_old_excel_csv_is_read_composed_and_a_broken_csv_is_refused_with_a_message(cast, tree, tmp_path):
    old = tmp_path / "so-cu.csv"
    # Windows-1258 as an old Excel writes it: the tone a separate mark ("Ti\u0309nh" for "Tỉnh").
    old.write_bytes(
        _cp1258("STT;Họ và tên;Ngày sinh;Ngày tiếp nhận;Hình thức xâm hại;Địa chỉ\r\n")
        + _cp1258("1;Nguyễn Văn Tí;05/03/2015;12/01/2025;Bạo lực;Tổ 3, ấp Thạnh Phú\r\n")
    )
    upload = _check(cast.officer, tree.commune_c1, str(old), name="so-cu.csv")
    row = RegisterImportRow.objects.get(register_import=upload, position=2)
    assert row.status == RowStatus.GOOD, row.problems
    assert row.values["address"] == "Tổ 3, ấp Thạnh Phú"  # one code point per letter, as typed elsewhere
    assert row.cells[1] == "Nguyễn Văn Tí"

    broken = tmp_path / "hong.csv"
    broken.write_text('STT,"Họ và tên\n' + "a" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        service.register_upload(actor=cast.officer, commune=tree.commune_c1, upload=_upload(str(broken), "hong.csv"))
    assert "CSV" in " ".join(refused.value.message_dict["file"])
    assert not RegisterImport.objects.filter(file_name="hong.csv").exists()


def _cp1258(text: str) -> bytes:
    """TEXT as Windows-1258: the letters it has whole (â, ơ, đ…) kept, the tones as separate marks."""
    import unicodedata

    out = []
    for char in text:
        base, *marks = unicodedata.normalize("NFD", char)
        for mark in marks:
            joined = unicodedata.normalize("NFC", base + mark)
            if len(joined) == 1 and joined.encode("cp1258", errors="ignore"):
                base = joined
                marks.remove(mark)
                break
        out.append(base + "".join(marks))
    return "".join(out).encode("cp1258")


def test_a_register_with_its_title_above_the_headings_and_blank_rows_is_read_with_its_own_line_numbers(
    cast, tree, tmp_path
):
    """A paper register typed into Excel: a title merged across the columns above the headings, a blank row
    between entries. The headings were taken from the title (nothing matched, no column to choose) and the
    lines named on the page and in the file given back were off by the rows skipped."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SỔ THEO DÕI TRẺ EM BỊ XÂM HẠI NĂM 2025 - UBND XÃ"])
    sheet.merge_cells("A1:F1")
    sheet.append(["STT", "Họ và tên", "Ngày tháng năm sinh", "Giới tính", "Ngày tiếp nhận", "Hình thức xâm hại"])
    sheet.append([1, "Nguyen Van An", "5/3/2015", "Nam", "12/1/2025", "Bạo lực"])
    sheet.append([])
    sheet.append([2, "Tran Thi Be", 2015, "nữ", datetime.datetime(2025, 2, 3), "Bỏ mặc"])
    sheet.append([2, "Le Van Cuong", "01/01/2016", "Nam", "10/03/2025", "Bạo lực"])
    path = str(tmp_path / "so-that.xlsx")
    workbook.save(path)
    upload = service.register_upload(actor=cast.officer, commune=tree.commune_c1, upload=_upload(path))
    assert upload.headings[:2] == ["STT", "Họ và tên"]
    assert upload.mapping == {
        "row_number": 0, "full_name": 1, "birth_date": 2, "sex": 3, "received_on": 4, "abuse_forms": 5,
    }  # fmt: skip
    service.register_mapping_save(actor=cast.officer, register_import=upload, mapping=upload.mapping)
    assert service.register_check(upload.pk) == "checked"
    rows = {row.position: row for row in RegisterImportRow.objects.filter(register_import=upload)}
    assert sorted(rows) == [3, 5, 6]  # the lines Excel shows: no title, no heading, no blank row
    assert rows[3].values["full_name"] == "Nguyen Van An"
    assert rows[3].status == RowStatus.GOOD
    assert rows[5].values["birth_year_only"] is True
    assert rows[5].values["received_on"] == "2025-02-03"
    assert rows[6].problems == [["row_number_repeated", {"value": "2", "line": 5}]]
    upload.refresh_from_db()
    assert (upload.total_rows, upload.good_rows, upload.bad_rows) == (3, 2, 1)


def test_rows_a_coordinator_may_import_are_not_imported_by_an_officer_of_one_commune(cast, tree, tmp_path):
    """The check allows the communes of whoever uploaded: a district coordinator's upload of Xã Một's register
    with a child of Xã Hai has that row ready. Xã Một's officer, who answers for Xã Một alone, must not make
    a case file in Xã Hai by pressing Import (nor by a message that reaches the worker)."""
    from benchmarks.register_sample import SampleRow

    blank = [""] * 6
    rows = [
        ["1", "Nguyễn Văn Tí", "2015", "Nam", "Xã Hai", "", "", "01/03/2025", "Bạo lực", *blank, "", ""],
        ["2", "Lê Thị Hoa", "12/12/2015", "Nữ", "", "", "", "01/03/2025", "Bạo lực", *blank, "", ""],
    ]
    path = str(tmp_path / "so.xlsx")
    write_xlsx(path, [SampleRow(cells, "x") for cells in rows])
    upload = _check(cast.coordinator_district, tree.commune_c1, path)
    assert upload.good_rows == 2
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        service.register_import_start(actor=cast.officer, register_import=upload)
    assert "Xã Hai" in " ".join(refused.value.messages)
    upload.refresh_from_db()
    assert upload.status == ImportStatus.CHECKED
    # A run whose importer is that officer (a message queued before the rule) imports nothing either.
    RegisterImport.objects.filter(pk=upload.pk).update(status=ImportStatus.IMPORTING, imported_by=cast.officer)
    assert service.register_import_run(upload.pk) == "failed"
    upload.refresh_from_db()
    assert "Xã Hai" in upload.failure
    assert _counts() == before


def test_a_column_without_a_heading_is_not_remembered_for_the_next_file(cast, tree, tmp_path):
    """A register whose child's name sits under an empty heading (its title merged over two columns): once
    matched, every later file's first column without a heading was taken for the child's name."""
    from openpyxl import Workbook

    path = str(tmp_path / "so.xlsx")
    workbook = Workbook()
    workbook.active.append(["STT", "", "Ngày sinh", "Ngày tiếp nhận", "Hình thức xâm hại"])
    workbook.active.append(["1", "Phạm Văn Bé", "01/01/2016", "02/02/2025", "Bỏ mặc"])
    workbook.save(path)
    upload = service.register_upload(actor=cast.officer, commune=tree.commune_c1, upload=_upload(path))
    service.register_mapping_save(
        actor=cast.officer, register_import=upload, mapping={**upload.mapping, "full_name": 1}
    )
    other = str(tmp_path / "khac.xlsx")
    workbook = Workbook()
    workbook.active.append(["STT", "", "Họ và tên", "Ngày sinh", "Ngày tiếp nhận", "Hình thức xâm hại"])
    workbook.save(other)
    second = service.register_upload(actor=cast.officer, commune=tree.commune_c1, upload=_upload(other))
    assert second.mapping["full_name"] == 2  # its own heading, not the empty column before it


def test_an_upload_naming_a_child_the_viewer_may_not_see_is_not_shown_to_them(cast, tree, tmp_path, receive, client):
    """A district coordinator's upload of Xã Một's register meets a child registered in Xã Hai (which the
    coordinator sees): its check names that child. Xã Một's officer, who may not see Xã Hai's children, must
    not read them on the upload's page nor in the rows given back; the coordinator still does."""
    from benchmarks.register_sample import SampleRow
    from tests.factories import AgencyFactory, MembershipFactory, UserFactory

    officer_c2 = UserFactory(username="officer_c2")
    social_c2 = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Hai", unit=tree.commune_c2)
    MembershipFactory(user=officer_c2, role="commune_officer", agency=social_c2, unit=tree.commune_c2)
    receive(
        actor=officer_c2,
        commune=tree.commune_c2,
        children=[child_input(tree.commune_c2, name="Hoàng Thị Kín Đáo", birth=datetime.date(2014, 6, 1))],
    )
    blank = [""] * 6
    rows = [["1", "Hoàng Thị Kín Đáo", "01/06/2014", "Nữ", "Xã Hai", "", "", "01/03/2025", "Bạo lực", *blank, "", ""]]
    path = str(tmp_path / "so.xlsx")
    write_xlsx(path, [SampleRow(cells, "x") for cells in rows])
    upload = _check(cast.coordinator_district, tree.commune_c1, path)
    assert upload.rows.filter(match__full_name="Hoàng Thị Kín Đáo").exists()

    client.force_login(cast.coordinator_district)
    assert "Kín Đáo" in client.get(reverse("cases:register_detail", args=[upload.pk])).content.decode()
    client.force_login(cast.officer)
    for name in ("register_detail", "register_rejected", "register_progress"):
        response = client.get(reverse(f"cases:{name}", args=[upload.pk]))
        assert response.status_code == 404, name
        assert "Kín Đáo" not in response.content.decode()
    with pytest.raises(Http404):
        access.register_import_for_user(cast.officer, upload.pk)
