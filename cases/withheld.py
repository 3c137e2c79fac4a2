"""What notifications must withhold about a case file (notifications.recipients): the phone numbers of the
caregivers recorded as alleged perpetrators, who are never told about it, and the child's name, which no SMS
or Zalo message may carry. Registered for case files, their assignments and
their data subject requests."""

from collections import defaultdict

from notifications.phones import normalize
from notifications.recipients import Withheld

from .models import Assignment, Caregiver, CaseFile, ContactRule, DataSubjectRequest


def withheld_for_cases(case_ids: list[int]) -> dict[int, Withheld]:
    """Two queries whatever the number of case files."""
    cases = CaseFile.objects.filter(pk__in=case_ids).values_list("pk", "child_id", "child__full_name")
    children, names = {}, {}
    for pk, child_id, name in cases:
        children[pk], names[pk] = child_id, name
    phones: dict[int, set[str]] = defaultdict(set)
    rows = Caregiver.objects.filter(child_id__in=set(children.values()), is_alleged_perpetrator=True).exclude(phone="")
    for child_id, phone in rows.values_list("child_id", "phone"):
        if number := normalize(phone):
            phones[child_id].add(number)
    return {
        pk: Withheld(phones=frozenset(phones.get(child_id, ())), names=frozenset({names[pk]} if names.get(pk) else ()))
        for pk, child_id in children.items()
    }


def _through_case(model):
    """The guard of a model that belongs to a case file (an assignment, a data subject request)."""

    def guard(ids: list[int]) -> dict[int, Withheld]:
        cases = dict(model.objects.filter(pk__in=ids).values_list("pk", "case_id"))
        by_case = withheld_for_cases(list(set(cases.values())))
        return {pk: by_case[case_id] for pk, case_id in cases.items() if case_id in by_case}

    return guard


withheld_for_assignments = _through_case(Assignment)
withheld_for_data_requests = _through_case(DataSubjectRequest)
withheld_for_contact_rules = _through_case(ContactRule)
