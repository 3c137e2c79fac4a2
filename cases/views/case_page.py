"""The case page, the forms of the procedure's steps, and the printable forms (Mẫu 01–06)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies.access import province_pk_of
from agencies.selectors import agencies_for_assignments, providers_serving
from config.errors import Conflict
from notifications.selectors import deadlines_of, fires_of
from notifications.services import notifications_seen
from notifications.urgency import Clock

from .. import access, documents, forms, lists, selectors, services
from ..models import current_plan
from ..next_step import next_step
from ..selectors import visits as visit_selectors
from .common import apply_errors, numbered_as_forms


@login_required
@require_GET
def case_detail(request, pk):
    case, level = access.case_access(request.user, pk)
    if level == access.ASSIGNMENT:
        # An agency sees the case only through its assignment, with the minimum its service needs.
        mine = selectors.assignments_of_my_agencies(request.user).filter(case=case).first()
        if mine is None:
            raise PermissionDenied(_("Your agency sees only what its assignment needs of this case file."))
        return redirect("cases:assignment", pk=mine.pk)
    case = selectors.case_detail(request.user, pk)
    notifications_seen(user=request.user, url_prefix=reverse("cases:detail", args=[case.pk]))
    rights = access.rights_on(request.user, case)
    deadlines = deadlines_of(case)
    context = {
        "case": case,
        "rights": rights,
        "step": next_step(case, rights, deadlines, Clock()),
        "deadlines": deadlines,
        "escalations": fires_of(case),
        "note_form": forms.NoteForm(),
        "attachment_form": forms.AttachmentForm(),
        "current_plan": current_plan(case.plans.all()),
        "report_extra": lists.extra_pairs(case.report, target="report"),
        "case_extra": lists.extra_pairs(case, target="case"),
        "case_extra_asked": bool(lists.extra_definitions(province_pk_of(case.commune), "case")),
        "printable_forms": documents.printable_forms(),
        "assignments": [
            (assignment, access.assignment_actions(request.user, assignment, "case"))
            for assignment in case.assignments.select_related("agency", "case__commune").order_by("pk")
        ],
        "viewers": selectors.case_viewers(case) if rights.sees_viewers else None,
        "family": selectors.family_of_case(request.user, case),
        "residence": [
            part for part in (case.child.address, case.child.residence_hamlet, case.child.residence_commune) if part
        ],
        "history": selectors.history_snapshot(request.user, case.child, before_case=case),
        # A likely second record of the same child, and the merges into this one (undone from their page).
        "duplicates": selectors.duplicates_of_child(request.user, case.child, record=True)[:3],
        "merges": selectors.merges_into_child(request.user, case.child),
        "may_merge": access.can_resolve_duplicates(request.user, case.child),
        "contact": visit_selectors.contact_summary(case),
        "flag": visit_selectors.active_flag(case),
    }
    return render(request, "cases/detail.html", context)


# Decisions: what they decide is shown above the form (check the answers), and the button says what it does.
DECISIONS = frozenset(
    {"approve_plan", "return_plan", "approve_closure", "reject_closure", "accept_transfer", "decline_transfer"}
)

ACTION_FORMS = {
    "assess": forms.AssessForm,
    "record_emergency": forms.EmergencyForm,
    "investigate": forms.InvestigateForm,
    "submit_plan": forms.PlanForm,
    "approve_plan": forms.ApprovePlanForm,
    "return_plan": forms.NoteRequiredForm,
    "review": forms.ReviewForm,
    "approve_closure": forms.ApproveClosureForm,
    "reject_closure": forms.NoteRequiredForm,
    "transfer": forms.TransferForm,
    "accept_transfer": forms.VersionForm,
    "decline_transfer": forms.ReasonForm,
    "mark_not_child_protection": forms.ReasonForm,
    "reopen": forms.ReasonForm,
}


def _run_action(request, case, name, data, measure_formset) -> int:
    """Run the step's service; a step recorded once for siblings runs it on each chosen file. Returns how
    many case files the step was taken on."""
    kwargs = {key: value for key, value in data.items() if key not in ("version", "also_apply_to")}
    if name == "submit_plan":
        kwargs["measures"] = [services.MeasureInput(**form.cleaned_data) for form in measure_formset.filled_forms()]
    if name in services.GROUP_STEPS:
        done = services.step_for_siblings(
            actor=request.user,
            case=case,
            action=name,
            values=kwargs,
            siblings=data.get("also_apply_to") or [],
            expected_version=data["version"],
        )
        return len(done)
    getattr(services, f"case_{name}")(actor=request.user, case=case, expected_version=data["version"], **kwargs)
    return 1


@login_required
def case_action(request, pk, name):
    if name not in ACTION_FORMS:
        raise Http404
    case = access.case_for_user(request.user, pk, action=name)
    action = access.ACTIONS[name]
    form = ACTION_FORMS[name](request.POST or None, initial={"version": case.version})
    forms.offer_lists(form, province_pk_of(case.commune))
    # Siblings once: the same step on the family's other files at this step that the user may act on.
    siblings = access.sibling_cases_for_action(request.user, case, name) if name in services.GROUP_STEPS else []
    # Also when none is offered any more but some were chosen (a sibling moved on meanwhile): refused, not dropped.
    chosen = request.method == "POST" and request.POST.getlist("also_apply_to")
    if siblings or (chosen and name in services.GROUP_STEPS):
        forms.add_siblings_field(form, siblings)
    measure_formset = None
    if name == "submit_plan":
        measure_formset = forms.MeasureFormSet(
            request.POST or None,
            prefix="measures",
            form_kwargs={
                "agencies": agencies_for_assignments(case.commune),
                "providers": providers_serving(case.commune),
                "province_id": province_pk_of(case.commune),
            },
        )
    status = 200
    if request.method == "POST" and form.is_valid() and (measure_formset is None or measure_formset.is_valid()):
        try:
            count = _run_action(request, case, name, form.cleaned_data, measure_formset)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        except ValidationError as error:
            measure_forms = measure_formset.filled_forms() if measure_formset else []
            apply_errors(numbered_as_forms(error, "measures", measure_forms), form, *measure_forms)
            status = 400
        else:
            if count > 1:
                messages.success(
                    request,
                    _("Saved for %(count)s case files: %(action)s.") % {"count": count, "action": action.label},
                )
            else:
                messages.success(request, _("Saved: %(action)s.") % {"action": action.label})
            return redirect("cases:detail", pk=case.pk)
    elif request.method == "POST":
        status = 400
    if case.state not in action.sources:
        messages.warning(request, _("This step is not possible in the current state of the case file."))
        return redirect("cases:detail", pk=case.pk)
    context = {
        "case": case,
        "action": action,
        "form": form,
        "measure_formset": measure_formset,
        "siblings_field": form["also_apply_to"] if "also_apply_to" in form.fields else None,
    }
    if name in DECISIONS:
        context["is_decision"] = True
        context["plan"] = current_plan(case.plans.prefetch_related("measures__agency"))
        context["review"] = case.reviews.order_by("-reviewed_at").first()
        if name == "approve_closure":
            context["closing"] = selectors.what_closing_ends(case)
    return render(request, "cases/action.html", context, status=status)


@login_required
@require_GET
def form_pdf(request, pk, number):
    if number not in documents.FORMS:
        raise Http404
    case = selectors.case_detail(request.user, pk, purpose="print", fields={"form": number})
    content = documents.form_pdf(case, number)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-mau-{number:02d}.pdf"'
    return response


@login_required
def case_extra(request, pk):
    """The province's extra fields of a case file: whoever may change the case file records them."""
    case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
    definitions = lists.extra_definitions(province_pk_of(case.commune), "case")
    if not definitions:
        raise Http404
    initial = {f"extra_{key}": value for key, value in (case.extra or {}).items()}
    form = forms.CaseExtraForm(request.POST or None, initial=initial, definitions=definitions, current=case.extra)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.case_extra_save(actor=request.user, case=case, raw=forms.extra_values(form))
            except ValidationError as error:
                apply_errors(error, form)
            else:
                messages.success(request, _("Saved: further information of the case file."))
                return redirect("cases:detail", pk=case.pk)
        status = 400
    return render(request, "cases/case_extra.html", {"case": case, "form": form}, status=status)
