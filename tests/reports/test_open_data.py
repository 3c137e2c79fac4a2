"""Open data of a submitted report: the figures of the JSON and CSV are exactly the figures the report froze
(every numeric leaf, at its path), with the unit's official code, the period and the indicators' codes; for
whoever may see the report, never for a draft; the same through the API with its schema."""

import csv
import datetime
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from reports import open_data, services
from reports.periods import Period
from tests.factories import child_input

pytestmark = pytest.mark.django_db


def _period() -> Period:
    today = datetime.date.today()
    half = 1 if today.month <= 6 else 2
    start = datetime.date(today.year, 1 if half == 1 else 7, 1)
    end = datetime.date(today.year, 6, 30) if half == 1 else datetime.date(today.year, 12, 31)
    return Period(start, end, f"{today.year}-H{half}")


@pytest.fixture
def submitted(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    receive()
    receive(children=[child_input(tree.commune_c1, name="Lò Thị Hoa", sex="female"), child_input(tree.commune_c1)])
    report = services.report_draft(actor=cast.officer, unit=tree.commune_c1, period=_period())
    return services.report_submit(actor=cast.officer, report=report)


def _leaves(block, path=()):
    """Every numeric leaf of a frozen block, by its path (an independent walk of the frozen JSON)."""
    if isinstance(block, dict):
        for key, value in block.items():
            yield from _leaves(value, (*path, str(key)))
    elif block is None or (isinstance(block, int | float) and not isinstance(block, bool)):
        yield "/".join(path), block


def test_the_open_data_figures_are_the_reports_frozen_figures(submitted, cast):
    client = Client()
    client.force_login(cast.officer)
    response = client.get(f"/reports/{submitted.pk}/open-data.json")
    assert response.status_code == 200
    opened = response.json()
    assert opened["schema"] == "baove-open-data-report"
    assert opened["schema_version"] == open_data.SCHEMA_VERSION
    assert opened["unit"] == {"code": "90001", "name": "Xã Một", "level": "commune"}
    assert opened["period"]["code"] == submitted.period_code
    assert opened["period"]["start"] == submitted.period_start.isoformat()
    assert opened["report"]["figures_sha256"] == submitted.data_sha256
    assert opened["report"]["number_symbol"] == submitted.document.number_symbol
    frozen = submitted.data["indicators"]
    assert [indicator["id"] for indicator in opened["indicators"]] == list(frozen)
    definitions = {definition["id"]: definition for definition in submitted.data["definitions"]}
    for indicator in opened["indicators"]:
        assert indicator["code"] == definitions[indicator["id"]]["code"]
        assert indicator["name_vi"] == definitions[indicator["id"]]["name_vi"]
        expected = dict(_leaves(frozen[indicator["id"]]))
        assert {figure["path"]: figure["value"] for figure in indicator["figures"]} == expected
        assert len(indicator["figures"]) == len(expected)
    reported = next(indicator for indicator in opened["indicators"] if indicator["id"] == "reported_unverified")
    total = next(figure for figure in reported["figures"] if figure["path"] == "total")
    assert total["value"] == frozen["reported_unverified"]["total"] == 3
    assert total["breakdown"] == []
    by_sex = {figure["path"]: figure for figure in reported["figures"] if figure["path"].startswith("by_sex/")}
    assert by_sex["by_sex/male"]["value"] == 2
    assert by_sex["by_sex/female"]["breakdown"] == [{"dimension": "sex", "code": "female", "label": "Nữ"}]
    by_commune = next(figure for figure in reported["figures"] if figure["path"] == "by_commune/90001")
    assert by_commune["breakdown"][0] == {"dimension": "commune", "code": "90001", "label": "Xã Một"}  # official code
    assert AuditEvent.objects.filter(
        action="download", object_type="periodic_report", object_id=str(submitted.pk), fields__open_data="json"
    ).exists()


def test_the_empty_subunit_code_is_labelled_with_the_units_own_name(submitted, cast):
    opened = open_data.document(submitted)
    cells = [
        cell
        for indicator in opened["indicators"]
        for figure in indicator["figures"]
        for cell in figure["breakdown"]
        if cell["dimension"] in ("subunit", "commune") and cell["code"] == ""
    ]
    assert cells  # a commune's report breaks its figures down by the commune itself
    assert {cell["label"] for cell in cells} == {"Xã Một"}


def test_the_csv_has_one_line_per_figure_with_the_same_values(submitted, cast):
    client = Client()
    client.force_login(cast.chairman)
    response = client.get(f"/reports/{submitted.pk}/open-data.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == open_data.CSV_COLUMNS
    document = open_data.document(submitted)
    expected = [
        (indicator["id"], figure["path"], "" if figure["value"] is None else str(figure["value"]))
        for indicator in document["indicators"]
        for figure in indicator["figures"]
    ]
    assert [(row["indicator_id"], row["path"], row["value"]) for row in rows] == expected
    assert {row["unit_code"] for row in rows} == {"90001"}
    assert {row["period_code"] for row in rows} == {submitted.period_code}
    assert {row["schema_version"] for row in rows} == {open_data.SCHEMA_VERSION}


def test_the_api_serves_the_same_document_with_a_token_or_a_session(submitted, cast):
    api = APIClient()
    api.force_authenticate(cast.leader)  # the province's leader may see the commune's report
    response = api.get(f"/api/v1/reports/{submitted.pk}/open-data.json")
    assert response.status_code == 200
    assert response.json() == open_data.document(submitted)
    assert api.get(f"/api/v1/reports/{submitted.pk}/open-data.csv")["Content-Type"].startswith("text/csv")


def test_the_schema_documents_the_endpoint(cast):
    api = APIClient()
    api.force_authenticate(cast.admin)
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    (path,) = [path for path in paths if "open-data" in path]
    assert paths[path]["get"]["operationId"] == "report_open_data"


@pytest.mark.parametrize("role", ["officer_elsewhere", "police", "collaborator", "outsider"])
def test_who_may_not_see_the_report_gets_no_open_data(submitted, cast, role):
    client = Client()
    client.force_login(getattr(cast, role))
    for extension in ("json", "csv"):
        response = client.get(f"/reports/{submitted.pk}/open-data.{extension}")
        assert response.status_code == 404
        assert "Lò Thị Hoa" not in response.content.decode()
        assert submitted.data_sha256.encode() not in response.content
    api = APIClient()
    api.force_authenticate(getattr(cast, role))
    assert api.get(f"/api/v1/reports/{submitted.pk}/open-data.json").status_code == 404
    assert not AuditEvent.objects.filter(action="download", fields__has_key="open_data").exists()


def test_a_draft_has_no_open_data(tree, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = services.report_draft(actor=cast.officer, unit=tree.commune_c1, period=_period())
    client = Client()
    client.force_login(cast.officer)
    assert client.get(f"/reports/{draft.pk}/open-data.json").status_code == 404
    assert client.get(f"/reports/{draft.pk}/").status_code == 200
    assert 'data-testid="open-data"' not in client.get(f"/reports/{draft.pk}/").content.decode()
