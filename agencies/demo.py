"""Demo data for the embedded default: Tây Ninh with a former district, its communes and agencies.

Both shapes of the administration are exercised: Xã Tân Biên sits under an intermediate unit
(the former huyện Tân Biên, abolished in 2025) while Xã Tân Châu sits directly under the province.
Idempotent: a second run finds everything in place and changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import AdministrativeUnit, Agency, AgencyType, Role, StaffMembership, UnitLevel
from .services import agency_save, membership_save, unit_save

DEMO_PASSWORD = "baove-demo-2026"  # noqa: S105 - documented demo password, embedded default only

PROVINCE_CODE = "80"  # Tây Ninh
FORMER_DISTRICT_CODE = "705"  # huyện Tân Biên before 1 July 2025
FORMER_DISTRICT_COMMUNES = ("25486", "25489", "25498", "25510")  # Tân Biên, Tân Lập, Thạnh Bình, Trà Vong
TAN_BIEN = "25486"
TAN_CHAU = "25516"
HAMLET_CODE = "TB-AP-THANH-PHU"

# key: (agency type, name, unit key); unit keys: province, district, tan_bien, tan_chau
AGENCIES = {
    "ubnd_tinh": ("peoples_committee", "Ủy ban nhân dân tỉnh Tây Ninh", "province"),
    "so_y_te": ("health", "Sở Y tế tỉnh Tây Ninh", "province"),
    "cong_an_tinh": ("police", "Công an tỉnh Tây Ninh", "province"),
    "so_gd": ("education", "Sở Giáo dục và Đào tạo tỉnh Tây Ninh", "province"),
    "so_tu_phap": ("justice", "Sở Tư pháp tỉnh Tây Ninh", "province"),
    "vhxh_huyen": ("social_affairs", "Phòng Văn hóa – Xã hội khu vực Tân Biên (huyện cũ)", "district"),
    "ubnd_tan_bien": ("peoples_committee", "Ủy ban nhân dân xã Tân Biên", "tan_bien"),
    "vhxh_tan_bien": ("social_affairs", "Phòng Văn hóa – Xã hội xã Tân Biên", "tan_bien"),
    "cong_an_tan_bien": ("police", "Công an xã Tân Biên", "tan_bien"),
    "tram_y_te_tan_bien": ("health", "Trạm Y tế xã Tân Biên", "tan_bien"),
    "thcs_tan_bien": ("education", "Trường THCS Tân Biên", "tan_bien"),
    "ubnd_tan_chau": ("peoples_committee", "Ủy ban nhân dân xã Tân Châu", "tan_chau"),
    "vhxh_tan_chau": ("social_affairs", "Phòng Văn hóa – Xã hội xã Tân Châu", "tan_chau"),
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    agency: str
    unit: str
    title: str = ""
    is_staff: bool = False
    is_superuser: bool = False


USERS = (
    DemoUser(
        "admin",
        "Quản trị hệ thống",
        Role.SYSTEM_ADMIN,
        "so_y_te",
        "province",
        "Quản trị viên",
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser(
        "canbo.tanbien",
        "Nguyễn Thị Lan",
        Role.COMMUNE_OFFICER,
        "vhxh_tan_bien",
        "tan_bien",
        "Công chức Văn hóa – Xã hội",
    ),
    DemoUser(
        "ctv.tanbien", "Trần Văn Hùng", Role.COLLABORATOR, "vhxh_tan_bien", "hamlet", "Cộng tác viên ấp Thạnh Phú"
    ),
    DemoUser("chutich.tanbien", "Lê Minh Tuấn", Role.CHAIRMAN, "ubnd_tan_bien", "tan_bien", "Chủ tịch UBND xã"),
    DemoUser("congan.tanbien", "Phạm Quốc Bảo", Role.FOCAL_POINT, "cong_an_tan_bien", "tan_bien", "Cán bộ Công an xã"),
    DemoUser("yte.tanbien", "Võ Thị Hạnh", Role.FOCAL_POINT, "tram_y_te_tan_bien", "tan_bien", "Y sĩ Trạm Y tế"),
    DemoUser("truong.tanbien", "Đặng Thu Trang", Role.FOCAL_POINT, "thcs_tan_bien", "tan_bien", "Phó Hiệu trưởng"),
    DemoUser(
        "dieuphoi.tanbien", "Huỳnh Văn Phúc", Role.COORDINATOR, "vhxh_huyen", "district", "Điều phối khu vực Tân Biên"
    ),
    DemoUser(
        "dieuphoi.tayninh", "Ngô Thị Mai", Role.COORDINATOR, "so_y_te", "province", "Chuyên viên Phòng Bảo trợ – Trẻ em"
    ),
    DemoUser("lanhdao.tayninh", "Trịnh Văn Quang", Role.LEADER, "ubnd_tinh", "province", "Phó Chủ tịch UBND tỉnh"),
    DemoUser(
        "canbo.tanchau", "Bùi Thị Ngọc", Role.COMMUNE_OFFICER, "vhxh_tan_chau", "tan_chau", "Công chức Văn hóa – Xã hội"
    ),
)


class DemoDataError(Exception):
    pass


@transaction.atomic
def seed() -> dict[str, int]:
    """Create the demo units, agencies and users that are missing; return how many were created."""
    created = {"units": 0, "agencies": 0, "users": 0, "memberships": 0}
    units = _units(created)
    agencies = {}
    for key, (type_code, name, unit_key) in AGENCIES.items():
        agency = Agency.objects.filter(unit=units[unit_key], name=name).first()
        if agency is None:
            agency = agency_save(
                actor=None,
                agency=Agency(agency_type=AgencyType.objects.get(code=type_code), name=name, unit=units[unit_key]),
            )
            created["agencies"] += 1
        agencies[key] = agency

    user_model = get_user_model()
    for demo in USERS:
        user = user_model.objects.filter(username=demo.username).first()
        if user is None:
            # Vietnamese names read family name first; keep the whole name so it displays as written.
            user = user_model(
                username=demo.username,
                first_name=demo.full_name,
                is_staff=demo.is_staff,
                is_superuser=demo.is_superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            created["users"] += 1
        agency, unit = agencies[demo.agency], units[demo.unit]
        if not StaffMembership.objects.filter(user=user, agency=agency, unit=unit, role=demo.role).exists():
            membership_save(
                actor=None,
                membership=StaffMembership(user=user, agency=agency, unit=unit, role=demo.role, title=demo.title),
            )
            created["memberships"] += 1
    return created


def _units(created: dict[str, int]) -> dict[str, AdministrativeUnit]:
    official = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            code__in=[PROVINCE_CODE, *FORMER_DISTRICT_COMMUNES, TAN_CHAU],
            level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE],
        )
    }
    missing = {PROVINCE_CODE, *FORMER_DISTRICT_COMMUNES, TAN_CHAU} - set(official)
    if missing:
        raise DemoDataError(
            f"Official units {sorted(missing)} are missing: run `python manage.py load_admin_units` first."
        )
    province = official[PROVINCE_CODE]
    district = AdministrativeUnit.objects.filter(parent=province, code=FORMER_DISTRICT_CODE).first()
    if district is None:
        district = unit_save(
            actor=None,
            unit=AdministrativeUnit(
                code=FORMER_DISTRICT_CODE,
                name="Huyện Tân Biên (cũ)",
                division_type="huyện (cũ)",
                level=UnitLevel.INTERMEDIATE,
                parent=province,
            ),
        )
        created["units"] += 1
    for code in FORMER_DISTRICT_COMMUNES:
        commune = official[code]
        if commune.parent_id != district.pk:
            commune.parent = district
            unit_save(actor=None, unit=commune)
    tan_bien = AdministrativeUnit.objects.get(pk=official[TAN_BIEN].pk)
    hamlet = AdministrativeUnit.objects.filter(parent=tan_bien, code=HAMLET_CODE).first()
    if hamlet is None:
        hamlet = unit_save(
            actor=None,
            unit=AdministrativeUnit(
                code=HAMLET_CODE, name="Ấp Thạnh Phú", division_type="ấp", level=UnitLevel.HAMLET, parent=tan_bien
            ),
        )
        created["units"] += 1
    return {
        "province": province,
        "district": district,
        "tan_bien": tan_bien,
        "tan_chau": official[TAN_CHAU],
        "hamlet": hamlet,
    }
