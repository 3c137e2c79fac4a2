"""Exports of a filtered case list, the caseload and the audit trail: exactly what the user's own page shows
(through the access door), recorded in the trail, personal data only in a ZIP encrypted with the password the
user chose (decrypted here), links that expire with a clear page, files deleted after."""

import csv
import datetime
import io
import re
import zipfile

import pytest
import pyzipper
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from agencies.access import access_changed
from audit.models import AuditChannel, AuditEvent, AuditObject
from cases import exports, selectors, services
from cases.models import CaseFile, Export, ExportState
from cases.services.exports import export_build, exports_tend
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, child_input

pytestmark = pytest.mark.django_db

PASSWORD = "Bao-ve-2026-tre-em"


@pytest.fixture
def world(tree, cast, receive, settings, tmp_path):
    """Three files in C1 (one restricted to the officer), one in C2, one in C4 (another province)."""
    settings.MEDIA_ROOT = tmp_path
    names = ["Lò Thị Một", "Lò Thị Hai", "Lò Thị Kín"]
    c1 = [receive(children=[child_input(tree.commune_c1, name=name)]).case_files.get() for name in names]
    services.case_restrict(actor=cast.officer, case=c1[2], named_users=[], reason="Người nhà cán bộ.")
    officer_c2 = UserFactory(username="officer_c2")
    social_c2 = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Hai", unit=tree.commune_c2)
    MembershipFactory(user=officer_c2, role="commune_officer", agency=social_c2, unit=tree.commune_c2)
    c2 = receive(actor=officer_c2, commune=tree.commune_c2, children=[child_input(tree.commune_c2, name="Lò Văn Hai")])
    c4 = receive(
        actor=cast.officer_elsewhere,
        commune=tree.commune_c4,
        children=[child_input(tree.commune_c4, name="Lò Văn Bốn")],
    )
    return {"c1": c1, "c2": c2.case_files.get(), "c4": c4.case_files.get()}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _request(client, query: str = "", file_format: str = "csv", path: str = "/cases/export/") -> Export | None:
    before = set(Export.objects.values_list("pk", flat=True))
    response = client.post(path, {"query": query, "file_format": file_format})
    created = Export.objects.exclude(pk__in=before)
    if response.status_code != 302:
        assert not created.exists()
        return None
    export = created.get()
    assert response["Location"] == reverse("cases:export_detail", args=[export.token])
    return export


def _download(client, export: Export, password: str = PASSWORD) -> bytes:
    assert export_build(export.pk) == "done"
    response = client.post(
        reverse("cases:export_detail", args=[export.token]), {"password": password, "password_again": password}
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    return response.content


def _open(package: bytes, password: str = PASSWORD) -> tuple[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(package)) as archive:
        archive.setpassword(password.encode())
        (name,) = archive.namelist()
        return name, archive.read(name)


def _rows(name: str, content: bytes) -> list[list[str]]:
    if name.endswith(".csv"):
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [[_shown(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def _shown(value) -> str:
    """A cell as the page shows it: XLSX dates are typed cells, read back as datetimes."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour, value.minute) != (0, 0) else f"{value:%d/%m/%Y}"
    return "" if value is None else str(value)


def _page_rows(client) -> list[list[str]]:
    """The case list page's desktop table, its headings then its rows cell by cell (without the deadlines)."""
    html = client.get("/cases/").content.decode()
    headings = re.findall(r'<th scope="col">(.*?)</th>', html)
    rows = [[heading for index, heading in enumerate(headings) if index != 5]]
    for row in re.findall(r'<tr data-testid="case-row">(.*?)</tr>', html, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        reference, child, commune, state, risk, _deadlines, received = cells
        rows.append([reference, child, commune, state, "" if risk == "—" else risk, received])
    return rows


ROLES = ["officer", "chairman", "coordinator_district", "coordinator_province", "admin", "officer_elsewhere"]
DENIED = ["police", "collaborator", "leader", "outsider"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_holds_exactly_the_rows_and_columns_of_the_users_list_page(world, cast, role, file_format):
    user = getattr(cast, role)
    client = _client(user)
    export = _request(client, file_format=file_format)
    name, content = _open(_download(client, export))
    assert name.endswith(f".{file_format}")
    rows = _rows(name, content)
    headings, *page = _page_rows(client)
    # The page's columns, then the province's extra fields in one cell (none recorded here).
    assert rows[0] == [*headings, "Thông tin bổ sung của tỉnh"]
    assert page  # every role here sees something on its page
    assert sorted(row[:-1] for row in rows[1:]) == sorted(page)
    assert {row[-1] for row in rows[1:]} == {""}
    references = {row[0] for row in rows[1:]}
    restricted, elsewhere = world["c1"][2].reference, world["c4"].reference
    assert (restricted in references) == (role == "officer")  # named only the officer who restricted it
    assert (elsewhere in references) == (role in {"officer_elsewhere", "admin"})
    assert world["c4"].child.full_name not in content.decode("utf-8", "ignore") or role in {
        "officer_elsewhere",
        "admin",
    }
    export.refresh_from_db()
    assert export.row_count == len(page)


@pytest.mark.parametrize("role", DENIED)
def test_who_opens_no_case_file_gets_no_export_and_nothing_is_recorded_as_exported(world, cast, role):
    client = _client(getattr(cast, role))
    assert client.get("/cases/export/").status_code == 404
    assert _request(client) is None
    assert not AuditEvent.objects.filter(action="export", user=getattr(cast, role)).exists()


def test_the_filter_of_the_list_carries_into_the_export(world, cast):
    client = _client(cast.coordinator_district)  # covers C1 and C2
    query = f"commune={world['c2'].commune_id}"
    page = client.get(f"/cases/export/?{query}")
    assert page.status_code == 200
    count = re.search(r'data-testid="export-count">(.*?)</p>', page.content.decode(), re.S).group(1)
    assert " 1 hồ sơ " in count, count
    name, content = _open(_download(client, _request(client, query=query)))
    rows = _rows(name, content)
    assert [row[0] for row in rows[1:]] == [world["c2"].reference]


def test_an_empty_list_says_there_is_nothing_to_export_and_prepares_nothing(world, cast):
    client = _client(cast.officer)
    page = client.get("/cases/export/?q=Kh%C3%B4ng+c%C3%B3+ai")
    text = page.content.decode()
    assert page.status_code == 200
    assert "không có hồ sơ nào: không có gì để xuất" in text
    assert 'data-testid="export-submit"' not in text
    assert _request(client, query="q=Kh%C3%B4ng+c%C3%B3+ai") is None
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_encrypted_export_opens_with_its_password_and_not_without(world, cast):
    client = _client(cast.officer)
    package = _download(client, _request(client, file_format="xlsx"))
    assert world["c1"][0].child.full_name.encode() not in package  # nothing readable in the ZIP itself
    with pyzipper.AESZipFile(io.BytesIO(package)) as archive:
        (name,) = archive.namelist()
        with pytest.raises(RuntimeError):
            archive.read(name)  # no password
        archive.setpassword(b"Sai-mat-khau-123")
        with pytest.raises(RuntimeError):
            archive.read(name)  # a wrong one
        assert archive.getinfo(name).wz_aes_strength == 3  # AES-256, not the weak ZipCrypto
    with zipfile.ZipFile(io.BytesIO(package)) as plain:
        assert plain.getinfo(name).compress_type == pyzipper.zipfile_aes.WZ_AES_COMPRESS_TYPE
        with pytest.raises(RuntimeError):
            plain.read(name)  # the standard library cannot open it without the password either
    name, content = _open(package)
    rows = _rows(name, content)
    assert world["c1"][0].child.full_name in {row[1] for row in rows}


def test_every_export_is_in_the_trail_and_the_password_nowhere(world, cast):
    client = _client(cast.officer)
    export = _request(client, query="state=received", file_format="csv")
    requested = AuditEvent.objects.get(action="export", object_type="case_list", fields__step="requested")
    assert requested.user == cast.officer
    assert requested.fields["query"] == "state=received"
    assert requested.fields["format"] == "csv"
    _download(client, export)
    built = AuditEvent.objects.get(action="export", object_type="case_list", fields__rows__isnull=False)
    assert built.user == cast.officer
    assert built.fields["rows"] == export.__class__.objects.get(pk=export.pk).row_count == 3
    downloaded = AuditEvent.objects.get(action="download", object_type="export")
    assert downloaded.user == cast.officer
    assert downloaded.fields["encrypted"] is True
    for event in AuditEvent.objects.all():
        assert PASSWORD not in repr(event.fields)
    assert PASSWORD not in repr(list(Export.objects.values()))


def test_each_exported_case_file_shows_the_export_on_its_own_trail(world, cast):
    """Who has seen a case file includes who exported it: one row per file in the export, none for the others."""
    client = _client(cast.officer)
    export = _request(client, query="", file_format="xlsx")
    assert not AuditEvent.objects.filter(action="export", object_type="case").exists()  # not before it is built
    _download(client, export)
    rows = AuditEvent.objects.filter(action="export", object_type="case")
    in_file = {case.pk for case in world["c1"]}  # the officer's list: C1's three files (one restricted, naming them)
    assert sorted(rows.values_list("case_id", flat=True)) == sorted(in_file)
    assert {(row.user_id, row.object_id, row.fields["export"], row.channel) for row in rows} == {
        (cast.officer.pk, str(pk), str(export.token), "task") for pk in in_file
    }
    assert not rows.filter(case_id__in=[world["c2"].pk, world["c4"].pk]).exists()
    viewers = selectors.case_viewers(world["c1"][0])
    assert cast.officer.username in [viewer["user__username"] for viewer in viewers]
    # A build that runs again (a duplicate message) finds nothing to claim and writes no row twice.
    assert export_build(export.pk) == "skipped"
    assert rows.count() == len(in_file)


def test_a_weak_password_is_refused_in_vietnamese_and_nothing_is_downloaded(world, cast):
    client = _client(cast.officer)
    export = _request(client)
    export_build(export.pk)
    url = reverse("cases:export_detail", args=[export.token])
    response = client.post(url, {"password": "abc", "password_again": "abc"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Mật khẩu phải có ít nhất 10 ký tự." in text
    assert "Mật khẩu phải có cả chữ và số." in text
    response = client.post(url, {"password": "matkhau2026x", "password_again": "matkhau2026y"})
    assert response.status_code == 400
    assert "Hai mật khẩu không giống nhau." in response.content.decode()
    assert not AuditEvent.objects.filter(action="download", object_type="export").exists()


def test_someone_elses_export_is_not_found_and_unchanged(world, cast):
    export = _request(_client(cast.officer))
    export_build(export.pk)
    other = _client(cast.chairman)
    url = reverse("cases:export_detail", args=[export.token])
    assert other.get(url).status_code == 404
    assert other.post(url, {"password": PASSWORD, "password_again": PASSWORD}).status_code == 404
    assert _client(cast.officer).get("/exports/not-a-token/").status_code == 404
    assert not AuditEvent.objects.filter(action="download", object_type="export").exists()


@pytest.mark.parametrize(("role", "path"), [("officer", "/cases/export/"), ("leader", "/audit/export/")])
def test_a_file_built_before_its_owner_lost_the_role_is_not_handed_out(world, cast, role, path):
    user = getattr(cast, role)
    client = _client(user)
    export = _request(client, path=path)
    assert export_build(export.pk) == "done"
    user.memberships.update(is_active=False)
    access_changed()  # a bulk update sends no signal
    url = reverse("cases:export_detail", args=[export.token])
    assert client.get(url).status_code == 404
    response = client.post(url, {"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 404
    assert response["Content-Type"] != "application/zip"
    assert not AuditEvent.objects.filter(action="download", object_type="export").exists()
    export.refresh_from_db()
    assert export.state == ExportState.READY  # nothing changed


def test_an_expired_link_gives_a_clear_page_and_the_file_is_deleted_once(world, cast):
    client = _client(cast.officer)
    export = _request(client)
    export_build(export.pk)
    export.refresh_from_db()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    later = timezone.now() + datetime.timedelta(hours=25)
    url = reverse("cases:export_detail", args=[export.token])
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "Tệp xuất này đã hết hạn" in response.content.decode()
    assert client.post(url, {"password": PASSWORD, "password_again": PASSWORD}).status_code == 410
    assert exports_tend(now=later)["expired"] == 1
    export.refresh_from_db()
    assert export.state == ExportState.EXPIRED
    assert not export.file
    assert not storage.exists(name)
    assert exports_tend(now=later)["expired"] == 0  # idempotent
    assert client.get(url).status_code == 410


def test_the_build_runs_once_whatever_the_messages(world, cast):
    export = _request(_client(cast.officer))
    assert export_build(export.pk) == "done"
    assert export_build(export.pk) == "skipped"
    assert AuditEvent.objects.filter(action="export", fields__rows__isnull=False).count() == 1


def test_a_lost_build_is_queued_again_by_the_periodic_task(world, cast):
    export = _request(_client(cast.officer))
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert exports_tend(now=later)["requeued"] == 1
    assert export_build(export.pk, now=later) == "done"


def test_a_column_added_to_the_registry_is_in_every_export_of_its_kind(world, cast):
    exports.register(
        exports.CASE_LIST, exports.Column("opened_year", "Năm", lambda row: row["opened_at"].year, ("opened_at",))
    )
    try:
        client = _client(cast.officer)
        name, content = _open(_download(client, _request(client)))
        rows = _rows(name, content)
        assert rows[0] == [*_page_rows(client)[0], "Thông tin bổ sung của tỉnh", "Năm"]
        assert {row[-1] for row in rows[1:]} == {str(timezone.now().year)}
    finally:
        exports.unregister(exports.CASE_LIST, "opened_year")


def test_cells_that_would_run_as_formulas_are_written_as_text():
    _output, count = exports.write("formula_test", "csv", [])
    assert count == 0
    assert exports._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports._cell("Lò Thị Một") == "Lò Thị Một"


def test_an_xlsx_holds_a_formula_like_name_as_plain_text_without_a_quote():
    exports.register("formula_xlsx", exports.Column("name", "Name", lambda row: row))
    try:
        output, count = exports.write("formula_xlsx", "xlsx", ["=HYPERLINK(1)", "-Lan", "Lò Thị Một"])
    finally:
        exports.unregister("formula_xlsx", "name")
    with output:
        sheet = load_workbook(io.BytesIO(output.read())).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert count == 3
    assert [(cell.value, cell.data_type) for cell in cells] == [
        ("=HYPERLINK(1)", "s"),
        ("-Lan", "s"),
        ("Lò Thị Một", "s"),
    ]


# ---------------------------------------------------------------------------------------------- the audit trail


def test_a_leader_exports_the_trail_of_their_province_only(world, cast):
    client = _client(cast.leader)
    export = _request(client, path="/audit/export/", file_format="xlsx")
    name, content = _open(_download(client, export))
    rows = _rows(name, content)
    with translation.override("vi"):
        assert rows[0][:3] == [str(exports.columns(exports.AUDIT)[i].label) for i in range(3)]
    references = {row[5] for row in rows[1:]}
    assert world["c1"][0].reference in references
    assert world["c4"].reference not in references  # another province
    assert world["c1"][2].reference not in references  # restricted, does not name the leader


def test_the_trail_export_says_the_object_and_the_channel_in_words_as_the_page_does(world, cast):
    client = _client(cast.leader)
    export = _request(client, path="/audit/export/", file_format="csv")
    name, content = _open(_download(client, export))
    rows = _rows(name, content)[1:]
    assert rows
    with translation.override("vi"):
        objects = {str(label) for _code, label in AuditObject.choices}
        channels = {str(label) for _code, label in AuditChannel.choices} | {""}
    assert {row[3] for row in rows} <= objects
    assert {row[8] for row in rows} <= channels
    assert not {row[3] for row in rows} & set(AuditObject.values)
    assert not {row[8] for row in rows} & set(AuditChannel.values)


@pytest.mark.parametrize("role", ["officer", "chairman", "police", "outsider"])
def test_who_may_not_search_the_trail_may_not_export_it(world, cast, role):
    client = _client(getattr(cast, role))
    assert client.get("/audit/export/").status_code == 404
    assert _request(client, path="/audit/export/") is None


# ---------------------------------------------------------------------------------------------- the caseload


def test_the_caseload_export_has_the_pages_counts_and_no_child(world, cast):
    client = _client(cast.chairman)
    response = client.get("/caseload/export.xlsx")
    assert response.status_code == 200
    rows = _rows("x.xlsx", response.content)
    assert rows[0][:3] == ["Xã", "Cán bộ", "Cán bộ của xã"]
    officer_row = next(row for row in rows[1:] if row[1] == (cast.officer.get_full_name() or cast.officer.username))
    assert officer_row[0] == "Xã Một"
    assert officer_row[3] == "2"  # open and visible to the chairman
    assert officer_row[7] == "1"  # the restricted one, counted, never listed
    text = repr(rows)
    assert "Lò Thị" not in text
    assert world["c1"][0].reference not in text
    event = AuditEvent.objects.get(action="export", object_type="caseload", user=cast.chairman)
    assert event.fields["rows"] == len(rows) - 1
    csv_rows = _rows("x.csv", client.get("/caseload/export.csv").content)
    assert csv_rows == rows


@pytest.mark.parametrize("role", ["officer", "police", "outsider"])
def test_who_follows_no_caseload_gets_no_caseload_export(world, cast, role):
    response = _client(getattr(cast, role)).get("/caseload/export.csv")
    assert response.status_code in (403, 404)
    assert "Lò Thị" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="export", object_type="caseload").exists()


def test_the_password_is_kept_out_of_error_reports(world, cast, rf):
    from django.views.debug import SafeExceptionReporterFilter

    request = rf.post("/", {"password": PASSWORD, "password_again": PASSWORD, "other": "x"})
    from cases.views.exports import export_detail

    # The decorator marks the request as it enters the view; a 404 (no such export) still went through it.
    request.user = cast.officer
    with pytest.raises(Http404):
        export_detail(request, token="00000000-0000-0000-0000-000000000000")
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["password"] != PASSWORD
    assert cleaned["password_again"] != PASSWORD
    assert cleaned["other"] == "x"


def test_the_provinces_extra_fields_are_exported_with_their_labels(world, cast, tree):
    from cases.models import ExtraField

    for order, (key, label, kind) in enumerate(
        [("sessions", "Số buổi tư vấn", "number"), ("met_on", "Ngày họp liên ngành", "date")]
    ):
        ExtraField.objects.create(
            province=tree.province_p, target="case", key=key, label=label, field_type=kind, sort_order=order,
            created_by=cast.admin,
        )  # fmt: skip
    case = world["c1"][0]
    case.extra = {"sessions": 3, "met_on": "2026-11-02", "retired": "giữ lại"}
    case.save(update_fields=["extra"])
    client = _client(cast.officer)
    rows = _rows(*_open(_download(client, _request(client, file_format="xlsx"))))
    cells = {row[0]: row[-1] for row in rows[1:]}
    assert cells[case.reference] == "Số buổi tư vấn: 3; Ngày họp liên ngành: 02/11/2026; retired: giữ lại"
    assert cells[world["c1"][1].reference] == ""


def test_an_xlsx_export_has_typed_dates_and_a_named_sheet(tree, cast, receive):
    """Dates are date cells (sorted and filtered as dates in Excel), shown dd/mm/yyyy; the sheet is named."""
    case = receive().case_files.get()
    output, count = exports.write(
        exports.CASE_LIST, "xlsx", CaseFile.objects.filter(pk=case.pk).values(*exports.fields(exports.CASE_LIST))
    )
    with output:
        book = load_workbook(io.BytesIO(output.read()))
    sheet = book.active
    assert count == 1
    assert sheet.title == "Hồ sơ trường hợp"
    received = sheet.cell(row=2, column=6)
    assert isinstance(received.value, datetime.datetime)
    assert received.value == timezone.localtime(case.opened_at).replace(tzinfo=None, second=0, microsecond=0)
    assert received.number_format == "DD/MM/YYYY HH:MM"
    csv_output, _count = exports.write(
        exports.CASE_LIST, "csv", CaseFile.objects.filter(pk=case.pk).values(*exports.fields(exports.CASE_LIST))
    )
    with csv_output:
        text = csv_output.read().decode("utf-8-sig")
    assert f"{timezone.localtime(case.opened_at):%d/%m/%Y %H:%M}" in text
