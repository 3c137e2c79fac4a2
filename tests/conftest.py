"""Shared fixtures: a small administrative tree and a fixed cast of users reused by every test.

The tree has both shapes of the administration:

    Province P ─┬─ Intermediate D (a former district) ─┬─ Commune C1 ── Hamlet H1
                │                                      └─ Commune C2
                └─ Commune C3 (directly under the province)
    Province Q ─── Commune C4
"""

from dataclasses import dataclass
from urllib.parse import urlparse

import psycopg
import pytest
import redis
from django.conf import settings

from cases.services import report_receive
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory, child_input, report_input


def pytest_sessionstart(session):
    """Stop at once, with directions, when PostgreSQL or Redis is not running."""
    database = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=database.get("HOST") or "127.0.0.1",
            port=database.get("PORT") or 5432,
            user=database.get("USER") or "postgres",
            password=database.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as error:
        pytest.exit(
            f"PostgreSQL is not reachable at {database.get('HOST')}:{database.get('PORT')} ({error}).\n"
            "Start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, "
            "or: docker compose up -d db redis) or point DATABASE_URL at a running server.",
            returncode=3,
        )
    redis_url = settings.CELERY_BROKER_URL
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        where = urlparse(redis_url)
        pytest.exit(
            f"Redis is not reachable at {where.hostname}:{where.port} ({error}).\n"
            "Start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379, "
            "or: docker compose up -d db redis) or point CELERY_BROKER_URL and REDIS_URL at a running server.",
            returncode=3,
        )


@dataclass
class Tree:
    province_p: object
    district_d: object
    commune_c1: object
    commune_c2: object
    commune_c3: object
    hamlet_h1: object
    province_q: object
    commune_c4: object


@pytest.fixture
def tree(db) -> Tree:
    province_p = UnitFactory(level="province", code="91", name="Tỉnh P")
    district_d = UnitFactory(level="intermediate", code="901", name="Huyện D (cũ)", parent=province_p)
    commune_c1 = UnitFactory(level="commune", code="90001", name="Xã Một", parent=district_d)
    commune_c2 = UnitFactory(level="commune", code="90002", name="Xã Hai", parent=district_d)
    commune_c3 = UnitFactory(level="commune", code="90003", name="Phường Ba", parent=province_p)
    hamlet_h1 = UnitFactory(level="hamlet", code="H1", name="Ấp Một", parent=commune_c1)
    province_q = UnitFactory(level="province", code="92", name="Tỉnh Q")
    commune_c4 = UnitFactory(level="commune", code="90004", name="Xã Bốn", parent=province_q)
    return Tree(province_p, district_d, commune_c1, commune_c2, commune_c3, hamlet_h1, province_q, commune_c4)


@dataclass
class Cast:
    officer: object  # commune officer of C1
    officer_elsewhere: object  # commune officer of C4, another province
    collaborator: object  # hamlet H1
    chairman: object  # chairman of C1
    police: object  # police focal point of C1
    coordinator_district: object  # coordinator of D (covers C1, C2)
    coordinator_province: object  # coordinator of P
    leader: object  # leader of P
    admin: object  # system administrator
    outsider: object  # signed-in user with no membership


@pytest.fixture
def cast(tree) -> Cast:
    social_c1 = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Một", unit=tree.commune_c1)
    ubnd_c1 = AgencyFactory(agency_type__code="peoples_committee", name="UBND Xã Một", unit=tree.commune_c1)
    police_c1 = AgencyFactory(agency_type__code="police", name="Công an Xã Một", unit=tree.commune_c1)
    social_c4 = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Bốn", unit=tree.commune_c4)
    social_d = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Huyện D", unit=tree.district_d)
    health_p = AgencyFactory(agency_type__code="health", name="Sở Y tế P", unit=tree.province_p)
    ubnd_p = AgencyFactory(agency_type__code="peoples_committee", name="UBND Tỉnh P", unit=tree.province_p)

    def member(username, role, agency, unit, **user_fields):
        user = UserFactory(username=username, **user_fields)
        MembershipFactory(user=user, role=role, agency=agency, unit=unit)
        return user

    return Cast(
        officer=member("officer", "commune_officer", social_c1, tree.commune_c1),
        officer_elsewhere=member("officer_elsewhere", "commune_officer", social_c4, tree.commune_c4),
        collaborator=member("collaborator", "collaborator", social_c1, tree.hamlet_h1),
        chairman=member("chairman", "chairman", ubnd_c1, tree.commune_c1),
        police=member("police", "focal_point", police_c1, tree.commune_c1),
        coordinator_district=member("coordinator_district", "coordinator", social_d, tree.district_d),
        coordinator_province=member("coordinator_province", "coordinator", health_p, tree.province_p),
        leader=member("leader", "leader", ubnd_p, tree.province_p),
        admin=member("admin", "system_admin", health_p, tree.province_p, is_staff=True, is_superuser=True),
        outsider=UserFactory(username="outsider"),
    )


@pytest.fixture
def english():
    """Match service messages in English; pages are tested in Vietnamese, the default."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def receive(cast, tree):
    """Record a report through the service, as the officer of C1 by default."""

    def _receive(*, actor=None, commune=None, children=None, **report_fields):
        commune = commune or tree.commune_c1
        return report_receive(
            actor=actor or cast.officer,
            report=report_input(commune, **report_fields),
            children=children or [child_input(commune)],
        )

    return _receive


@pytest.fixture
def health_c1(tree):
    return AgencyFactory(agency_type__code="health", name="Trạm Y tế Xã Một", unit=tree.commune_c1)


@pytest.fixture
def default_ladders(db):
    """Transactional tests flush the tables between tests, data migrations included: put the ladders back."""
    from notifications.services import ladders_ensure_defaults

    ladders_ensure_defaults()


@pytest.fixture
def agency_types(db):
    """Transactional tests flush the data migration's agency types: put the defaults back."""
    from agencies.defaults import DEFAULT_AGENCY_TYPES
    from agencies.models import AgencyType

    for order, (code, name_vi, name_en) in enumerate(DEFAULT_AGENCY_TYPES):
        AgencyType.objects.get_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en, "sort_order": order}
        )


@pytest.fixture
def seed_units(db):
    """The units the two seed plans hang under: Tây Ninh with the former huyện Tân Biên, and Hưng Yên."""
    tay_ninh = UnitFactory(level="province", code="80", name="Tây Ninh")
    tan_bien = UnitFactory(level="intermediate", code="705", name="Huyện Tân Biên (cũ)", parent=tay_ninh)
    hung_yen = UnitFactory(level="province", code="33", name="Hưng Yên")
    UnitFactory(level="commune", code="25486", name="Xã Tân Biên", parent=tan_bien)
    return tay_ninh, tan_bien, hung_yen


@pytest.fixture(autouse=True)
def _fresh_deadline_configuration():
    """Ladders, time limits and calendar corrections are kept per process (notifications.config_cache);
    a test's rows are rolled back without a signal, so each test starts by reading them afresh."""
    from notifications import config_cache

    config_cache.changed()


@pytest.fixture(autouse=True)
def _fresh_name_vocabulary():
    """The child-name vocabulary is cached in Redis; each test starts without it (its rows are rolled back)."""
    from django.core.cache import cache

    from cases import name_search

    cache.delete("child-name-vocabulary")
    name_search.forget_local()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The public page's rate limits count per address in the cache; each test starts with none counted."""
    from django.core.cache import cache

    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern("rate:*")


@pytest.fixture(autouse=True)
def _fresh_report_figures():
    """The dashboard keeps its figures per unit and period in the cache; each test computes its own."""
    from django.core.cache import cache

    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern("report-figures:*")


@pytest.fixture(autouse=True)
def _fresh_kept_lists():
    """The kept lists' labels are cached per process (cases.lists); a test's rows are rolled back without
    telling it, so each test starts by reading them afresh."""
    from cases import lists

    lists.forget()
