import json
import sys

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from agencies.models import AdministrativeUnit, UnitLevel
from agencies.official_units import OfficialUnitsError, read_package
from agencies.services import unit_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here; test_messages_are_vietnamese_first checks the default."""
    with translation.override("en"):
        yield


def _snapshot():
    return list(
        AdministrativeUnit.objects.order_by("pk").values_list(
            "pk", "code", "name", "level", "parent_id", "path", "is_active", "updated_at"
        )
    )


@pytest.fixture
def loaded():
    call_command("load_admin_units", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_loads_34_provinces_and_3321_communes_with_official_codes(loaded):
    provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    assert provinces.count() == 34
    assert communes.count() == 3321
    assert provinces.get(code="01").name == "Thành phố Hà Nội"
    tay_ninh = provinces.get(code="80")
    assert tay_ninh.name == "Tây Ninh"
    tan_bien = communes.get(code="25486")
    assert tan_bien.name == "Xã Tân Biên"
    assert tan_bien.division_type == "xã"
    assert tan_bien.parent == tay_ninh
    assert tan_bien.path == f"/{tay_ninh.pk}/{tan_bien.pk}/"
    assert communes.filter(path__startswith=tay_ninh.path).count() == 96
    # Every commune hangs under exactly one province, and every path is consistent.
    assert not communes.filter(parent__isnull=True).exists()
    for unit in communes.select_related("parent")[:200]:
        assert unit.path == f"{unit.parent.path}{unit.pk}/"


def test_names_are_loaded_with_single_spaces(loaded):
    """The published list writes a few names with two spaces ("Phường  An Nhơn"): a list of communes showed
    them so, and a search typed with one space missed them."""
    assert not AdministrativeUnit.objects.filter(name__contains="  ").exists()
    assert AdministrativeUnit.objects.filter(name="Phường An Nhơn").exists()


def test_loading_twice_changes_nothing(loaded):
    before = _snapshot()
    output = []
    call_command("load_admin_units", stdout=type("W", (), {"write": lambda self, s: output.append(s)})())
    assert _snapshot() == before
    assert "Created: 0 provinces, 0 communes. Updated: 0 provinces, 0 communes." in "".join(output)


def test_reload_keeps_a_commune_placed_under_an_intermediate_unit(loaded):
    tay_ninh = AdministrativeUnit.objects.get(level=UnitLevel.PROVINCE, code="80")
    district = unit_save(
        actor=None,
        unit=AdministrativeUnit(code="705", name="Huyện Tân Biên (cũ)", level=UnitLevel.INTERMEDIATE, parent=tay_ninh),
    )
    tan_bien = AdministrativeUnit.objects.get(level=UnitLevel.COMMUNE, code="25486")
    tan_bien.parent = district
    unit_save(actor=None, unit=tan_bien)
    before = _snapshot()

    call_command("load_admin_units", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _snapshot() == before
    tan_bien.refresh_from_db()
    assert tan_bien.parent == district
    assert tan_bien.path == f"/{tay_ninh.pk}/{district.pk}/{tan_bien.pk}/"


def _nested(units):
    """The package's list in its own nested JSON format, for file-based loads."""
    by_province = {
        p.code: {"code": int(p.code), "name": p.name, "division_type": p.division_type, "wards": []}
        for p in units.provinces
    }
    for commune in units.communes:
        by_province[commune.province_code]["wards"].append(
            {"code": int(commune.code), "name": commune.name, "division_type": commune.division_type}
        )
    return list(by_province.values())


def test_renamed_commune_is_updated_and_a_dropped_one_deactivated(loaded, tmp_path):
    data = _nested(read_package())
    tay_ninh = next(p for p in data if p["code"] == 80)
    tan_bien = next(w for w in tay_ninh["wards"] if w["code"] == 25486)
    tan_bien["name"] = "Xã Tân Biên Mới"
    tay_ninh["wards"] = [w for w in tay_ninh["wards"] if w["code"] != 25489]  # Xã Tân Lập leaves the list
    source = tmp_path / "units.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    call_command("load_admin_units", file=source, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert AdministrativeUnit.objects.get(level="commune", code="25486").name == "Xã Tân Biên Mới"
    dropped = AdministrativeUnit.objects.get(level="commune", code="25489")
    assert dropped.is_active is False  # kept for the case files that point at it
    assert AdministrativeUnit.objects.filter(level="commune", is_active=True).count() == 3320


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"code": 1}', "JSON list of provinces"),
        ('[{"code": 1, "name": "A", "wards": [{"code": 5, "name": ""}]}]', "name of commune 00005 is missing"),
        ('[{"code": 1, "name": "A", "wards": [{"code": "x", "name": "B"}]}]', "not a positive number"),
        (
            '[{"code": 1, "name": "A", "wards": [{"code": 5, "name": "B"}, {"code": 5, "name": "C"}]}]',
            "appears twice",
        ),
        ("[]", "is empty"),
    ],
)
def test_damaged_file_is_refused_and_changes_nothing(loaded, tmp_path, content, message):
    before = _snapshot()
    source = tmp_path / "damaged.json"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("load_admin_units", file=source)
    assert _snapshot() == before


def test_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("load_admin_units", file=tmp_path / "absent.json")
    assert not AdministrativeUnit.objects.exists()


def test_missing_package_is_refused_with_directions(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "vietnam_provinces", None)  # as if uninstalled
    with pytest.raises(OfficialUnitsError, match="missing or damaged"):
        read_package()
    with pytest.raises(CommandError, match="make install"):
        call_command("load_admin_units")
    assert not AdministrativeUnit.objects.exists()


def test_messages_are_vietnamese_first(db, tmp_path):
    with translation.override("vi"), pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("load_admin_units", file=tmp_path / "absent.json")
