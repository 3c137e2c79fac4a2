"""Duplicate records of one child: merge them (everything moves to the kept record, the other stays as a
redirect) and undo the merge within 30 days, exactly. Each step is on the timeline of every case file it
touches and in the audit trail."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.recorder import record

from .. import access, events
from ..models import UNDO_DAYS, Caregiver, CaseFile, Child, ChildCircumstance, ChildMerge, Consent, DuplicateDismissal


def _require_resolver(actor, *children: Child) -> None:
    if not all(access.can_resolve_duplicates(actor, child) for child in children):
        raise PermissionDenied(
            _("Only the commune officer or a coordinator of both children's areas merges their records.")
        )


def _lock(*pks: int) -> dict[int, Child]:
    """The children's rows, locked in a fixed order (two merges of the same pair cannot interleave)."""
    rows = Child.objects.select_for_update(of=("self",)).select_related("residence_commune").filter(pk__in=pks)
    return {child.pk: child for child in rows.order_by("pk")}


@transaction.atomic
def child_merge(*, actor, kept: Child, merged: Child, reason: str) -> ChildMerge:
    """MERGED is the same child as KEPT: its case files, caregivers and special circumstances move to KEPT
    (the case files carry their reports, timelines and everything recorded on them); KEPT joins MERGED's
    family group if it had none; MERGED stays as a redirect to KEPT. The access door fetched both."""
    locked = _lock(kept.pk, merged.pk)
    if kept.pk == merged.pk or len(locked) != 2:
        raise ValidationError(_("Choose two different records of the child."))
    kept, merged = locked[kept.pk], locked[merged.pk]
    _require_resolver(actor, kept, merged)
    errors = []
    if kept.merged_into_id is not None or merged.merged_into_id is not None:
        errors.append(_("One of the two records has already been merged into another record."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why these two records are the same child.")]})
    shared_reports = sorted(
        set(CaseFile.objects.filter(child=kept).values_list("report_id", flat=True))
        & set(CaseFile.objects.filter(child=merged).values_list("report_id", flat=True))
    )
    if shared_reports:
        references = CaseFile.objects.filter(child__in=[kept, merged], report_id__in=shared_reports)
        errors.append(
            _(
                "Both records have a case file from the same report (%(references)s): close the one opened by "
                "mistake as not a child-protection matter, then merge."
            )
            % {"references": ", ".join(sorted(references.values_list("reference", flat=True)))}
        )
    if errors:
        raise ValidationError(errors)

    moved_cases = list(CaseFile.objects.filter(child=merged).order_by("pk"))
    kept_cases = list(CaseFile.objects.filter(child=kept).order_by("pk"))
    caregivers = list(Caregiver.objects.filter(child=merged).order_by("pk").values_list("pk", flat=True))
    circumstances = list(ChildCircumstance.objects.filter(child=merged).order_by("pk").values_list("pk", flat=True))
    household = {
        "kept": [kept.household_id, kept.household_id or merged.household_id],
        "merged": [merged.household_id, None],
    }
    CaseFile.objects.filter(pk__in=[case.pk for case in moved_cases]).update(child=kept)
    Caregiver.objects.filter(pk__in=caregivers).update(child=kept)
    ChildCircumstance.objects.filter(pk__in=circumstances).update(child=kept)
    kept.household_id = household["kept"][1]
    kept.save(update_fields=["household", "updated_at"])
    merged.household_id = None
    merged.merged_into = kept
    merged.save(update_fields=["household", "merged_into", "updated_at"])
    merge = ChildMerge(
        kept=kept,
        merged=merged,
        reason=reason.strip(),
        moved={
            "case_files": [case.pk for case in moved_cases],
            "caregivers": caregivers,
            "circumstances": circumstances,
            "household": household,
        },
        merged_by=actor,
        merged_at=timezone.now(),
    )
    merge.full_clean()
    merge.save()
    audited = {"merge": merge.pk, "kept": kept.pk, "merged": merged.pk, **merge.moved}
    record("change", "child", kept.pk, fields={"merge": "merged", **audited}, actor=actor)
    record("change", "child", merged.pk, fields={"merge": "merged_into", **audited}, actor=actor)
    for case in moved_cases:
        case.child = kept
        events.child_merged_event(
            case=case, actor=actor, merge_id=merge.pk, kept_id=kept.pk, merged_id=merged.pk, moved=True
        )
    for case in kept_cases:
        events.child_merged_event(
            case=case, actor=actor, merge_id=merge.pk, kept_id=kept.pk, merged_id=merged.pk, moved=False
        )
    return merge


def undo_refusal(merge: ChildMerge, *, now: datetime.datetime | None = None) -> str | None:
    """Why MERGE cannot be undone now (None if it can): past 30 days, or something changed since that the
    undo would break. Read before the button is shown, and again under lock by the undo."""
    now = now or timezone.now()
    moved = merge.moved
    if merge.undone_at is not None:
        return _("This merge has already been undone.")
    if now > merge.merged_at + datetime.timedelta(days=UNDO_DAYS):
        return _("More than %(days)d days have passed since the merge: it can no longer be undone.") % {
            "days": UNDO_DAYS
        }
    kept = Child.objects.get(pk=merge.kept_id)
    merged = Child.objects.get(pk=merge.merged_id)
    if kept.merged_into_id is not None:
        return _("The kept record has since been merged into another record: undo that merge first.")
    if merged.merged_into_id != kept.pk:
        return _("The merged record no longer points to the kept record.")
    for table, model in (("case_files", CaseFile), ("caregivers", Caregiver), ("circumstances", ChildCircumstance)):
        still_there = model.objects.filter(pk__in=moved[table], child=kept).count()
        if still_there != len(moved[table]):
            return {
                "case_files": _("A case file that came with the merged record is no longer with the kept record."),
                "caregivers": _("A caregiver who came with the merged record has since been removed or moved."),
                "circumstances": _("A special circumstance that came with the merged record has since been removed."),
            }[table]
    if kept.household_id != moved["household"]["kept"][1]:
        return _("The kept record's family group has changed since the merge.")
    # Consents recorded since that would end up naming another child's caregiver.
    crossing = Consent.objects.filter(representative_id__in=moved["caregivers"]).exclude(
        case_id__in=moved["case_files"]
    ) | Consent.objects.filter(case_id__in=moved["case_files"], representative__child=kept).exclude(
        representative_id__in=moved["caregivers"]
    )
    if crossing.exists():
        return _(
            "A consent recorded since the merge names a caregiver of the other record: the undo would attach it "
            "to the wrong child."
        )
    return None


@transaction.atomic
def child_merge_undo(*, actor, merge: ChildMerge, reason: str = "") -> ChildMerge:
    """Put back exactly what MERGE moved: the case files, caregivers and circumstances listed on it go back
    to the merged record, the family-group links return to what they were, the redirect is lifted."""
    merge = ChildMerge.objects.select_for_update().get(pk=merge.pk)
    locked = _lock(merge.kept_id, merge.merged_id)
    kept, merged = locked[merge.kept_id], locked[merge.merged_id]
    _require_resolver(actor, kept, merged)
    refusal = undo_refusal(merge)
    if refusal:
        raise ValidationError(refusal)
    moved = merge.moved
    CaseFile.objects.filter(pk__in=moved["case_files"]).update(child=merged)
    Caregiver.objects.filter(pk__in=moved["caregivers"]).update(child=merged)
    ChildCircumstance.objects.filter(pk__in=moved["circumstances"]).update(child=merged)
    kept.household_id = moved["household"]["kept"][0]
    kept.save(update_fields=["household", "updated_at"])
    merged.household_id = moved["household"]["merged"][0]
    merged.merged_into = None
    merged.save(update_fields=["household", "merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.undo_reason = reason.strip()
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    audited = {"merge": merge.pk, "kept": kept.pk, "merged": merged.pk, **moved}
    record("change", "child", kept.pk, fields={"merge": "undone", **audited}, actor=actor)
    record("change", "child", merged.pk, fields={"merge": "undone", **audited}, actor=actor)
    moved_back = set(moved["case_files"])
    for case in CaseFile.objects.filter(child__in=[kept, merged]).select_related("commune").order_by("pk"):
        events.child_merge_undone_event(
            case=case,
            actor=actor,
            merge_id=merge.pk,
            kept_id=kept.pk,
            merged_id=merged.pk,
            moved=case.pk in moved_back,
        )
    return merge


@transaction.atomic
def duplicate_dismiss(*, actor, first: Child, second: Child, reason: str) -> DuplicateDismissal:
    """FIRST and SECOND were compared and found to be different children (twins, namesakes): the pair is
    no longer suggested. The access door fetched both."""
    _require_resolver(actor, first, second)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why these are two different children.")]})
    low, high = sorted((first.pk, second.pk))
    dismissal, created = DuplicateDismissal.objects.get_or_create(
        first_id=low,
        second_id=high,
        defaults={"reason": reason.strip(), "dismissed_by": actor, "dismissed_at": timezone.now()},
    )
    if created:
        for pk, other in ((low, high), (high, low)):
            record("change", "child", pk, fields={"not_duplicate_of": other, "dismissal": dismissal.pk}, actor=actor)
    return dismissal
