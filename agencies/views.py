from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import access, forms, services
from .documents import services_list_pdf
from .models import AdministrativeUnit, UnitLevel
from .selectors import agencies_for_user, providers_for_user


@login_required
def directory(request):
    page = Paginator(agencies_for_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "agencies/directory.html", {"page_obj": page})


def _search_units(user):
    """The areas a reader picks from: the provinces and communes of their area (the provinces alone for a
    nationwide reader: thousands of communes do not fit a phone's list)."""
    scope = access.jurisdiction_of(user)
    if scope.is_nationwide:
        return AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, is_active=True).order_by("name")
    return AdministrativeUnit.objects.filter(
        scope.q("path"), is_active=True, level__in=[UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE, UnitLevel.COMMUNE]
    ).order_by("path")


@login_required
@require_GET
def services_list(request):
    """The directory of services, searchable by area and type (a phone's first use: who do I call?)."""
    if not access.may_read_directory(request.user):
        raise Http404
    form = forms.DirectorySearchForm(request.GET or None, units=_search_units(request.user))
    unit = kind = text = None
    if form.is_valid():
        unit, kind, text = form.cleaned_data["area"], form.cleaned_data["kind"], form.cleaned_data["text"]
    rows = providers_for_user(request.user, unit=unit, kind=kind or "", text=(text or "").strip())
    page = Paginator(rows.prefetch_related("areas"), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    may_keep = access.may_keep_directory(request.user)
    # "Edit" only on the entries whose every area lies in the keeper's own (a province-wide entry: its province).
    editable = (
        {
            provider.pk
            for provider in page.object_list
            if access.may_keep_provider_in(request.user, provider.areas.all())
        }
        if may_keep
        else set()
    )
    return render(
        request,
        "agencies/services.html",
        {
            "form": form,
            "page_obj": page,
            "query": query.urlencode(),
            "may_keep": may_keep,
            "editable": editable,
            "print_unit": unit if unit is not None and unit.level == UnitLevel.COMMUNE else None,
        },
    )


def _provider_page(request, form, provider=None, status=200):
    return render(request, "agencies/service_form.html", {"form": form, "provider": provider}, status=status)


def _save(request, form, provider):
    if form.is_valid():
        try:
            saved = services.provider_save(
                actor=request.user, provider=form.save(commit=False), areas=list(form.cleaned_data["areas"])
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
            return redirect("agencies:services")
    return _provider_page(request, form, provider, status=400 if form.errors else 200)


@login_required
def service_new(request):
    if not access.may_read_directory(request.user):
        raise Http404
    if not access.may_keep_directory(request.user):
        raise PermissionDenied(_("Only coordinators and administrators keep the directory of services."))
    units = access.directory_keeper_units(request.user).order_by("path")
    form = forms.ProviderForm(request.POST or None, units=units)
    if request.method != "POST":
        return _provider_page(request, form)
    return _save(request, form, None)


@login_required
def service_edit(request, pk):
    provider = access.provider_for_keeper(request.user, pk)
    units = access.directory_keeper_units(request.user).order_by("path")
    form = forms.ProviderForm(request.POST or None, instance=provider, units=units)
    if request.method != "POST":
        return _provider_page(request, form, provider)
    return _save(request, form, provider)


@login_required
@require_GET
def services_print(request):
    """The A4 list for families of the services serving one commune (?area=<commune>)."""
    if not access.may_read_directory(request.user):
        raise Http404
    try:
        commune = AdministrativeUnit.objects.get(pk=int(request.GET.get("area", "")), level=UnitLevel.COMMUNE)
    except (AdministrativeUnit.DoesNotExist, ValueError):
        messages.error(request, _("Choose a commune to print its list of services."))
        return redirect("agencies:services")
    response = HttpResponse(services_list_pdf(commune), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="danh-ba-dich-vu-{commune.code}.pdf"'
    return response
