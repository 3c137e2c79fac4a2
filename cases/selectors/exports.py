"""The rows of each export, read through the access door as the user's own page reads them: the case list
with the filter they used (restricted files only where they are named), the audit trail within their
scope, the caseload of their area. Generators: a chunk of rows in memory at a time."""

from collections.abc import Iterator

from django.http import QueryDict

from .. import access, exports
from ..forms import AuditFilterForm, CaseFilterForm
from .audit import AuditFilters, audit_trail, with_references
from .case_files import CaseFilters, case_list
from .caseload import caseload

CHUNK = 2000


def case_filters(user, query: str) -> CaseFilters:
    """The case list's filter from the page's query string, read by the page's own form."""
    return case_filters_from(CaseFilterForm(QueryDict(query), communes=access.communes_visible_to(user)))


def case_filters_from(form: CaseFilterForm) -> CaseFilters:
    """The filter a bound case list form describes (none when it does not validate)."""
    if not form.is_valid():
        return CaseFilters()
    data = form.cleaned_data
    return CaseFilters(
        state=data["state"],
        risk_level=data["risk_level"],
        overdue=data["overdue"],
        commune=data["commune"].pk if data["commune"] else None,
        abuse_form=data["abuse_form"],
        opened_from=data["opened_from"],
        opened_to=data["opened_to"],
        query=data["q"],
        officer=data["officer"],
        is_open=data["open"],
    )


def audit_filters(query: str) -> AuditFilters:
    form = AuditFilterForm(QueryDict(query))
    return AuditFilters(**form.cleaned_data) if form.is_valid() else AuditFilters()


def case_list_rows(user, query: str) -> Iterator[dict]:
    """The filtered case list as the export's columns read it (values only, no model objects)."""
    cases = case_list(user, case_filters(user, query)).values("pk", *exports.fields(exports.CASE_LIST))
    yield from cases.iterator(chunk_size=CHUNK)


def audit_rows(user, query: str) -> Iterator:
    """The audit trail within the user's scope (404 without one), each chunk with its case references."""
    events = audit_trail(user, audit_filters(query))
    chunk = []
    for event in events.iterator(chunk_size=CHUNK):
        chunk.append(event)
        if len(chunk) == CHUNK:
            yield from with_references(chunk)
            chunk = []
    yield from with_references(chunk)


def caseload_rows(user) -> list[tuple]:
    """(commune, officer) pairs of the user's caseload area: counts only."""
    return [(commune, officer) for commune in caseload(user) for officer in commune.officers]
