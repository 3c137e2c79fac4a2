"""Demo data for the embedded default: Tây Ninh with a former district, its communes and agencies.

Both shapes of the administration are exercised: Xã Tân Biên sits under an intermediate unit
(the former huyện Tân Biên, abolished in 2025) while Xã Tân Châu sits directly under the province.
Every role has an account at every level it is held: the communes' officers and chairmen, the agencies'
focal points at commune, former district and province, coordinators and leaders; the agencies of the
two seed plans (103/KH-UBND of the former district, 57/KH-UBND of Thái Bình, now Hưng Yên) have focal
points who report on their tasks. Idempotent: a second run finds everything in place and changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import AdministrativeUnit, Agency, AgencyType, Role, ServiceProvider, StaffMembership, UnitLevel
from .services import agency_save, membership_save, unit_save

DEMO_PASSWORD = "baove-demo-2026"  # noqa: S105 - documented demo password, embedded default only

PROVINCE_CODE = "80"  # Tây Ninh
PLAN_PROVINCE_CODE = "33"  # Hưng Yên, which Thái Bình (plan 57/KH-UBND) joined in 2025
FORMER_DISTRICT_CODE = "705"  # huyện Tân Biên before 1 July 2025
FORMER_DISTRICT_COMMUNES = ("25486", "25489", "25498", "25510")  # Tân Biên, Tân Lập, Thạnh Bình, Trà Vong
TAN_BIEN = "25486"
TAN_CHAU = "25516"
HAMLET_CODE = "TB-AP-THANH-PHU"
# unit key: official commune code
COMMUNES = {"tan_bien": TAN_BIEN, "tan_lap": "25489", "thanh_binh": "25498", "tra_vong": "25510", "tan_chau": TAN_CHAU}

# key: (agency type, name, unit key); unit keys: province, district, the COMMUNES, plan_province.
# The plans' agencies carry the names their plan gives them: importing the plan finds them here.
AGENCIES = {
    "ubnd_tinh": ("peoples_committee", "Ủy ban nhân dân tỉnh Tây Ninh", "province"),
    "tong_dai_111": ("hotline_111", "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111", "national"),
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
    "ubnd_tan_lap": ("peoples_committee", "Ủy ban nhân dân xã Tân Lập", "tan_lap"),
    "vhxh_tan_lap": ("social_affairs", "Phòng Văn hóa – Xã hội xã Tân Lập", "tan_lap"),
    "ubnd_thanh_binh": ("peoples_committee", "Ủy ban nhân dân xã Thạnh Bình", "thanh_binh"),
    "vhxh_thanh_binh": ("social_affairs", "Phòng Văn hóa – Xã hội xã Thạnh Bình", "thanh_binh"),
    "ubnd_tra_vong": ("peoples_committee", "Ủy ban nhân dân xã Trà Vong", "tra_vong"),
    "vhxh_tra_vong": ("social_affairs", "Phòng Văn hóa – Xã hội xã Trà Vong", "tra_vong"),
    # Plan 103/KH-UBND of the former huyện Tân Biên (plans/demo/tan-bien-103-KH-UBND-2020.yaml).
    "ldtbxh_huyen": ("social_affairs", "Phòng Lao động - Thương binh và Xã hội huyện Tân Biên", "district"),
    "cong_an_huyen": ("police", "Công an huyện Tân Biên", "district"),
    # Plan 57/KH-UBND of Thái Bình (plans/demo/thai-binh-57-KH-UBND-2024.yaml), now part of Hưng Yên.
    "ubnd_hung_yen": ("peoples_committee", "Ủy ban nhân dân tỉnh Hưng Yên", "plan_province"),
    "so_ldtbxh_thai_binh": ("social_affairs", "Sở Lao động - Thương binh và Xã hội tỉnh Thái Bình", "plan_province"),
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
    # The hotline 111: its integration account (records reports through the API, reads their status back)
    # and a supervisor who follows whether the communes met the legal limits.
    DemoUser(
        "tongdai.111", "Tổng đài 111 (tích hợp)", Role.FOCAL_POINT, "tong_dai_111", "national", "Tài khoản tích hợp"
    ),
    DemoUser(
        "giamsat.111", "Nguyễn Thu Hà", Role.HOTLINE_SUPERVISOR, "tong_dai_111", "national", "Giám sát Tổng đài 111"
    ),
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
    # The province's administrator: keeps the province's lists (its extra fields, the names of its agencies).
    DemoUser("quantri.tayninh", "Phan Thị Thu", Role.SYSTEM_ADMIN, "so_y_te", "province", "Quản trị dữ liệu tỉnh"),
    DemoUser(
        "canbo.tanbien",
        "Nguyễn Thị Lan",
        Role.COMMUNE_OFFICER,
        "vhxh_tan_bien",
        "tan_bien",
        "Công chức Văn hóa – Xã hội",
    ),
    # A second officer in Tân Biên (part-time, also in charge of culture): the caseload page shows both.
    DemoUser(
        "canbo2.tanbien",
        "Đoàn Văn Khải",
        Role.COMMUNE_OFFICER,
        "vhxh_tan_bien",
        "tan_bien",
        "Công chức Văn hóa – Xã hội (kiêm nhiệm)",
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
    DemoUser("chutich.tanchau", "Đỗ Văn Nam", Role.CHAIRMAN, "ubnd_tan_chau", "tan_chau", "Chủ tịch UBND xã"),
    DemoUser(
        "canbo.tanlap", "Lý Thị Hoa", Role.COMMUNE_OFFICER, "vhxh_tan_lap", "tan_lap", "Công chức Văn hóa – Xã hội"
    ),
    DemoUser("chutich.tanlap", "Mai Văn Sơn", Role.CHAIRMAN, "ubnd_tan_lap", "tan_lap", "Chủ tịch UBND xã"),
    DemoUser(
        "canbo.thanhbinh",
        "Dương Thị Yến",
        Role.COMMUNE_OFFICER,
        "vhxh_thanh_binh",
        "thanh_binh",
        "Công chức Văn hóa – Xã hội",
    ),
    DemoUser("chutich.thanhbinh", "Tạ Quang Vinh", Role.CHAIRMAN, "ubnd_thanh_binh", "thanh_binh", "Chủ tịch UBND xã"),
    DemoUser(
        "canbo.travong", "Hồ Thị Kim", Role.COMMUNE_OFFICER, "vhxh_tra_vong", "tra_vong", "Công chức Văn hóa – Xã hội"
    ),
    DemoUser("chutich.travong", "Châu Văn Lực", Role.CHAIRMAN, "ubnd_tra_vong", "tra_vong", "Chủ tịch UBND xã"),
    DemoUser(
        "lanhdao.tanbien", "Phan Thị Thảo", Role.LEADER, "vhxh_huyen", "district", "Trưởng phòng khu vực Tân Biên"
    ),
    DemoUser(
        "ldtbxh.tanbien", "Cao Văn Thành", Role.FOCAL_POINT, "ldtbxh_huyen", "district", "Chuyên viên Phòng LĐTBXH"
    ),
    DemoUser(
        "congan.huyentanbien", "Lâm Quốc Huy", Role.FOCAL_POINT, "cong_an_huyen", "district", "Cán bộ Công an huyện"
    ),
    DemoUser("yte.tayninh", "Kiều Thị Nga", Role.FOCAL_POINT, "so_y_te", "province", "Chuyên viên Sở Y tế"),
    DemoUser("congan.tayninh", "Thái Minh Khoa", Role.FOCAL_POINT, "cong_an_tinh", "province", "Cán bộ Công an tỉnh"),
    DemoUser(
        "ldtbxh.thaibinh",
        "Vũ Thị Huyền",
        Role.FOCAL_POINT,
        "so_ldtbxh_thai_binh",
        "plan_province",
        "Chuyên viên Sở LĐTBXH (Thái Bình cũ)",
    ),
    DemoUser(
        "lanhdao.hungyen", "Nguyễn Đức Thắng", Role.LEADER, "ubnd_hung_yen", "plan_province", "Phó Chủ tịch UBND tỉnh"
    ),
)


class DemoDataError(Exception):
    pass


def clock(start):
    """A clock set to START that the demo moves (`.move_to(when)`) to when each thing it records happened.

    time-machine is a dev dependency, installed by `make run` (`pip install -e .[dev]`): the demo is never
    loaded in production."""
    import time_machine

    return time_machine.travel(start, tick=False)


@transaction.atomic
def seed() -> dict[str, int]:
    """Create the demo units, agencies and users that are missing; return how many were created."""
    created = {"units": 0, "agencies": 0, "users": 0, "memberships": 0}
    units = {**_units(created), "national": None}
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
    created["services"] = _service_directory(units, user_model.objects.get(username="admin"))
    return created


# The directory of services of the demo province: made-up names, addresses and numbers (no real people).
# (name, type, services, area keys, address, hours, phone, contact person)
SERVICE_DIRECTORY = (
    (
        "Trung tâm Công tác xã hội tỉnh Tây Ninh",
        "social_work",
        "Tiếp nhận, chăm sóc khẩn cấp trẻ em bị xâm hại; tư vấn tâm lý; quản lý trường hợp; chăm sóc thay thế",
        ("province",),
        "Số 45 đường Cách Mạng Tháng Tám, phường Tân Ninh",
        "Tiếp nhận khẩn cấp 24/7; làm việc 7:00–17:00 thứ Hai đến thứ Sáu",
        "0276 3822 145",
        "Bà Phạm Thị Thu Trang, Phó Giám đốc",
    ),
    (
        "Nhà tạm lánh “Ngôi nhà bình yên” – Hội Liên hiệp Phụ nữ tỉnh",
        "shelter",
        "Chỗ ở tạm thời an toàn cho phụ nữ và trẻ em bị bạo lực (tối đa 30 ngày); giữ bí mật nơi ở",
        ("province",),
        "Số 3 hẻm 12 đường Nguyễn Văn Rốp, phường Tân Ninh",  # made up, and marked confidential below
        "24/7",
        "0276 3815 226",
        "Chị Võ Thị Ngọc Hân",
    ),
    (
        "Trung tâm Trợ giúp pháp lý Nhà nước tỉnh Tây Ninh",
        "legal_aid",
        "Trợ giúp pháp lý miễn phí cho trẻ em và người giám hộ; tham gia tố tụng bảo vệ quyền lợi của trẻ",
        ("province",),
        "Số 8 đường Phạm Tung, phường Tân Ninh",
        "7:00–11:30, 13:30–17:00 thứ Hai đến thứ Sáu",
        "0276 3820 417",
        "Ông Lê Minh Khoa, trợ giúp viên pháp lý",
    ),
    (
        "Bệnh viện Đa khoa tỉnh Tây Ninh – Khoa Nhi",
        "clinic",
        "Khám, điều trị cho trẻ em; khám và chăm sóc trẻ bị xâm hại tình dục; giám định thương tích theo yêu cầu",
        ("province",),
        "Đường 30 Tháng 4, phường Tân Ninh",
        "Cấp cứu 24/7",
        "0276 3836 115",
        "",
    ),
    (
        "Trạm Y tế xã Tân Biên",
        "clinic",
        "Sơ cứu, khám bệnh ban đầu; chuyển tuyến; tư vấn sức khỏe sinh sản vị thành niên",
        ("tan_bien",),
        "Ấp Thạnh Phú, xã Tân Biên",
        "7:00–11:00, 13:00–17:00; trực cấp cứu 24/7",
        "0276 3874 102",
        "Y sĩ Huỳnh Thị Kim Yến",
    ),
    (
        "Công an xã Tân Biên",
        "agency",
        "Ngăn chặn hành vi xâm hại; bảo vệ an toàn cho trẻ em và người báo tin; tiếp nhận tố giác",
        ("tan_bien",),
        "Ấp Thạnh Tây, xã Tân Biên",
        "24/7",
        "0276 3874 113",
        "Trung úy Đỗ Quốc Huy",
    ),
    (
        "Phòng tư vấn tâm lý học đường – Trường THCS Tân Biên",
        "counselling",
        "Tư vấn tâm lý cho học sinh; kết nối giáo viên chủ nhiệm và gia đình",
        ("tan_bien",),
        "Trường THCS Tân Biên, ấp Thạnh Phú",
        "7:00–16:30 các ngày học",
        "0276 3874 230",
        "Cô Ngô Thị Thảo",
    ),
    (
        "Nhóm tình nguyện Ánh Dương Tây Ninh",
        "ngo",
        "Học bổng, hỗ trợ đồ dùng học tập; câu lạc bộ kỹ năng sống cho trẻ em",
        ("tan_bien", "tan_lap", "thanh_binh"),
        "Số 17 đường Nguyễn Chí Thanh, xã Tân Lập",
        "Thứ Bảy, Chủ nhật 8:00–16:00",
        "0276 3881 064",
        "Anh Dương Thanh Tín",
    ),
    (
        "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111",
        "hotline",
        "Tiếp nhận thông tin, tư vấn, kết nối hỗ trợ trẻ em bị xâm hại; miễn phí",
        ("province",),
        "",
        "24/7, miễn phí",
        "111",
        "",
    ),
)


def _service_directory(units: dict, admin) -> int:
    created = 0
    for name, kind, offered, areas, address, hours, phone, contact in SERVICE_DIRECTORY:
        if ServiceProvider.objects.filter(name=name).exists():
            continue
        provider = ServiceProvider.objects.create(
            name=name,
            kind=kind,
            services=offered,
            address=address,
            hours=hours,
            phone=phone,
            contact_person=contact,
            address_is_confidential=kind == "shelter",  # where a child hides is never printed
            created_by=admin,
        )
        provider.areas.set([units[key] for key in areas])
        created += 1
    return created


def _units(created: dict[str, int]) -> dict[str, AdministrativeUnit]:
    wanted = {PROVINCE_CODE, PLAN_PROVINCE_CODE, *FORMER_DISTRICT_COMMUNES, TAN_CHAU}
    official = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            code__in=wanted, level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE]
        )
    }
    missing = wanted - set(official)
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
        "plan_province": official[PLAN_PROVINCE_CODE],
        "district": district,
        **{key: AdministrativeUnit.objects.get(pk=official[code].pk) for key, code in COMMUNES.items()},
        "hamlet": hamlet,
    }
