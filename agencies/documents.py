"""The printable list of the services serving a commune, for families (A4, in Vietnamese)."""

from collections import defaultdict

from django.utils import timezone

from config.pdf import render_pdf

from .access import ancestor_pks
from .models import AdministrativeUnit, ProviderKind, UnitLevel
from .selectors import providers_serving


def _province_words(unit: AdministrativeUnit) -> str:
    name = unit.name.strip()
    if name.lower().startswith(("tỉnh ", "thành phố ")):
        return name[0].lower() + name[1:]
    return f"tỉnh {name}"


def services_list_pdf(commune: AdministrativeUnit) -> bytes:
    """The active services serving COMMUNE, by type, with what each offers, its hours and how to reach it."""
    providers = list(providers_serving(commune))
    by_kind = defaultdict(list)
    for provider in providers:
        by_kind[provider.kind].append(provider)
    groups = [(label, by_kind[value]) for value, label in ProviderKind.choices if by_kind.get(value)]
    province = AdministrativeUnit.objects.filter(pk=ancestor_pks(commune.path)[0], level=UnitLevel.PROVINCE).first()
    place = commune.name + (f", {_province_words(province)}" if province and province.pk != commune.pk else "")
    return render_pdf(
        "agencies/pdf/services_list.html",
        {"place": place, "groups": groups, "printed_on": timezone.localdate(), "count": len(providers)},
    )
