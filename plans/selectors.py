"""Reads of plans: who sees which plan, progress per agency, an agency's own tasks."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import active_memberships, jurisdiction_of
from agencies.models import Role
from cases.selectors import report_count
from notifications.calendar import end_of_day
from notifications.work import WorkItem, section

from .access import agency_ids_of, plans_visible_to
from .models import (
    CLOSED_OCCURRENCE_STATUSES,
    OccurrenceStatus,
    Plan,
    PlanStatus,
    PlanTask,
    ProgressReport,
    TaskOccurrence,
)

STATISTICS = {
    # statistic code → (report source counted, label)
    "reports_from_schools": "school",
    "reports_from_hotline": "hotline_111",
}


def _is_overdue(occurrence: TaskOccurrence, today, plan: Plan) -> bool:
    """Open and past its due date in a plan still running: a closed plan expects nothing more of anyone."""
    return (
        plan.status != PlanStatus.CLOSED
        and occurrence.status not in CLOSED_OCCURRENCE_STATUSES
        and occurrence.due_date < today
    )


def is_reportable(occurrence: TaskOccurrence) -> bool:
    """An agency still reports on it: open, in a plan that is not closed."""
    return occurrence.status not in CLOSED_OCCURRENCE_STATUSES and occurrence.task.plan.status != PlanStatus.CLOSED


def _reports_prefetch(prefix: str = "") -> Prefetch:
    """Every agency's reports on the occurrences, oldest first, with the agency's name (one query for all)."""
    return Prefetch(f"{prefix}reports", queryset=ProgressReport.objects.select_related("agency"))


def progress_by_agency(plan: Plan) -> list[dict]:
    """Per lead agency: occurrences done, not done, in progress, overdue, and the share done; overdue first."""
    today = timezone.localdate()
    rows: dict[int, dict] = defaultdict(lambda: {"total": 0, "done": 0, "not_done": 0, "in_progress": 0, "overdue": 0})
    names = {}
    for occurrence in TaskOccurrence.objects.filter(task__plan=plan).select_related("task__lead_agency"):
        agency = occurrence.task.lead_agency
        names[agency.pk] = agency.name
        row = rows[agency.pk]
        row["total"] += 1
        if occurrence.status == OccurrenceStatus.DONE:
            row["done"] += 1
        elif occurrence.status == OccurrenceStatus.NOT_DONE:
            row["not_done"] += 1
        elif occurrence.status == OccurrenceStatus.IN_PROGRESS:
            row["in_progress"] += 1
        if _is_overdue(occurrence, today, plan):
            row["overdue"] += 1
    result = [
        {
            "agency_id": pk,
            "agency": names[pk],
            **row,
            "percent": round(100 * row["done"] / row["total"]) if row["total"] else 0,
        }
        for pk, row in rows.items()
    ]
    return sorted(result, key=lambda row: (-row["overdue"], row["agency"]))


def plan_tasks(plan: Plan) -> list[PlanTask]:
    today = timezone.localdate()
    tasks = list(
        plan.tasks.select_related("lead_agency", "section")
        .prefetch_related("cooperating_agencies", "occurrences", _reports_prefetch("occurrences__"))
        .order_by("position")
    )
    for task in tasks:
        task.overdue = any(_is_overdue(o, today, plan) for o in task.occurrences.all())
        task.has_reports = any(o.reports.all() for o in task.occurrences.all())
        task.figure = _statistic(task, plan)
    return tasks


def tasks_by_section(plan: Plan) -> list[dict]:
    """The tasks by section, for a page that opens collapsed: sections with overdue tasks first (else in the
    plan's order), overdue tasks first in each; with each section's counts for its folded line."""
    groups: dict[int, dict] = {}
    for task in plan_tasks(plan):
        group = groups.setdefault(
            task.section_id, {"section": task.section, "tasks": [], "overdue": 0, "done": 0, "total": 0}
        )
        group["tasks"].append(task)
        group["overdue"] += task.overdue
        occurrences = task.occurrences.all()
        group["total"] += len(occurrences)
        group["done"] += sum(occurrence.status == OccurrenceStatus.DONE for occurrence in occurrences)
    for group in groups.values():
        group["tasks"].sort(key=lambda task: not task.overdue)
    return sorted(groups.values(), key=lambda group: group["overdue"] == 0)


def _statistic(task: PlanTask, plan: Plan) -> int | None:
    if task.statistic not in STATISTICS:
        return None
    return report_count(plan.unit, source=STATISTICS[task.statistic], since=plan.issued_on)


def _of_agencies(agency_ids) -> Q:
    """Occurrences of the tasks these agencies lead or cooperate in. The tasks are read first, as the union of
    two index look-ups: the OR across the join made PostgreSQL read every task (and remove the duplicates)."""
    led = PlanTask.objects.filter(lead_agency_id__in=agency_ids).order_by().values_list("pk", flat=True)
    cooperating = PlanTask.cooperating_agencies.through.objects.filter(agency_id__in=agency_ids)
    return Q(task_id__in=list(led.union(cooperating.values_list("plantask_id", flat=True))))


def my_occurrences(user) -> list[TaskOccurrence]:
    """Occurrences of the tasks the user's agencies lead or cooperate in: those still reported on first, overdue
    first; each says whether the user's agency leads it (IS_LEAD), is overdue, and carries every agency's reports
    (OWN_REPORT: a cooperating agency's latest on its part)."""
    mine = agency_ids_of(user)
    if not mine:
        return []
    today = timezone.localdate()
    occurrences = list(
        TaskOccurrence.objects.filter(_of_agencies(mine))
        .select_related("task__plan", "task__lead_agency")
        .prefetch_related(_reports_prefetch())
    )
    for occurrence in occurrences:
        occurrence.is_lead = occurrence.task.lead_agency_id in mine
        # A cooperating agency's latest word on its own part (the task's status is the lead's).
        own = [report for report in occurrence.reports.all() if not report.is_lead and report.agency_id in mine]
        occurrence.own_report = None if occurrence.is_lead or not own else own[-1]
        occurrence.is_reportable = is_reportable(occurrence)
        # A cooperating agency that has reported its part done (or not doable) is late for nothing more.
        part_finished = occurrence.own_report is not None and occurrence.own_report.status in CLOSED_OCCURRENCE_STATUSES
        occurrence.is_overdue = not part_finished and _is_overdue(occurrence, today, occurrence.task.plan)
    return sorted(occurrences, key=lambda o: (not o.is_reportable, o.due_date, o.pk))


def overview(user) -> list[dict]:
    """The leader's view across plans: share of occurrences done and how many are overdue."""
    rows = []
    for plan in plans_visible_to(user).order_by("-issued_on"):
        progress = progress_by_agency(plan)
        total = sum(row["total"] for row in progress)
        done = sum(row["done"] for row in progress)
        rows.append(
            {
                "plan": plan,
                "total": total,
                "done": done,
                "overdue": sum(r["overdue"] for r in progress),
                "percent": round(100 * done / total) if total else 0,
            }
        )
    return rows


def occurrences_due(path: str, first_day, last_day) -> list[tuple]:
    """For the periodic reports: (lead agency name, is done, is closed, due date) of each occurrence of
    the tasks of the plans under PATH that falls due in the days given."""
    return [
        (agency, status == OccurrenceStatus.DONE, status in CLOSED_OCCURRENCE_STATUSES, due)
        for agency, status, due in TaskOccurrence.objects.filter(
            task__plan__unit__path__startswith=path, due_date__gte=first_day, due_date__lte=last_day
        ).values_list("task__lead_agency__name", "status", "due_date")
    ]


# A plan task shows on the agency's work list this many days before it falls due (and while late).
TASKS_AHEAD = datetime.timedelta(days=30)


def work_sections(user, clock) -> list:
    """The plan tasks waiting for a person: their agencies' tasks falling due or overdue (a cooperating agency's
    until it has reported its part finished), and, for leaders and coordinators, the plans of their area with
    overdue tasks. A closed plan reminds nobody. A fixed number of queries whatever the number of tasks."""
    open_ones = TaskOccurrence.objects.exclude(status__in=CLOSED_OCCURRENCE_STATUSES).exclude(
        task__plan__status=PlanStatus.CLOSED
    )
    sections = []
    mine = agency_ids_of(user)
    if mine:
        part_finished = ProgressReport.objects.filter(
            occurrence=OuterRef("pk"), agency_id__in=mine, is_lead=False, status__in=CLOSED_OCCURRENCE_STATUSES
        )
        due = (
            open_ones.filter(_of_agencies(mine), due_date__lte=clock.today + TASKS_AHEAD)
            .filter(Q(task__lead_agency_id__in=mine) | ~Exists(part_finished))
            .select_related("task__plan", "task__lead_agency")
        )
        my_tasks = reverse("plans:my_tasks")
        leads, cooperates = _("Your agency leads this task."), _("Your agency cooperates in this task.")
        sections.append(
            section(
                "plan_tasks",
                _("Plan tasks your agency reports on"),
                [
                    WorkItem(
                        section="plan_tasks",
                        title=f"{occurrence.task.plan.number} · {occurrence.task.lead_agency.name}",
                        detail=occurrence.task.content[:160],
                        url=f"{my_tasks}#o{occurrence.pk}",
                        action=_("Report on the task"),
                        due_at=end_of_day(occurrence.due_date),
                        urgency=clock.of(end_of_day(occurrence.due_date)),
                        who=leads if occurrence.task.lead_agency_id in mine else cooperates,
                    )
                    for occurrence in due
                ],
                _(
                    "Tasks of the running multi-agency plans that your agency leads or cooperates in appear here "
                    "a month before they fall due, and stay while they are overdue."
                ),
                my_tasks,
            )
        )
    if any(m.role in (Role.LEADER, Role.COORDINATOR) for m in active_memberships(user)):
        area = jurisdiction_of(user, frozenset({Role.LEADER, Role.COORDINATOR}))
        late = (
            open_ones.filter(area.q("task__plan__unit__path"), due_date__lt=clock.today)
            .values("task__plan_id", "task__plan__number", "task__plan__title")
            .annotate(count=Count("pk"), first_due=Min("due_date"))
            .order_by()
        )
        sections.append(
            section(
                "plans_overdue",
                _("Plans with overdue tasks in your area"),
                [
                    WorkItem(
                        section="plans_overdue",
                        title=ngettext(
                            "%(plan)s · %(count)s task overdue", "%(plan)s · %(count)s tasks overdue", row["count"]
                        )
                        % {"plan": row["task__plan__number"], "count": row["count"]},
                        detail=row["task__plan__title"][:160],
                        url=reverse("plans:detail", args=[row["task__plan_id"]]),
                        action=_("Open the plan"),
                        due_at=end_of_day(row["first_due"]),
                        urgency=clock.of(end_of_day(row["first_due"])),
                    )
                    for row in late
                ],
                _("The running plans of your area with tasks past their due date appear here, with how many."),
                reverse("plans:list"),
            )
        )
    return sections
