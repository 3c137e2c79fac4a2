"""A person's work: every app's sections for the roles they hold, most urgent first. The top layer: it
reads cases, plans and reports through their selectors and decides nothing about rights itself."""

from dataclasses import dataclass

from agencies.access import active_memberships
from agencies.models import Role
from cases.selectors import work as case_work
from notifications.urgency import Clock
from notifications.work import Section, cached_count
from plans.selectors import work_sections as plan_work
from reports.selectors import work_sections as report_work

# Each role's case sections, in the order the home page shows them.
CASE_SECTIONS = (
    (Role.COMMUNE_OFFICER, case_work.officer_sections),
    (Role.CHAIRMAN, case_work.chairman_sections),
    (Role.FOCAL_POINT, case_work.agency_sections),
    (Role.COORDINATOR, case_work.coordinator_sections),
)


@dataclass(frozen=True)
class Work:
    sections: list[Section]  # with something to do, the most urgent first
    waiting: list[Section]  # empty for now: what will appear there
    count: int  # items to act on (figures to read are not counted)


def work_for(user, clock: Clock | None = None) -> Work:
    clock = clock or Clock()
    roles = {membership.role for membership in active_memberships(user)}
    sections: list[Section] = []
    for role, make in CASE_SECTIONS:
        if role in roles:
            sections += make(user, clock)
    sections += report_work(user, clock) + plan_work(user, clock)
    unique = list({section.key: section for section in reversed(sections)}.values())[::-1]
    busy = [section for section in unique if section.items]
    # A child said to be in danger right now heads the list; then case files a supervisor flagged; then the
    # section whose first item is the most urgent.
    busy.sort(
        key=lambda section: (
            section.items[0].sort_key[0],
            section.key != "flagged",
            *section.items[0].sort_key[1:3],
        )
    )
    return Work(
        sections=busy,
        waiting=[section for section in unique if not section.items and section.empty],
        count=sum(section.total for section in unique),
    )


def work_count(user) -> int:
    """The number shown beside "Việc cần làm" in the menu (kept a minute; forgotten when a notice arrives)."""
    return cached_count(user, lambda: work_for(user).count)
