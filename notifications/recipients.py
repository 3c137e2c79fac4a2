"""Who holds each recipient role of a ladder's step, for the handlers of the apps whose deadlines
escalate: the membership role that answers to it, at which level, and where to look when nobody
holds it there."""

import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from agencies.models import Role, UnitLevel
from agencies.selectors import AgencyStaff, AreaStaff

from .models import Preference, RecipientRole

# Recipient role → (membership role, unit levels, fallback levels when nobody holds it there)
ROLE_MEMBERS = {
    RecipientRole.RESPONSIBLE: (Role.COMMUNE_OFFICER, (UnitLevel.COMMUNE,), ()),
    RecipientRole.SUPERVISOR: (Role.CHAIRMAN, (UnitLevel.COMMUNE,), ()),
    # Where there is no intermediate level (most provinces since 2025): the province's coordinators.
    RecipientRole.INTERMEDIATE_COORDINATOR: (Role.COORDINATOR, (UnitLevel.INTERMEDIATE,), (UnitLevel.PROVINCE,)),
    RecipientRole.PROVINCE_COORDINATOR: (Role.COORDINATOR, (UnitLevel.PROVINCE,), ()),
    RecipientRole.LEADER: (Role.LEADER, (UnitLevel.PROVINCE,), ()),
}


class Area:
    """The staff of the area of a batch of units, by recipient role (one query)."""

    def __init__(self, units, recipient_roles):
        roles = {ROLE_MEMBERS[role][0] for role in recipient_roles if role in ROLE_MEMBERS}
        self._staff = AreaStaff(units, roles)

    def holders(self, unit, recipient_role: str) -> list:
        membership_role, levels, fallback = ROLE_MEMBERS[recipient_role]
        return self._staff.at(unit, membership_role, levels) or (
            self._staff.at(unit, membership_role, fallback) if fallback else []
        )


def roles_of(wanted) -> set[str]:
    """The recipient roles asked for in a batch ((deadline pk, role) pairs)."""
    return {role for _pk, role in wanted}


__all__ = [
    "ROLE_MEMBERS",
    "AgencyStaff",
    "Area",
    "Withheld",
    "fold_letters",
    "message_refusal",
    "register_subject_guard",
    "roles_of",
    "without_withheld",
]


# ---------------------------------------------------------------------------------------------------------
# Who is never told about a subject. A person recorded as the alleged perpetrator on a case file (a caregiver
# marked so, with their phone number) must never get a message about that case, whichever way they came to
# hold an account or a number here. This is the one place that decides it: every notice passes through
# `without_withheld` before it is written, and every SMS or Zalo message through `message_refusal` before
# it leaves (a caregiver may be marked after the notice was written).


@dataclass(frozen=True)
class Withheld:
    phones: frozenset = frozenset()  # 84xxxxxxxxx numbers of the alleged perpetrators on the subject
    names: frozenset = frozenset()  # names a message about it must never carry (the child's)


# model label ("cases.casefile") → function(ids) → {id: Withheld}; registered by the app that owns the model.
_GUARDS: dict[str, Callable[[list[int]], dict[int, Withheld]]] = {}


def register_subject_guard(model_label: str, guard: Callable[[list[int]], dict[int, Withheld]]) -> None:
    """Called from the app's AppConfig.ready(), like register_escalation_handler."""
    _GUARDS[model_label.lower()] = guard


def withheld_for(subjects: set[tuple[int, int]]) -> dict[tuple[int, int], Withheld]:
    """(content type id, object id) pairs → what is withheld from them: one query per guarded model."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for type_id, object_id in subjects:
        if type_id and object_id:
            by_type[type_id].append(object_id)
    found: dict[tuple[int, int], Withheld] = {}
    for type_id, ids in by_type.items():
        content_type = ContentType.objects.get_for_id(type_id)
        guard = _GUARDS.get(f"{content_type.app_label}.{content_type.model}")
        if guard is None:
            continue
        for object_id, withheld in guard(ids).items():
            found[(type_id, object_id)] = withheld
    return found


def subject_of(draft) -> tuple[int, int] | None:
    """What a draft notice is about: its own subject, else its deadline's target."""
    if getattr(draft, "about", None) is not None:
        return ContentType.objects.get_for_model(draft.about).pk, draft.about.pk
    if draft.deadline is not None:
        return draft.deadline.target_type_id, draft.deadline.target_id
    return None


def without_withheld(drafts: list) -> list:
    """The drafts whose recipient is not an alleged perpetrator on the draft's subject.

    A user is one when the mobile number they gave (verified or not) is the number of a caregiver recorded as
    the alleged perpetrator on the case. Two queries plus one per guarded model, whatever the batch."""
    subjects = {pair for draft in drafts if (pair := subject_of(draft))}
    if not subjects:
        return drafts
    withheld = withheld_for(subjects)
    phones_of_subjects = {pair: w.phones for pair, w in withheld.items() if w.phones}
    if not phones_of_subjects:
        return drafts
    numbers = dict(
        Preference.objects.filter(user_id__in={draft.user.pk for draft in drafts})
        .exclude(phone="")
        .values_list("user_id", "phone")
    )
    return [
        draft
        for draft in drafts
        if not (numbers.get(draft.user.pk) and numbers[draft.user.pk] in phones_of_subjects.get(subject_of(draft), ()))
    ]


def message_refusal(notification, phone: str, text: str) -> str:
    """Why this SMS or Zalo message about NOTIFICATION's subject must not go to PHONE, or "" when it may."""
    if not notification.about_type_id or not notification.about_id:
        return ""
    withheld = withheld_for({(notification.about_type_id, notification.about_id)}).get(
        (notification.about_type_id, notification.about_id)
    )
    if withheld is None:
        return ""
    if phone in withheld.phones:
        return "the recipient is recorded as the alleged perpetrator on this case"
    folded = fold_letters(text).lower()
    if any(name and fold_letters(name).lower() in folded for name in withheld.names):
        return "the message names the child"
    return ""


def fold_letters(text: str) -> str:
    """Letters without diacritics (đ → d): what brandname SMS routes carry, and how names are compared."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
