"""factory_boy factories. Units and memberships are written through the services, like the app does."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import AdministrativeUnit, Agency, AgencyType, StaffMembership
from agencies.services import agency_save, membership_save, unit_save
from cases.services import ChildInput, ReportInput
from cases.walker import assess, walk_to  # noqa: F401 - for the tests; the demo data walks cases too

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password(TEST_PASSWORD)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    level = "commune"
    division_type = ""
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_save(actor=None, unit=model_class(*args, **kwargs))


class AgencyTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyType
        django_get_or_create = ("code",)

    code = "social_affairs"
    name_vi = factory.LazyAttribute(lambda t: t.code)
    name_en = factory.LazyAttribute(lambda t: t.code)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    agency_type = factory.SubFactory(AgencyTypeFactory)
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    unit = factory.SubFactory(UnitFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return agency_save(actor=None, agency=model_class(*args, **kwargs))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    unit = factory.LazyAttribute(lambda m: m.agency.unit)
    role = "commune_officer"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return membership_save(actor=None, membership=model_class(*args, **kwargs))


def child_input(commune, name="Nguyễn Văn An", birth=datetime.date(2015, 3, 4), sex="male", **extra) -> ChildInput:
    return ChildInput(full_name=name, birth_date=birth, sex=sex, residence_commune=commune, **extra)


def report_input(commune, **extra) -> ReportInput:
    values = {
        "received_at": timezone.now() - datetime.timedelta(minutes=10),
        "receiving_point": "commune",
        "commune": commune,
        "source": "school",
        "setting": "family",
        "narrative": "Giáo viên phát hiện vết bầm trên tay em.",
        "abuse_forms": ["violence"],
        "reporter_name": "Cô Hoa",
        "reporter_phone": "0912345678",
    }
    values.update(extra)
    return ReportInput(**values)


def walk_to_investigated(case, officer):
    """Initial assessment (no emergency) and the needs meeting, as the commune officer."""
    return walk_to(case, "investigated", officer=officer, chairman=None)


def walk_to_approved(case, officer, chairman, measures):
    """From a new case to an approved plan whose MEASURES [(agency, service, text, due)] become assignments."""
    return walk_to(case, "in_intervention", officer=officer, chairman=chairman, measures=measures)
