"""Duplicate records of a child: the possible duplicates of an area, two records side by side, the merge
and its record, from which it is undone within 30 days."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, forms, selectors, services
from ..models import UNDO_DAYS
from .common import submit


@login_required
@require_GET
def duplicate_list(request):
    """The pairs of records in the user's area that look like one child, newest first, a window at a time."""
    if not access.may_resolve_duplicates(request.user):
        raise Http404
    before = request.GET.get("before", "")
    page = selectors.duplicate_pairs(request.user, before=int(before) if before.isdigit() else None)
    return render(request, "cases/duplicates.html", {"page": page})


@login_required
def duplicate_mark(request, pk):
    """From a case file: name the other child's case file, then see the two records side by side."""
    case = access.case_for_user(request.user, pk)
    if not access.can_resolve_duplicates(request.user, case.child):
        raise Http404
    form = forms.DuplicateMarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = access.case_by_reference_for_user(request.user, form.cleaned_data["reference"])
        if other is None:
            form.add_error("reference", _("No case file with this reference that you can open."))
        elif other.child_id == case.child_id:
            form.add_error("reference", _("This case file is about the same record of the child."))
        else:
            return redirect("cases:duplicate_compare", pk=case.child_id, other_pk=other.child_id)
    return render(
        request, "cases/duplicate_mark.html", {"case": case, "form": form}, status=400 if form.errors else 200
    )


@login_required
def duplicate_compare(request, pk, other_pk):
    """Two records side by side; the merge (which to keep, why, confirmed) is posted here."""
    first, second = access.duplicate_pair_for_user(request.user, pk, other_pk, purpose="view")
    form = forms.ChildMergeForm(request.POST or None, children=(first, second))
    if request.method == "POST" and form.is_valid():
        kept, merged = (first, second) if form.cleaned_data["kept"] == first.pk else (second, first)
        done = []
        if submit(
            request,
            form,
            lambda data: done.append(
                services.child_merge(actor=request.user, kept=kept, merged=merged, reason=data["reason"])
            ),
            _("The two records are merged. You can undo the merge here within %(days)d days.") % {"days": UNDO_DAYS},
        ):
            return redirect("cases:child_merge", pk=done[0].pk)
    return _compare_page(request, first, second, form, forms.DuplicateDismissForm())


def _compare_page(request, first, second, form, dismiss_form):
    context = {"comparison": selectors.comparison(first, second), "form": form, "dismiss_form": dismiss_form}
    status = 400 if form.errors or dismiss_form.errors else 200
    return render(request, "cases/duplicate_compare.html", context, status=status)


@login_required
@require_POST
def duplicate_dismiss(request, pk, other_pk):
    """The two records are different children: the pair is no longer suggested."""
    first, second = access.duplicate_pair_for_user(request.user, pk, other_pk, purpose=None)
    dismiss_form = forms.DuplicateDismissForm(request.POST)
    if dismiss_form.is_valid() and submit(
        request,
        dismiss_form,
        lambda data: services.duplicate_dismiss(actor=request.user, first=first, second=second, reason=data["reason"]),
        _("Noted: these two records are different children and are no longer suggested as duplicates."),
    ):
        return redirect("cases:duplicates")
    return _compare_page(request, first, second, forms.ChildMergeForm(children=(first, second)), dismiss_form)


def _merge_page(request, merge, form, status=200):
    context = {
        "merge": merge,
        "form": form,
        "refusal": services.undo_refusal(merge),
        "undo_days": UNDO_DAYS,
        "undo_until": merge.merged_at + datetime.timedelta(days=UNDO_DAYS),
        "kept_cases": selectors.case_files_of_record(merge.kept),
    }
    return render(request, "cases/child_merge.html", context, status=status)


@login_required
@require_GET
def child_merge(request, pk):
    merge = access.child_merge_for_user(request.user, pk)
    return _merge_page(request, merge, forms.ChildMergeUndoForm())


@login_required
@require_POST
def child_merge_undo(request, pk):
    merge = access.child_merge_for_user(request.user, pk, purpose=None)
    form = forms.ChildMergeUndoForm(request.POST)
    if form.is_valid() and submit(
        request,
        form,
        lambda data: services.child_merge_undo(actor=request.user, merge=merge, reason=data["reason"]),
        _("The merge is undone: each record has its own case files again."),
    ):
        return redirect("cases:child_merge", pk=merge.pk)
    merge.refresh_from_db()
    return _merge_page(request, merge, form, status=400)
