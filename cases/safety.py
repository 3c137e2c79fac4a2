"""The family's copy of a safety plan: what the alleged perpetrator must never see is left out.

An item is left out when the officer marked it so, and also — whatever the mark — when it names a
caregiver recorded as the alleged perpetrator or carries their phone number (a plan is typed in a hurry;
the print must not depend on every box being ticked). Nobody marked so is named on the copy."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone

from config.pdf import render_pdf
from notifications.phones import normalize
from notifications.recipients import fold_letters

from .models import CaseFile, SafetyItemKind, SafetyPlan


def _lower(text: str) -> str:
    """Lower case, Unicode composed, punctuation as spaces: words compared with their diacritics."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text or "").lower()).strip()


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", fold_letters(text or "").lower()).strip()


@dataclass(frozen=True)
class FamilyCopy:
    shown: dict  # kind → [items], in the plan's order
    left_out: list  # items the copy leaves out
    named_perpetrator: list  # items left out only because they name the alleged perpetrator (for the officer)
    addressees: list  # the caregivers the copy is for (never an alleged perpetrator)


FAMILY_COPY_LEAVES_OUT = frozenset({SafetyItemKind.RISK})


def family_copy(case: CaseFile, plan: SafetyPlan) -> FamilyCopy:
    caregivers = list(case.child.caregivers.all())
    perpetrators = [caregiver for caregiver in caregivers if caregiver.is_alleged_perpetrator]
    # Their full name, diacritics or not ("Lo Van Tu"), word-wise.
    names = [_folded(caregiver.full_name) for caregiver in perpetrators if caregiver.full_name.strip()]
    # Their given name alone ("ông Hùng") and how the family calls them ("bố", "cha dượng"), with their
    # diacritics: folded, "bố" would be "bộ" of every "cán bộ".
    words_for = [_lower(caregiver.full_name).split()[-1] for caregiver in perpetrators if caregiver.full_name.split()]
    words_for += [_lower(caregiver.relation) for caregiver in perpetrators if caregiver.relation.strip()]
    phones = {number for caregiver in perpetrators if (number := normalize(caregiver.phone))}
    shown: dict = {kind: [] for kind in SafetyItemKind.values}
    left_out, named = [], []
    for item in plan.items.all():
        said = f"{item.text} {item.who}"
        folded, lowered = f" {_folded(said)} ", f" {_lower(said)} "
        names_them = (
            any(f" {name} " in folded for name in names)
            or any(f" {word} " in lowered for word in words_for)
            or (normalize(item.phone) or "-") in phones
        )
        # The risks describe what the alleged perpetrator did and may do: the paper stays in a house where he may
        # live, so they are discussed with the family, never printed for it.
        private = item.kind in FAMILY_COPY_LEAVES_OUT
        if item.is_hidden_from_perpetrator or names_them or private:
            left_out.append(item)
            if names_them and not item.is_hidden_from_perpetrator and not private:
                named.append(item)
        else:
            shown[item.kind].append(item)
    addressees = [caregiver for caregiver in caregivers if not caregiver.is_alleged_perpetrator]
    return FamilyCopy(shown=shown, left_out=left_out, named_perpetrator=named, addressees=addressees)


def family_print_pdf(case: CaseFile, plan: SafetyPlan) -> bytes:
    """The A4 copy handed to the family (Vietnamese), with nothing the alleged perpetrator must not see."""
    copy = family_copy(case, plan)
    sections = [(SafetyItemKind(kind).label, items) for kind, items in copy.shown.items() if items]
    return render_pdf(
        "cases/pdf/safety_plan_family.html",
        {
            "case": case,
            "plan": plan,
            "sections": sections,
            "addressees": copy.addressees,
            "printed_on": timezone.localdate(),
        },
    )
