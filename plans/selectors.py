"""Reads of plans: who sees which plan, progress per agency, an agency's own tasks."""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import active_memberships, jurisdiction_of
from agencies.models import Role
from cases.selectors import report_count
from notifications.calendar import end_of_day
from notifications.work import WorkItem, section

from .access import agency_ids_of, plans_visible_to
from .models import CLOSED_OCCURRENCE_STATUSES, OccurrenceStatus, Plan, PlanStatus, PlanTask, TaskOccurrence

STATISTICS = {
    # statistic code → (report source counted, label)
    "reports_from_schools": "school",
    "reports_from_hotline": "hotline_111",
}


def _is_overdue(occurrence: TaskOccurrence, today) -> bool:
    return occurrence.status not in CLOSED_OCCURRENCE_STATUSES and occurrence.due_date < today


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
        if _is_overdue(occurrence, today):
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
        .prefetch_related("cooperating_agencies", "occurrences__reports__agency")
        .order_by("position")
    )
    for task in tasks:
        task.overdue = any(_is_overdue(o, today) for o in task.occurrences.all())
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
    """Occurrences of the tasks the user's agencies lead or cooperate in: open ones first, overdue first."""
    mine = agency_ids_of(user)
    if not mine:
        return []
    occurrences = TaskOccurrence.objects.filter(_of_agencies(mine)).select_related("task__plan", "task__lead_agency")
    closed = list(CLOSED_OCCURRENCE_STATUSES)
    return sorted(occurrences, key=lambda o: (o.status in closed, o.due_date, o.pk))


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
    """The plan tasks waiting for a person: their agencies' tasks falling due, and, for leaders and
    coordinators, the tasks overdue in the plans of their area."""

    def item(occurrence, action, url):
        due = end_of_day(occurrence.due_date)
        return WorkItem(
            section="plan_tasks",
            title=f"{occurrence.task.plan.number} · {occurrence.task.lead_agency.name}",
            detail=occurrence.task.content[:160],
            url=url,
            action=action,
            due_at=due,
            urgency=clock.of(due),
        )

    open_ones = (
        TaskOccurrence.objects.exclude(status__in=CLOSED_OCCURRENCE_STATUSES)
        .exclude(
            task__plan__status=PlanStatus.CLOSED  # a closed plan reminds nobody
        )
        .select_related("task__plan", "task__lead_agency")
    )
    sections = []
    mine = agency_ids_of(user)
    if mine:
        due_soon = open_ones.filter(_of_agencies(mine)).filter(due_date__lte=clock.today + TASKS_AHEAD)
        my_tasks = reverse("plans:my_tasks")
        sections.append(
            section(
                "plan_tasks",
                _("Plan tasks of your agency falling due"),
                [item(o, _("Report on the task"), f"{my_tasks}#o{o.pk}") for o in due_soon],
                _(
                    "Tasks of the multi-agency plans that your agency leads or cooperates in appear here "
                    "a month before they fall due."
                ),
                my_tasks,
            )
        )
    if any(m.role in (Role.LEADER, Role.COORDINATOR) for m in active_memberships(user)):
        area = jurisdiction_of(user, frozenset({Role.LEADER, Role.COORDINATOR}))
        late = open_ones.filter(area.q("task__plan__unit__path"), due_date__lt=clock.today)
        sections.append(
            section(
                "plan_tasks_overdue",
                _("Plan tasks overdue in your area"),
                [item(o, _("Open the plan"), reverse("plans:detail", args=[o.task.plan_id])) for o in late],
                _("Tasks of your area's plans that are past their due date appear here."),
                reverse("plans:list"),
            )
        )
    return sections
