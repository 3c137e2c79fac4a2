import datetime

import pytest
from django.utils import timezone

from cases.services import ChildInput, ReportInput, report_receive
from tests.factories import AgencyFactory


def child_input(commune, name="Nguyễn Văn An", birth=datetime.date(2015, 3, 4), **extra) -> ChildInput:
    return ChildInput(full_name=name, birth_date=birth, sex="male", residence_commune=commune, **extra)


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
