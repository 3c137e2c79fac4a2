"""Administrators and leaders search the audit trail by user, case and date."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from config.replicas import reads_from_replica

from .. import forms, selectors


@login_required
@require_GET
@reads_from_replica
def audit_search(request):
    form = forms.AuditFilterForm(request.GET or None)
    filters = selectors.AuditFilters(**form.cleaned_data) if form.is_valid() else selectors.AuditFilters()
    page = Paginator(selectors.audit_trail(request.user, filters), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.with_references(list(page.object_list))
    return render(request, "cases/audit.html", {"form": form, "page_obj": page})
