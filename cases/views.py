import csv
import datetime
from dataclasses import dataclass
from html import escape

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies.access import ancestor_pks, jurisdiction_of
from agencies.models import AdministrativeUnit, Agency
from notifications.selectors import deadline_status, deadlines_of, fires_of, open_deadlines_for_targets

from . import access, audit, documents, forms, selectors, services
from .choices import CaseState, RiskLevel
from .downloads import attachment_response
from .models import CaseFile
from .templatetags.cases_tags import badge_maker
from .workflow import actions_from

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000


def submit(request, form, call, success: str) -> bool:
    """Run CALL(cleaned_data) for a valid form; a refusal goes on the form (input kept), success is said."""
    try:
        call(form.cleaned_data)
    except services.CaseConflict as conflict:
        form.add_error(None, str(conflict))
        return False
    except ValidationError as error:
        _apply_errors(error, form)
        return False
    messages.success(request, success)
    return True


def _apply_errors(error: ValidationError, *forms_with_prefix) -> None:
    """Put a service's errors on the form fields they name ("children-0-birth_date"), else on the form."""
    for key, messages_ in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        placed = False
        for form in forms_with_prefix:
            field = key
            if key and form.prefix and key.startswith(f"{form.prefix}-"):
                field = key[len(form.prefix) + 1 :]
            elif form.prefix:
                continue
            if field in form.fields:
                for message in messages_:
                    form.add_error(field, message)
                placed = True
                break
        if not placed:
            for message in messages_:
                forms_with_prefix[0].add_error(None, message)


# ---------------------------------------------------------------------------------------------- list


def _filters_from(form) -> selectors.CaseFilters:
    if not form.is_valid():
        return selectors.CaseFilters()
    data = form.cleaned_data
    return selectors.CaseFilters(
        state=data["state"],
        risk_level=data["risk_level"],
        overdue=data["overdue"],
        commune=data["commune"].pk if data["commune"] else None,
        abuse_form=data["abuse_form"],
        opened_from=data["opened_from"],
        opened_to=data["opened_to"],
        query=data["q"],
    )


@login_required
@require_GET
def case_list(request):
    communes = AdministrativeUnit.objects.filter(
        jurisdiction_of(request.user, access.VIEW_ROLES).q("path"), level="commune"
    ).order_by("name")
    form = forms.CaseFilterForm(request.GET or None, communes=communes)
    filters = _filters_from(form)
    page, cases = selectors.case_list_page(request.user, filters, request.GET.get("page"), per_page=PAGE_SIZE)
    audit.record(
        "view", "case_list", "", fields={"cases": [case.pk for case in cases], "query": request.GET.urlencode()}
    )
    deadlines = open_deadlines_for_targets(CaseFile, [case.pk for case in cases])
    rows = _list_rows(cases, deadlines)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query": query.urlencode(),
            # From the memberships already loaded: no query for a button.
            "can_receive": not jurisdiction_of(request.user, access.RECEIVE_ROLES).is_empty,
        },
    )


@dataclass(frozen=True)
class ListRow:
    """A case list line, made once in Python for both the phone and the desktop layouts: the list is
    the most used page, and fifty rows of template lookups cost more than the queries behind them."""

    card: str
    table_row: str


def _list_rows(cases, deadlines) -> list[ListRow]:
    # Translations, the time zone and the URL pattern read once for the fifty rows: each lookup of
    # the active language or time zone goes through asgiref's context-local storage.
    detail = reverse("cases:detail", args=[987654321])
    now = timezone.now()
    tz = timezone.get_current_timezone()
    risk_word = escape(_("Risk"))
    states = {value: escape(str(label)) for value, label in CaseState.choices}
    risks = {value: escape(str(label)) for value, label in RiskLevel.choices}
    badge = badge_maker()
    rows = []
    for case in cases:
        url = escape(detail.replace("987654321", str(case.pk)))
        opened = case.opened_at.astimezone(tz)
        state, risk = states.get(case.state, escape(case.state)), risks.get(case.risk_level, "")
        child, commune = escape(case.child_name or ""), escape(case.commune_name or "")
        reference = escape(case.reference or f"#{case.pk}")
        badges = " ".join(badge(d, deadline_status(d, now)) for d in deadlines.get(case.pk, []))
        risk_part = f" · {risk_word}: {risk}" if risk else ""
        # Every value above is escaped (stdlib html.escape); the markup around it is constant.
        card = (
            f'<a class="list-group-item list-group-item-action" href="{url}" data-testid="case-card">'
            f'<div class="d-flex justify-content-between"><strong>{child}</strong>'
            f'<small class="text-muted">{opened:%d/%m/%Y}</small></div>'
            f'<div class="small">{state}{risk_part} · {commune}</div><div class="small text-muted">{reference}</div>'
            f"<div>{badges}</div></a>"
        )
        table_row = (
            f'<tr data-testid="case-row"><td><a href="{url}">{reference}</a></td><td>{child}</td><td>{commune}</td>'
            f"<td>{state}</td><td>{risk or '—'}</td><td>{badges or '—'}</td>"
            f'<td class="text-nowrap">{opened:%d/%m/%Y %H:%M}</td></tr>'
        )
        rows.append(ListRow(card=SafeString(card), table_row=SafeString(table_row)))  # escaped above
    return rows


@login_required
@require_GET
def case_export(request):
    """The filtered case list as CSV (UTF-8 with BOM, so that Excel reads the Vietnamese)."""
    communes = AdministrativeUnit.objects.filter(
        jurisdiction_of(request.user, access.VIEW_ROLES).q("path"), level="commune"
    )
    form = forms.CaseFilterForm(request.GET or None, communes=communes)
    filters = _filters_from(form)
    cases = list(selectors.case_list(request.user, filters, list_fields=True)[:EXPORT_LIMIT])
    audit.record(
        "export", "case_list", "", fields={"cases": [case.pk for case in cases], "query": request.GET.urlencode()}
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ho-so-tre-em.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Reference"), _("Child"), _("Commune"), _("State"), _("Risk"), _("Received")])
    for case in cases:
        writer.writerow(
            [
                case.reference,
                case.child.full_name,
                case.commune.name,
                case.get_state_display(),
                case.get_risk_level_display(),
                timezone.localtime(case.opened_at).strftime("%d/%m/%Y %H:%M"),
            ]
        )
    return response


# ---------------------------------------------------------------------------------------------- intake


def _child_inputs(formset, commune) -> list[services.ChildInput]:
    children = []
    for form in formset.forms:
        data = form.cleaned_data
        if data.get("existing_id"):
            children.append(services.ChildInput(existing_id=data["existing_id"]))
            continue
        caregivers = []
        if data.get("caregiver_name"):
            caregivers.append(
                services.CaregiverInput(
                    full_name=data["caregiver_name"],
                    relation=data["caregiver_relation"] or "",
                    phone=data["caregiver_phone"] or "",
                    is_legal_representative=data["caregiver_is_legal_representative"],
                    is_alleged_perpetrator=data["caregiver_is_alleged_perpetrator"],
                )
            )
        children.append(
            services.ChildInput(
                full_name=data.get("full_name") or "",
                birth_date=data.get("birth_date"),
                birth_year_only=data.get("birth_year_only", False),
                sex=data.get("sex") or "unknown",
                ethnicity=data.get("ethnicity") or "",
                personal_id=data.get("personal_id") or "",
                residence_commune=commune,
                address=data.get("address") or "",
                school=data.get("school") or "",
                disability=data.get("disability") or "",
                circumstances=data.get("circumstances") or [],
                caregivers=caregivers,
            )
        )
    return children


@login_required
def report_new(request):
    communes = access.communes_for_intake(request.user)
    if not communes.exists():
        raise PermissionDenied(_("Your role does not allow recording reports."))
    report_form = forms.ReportForm(request.POST or None, communes=communes)
    formset = forms.ChildFormSet(request.POST or None, prefix="children")
    if request.method == "POST" and report_form.is_valid() and formset.is_valid():
        data = report_form.cleaned_data
        try:
            report = services.report_receive(
                actor=request.user,
                report=services.ReportInput(**data),
                children=_child_inputs(formset, data["commune"]),
            )
        except ValidationError as error:
            _apply_errors(error, report_form, *formset.forms)
        else:
            cases = list(report.case_files.order_by("pk"))
            messages.success(
                request,
                _("Report recorded: %(count)s case file(s) opened, the legal deadlines are running.")
                % {"count": len(cases)},
            )
            target = reverse("cases:detail", args=[cases[0].pk]) if len(cases) == 1 else reverse("cases:list")
            return redirect(f"{target}?saved=report")
    if communes.count() == 1 and not report_form.is_bound:
        report_form.fields["commune"].initial = communes.first()
    return render(request, "cases/report_new.html", {"form": report_form, "formset": formset})


@login_required
@require_POST
def child_similar(request):
    """Possible existing children while the officer types a name (duplicate search).

    A POST, so that the child's name never appears in a URL, a browser history or an access log.
    """
    birth = None
    if request.POST.get("birth_date"):
        try:
            birth = datetime.date.fromisoformat(request.POST["birth_date"])
        except ValueError:
            birth = None
    try:
        commune_id = int(request.POST.get("commune") or 0) or None
    except ValueError:
        commune_id = None
    matches = selectors.child_search(
        request.user, request.POST.get("name", ""), birth_date=birth, commune_id=commune_id
    )
    audit.record("view", "child_search", "", fields={"children": [match.child.pk for match in matches]})
    return JsonResponse(
        {
            "results": [
                {
                    "id": match.child.pk,
                    "full_name": match.child.full_name,
                    "birth": (
                        str(match.child.birth_date.year)
                        if match.child.birth_year_only
                        else match.child.birth_date.strftime("%d/%m/%Y")
                    ),
                    "commune": match.child.residence_commune.name,
                    "score": match.score,
                }
                for match in matches
            ]
        }
    )


# ---------------------------------------------------------------------------------------------- case page


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
    audit.record("view", "case", case.pk, case=case)
    actions = [action for action in actions_from(case.state) if access.can_act(request.user, case, action)]
    is_responsible = case.officer_id == request.user.pk or access.can_edit(request.user, case)
    context = {
        "case": case,
        "actions": actions,
        "deadlines": deadlines_of(case),
        "escalations": fires_of(case),
        "can_edit": access.can_edit(request.user, case),
        "can_reassign": access.can_reassign(request.user, case),
        "note_form": forms.NoteForm(),
        "attachment_form": forms.AttachmentForm(),
        "current_plan": next((plan for plan in reversed(case.plans.all()) if plan.status != "superseded"), None),
        "printable_forms": [(number, f"{_('Form')} {number:02d}") for number in documents.FORMS],
        "assignments": list(case.assignments.select_related("agency").order_by("pk")),
        "viewers": selectors.case_viewers(case) if is_responsible else None,
    }
    return render(request, "cases/detail.html", context)


def _measure_agencies(case: CaseFile):
    """Agencies that serve the child's commune: those at the commune and those above it."""
    ancestors = ancestor_pks(case.commune.path)
    return (
        Agency.objects.filter(Q(unit_id__in=ancestors) | Q(unit__isnull=True), is_active=True)
        .select_related("unit", "agency_type")
        .order_by("-unit__path", "name")
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


def _run_action(request, case, name, data, measure_formset):
    kwargs = {key: value for key, value in data.items() if key != "version"}
    service = getattr(services, f"case_{name}")
    if name == "submit_plan":
        kwargs["measures"] = [services.MeasureInput(**form.cleaned_data) for form in measure_formset.forms]
    return service(actor=request.user, case=case, expected_version=data["version"], **kwargs)


@login_required
def case_action(request, pk, name):
    if name not in ACTION_FORMS:
        raise Http404
    case = access.case_for_user(request.user, pk)
    action = access.require_action(request.user, case, name)
    form_class = ACTION_FORMS[name]
    form = form_class(request.POST or None, initial={"version": case.version})
    measure_formset = None
    if name == "submit_plan":
        measure_formset = forms.MeasureFormSet(
            request.POST or None, prefix="measures", form_kwargs={"agencies": _measure_agencies(case)}
        )
    status = 200
    if request.method == "POST" and form.is_valid() and (measure_formset is None or measure_formset.is_valid()):
        try:
            _run_action(request, case, name, form.cleaned_data, measure_formset)
        except services.CaseConflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        except ValidationError as error:
            _apply_errors(error, form, *(measure_formset.forms if measure_formset else []))
            status = 400
        else:
            messages.success(request, _("Saved: %(action)s.") % {"action": action.label})
            return redirect("cases:detail", pk=case.pk)
    elif request.method == "POST":
        status = 400
    if case.state not in action.sources:
        messages.warning(request, _("This step is not possible in the current state of the case file."))
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/action.html",
        {"case": case, "action": action, "form": form, "measure_formset": measure_formset},
        status=status,
    )


@login_required
@require_GET
def form_pdf(request, pk, number):
    if number not in documents.FORMS:
        raise Http404
    case = selectors.case_detail(request.user, pk)
    audit.record("print", "case", case.pk, case=case, fields={"form": number})
    content = documents.form_pdf(case, number)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-mau-{number:02d}.pdf"'
    return response


@login_required
@require_POST
def note_add(request, pk):
    case = access.case_for_user(request.user, pk)
    if not access.can_edit(request.user, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(actor=request.user, case=case, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Note added."))
    else:
        messages.error(request, _("The note is empty."))
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#notes")


@login_required
@require_POST
def attachment_add(request, pk):
    case = access.case_for_user(request.user, pk)
    if not access.can_edit(request.user, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                case=case,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("File attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#attachments")


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    case, level = access.case_access(request.user, pk)
    attachments = case.attachments.all()
    if level == access.ASSIGNMENT:
        # An agency downloads only what was attached to its own active assignments.
        attachments = attachments.filter(assignment__in=selectors.assignments_of_my_agencies(request.user))
    attachment = attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    audit.record("download", "attachment", attachment.pk, case=case)
    return attachment_response(attachment)


@login_required
def case_restrict(request, pk):
    """Mark a sensitive case file restricted and name who may still see it."""
    case = access.case_for_user(request.user, pk)
    if not access.can_reassign(request.user, case):  # the same roles: commune officer, coordinator
        raise PermissionDenied(_("Only the commune officer or a coordinator can restrict a case file."))
    staff = (
        get_user_model()
        .objects.filter(pk__in=selectors.staff_who_may_see(request.user, case))
        .order_by("first_name", "username")
    )
    form = forms.RestrictForm(request.POST or None, staff=staff, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda data: services.case_restrict(
                actor=request.user,
                case=case,
                named_users=list(data["named_users"]),
                reason=data["reason"],
                expected_version=data["version"],
            ),
            _("The case file is now restricted to the named users."),
        )
        if done:
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/restrict.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@login_required
def case_unrestrict(request, pk):
    """Lift a restriction: the case file is seen again by role and area."""
    case = access.case_for_user(request.user, pk)
    if not access.can_reassign(request.user, case):
        raise PermissionDenied(_("Only the commune officer or a coordinator can restrict a case file."))
    if not case.is_restricted:
        messages.info(request, _("This case file is not restricted."))
        return redirect("cases:detail", pk=case.pk)
    form = forms.UnrestrictForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda data: services.case_unrestrict(
                actor=request.user, case=case, reason=data["reason"], expected_version=data["version"]
            ),
            _("The restriction is lifted."),
        )
        if done:
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/unrestrict.html", {"case": case, "form": form}, status=400 if form.errors else 200)
