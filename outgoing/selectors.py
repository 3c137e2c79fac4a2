"""Reads of the register: the search page, a document's signature check."""

from django.db.models import Q, QuerySet

from .access import documents_visible_to
from .models import OutgoingDocument


def register_search(user, *, query: str = "", year: int | None = None, kind: str = "", body: int | None = None):
    """The entries the user may see, newest first, filtered: QUERY matches the number and symbol
    ("12/BC-UBND", "12"), the symbol alone ("BC-UBND") or words of the summary."""
    documents: QuerySet[OutgoingDocument] = documents_visible_to(user)
    if year:
        documents = documents.filter(year=year)
    if kind:
        documents = documents.filter(kind=kind)
    if body:
        documents = documents.filter(issuing_body_id=body)
    query = query.strip()
    if query:
        number, _slash, symbol = query.partition("/")
        condition = Q(title__icontains=query) | Q(symbol__icontains=query)
        if number.isdigit():
            condition |= Q(number=int(number), symbol__icontains=symbol) if symbol else Q(number=int(number))
        documents = documents.filter(condition)
    return documents.order_by("-year", "-issued_on", "-number")


def years_in_register(user) -> list[int]:
    return sorted(set(documents_visible_to(user).values_list("year", flat=True)), reverse=True)


def documents_issued(user, subject_kind: str, subject_id: int) -> list[OutgoingDocument]:
    """The register's entries for one thing issued (a plan's results reports, a case file's forms)."""
    return list(
        documents_visible_to(user)
        .filter(subject_kind=subject_kind, subject_id=subject_id)
        .order_by("-issued_on", "-pk")
    )
