"""The caseloads of an area's officers, and handing an officer's open files to another (leave, departure)."""

from html import escape

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from config.reversing import row_url

from .. import access, forms, handoffs, selectors, services
from ..choices import OPEN_STATES
from ..models import CaseFile
from ..text import number
from .common import apply_errors


def _require_caseloads(user) -> None:
    if not access.may_see_caseloads(user):
        raise PermissionDenied(_("Only a chairman or a coordinator follows the officers' caseloads."))


@login_required
@require_GET
def caseload(request):
    _require_caseloads(request.user)
    communes = selectors.caseload(request.user)
    return render(
        request,
        "cases/caseload.html",
        {"blocks": _blocks(communes, open_one=len(communes) == 1), "totals": _totals(communes)},
    )


def _totals(communes) -> dict:
    return {
        "open": sum(commune.open for commune in communes),
        "overdue": sum(commune.overdue for commune in communes),
        "officers": sum(1 for commune in communes for officer in commune.officers if officer.is_officer),
        "without_officer": sum(1 for commune in communes if commune.open and not commune.has_officer),
    }


def _blocks(communes, *, open_one: bool) -> list[SafeString]:
    """Each commune's block (its totals, then a card per officer on phones and a table row on desktop),
    made once in Python: a province has a hundred communes or more, and their template lookups would cost
    more than the page's queries. Every value is escaped (html.escape); the markup around it is constant."""
    list_url = reverse("cases:list")
    words = {
        "open": escape(_("Open")),
        "overdue": escape(_("Overdue")),
        "last": escape(_("Oldest last contact")),
        "unseen": escape(_("Not seen for too long")),
        "officer": escape(_("Officer")),
        "steps": escape(_("By step")),
        "hand": escape(_("Hand their files over")),
        "left": escape(_("not one of the commune's officers")),
        "nobody": escape(_("no officer")),
        "total": escape(_("Commune total")),
        "none": escape(_("No officer and no open file.")),
    }
    tz = timezone.get_current_timezone()

    def hidden(count: int) -> str:
        if not count:
            return ""
        text = ngettext(
            "and %(counter)s restricted file you may not open",
            "and %(counter)s restricted files you may not open",
            count,
        ) % {"counter": count}
        return f' <span class="text-muted">{escape(text)}</span>'

    def steps(load, query: str) -> str:
        return " · ".join(
            f'<a href="{list_url}?{query}&amp;state={state}">{escape(str(label))}: {count}</a>'
            for state, label, count in load.steps
        )

    def step_rows(load, query: str) -> str:
        """On a phone: one row per step, the whole row a link (a 44 px target), its count on the right."""
        return "".join(
            f'<li><a href="{list_url}?{query}&amp;state={state}"><span>{escape(str(label))}</span>'
            f"<strong>{count}</strong></a></li>"
            for state, label, count in load.steps
        )

    blocks = []
    for commune in communes:
        where = f"commune={commune.pk}"
        cards, rows = [], []
        for officer in commune.officers:
            query = f"{where}&amp;officer={officer.pk}"
            name = escape(officer.name)
            left = "" if officer.is_officer else f' <span class="badge text-bg-warning">{words["left"]}</span>'
            last = officer.waiting_since.astimezone(tz).strftime("%d/%m/%Y") if officer.waiting_since else "—"
            unseen_class = " text-danger" if officer.unseen else ""
            opened = (
                f'<a href="{list_url}?{query}&amp;open=on" data-testid="officer-open-{officer.pk}">{officer.open}</a>'
            )
            late = f'<a href="{list_url}?{query}&amp;open=on&amp;overdue=on">{officer.overdue}</a>'
            hand = (
                f'<a class="btn btn-outline-primary btn-sm" data-testid="handover-{commune.pk}-{officer.pk}" '
                f'href="{row_url("cases:handover", commune.pk)}?from={officer.pk}">{words["hand"]}</a>'
                if officer.open or officer.hidden
                else ""
            )
            danger = " text-danger" if officer.overdue else ""
            listed = steps(officer, query) + hidden(officer.hidden)
            lines = step_rows(officer, query)
            cards.append(
                f'<li class="caseload-card{" border-danger" if officer.overdue else ""}" data-testid="officer-card">'
                f'<div class="fw-semibold">{name}{left}</div>'
                f'<dl class="stat-grid mb-1"><div><dt>{words["open"]}</dt><dd>{opened}</dd></div>'
                f'<div class="{danger}"><dt>{words["overdue"]}</dt><dd>{late}</dd></div>'
                f'<div class="{unseen_class}"><dt>{words["unseen"]}</dt><dd>{officer.unseen}</dd></div>'
                f'<div><dt>{words["last"]}</dt><dd class="fs-6 text-nowrap">{last}</dd></div></dl>'
                f'<ul class="list-unstyled caseload-steps mb-1">{lines}</ul>{hidden(officer.hidden)}{hand}</li>'
            )
            row_class = ' class="table-danger"' if officer.overdue else ""
            rows.append(
                f'<tr{row_class}><td class="text-nowrap">{name}{left}</td>'
                f'<td class="text-end">{opened}</td><td class="text-end">{late}</td>'
                f'<td class="text-end{unseen_class}">{officer.unseen}</td>'
                f'<td class="small">{listed}</td><td>{last}</td><td class="text-nowrap">{hand}</td></tr>'
            )
        open_text = escape(ngettext("%(counter)s open", "%(counter)s open", commune.open) % {"counter": commune.open})
        late_text = escape(
            ngettext("%(counter)s overdue", "%(counter)s overdue", commune.overdue) % {"counter": commune.overdue}
        )
        badges = (f' <span class="badge text-bg-danger">{late_text}</span>' if commune.overdue else "") + (
            f' <span class="badge text-bg-warning">{words["nobody"]}</span>'
            if commune.open and not commune.has_officer
            else ""
        )
        totals = (
            f'<p class="mb-2 small">{words["total"]}: '
            f'<a href="{list_url}?{where}&amp;open=on" data-testid="commune-open-{commune.pk}">{open_text}</a> · '
            f'<a href="{list_url}?{where}&amp;open=on&amp;overdue=on">{late_text}</a>'
            f"{' · ' + steps(commune, where) if commune.steps else ''}{hidden(commune.hidden)}</p>"
        )
        table = (
            f'<div class="table-responsive d-none d-md-block"><table class="table table-sm align-middle mb-0">'
            f'<thead><tr><th scope="col">{words["officer"]}</th><th scope="col" class="text-end">{words["open"]}</th>'
            f'<th scope="col" class="text-end">{words["overdue"]}</th>'
            f'<th scope="col" class="text-end">{words["unseen"]}</th><th scope="col">{words["steps"]}</th>'
            f'<th scope="col">{words["last"]}</th><th scope="col"></th></tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></div>"
            if rows
            else ""
        )
        officer_cards = "".join(cards) or f'<li class="text-muted">{words["none"]}</li>'
        is_open = " open" if open_one else ""
        blocks.append(
            SafeString(
                f'<details class="card mb-2 plan-section" data-testid="caseload-commune"{is_open}>'
                f'<summary class="card-header d-flex flex-wrap align-items-center gap-2">'
                f'<span class="fw-semibold me-auto">{escape(commune.name)}</span><span>{open_text}</span>{badges}'
                f'</summary><div class="card-body py-2">{totals}'
                f'<ul class="list-unstyled d-md-none mb-0">{officer_cards}</ul>'
                f"{table}</div></details>"
            )
        )
    return blocks


@login_required
def handover(request, commune_pk):
    """All open files of one officer of the commune to another, at once (a chairman or a coordinator): the
    form, then a page to check the files that would go (reached by a redirect, so that Back returns to it),
    then the handover of exactly the files shown."""
    _require_caseloads(request.user)
    commune = access.caseload_commune_for_user(request.user, commune_pk)
    if not access.may_hand_over_caseload(request.user, commune):
        raise PermissionDenied(_("Only the commune's chairman or a coordinator hands over an officer's case files."))
    users = get_user_model().objects.order_by("first_name", "username")
    holding = dict(
        CaseFile.objects.filter(commune=commune, state__in=OPEN_STATES, officer__isnull=False)
        .values("officer_id")
        .annotate(count=Count("pk"))
        .values_list("officer_id", "count")
    )
    choices = {
        "holders": users.filter(pk__in=holding),
        "officers": users.filter(pk__in=handoffs.commune_officer_ids(commune)),
    }
    key = f"handover_check:{commune.pk}"
    if request.method == "GET" and request.GET.get("check"):
        return _check_page(request, commune, request.session.get(key), choices, holding)
    form = forms.HandoverForm(request.POST or None, **choices, initial={"from_officer": request.GET.get("from")})
    if request.method == "POST" and "change" in request.POST:
        # Back from the check page to change something: the form as it was filled, without errors.
        fields = ("from_officer", "to_officer", "reason")
        form = forms.HandoverForm(**choices, initial={name: request.POST.get(name, "") for name in fields})
    elif request.method == "POST" and "confirm" in request.POST and _handed_already(request.POST, commune):
        # A second tap, or the page sent again after it went: what was checked has been handed over.
        request.session.pop(key, None)
        messages.info(request, _("The case files you checked have already been handed over."))
        return redirect("cases:caseload")
    elif request.method == "POST" and form.is_valid():
        people = _people(request, commune, form.cleaned_data)
        try:
            if "confirm" not in request.POST:
                services.caseload_handover_plan(**people)  # its refusals shown on the form, in words
                request.session[key] = {name: request.POST.get(name, "") for name in ("from_officer", "to_officer")}
                request.session[key]["reason"] = form.cleaned_data["reason"]
                return redirect(f"{request.path}?check=1")
            result = services.caseload_hand_over(**people, confirmed=_confirmed(request.POST.getlist("files")))
        except ValidationError as error:
            apply_errors(error, form)
        else:
            request.session.pop(key, None)
            _report(request, result)
            return redirect("cases:caseload")
    _count_in_labels(form, holding)
    return render(
        request,
        "cases/handover.html",
        {"commune": commune, "form": form, "has_holders": bool(holding)},
        status=400 if form.errors else 200,
    )


def _people(request, commune, data: dict) -> dict:
    return {
        "actor": request.user,
        "commune": commune,
        "from_officer": data["from_officer"],
        "to_officer": data["to_officer"],
        "reason": data["reason"],
    }


def _check_page(request, commune, kept: dict | None, choices: dict, holding: dict[int, int]):
    """The files that would go, as the form left them in the session; the form again, with what no longer
    holds said in words, when something changed meanwhile (files handed over, an officer who left)."""
    if not kept:
        return redirect("cases:handover", commune.pk)
    form = forms.HandoverForm(kept, **choices)
    if form.is_valid():
        try:
            plan = services.caseload_handover_plan(**_people(request, commune, form.cleaned_data))
        except ValidationError as error:
            apply_errors(error, form)
        else:
            return render(request, "cases/handover_check.html", {"commune": commune, "form": form, "plan": plan})
    _count_in_labels(form, holding)
    return render(request, "cases/handover.html", {"commune": commune, "form": form, "has_holders": bool(holding)})


def _handed_already(post, commune) -> bool:
    """Whether none of the files confirmed is with the officer they were to be taken from any more."""
    confirmed, officer = _confirmed(post.getlist("files")), number(post.get("from_officer", ""))
    if not confirmed or officer is None:
        return False
    still = CaseFile.objects.filter(pk__in=confirmed, officer_id=officer, commune=commune, state__in=OPEN_STATES)
    return not still.exists()


def _count_in_labels(form, holding: dict[int, int]) -> None:
    """Whose files, and how many: the chooser says it before anything is handed over."""
    form.fields["from_officer"].label_from_instance = lambda user: (
        ngettext("%(name)s – %(count)s open case file", "%(name)s – %(count)s open case files", holding.get(user.pk, 0))
        % {"name": _name(user), "count": holding.get(user.pk, 0)}
    )


def _confirmed(values: list[str]) -> set[int]:
    """The files shown on the check page (what is not a number is no file)."""
    return {pk for value in values if (pk := number(value)) is not None}


def _name(user) -> str:
    return user.get_full_name() or user.username


def _report(request, result: services.Handover) -> None:
    """Say what was handed over and, by name, every file that was not (never dropped silently)."""
    values = {"count": len(result.handed), "to": _name(result.to_officer), "from": _name(result.from_officer)}
    if result.handed:
        messages.success(
            request,
            ngettext(
                "%(count)s case file handed from %(from)s to %(to)s; each of them is told once.",
                "%(count)s case files handed from %(from)s to %(to)s; each of them is told once.",
                len(result.handed),
            )
            % values,
        )
    else:
        messages.warning(request, _("No case file was handed over."))
    if result.unconfirmed:
        shown = [kept.reference for kept in result.unconfirmed if kept.is_visible]
        text = ngettext(
            "%(kept)s case file stays with %(from)s: it was not on the list you checked. "
            "Check the handover again if it goes too.",
            "%(kept)s case files stay with %(from)s: they were not on the list you checked. "
            "Check the handover again if they go too.",
            len(result.unconfirmed),
        ) % {**values, "kept": len(result.unconfirmed)}
        messages.warning(request, " ".join([text, *([", ".join(shown) + "."] if shown else [])]))
    if result.kept:
        shown = [kept.reference for kept in result.kept if kept.is_visible]
        unseen = len(result.kept) - len(shown)
        text = ngettext(
            "%(kept)s restricted case file stays with %(from)s: it does not name %(to)s. "
            "Name them on it first, then hand it over.",
            "%(kept)s restricted case files stay with %(from)s: they do not name %(to)s. "
            "Name them on each first, then hand them over.",
            len(result.kept),
        ) % {**values, "kept": len(result.kept)}
        if shown:
            text += " " + ", ".join(shown) + "."
        if unseen:
            text += " " + ngettext(
                "%(unseen)s of them you may not open: ask someone named on it.",
                "%(unseen)s of them you may not open: ask someone named on them.",
                unseen,
            ) % {"unseen": unseen}
        messages.warning(request, text)
