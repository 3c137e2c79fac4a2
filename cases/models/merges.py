"""Two records of the same child merged into one, and the exact list of what moved, so that an undo
(within 30 days) puts every row back where it was."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .children import Child

UNDO_DAYS = 30


class ChildMerge(models.Model):
    """MERGED was found to be the same child as KEPT: its case files (and with them their reports' links,
    timelines, assessments, plans and assignments), caregivers and special circumstances moved to KEPT;
    MERGED stays as a redirect (Child.merged_into). `moved` lists the rows that moved, per table, and the
    family-group links before and after, so that the undo restores exactly those."""

    kept = models.ForeignKey(Child, verbose_name=_("kept record"), on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Child, verbose_name=_("merged record"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    # {"case_files": [ids], "caregivers": [ids], "circumstances": [ids],
    #  "household": {"kept": [before, after], "merged": [before, after]}}
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"))
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    undo_reason = models.TextField(_("reason for the undo"), blank=True)

    class Meta:
        verbose_name = _("merge of duplicate child records")
        verbose_name_plural = _("merges of duplicate child records")
        constraints = [
            models.CheckConstraint(condition=~Q(kept=models.F("merged")), name="child_merge_two_records"),
            # A record is merged at most once at a time (an undone merge may be done again).
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="child_merge_one_active_per_record"
            ),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(undone_by__isnull=False), name="child_merge_undone_has_actor"
            ),
        ]
        indexes = [
            models.Index(fields=["kept", "-merged_at"], name="child_merge_kept_idx"),
            models.Index(fields=["merged", "-merged_at"], name="child_merge_merged_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class DuplicateDismissal(models.Model):
    """Two records an officer compared and found to be different children: never suggested again."""

    # The lower id first, so that a pair has one row whichever way it was compared.
    first = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("records found to be different children")
        verbose_name_plural = _("records found to be different children")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_dismissal_one_per_pair"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="duplicate_dismissal_ordered"),
        ]
