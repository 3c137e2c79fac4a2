"""The hand-counted fixture of the report tests."""

import datetime

import pytest
import time_machine

from cases import services as case_services
from tests.factories import AgencyFactory, MembershipFactory, assess, child_input
from tests.reports.handcount import NAMES, at


@pytest.fixture
def counted(tree, cast, receive):
    """Hand-counted, first half of 2026, province P: five children reported in four reports. An and Bảo (C1,
    one report) and Cúc (C2) are assessed: 3 abused children (verified) in 2 cases (vụ); Dũng (C3) is reported
    and never assessed; Én (C1) is found not to be child protection. Phong lives in province Q; Gấm's report
    comes in the second half."""
    officers = {
        unit.pk: MembershipFactory(
            role="commune_officer", agency=AgencyFactory(name=f"Phòng VH-XH {unit.name}", unit=unit)
        ).user
        for unit in (tree.commune_c2, tree.commune_c3, tree.commune_c4)
    }
    officers[tree.commune_c1.pk] = cast.officer

    def report(commune, children, when, **fields):
        with time_machine.travel(when + datetime.timedelta(minutes=30), tick=False):
            return receive(
                actor=officers[commune.pk],
                commune=commune,
                received_at=when,
                children=[child_input(commune, name=name, birth=birth, sex=sex) for name, birth, sex in children],
                **fields,
            )

    march = at(2026, 3, 10, 8, 0)
    r1 = report(
        tree.commune_c1,
        [(NAMES[0], datetime.date(2015, 1, 1), "female"), (NAMES[1], datetime.date(2020, 5, 5), "male")],
        march,
        abuse_forms=["violence", "neglect"],
        setting="family",
        source="school",
    )
    r2 = report(
        tree.commune_c2,
        [(NAMES[2], datetime.date(2012, 2, 2), "female")],
        march,
        abuse_forms=["sexual_molestation"],
        setting="school",
        source="hotline_111",
    )
    report(
        tree.commune_c3,
        [(NAMES[3], datetime.date(2018, 6, 1), "male")],
        march,
        abuse_forms=["violence"],
        setting="community",
        source="police",
    )
    r4 = report(tree.commune_c1, [(NAMES[4], datetime.date(2016, 1, 1), "male")], march, source="school")
    with time_machine.travel(march + datetime.timedelta(hours=1), tick=False):
        case_services.case_mark_not_child_protection(actor=cast.officer, case=r4.case_files.get(), reason="Dân sự")
        for case in r1.case_files.all():
            assess(case, cast.officer)
        assess(r2.case_files.get(), officers[tree.commune_c2.pk])
    # Dũng's report (C3, police) is never assessed: reported, not verified.
    report(tree.commune_c4, [(NAMES[5], datetime.date(2014, 1, 1), "male")], march)  # another province
    report(tree.commune_c1, [(NAMES[6], datetime.date(2014, 1, 1), "female")], at(2026, 7, 2, 8, 0))  # H2
    return officers
