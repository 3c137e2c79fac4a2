"""Pages of the multi-agency work: the agency inbox, an assignment, reassigning it, the coordinator's view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from agencies.selectors import agencies_for_assignments
from config.errors import Conflict
from notifications.selectors import deadlines_of, open_deadlines_for_targets
from notifications.services import notifications_seen
from notifications.urgency import Clock

from .. import access, forms, lists, selectors, services
from ..models import Assignment, ServiceVisibility
from ..services.assignments import ACCEPTANCE
from .common import apply_errors

# The labels are lazy: read when a page shows them, in that page's language (not the language of the process
# at import, which left them Vietnamese on English pages).
ASSIGNMENT_ACTIONS = {
    "accept": (forms.AssignmentVersionForm, services.assignment_accept, gettext_lazy("Accept")),
    "decline": (forms.DeclineForm, services.assignment_decline, gettext_lazy("Decline")),
    "progress": (forms.ProgressForm, services.assignment_report_progress, gettext_lazy("Report progress")),
    "close": (forms.CloseAssignmentForm, services.assignment_close, gettext_lazy("Close the assignment")),
}


@login_required
@require_GET
def inbox(request):
    assignments = list(selectors.assignments_of_my_agencies(request.user))
    # A proposed assignment is answered within its own time (2 working days), shown as the home page shows it.
    clock = Clock()
    answer_by = open_deadlines_for_targets(Assignment, [a.pk for a in assignments if a.status == "proposed"])
    for assignment in assignments:
        deadline = next((d for d in answer_by.get(assignment.pk, ()) if d.kind == ACCEPTANCE), None)
        assignment.answer_urgency = clock.of(deadline.due_at) if deadline else None
    today = timezone.localdate()
    soon = today + timezone.timedelta(days=3)
    groups = [
        (_("Overdue"), "overdue", [a for a in assignments if a.due_date < today]),
        (
            _("New: accept or decline"),
            "new",
            [a for a in assignments if a.status == "proposed" and a.due_date >= today],
        ),
        (_("Due soon"), "soon", [a for a in assignments if a.status != "proposed" and today <= a.due_date <= soon]),
        (_("In hand"), "later", [a for a in assignments if a.status != "proposed" and a.due_date > soon]),
    ]
    return render(request, "cases/inbox.html", {"groups": groups, "today": today})


def _visibility(service_type: str) -> ServiceVisibility:
    """What the agency of SERVICE_TYPE sees: the rule of its legal service type (a province's own type too)."""
    legal = lists.legal_code("service_type", service_type)
    return ServiceVisibility.objects.filter(service_type=legal).first() or ServiceVisibility(service_type=legal)


@login_required
def assignment_detail(request, pk):
    assignment, level = access.assignment_for_user(
        request.user, pk, purpose="view" if request.method == "GET" else None, ended=True
    )
    if request.method == "GET":
        notifications_seen(user=request.user, url_prefix=reverse("cases:assignment", args=[assignment.pk]))
    if level == "ended":
        # A notice about an assignment the agency no longer holds (declined, given to another, closed): what
        # became of it, not a page that does not exist.
        return render(request, "cases/assignment_ended.html", {"assignment": assignment})
    allowed = access.assignment_actions(request.user, assignment, level)
    forms_by_action = {
        name: ASSIGNMENT_ACTIONS[name][0](initial={"version": assignment.version}, prefix=name)
        for name in allowed
        if name in ASSIGNMENT_ACTIONS
    }
    status = 200
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in ASSIGNMENT_ACTIONS:
            raise PermissionDenied(_("Only the staff of the assigned agency can do this."))
        access.require_assignment_actor(request.user, assignment, level, name)
        form_class, service, label = ASSIGNMENT_ACTIONS[name]
        form = form_class(request.POST, request.FILES, prefix=name)
        forms_by_action[name] = form
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            if name == "progress":
                data["upload"] = data.pop("file")
            try:
                service(actor=request.user, assignment=assignment, expected_version=version, **data)
            except Conflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                apply_errors(error, form)
                status = 400
            else:
                messages.success(request, _("Saved: %(action)s.") % {"action": label})
                if name in ("decline", "close"):
                    return redirect("cases:inbox")
                return redirect("cases:assignment", pk=assignment.pk)
        else:
            status = 400
    case = assignment.case
    context = {
        "assignment": assignment,
        "level": level,
        "case": case,
        "shown": access.shown_on_assignment(level, _visibility(assignment.service_type)),
        "abuse_forms": [item.get_form_display() for item in case.report.abuse_forms.all()],
        "caregivers": list(case.child.caregivers.all()),
        "progress": list(assignment.progress.select_related("author")),
        "attachments": list(assignment.attachments.all()),
        "forms": forms_by_action,
        "actions": [(name, ASSIGNMENT_ACTIONS[name][2]) for name in forms_by_action],
        "can_reassign": "reassign" in allowed,
        "step": _assignment_step(assignment, level),
    }
    return render(request, "cases/assignment.html", context, status=status)


def _assignment_step(assignment, level: str) -> dict:
    """What the assignment waits for, in words, with its running time limit."""
    clock = Clock()
    deadlines = {view.deadline.kind: view.deadline for view in deadlines_of(assignment) if view.status != "met"}
    agency = assignment.agency.name
    if assignment.status == "proposed":
        deadline = deadlines.get("assignment_acceptance")
        text = (
            _("Accept or decline the assignment: the commune waits for your answer.")
            if level == "agency"
            else _("Waiting for %(agency)s to accept or decline the assignment.") % {"agency": agency}
        )
    elif assignment.status in ("accepted", "in_progress"):
        deadline = deadlines.get("assignment_due")
        text = (
            _("Carry out what is asked, report progress, and close the assignment when it is done.")
            if level == "agency"
            else _("%(agency)s is carrying out the assignment.") % {"agency": agency}
        )
    else:
        deadline, text = None, str(assignment.get_status_display())
    return {"text": text, "urgency": clock.of(deadline.due_at) if deadline else None}


@login_required
def assignment_reassign(request, pk):
    assignment, level = access.assignment_for_user(request.user, pk, purpose=None)
    access.require_assignment_actor(request.user, assignment, level, "reassign")
    # Not the agency that holds or declined it: the point is to give it to another.
    agencies = agencies_for_assignments(assignment.case.commune).exclude(pk=assignment.agency_id)
    form = forms.ReassignForm(
        request.POST or None,
        agencies=agencies,
        initial={"version": assignment.version, "due_date": assignment.due_date},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                new = services.assignment_reassign(
                    actor=request.user, assignment=assignment, expected_version=version, **data
                )
            except Conflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                apply_errors(error, form)
            else:
                messages.success(request, _("Reassigned to %(agency)s.") % {"agency": new.agency.name})
                return redirect("cases:detail", pk=assignment.case_id)
    return render(request, "cases/reassign.html", {"assignment": assignment, "form": form}, status=status)


@login_required
@require_GET
def coordination(request):
    """Everything in the user's area: open assignments overdue first, and each agency's workload."""
    if not access.may_coordinate(request.user):
        raise PermissionDenied(_("Your role does not give you a coordination view."))
    page = Paginator(selectors.open_assignments_in_area(request.user), 50).get_page(request.GET.get("page"))
    rows = [(item, "reassign" in access.assignment_actions(request.user, item, "case")) for item in page]
    return render(
        request,
        "cases/coordination.html",
        {
            "page_obj": page,
            "rows": rows,
            "workload": selectors.workload_by_agency(request.user),
            "today": timezone.localdate(),
        },
    )
