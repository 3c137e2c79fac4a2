"""The pages where administrators keep the lists without code: the labels of the forms of abuse, service types
and reasons for closure, a province's extra fields, and the names of agencies (with the date a renaming took
effect). Who keeps what is agencies.access's to say (a system administrator, for the provinces of their area)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies import access as agency_access
from agencies import services as agency_services
from agencies.models import AdministrativeUnit, AgencyNameChange, AgencyType

from .. import list_forms, lists, services
from ..models import ExtraField, ListEntry, ListKind
from .common import apply_errors


def _keeper(request) -> tuple:
    """(the provinces the user keeps, whether they keep the national entries); 404 for everyone else."""
    user = request.user
    if not agency_access.may_keep_lists(user):
        raise Http404
    return agency_access.list_keeper_provinces(user).order_by("name"), agency_access.may_keep_national_lists(user)


def _chosen_province(request, provinces) -> AdministrativeUnit | None:
    pk = request.GET.get("province") or request.POST.get("province_shown")
    if pk:
        try:
            chosen = provinces.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            chosen = None
        if chosen is not None:
            return chosen
    # By default the province the user works in (a national keeper too), else the first one.
    own = [agency_access.province_pk_of(m.unit) for m in agency_access.active_memberships(request.user) if m.unit]
    return provinces.filter(pk__in=own).first() or provinces.first()


def _submit(request, form, save, message: str, target) -> tuple:
    """POST: validate FORM, call SAVE() (the service); (redirect, status). The redirect is None when the form
    is shown again (GET, or with its errors: status 400, what was typed kept)."""
    if request.method != "POST":
        return None, 200
    if form.is_valid():
        try:
            save()
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(request, message % {"name": form.cleaned_data.get("new_name") or str(form.instance)})
            return redirect(target()), 302
    return None, 400


def _home(province) -> str:
    url = reverse("cases:lists")
    return f"{url}?province={province.pk}" if province is not None else url


@login_required
def lists_home(request):
    provinces, national = _keeper(request)
    province = _chosen_province(request, provinces)
    shown_provinces = [province.pk] if province is not None else []
    legal_labels = {kind: dict(choices.choices) for kind, choices in lists.LEGAL.items()}
    entries = ListEntry.objects.filter(province__isnull=True) | ListEntry.objects.filter(
        province_id__in=shown_provinces
    )
    sections = []
    for kind, title in ListKind.choices:
        rows = [
            {
                "entry": entry,
                "legal": legal_labels[kind].get(entry.legal_code, entry.legal_code),
                "editable": national if entry.province_id is None else True,
            }
            for entry in entries.filter(kind=kind).select_related("province").order_by("sort_order", "pk")
        ]
        sections.append({"kind": kind, "title": title, "rows": rows})
    fields = ExtraField.objects.filter(province=province).order_by("target", "sort_order", "pk") if province else []
    agencies = agency_access.agencies_for_keeper(request.user).select_related("unit", "agency_type")
    if province is not None:
        agencies = agencies.filter(unit__path__startswith=province.path)
    text = (request.GET.get("q") or "").strip()
    if text:
        agencies = agencies.filter(name__icontains=text)
    agencies = agencies.prefetch_related(
        Prefetch("renamings", queryset=AgencyNameChange.objects.order_by("-effective_on"))
    ).order_by("unit__path", "name")
    page = Paginator(agencies, 20).get_page(request.GET.get("page"))
    context = {
        "agency_types": AgencyType.objects.order_by("sort_order", "code") if national else [],
        "provinces": provinces,
        "province": province,
        "province_form": list_forms.ProvinceChoiceForm(initial={"province": province}, provinces=provinces),
        "national": national,
        "sections": sections,
        "extra_fields": fields,
        "page_obj": page,
        "text": text,
    }
    return render(request, "cases/lists/home.html", context)


@login_required
def entry_edit(request, pk=None, kind=None):
    provinces, national = _keeper(request)
    if pk is not None:
        entry = ListEntry.objects.filter(pk=pk).first()
        if entry is None:
            raise Http404
        if not agency_access.may_keep_lists_of(request.user, entry.province_id):
            raise PermissionDenied(_("You keep the lists of your own province only."))
        kind = entry.kind
    else:
        if kind not in ListKind.values:
            raise Http404
        entry = ListEntry(kind=kind, province=_chosen_province(request, provinces) if not national else None)
    form = list_forms.ListEntryForm(
        request.POST or None, instance=entry, kind=kind, provinces=provinces, national=national
    )
    done, status = _submit(
        request,
        form,
        lambda: services.list_entry_save(actor=request.user, entry=form.instance),
        _("Saved: %(name)s."),
        lambda: _home(form.instance.province),
    )
    if done:
        return done
    context = {"form": form, "entry": entry if pk else None, "kind_label": ListKind(kind).label}
    return render(request, "cases/lists/entry_form.html", context, status=status)


@login_required
def extra_field_edit(request, pk=None):
    provinces, _national = _keeper(request)
    if pk is not None:
        field = ExtraField.objects.filter(pk=pk).first()
        if field is None:
            raise Http404
        if not agency_access.may_keep_lists_of(request.user, field.province_id):
            raise PermissionDenied(_("You keep the lists of your own province only."))
    else:
        field = ExtraField(province=_chosen_province(request, provinces))
    form = list_forms.ExtraFieldForm(request.POST or None, instance=field, provinces=provinces)
    done, status = _submit(
        request,
        form,
        lambda: services.extra_field_save(actor=request.user, field=form.instance),
        _("Saved: %(name)s."),
        lambda: _home(form.instance.province),
    )
    if done:
        return done
    return render(request, "cases/lists/field_form.html", {"form": form, "field": field if pk else None}, status=status)


@login_required
def agency_rename(request, pk):
    _keeper(request)
    agency = agency_access.agencies_for_keeper(request.user).select_related("unit").filter(pk=pk).first()
    if agency is None:
        raise Http404
    form = list_forms.AgencyRenameForm(request.POST or None)
    province = AdministrativeUnit(pk=agency_access.province_pk_of(agency.unit)) if agency.unit_id else None
    done, status = _submit(
        request,
        form,
        lambda: agency_services.agency_rename(actor=request.user, agency=agency, **form.cleaned_data),
        _("Renamed: %(name)s."),
        lambda: _home(province),
    )
    if done:
        return done
    renamings = agency.renamings.order_by("-effective_on")
    return render(
        request,
        "cases/lists/agency_rename.html",
        {"form": form, "agency": agency, "renamings": renamings},
        status=status,
    )


@login_required
def agency_type_edit(request, pk=None):
    """The types of agency are one national list: its keepers are the national administrators."""
    _provinces, national = _keeper(request)
    if not national:
        raise PermissionDenied(_("Only a national administrator keeps the types of agency."))
    agency_type = AgencyType() if pk is None else AgencyType.objects.filter(pk=pk).first()
    if agency_type is None:
        raise Http404
    form = list_forms.AgencyTypeForm(request.POST or None, instance=agency_type)
    done, status = _submit(
        request,
        form,
        lambda: agency_services.agency_type_save(actor=request.user, agency_type=form.instance),
        _("Saved: %(name)s."),
        lambda: reverse("cases:lists") + "#agency-types",
    )
    if done:
        return done
    context = {"form": form, "entry": agency_type if pk else None, "kind_label": _("Types of agency")}
    return render(request, "cases/lists/entry_form.html", context, status=status)
