"""The benchmark's data generator: deterministic for a seed, and consistent with the application."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.db.models import F

from benchmarks.seed import seed
from cases.models import CaseFile, Child, ContactRule
from notifications.models import Deadline

# COPY and TRUNCATE commit as they go: a transactional test, with the reference rows it needs.
pytestmark = pytest.mark.django_db(transaction=True)
AS_OF = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))


def _fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(c.full_name || c.birth_date || f.state || f.commune_id, ',' ORDER BY f.id)) "
            "FROM cases_casefile f JOIN cases_child c ON c.id = f.child_id"
        )
        return cursor.fetchone()[0]


def test_the_same_seed_writes_the_same_country(agency_types, default_ladders):
    first = seed(children=600, cases=150, deadlines=2000, seed_value=7, as_of=AS_OF, log=lambda _m: None)
    fingerprint = _fingerprint()
    assert Child.objects.count() == 600
    assert CaseFile.objects.count() == 150
    assert Deadline.objects.filter(state="open").exclude(kind="no_contact").count() == 2000
    # Every open case file has its no-contact rule running (issue 18), besides the deadlines asked for.
    open_files = CaseFile.objects.exclude(state__in=["closed", "not_child_protection"]).count()
    assert ContactRule.objects.count() == open_files > 0
    assert Deadline.objects.filter(state="open", kind="no_contact", ladder__isnull=False).count() == open_files
    assert first["rows"]["cases_casefile"] == 150
    # Every case file's commune is its child's; states cover the procedure; names carry diacritics.
    assert not CaseFile.objects.exclude(commune_id=F("child__residence_commune_id")).exists()
    assert CaseFile.objects.values("state").distinct().count() >= 5
    assert Child.objects.filter(full_name__regex=r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]").exists()
    seed(children=600, cases=150, deadlines=2000, seed_value=7, as_of=AS_OF, log=lambda _m: None)
    assert _fingerprint() == fingerprint
    seed(children=600, cases=150, deadlines=2000, seed_value=8, as_of=AS_OF, log=lambda _m: None)
    assert _fingerprint() != fingerprint
    assert fingerprint is not None
