"""The case list (phone cards and desktop table); its exports are in views/exports.py."""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from notifications import config_cache
from notifications.selectors import deadline_status
from notifications.urgency import Clock, next_change, next_midnight

from .. import access, forms, lists, selectors
from ..choices import CaseState, RiskLevel
from ..templatetags.cases_tags import badge_maker

PAGE_SIZE = 50


@login_required
@require_GET
def case_list(request):
    communes = access.communes_visible_to(request.user).order_by("name")
    form = forms.CaseFilterForm(
        request.GET or None,
        communes=communes,
        commune_choices=access.commune_choices(request.user),
        abuse_forms=lists.filter_choices("abuse_form", access.provinces_of_area(request.user)),
    )
    if form.is_bound and not form.is_valid():
        # A filter with a mistake (an end date before the start, a date that does not exist) lists nothing
        # until it is corrected, its errors above: listing every file instead looked like the filter's result.
        page, cases = Paginator([], PAGE_SIZE).get_page(1), []
    else:
        page, cases = selectors.case_list_page(
            request.user,
            selectors.case_filters_from(form),
            request.GET.get("page"),
            per_page=PAGE_SIZE,
            query_string=request.GET.urlencode(),
        )
    query = request.GET.copy()
    query.pop("page", None)
    without_officer = query.copy()
    without_officer.pop("officer", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": _list_rows(cases),
            "query": query.urlencode(),
            "can_receive": access.may_receive_reports(request.user),
            "officer": _officer_shown(form),
            "query_without_officer": without_officer.urlencode(),
            "may_merge": access.may_resolve_duplicates(request.user),
            "may_import": access.may_import_registers(request.user),
        },
    )


def _officer_shown(form) -> str:
    """The name of the officer the list is narrowed to (from the caseload page), if any."""
    pk = form.cleaned_data.get("officer") if form.is_valid() else None
    user = get_user_model().objects.filter(pk=pk).first() if pk else None
    return (user.get_full_name() or user.username) if user else ""


@dataclass(frozen=True)
class ListRows:
    """The case list's lines, made once in Python for both the phone (cards) and the desktop (table rows)
    layouts: the list is the most used page, and fifty rows of template lookups cost more than the queries
    behind them. False when there is none."""

    cards: SafeString
    table_rows: SafeString
    count: int

    def __bool__(self) -> bool:
        return self.count > 0


# The rows' HTML of the last pages this process made. The same rows (their values and flags) in the same
# language, time zone and working-day calendar make the same HTML until one of their deadlines' badges can
# say something else (notifications.urgency.next_change): a page asked again meanwhile (the officer coming back
# to the list) is not made twice.
MADE_KEPT = 64
_made: OrderedDict = OrderedDict()
_made_lock = threading.Lock()


def _list_rows(cases) -> ListRows:
    now = timezone.now()
    calendar = config_cache.version()
    if calendar is None or settings.CASE_LIST_KEPT_SECONDS <= 0:
        # The shared cache is down (the calendar's corrections cannot be known to hold), or nothing is kept.
        return _made_rows(cases, now)
    where = (get_language(), timezone.get_current_timezone_name(), get_script_prefix(), get_urlconf())
    key = (*where, calendar, tuple(cases))
    with _made_lock:
        made = _made.get(key)
        if made is not None and now < made[0]:
            _made.move_to_end(key)
            return made[1]
    rows = _made_rows(cases, now)
    deadlines = (deadline for case in cases for deadline in case.deadlines)
    until = min((next_change(d.due_at, d.starts_at, now) for d in deadlines), default=next_midnight(now))
    with _made_lock:
        _made[key] = (until, rows)
        _made.move_to_end(key)
        while len(_made) > MADE_KEPT:
            _made.popitem(last=False)
    return rows


def forget_made_rows() -> None:
    """The rows' HTML this process made, forgotten (the benchmark's cold path)."""
    with _made_lock:
        _made.clear()


def _made_rows(cases, now) -> ListRows:
    # Translations, the time zone and the URL pattern read once for the fifty rows: each lookup of
    # the active language or time zone goes through asgiref's context-local storage.
    detail = reverse("cases:detail", args=[987654321])
    tz = timezone.get_current_timezone()
    risk_word = escape(_("Risk"))
    states = {value: escape(str(label)) for value, label in CaseState.choices}
    risks = {value: escape(str(label)) for value, label in RiskLevel.choices}
    badge = badge_maker(Clock(now))
    flagged = escape(_("Flagged"))
    flag = f'<span class="badge text-bg-danger" data-testid="flag-badge">⚑ {flagged}</span> '
    cards, table_rows = [], []
    for case in cases:
        url = escape(detail.replace("987654321", str(case.pk)))
        opened = case.opened_at.astimezone(tz)
        state, risk = states.get(case.state, escape(case.state)), risks.get(case.risk_level, "")
        child, commune = escape(case.child_name or ""), escape(case.commune_name or "")
        reference = escape(case.reference or f"#{case.pk}")
        badges = " ".join(badge(d, deadline_status(d, now)) for d in case.deadlines)
        if getattr(case, "is_flagged", False):
            badges = flag + badges
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
        cards.append(card)
        table_rows.append(table_row)
    # Every value in them was escaped above.
    return ListRows(SafeString("".join(cards)), SafeString("".join(table_rows)), len(cards))
