"""The dashboard keeps its figures a few minutes per unit and period (reports.selectors.recent_figures): the
busy morning's leaders and coordinators read them again and again, and computing them costs the database
seconds. Kept per unit: one unit's figures never show for another."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from cases.access import may_open_case_files
from reports import selectors
from tests.factories import assess, child_input

pytestmark = pytest.mark.django_db


def _abused(page: str) -> int:
    match = re.search(r'data-testid="figure-abused_children">(\d+)</div>', page)
    assert match, page[:2000]
    return int(match.group(1))


def test_the_dashboard_shows_figures_a_few_minutes_old_then_new_ones(cast, tree, receive):
    assess(receive().case_files.get(), cast.officer)
    leader = Client()
    leader.force_login(cast.leader)
    page = leader.get("/reports/", {"unit": "91"}).content.decode()
    assert _abused(page) == 1
    assert 'data-testid="computed-at"' in page
    period = selectors.current_period()
    today = datetime.date.today()
    # Kept for the running period's time, the period before for longer (it is over).
    running = cache.ttl(selectors._figures_key(tree.province_p, period, today))
    over = cache.ttl(selectors._figures_key(tree.province_p, period.previous(), today))
    assert 0 < running <= settings.REPORT_FIGURES_SECONDS < over <= settings.REPORT_FIGURES_CLOSED_SECONDS
    assess(receive(children=[child_input(tree.commune_c1, name="Lê Thị Hoa")]).case_files.get(), cast.officer)
    assert _abused(leader.get("/reports/", {"unit": "91"}).content.decode()) == 1  # kept
    cache.delete(selectors._figures_key(tree.province_p, period, today))  # as when its time is up
    assert _abused(leader.get("/reports/", {"unit": "91"}).content.decode()) == 2


def test_figures_are_kept_per_unit(cast, tree, receive):
    assess(receive().case_files.get(), cast.officer)  # in commune C1, district D, province P
    assess(receive(commune=tree.commune_c4, actor=cast.officer_elsewhere).case_files.get(), cast.officer_elsewhere)
    leader = Client()
    leader.force_login(cast.leader)
    assert _abused(leader.get("/reports/", {"unit": "91"}).content.decode()) == 1
    assert _abused(leader.get("/reports/", {"unit": "90002"}).content.decode()) == 0  # a commune without cases
    assert _abused(leader.get("/reports/", {"unit": "901"}).content.decode()) == 1
    # Province Q's figures are not P's kept ones, and P's leader still cannot read them.
    assert leader.get("/reports/", {"unit": "92"}).status_code == 404
    officer_elsewhere = Client()
    officer_elsewhere.force_login(cast.officer_elsewhere)
    assert _abused(officer_elsewhere.get("/reports/", {"unit": "90004"}).content.decode()) == 1
    assert officer_elsewhere.get("/reports/", {"unit": "91"}).status_code == 404  # P's kept figures: not for Q


def _figure_cells(page: str) -> list[str]:
    return re.findall(r'data-testid="figure-[a-z_]+">(.*?)</div>', page)


@pytest.mark.parametrize("member", ["leader", "coordinator_province", "officer"])
def test_a_figure_links_to_no_case_list_that_would_show_other_files(cast, tree, receive, member):
    """The leader opens no case file (the list behind a link would be empty), and for those who do the list's
    filters cannot reproduce the counting rules (verified abuse; a child once per commune; overdue at the end of
    the period): the figures are plain numbers, never a link to a list of other files."""
    assess(receive().case_files.get(), cast.officer)  # counted: verified abuse
    receive(children=[child_input(tree.commune_c1, name="Lê Thị Hoa")])  # opened in the period, not counted
    user = getattr(cast, member)
    assert may_open_case_files(user) is (member != "leader")
    client = Client()
    client.force_login(user)
    page = client.get("/reports/").content.decode()
    assert _abused(page) == 1
    cells = _figure_cells(page)
    assert len(cells) == len(selectors.KEY_FIGURES)
    assert not [cell for cell in cells if "<a" in cell]
    assert "/cases/?" not in page
