"""The directory of services: coordinators and administrators keep it within their area; every member of
staff searches it by area and type; a commune's list prints for families; plan measures pick from it."""

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agencies.models import ServiceProvider
from agencies.selectors import providers_serving
from agencies.services import provider_save
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _provider(creator, name, kind, areas, **fields):
    provider = ServiceProvider.objects.create(
        name=name, kind=kind, services=fields.pop("services", "Tư vấn"), created_by=creator, **fields
    )
    provider.areas.set(areas)
    return provider


@pytest.fixture
def entries(cast, tree):
    return {
        "shelter": _provider(cast.admin, "Nhà tạm lánh Xã Một", "shelter", [tree.commune_c1], phone="0276 111 222"),
        "legal": _provider(cast.admin, "Trợ giúp pháp lý Tỉnh P", "legal_aid", [tree.province_p], hours="7:00–17:00"),
        "far": _provider(cast.admin, "Phòng khám Xã Bốn", "clinic", [tree.commune_c4]),
        "closed": _provider(cast.admin, "Nhóm tư vấn cũ", "counselling", [tree.commune_c1], is_active=False),
    }


def test_a_commune_is_served_by_its_own_entries_and_those_of_the_units_above_it(tree, entries):
    names = set(providers_serving(tree.commune_c1).values_list("name", flat=True))
    assert names == {"Nhà tạm lánh Xã Một", "Trợ giúp pháp lý Tỉnh P"}
    # A province's search shows the entries of its communes too.
    assert "Nhà tạm lánh Xã Một" in set(providers_serving(tree.province_p).values_list("name", flat=True))


def test_staff_search_by_area_and_type_on_the_directory(cast, tree, entries):
    client = _client(cast.officer)
    page = client.get(reverse("agencies:services"), {"area": tree.commune_c1.pk}).content.decode()
    assert "Nhà tạm lánh Xã Một" in page
    assert "Trợ giúp pháp lý Tỉnh P" in page
    assert "Phòng khám Xã Bốn" not in page
    assert "Nhóm tư vấn cũ" not in page  # inactive: only its keepers see it
    assert 'data-testid="services-print"' in page  # a commune chosen: its list prints
    assert 'data-testid="service-new"' not in page  # officers read, they do not keep it
    page = client.get(reverse("agencies:services"), {"area": tree.commune_c1.pk, "kind": "legal_aid"}).content.decode()
    assert "Trợ giúp pháp lý Tỉnh P" in page
    assert "Nhà tạm lánh Xã Một" not in page
    keeper = _client(cast.coordinator_district).get(reverse("agencies:services")).content.decode()
    assert "Nhóm tư vấn cũ" in keeper


def test_a_coordinator_adds_an_entry_in_their_area(cast, tree):
    client = _client(cast.coordinator_district)
    data = {
        "name": "Trung tâm Công tác xã hội Huyện D",
        "kind": "social_work",
        "services": "Tư vấn tâm lý, chăm sóc thay thế",
        "areas": [tree.commune_c1.pk, tree.commune_c2.pk],
        "address": "Số 1 đường Một",
        "hours": "7:00–17:00, thứ Hai đến thứ Sáu",
        "phone": "0276 3800 800",
        "contact_person": "Bà Nguyễn Thị Tâm",
        "is_active": "on",
    }
    response = client.post(reverse("agencies:service_new"), data)
    assert response.status_code == 302
    provider = ServiceProvider.objects.get()
    assert set(provider.areas.values_list("pk", flat=True)) == {tree.commune_c1.pk, tree.commune_c2.pk}
    assert AuditEvent.objects.filter(object_type="service_provider", action="create", user=cast.coordinator_district)


def test_an_area_outside_the_keepers_own_is_refused_with_a_message_and_input_kept(cast, tree):
    client = _client(cast.coordinator_district)
    data = {"name": "Nhà tạm lánh ngoài vùng", "kind": "shelter", "services": "Chỗ ở", "areas": [tree.commune_c4.pk]}
    response = client.post(reverse("agencies:service_new"), data)
    assert response.status_code == 400
    assert "Nhà tạm lánh ngoài vùng" in response.content.decode()
    assert not ServiceProvider.objects.exists()
    with pytest.raises(ValidationError):
        provider_save(
            actor=cast.coordinator_district,
            provider=ServiceProvider(name="x", kind="shelter", services="y"),
            areas=[tree.commune_c4],
        )


def test_officers_and_leaders_do_not_keep_the_directory(cast, entries):
    for user in (cast.officer, cast.leader, cast.chairman):
        client = _client(user)
        assert client.get(reverse("agencies:service_new")).status_code == 403
        response = client.post(reverse("agencies:service_edit", args=[entries["shelter"].pk]), {"name": "Đổi"})
        assert response.status_code == 403
    entries["shelter"].refresh_from_db()
    assert entries["shelter"].name == "Nhà tạm lánh Xã Một"


def test_a_keeper_of_another_province_cannot_change_an_entry_here(cast, tree, entries):
    from tests.factories import AgencyFactory, MembershipFactory, UserFactory

    other = MembershipFactory(
        user=UserFactory(username="coordinator_q"),
        role="coordinator",
        agency=AgencyFactory(agency_type__code="social_affairs", name="Sở Q", unit=tree.province_q),
    ).user
    assert _client(other).get(reverse("agencies:service_edit", args=[entries["shelter"].pk])).status_code == 403
    assert _client(other).get(reverse("agencies:service_edit", args=[entries["far"].pk])).status_code == 200


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)")
def test_the_printable_list_for_families_names_the_services_of_the_commune(cast, tree, entries):
    response = _client(cast.officer).get(reverse("agencies:services_print"), {"area": tree.commune_c1.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
    text = " ".join(text.stdout.decode().split())
    assert "DANH BẠ DỊCH VỤ HỖ TRỢ TRẺ EM VÀ GIA ĐÌNH" in text
    assert "Nhà tạm lánh Xã Một" in text
    assert "0276 111 222" in text
    assert "Trợ giúp pháp lý Tỉnh P" in text
    assert "Phòng khám Xã Bốn" not in text
    assert "Nhóm tư vấn cũ" not in text
    assert "111" in text
    # Without a commune: told to choose one, no 500.
    response = _client(cast.officer).get(reverse("agencies:services_print"), {"area": "x"})
    assert response.status_code == 302


def test_a_plan_measure_picks_a_service_from_the_directory(cast, tree, receive, entries):
    import datetime

    from django.utils import timezone

    from cases import services
    from cases.models import PlanMeasure
    from tests.factories import walk_to_investigated

    case = receive().case_files.get()
    walk_to_investigated(case, cast.officer)
    police = cast.police.memberships.get().agency
    due = timezone.localdate() + datetime.timedelta(days=7)

    def submit(provider):
        case.refresh_from_db()
        measure = services.MeasureInput(police, "police", "Đưa em đến nơi an toàn.", due, provider=provider)
        return services.case_submit_plan(
            actor=cast.officer, case=case, objectives="An toàn.", measures=[measure], expected_version=case.version
        )

    with pytest.raises(ValidationError) as refused:
        submit(entries["far"])  # serves Xã Bốn, not the child's commune
    assert "measures-0-provider" in refused.value.message_dict
    submit(entries["shelter"])
    measure = PlanMeasure.objects.get(plan__case=case)
    assert (measure.provider, measure.description) == (entries["shelter"], "Đưa em đến nơi an toàn.")
    page = _client(cast.officer).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Đưa em đến nơi an toàn." in page  # the measure's own text stays
    assert "Nhà tạm lánh Xã Một" in page


def test_the_api_lists_the_services_serving_an_area(cast, tree, entries):
    response = _client(cast.officer).get(reverse("api-services"), {"area": tree.commune_c1.pk, "kind": "shelter"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["Nhà tạm lánh Xã Một"]
    assert rows[0]["areas"][0]["name"] == tree.commune_c1.name
    assert _client(cast.officer).get(reverse("api-services"), {"kind": "nonsense"}).status_code == 400
    assert Client().get(reverse("api-services")).status_code in (401, 403)


def test_the_directory_is_searched_whatever_the_keyboard(cast, tree):
    _provider(cast.admin, "Trung tâm Công tác xã hội", "social_work", [tree.commune_c1], services="Tư vấn tâm lý")
    _provider(cast.admin, "Phòng khám Xã Một", "clinic", [tree.commune_c1], services="Khám chữa bệnh")
    client = _client(cast.officer)
    for typed in ("tâm lý", "tam ly", "TÂM LÝ", "TAM LY", "cong tac xa hoi"):
        page = client.get(reverse("agencies:services"), {"text": typed}).content.decode()
        assert "Trung tâm Công tác xã hội" in page, typed
        assert "Phòng khám Xã Một" not in page, typed


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)")
def test_a_shelters_confidential_address_is_never_printed_shown_or_searchable(cast, tree):
    secret = "Số 12 hẻm 7 đường Trần Hưng Đạo"
    _provider(cast.admin, "Nhà tạm lánh bí mật", "shelter", [tree.commune_c1], address=secret,
              address_is_confidential=True, phone="0276 999 000")  # fmt: skip
    client = _client(cast.officer)
    page = client.get(reverse("agencies:services"), {"area": tree.commune_c1.pk}).content.decode()
    assert "Nhà tạm lánh bí mật" in page
    assert secret not in page
    assert "Địa chỉ được giữ kín" in page
    found = client.get(reverse("agencies:services"), {"text": "Tran Hung Dao"}).content.decode()
    assert "Nhà tạm lánh bí mật" not in found  # the address is not searchable either
    response = client.get(reverse("agencies:services_print"), {"area": tree.commune_c1.pk})
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "Nhà tạm lánh bí mật" in text
    assert "0276 999 000" in text
    assert "Trần Hưng Đạo" not in text
