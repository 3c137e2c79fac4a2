"""A commune's existing register (sổ theo dõi) brought into BaoVe: the upload, its rows as checked, the
column mapping each commune keeps, and the key of every register row already imported."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Columns to match")
    CHECKING = "checking", _("Checking the rows")
    CHECKED = "checked", _("Checked: ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class RowStatus(models.TextChoices):
    GOOD = "good", _("Ready to import")
    BAD = "bad", _("Has problems")
    DUPLICATE = "duplicate", _("Possibly already registered")
    ALREADY_IMPORTED = "already_imported", _("Already imported")
    IMPORTED = "imported", _("Imported")


class RegisterImport(models.Model):
    """One uploaded register file of one commune, from its upload to the import of its good rows."""

    commune = models.ForeignKey(
        "agencies.AdministrativeUnit", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    # The stored upload (default storage, never served directly: only through the access door).
    stored_name = models.CharField(max_length=255)
    headings = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # field code -> column index
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.MAPPING)
    progress = models.PositiveIntegerField(default=0)  # rows done so far
    # A claim with a lease: a task whose worker died may be taken again (idempotent tasks).
    lease_until = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    good_rows = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    already_imported_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    error_file = models.CharField(max_length=255, blank=True)
    failure = models.CharField(max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        indexes = [models.Index(fields=["commune", "-uploaded_at"], name="register_import_commune_idx")]

    def __str__(self) -> str:
        return self.file_name


class RegisterImportRow(models.Model):
    """One row of an uploaded register as the check found it: its cells, the values read, its problems."""

    register_import = models.ForeignKey(RegisterImport, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()  # the row's line in the file (the heading is line 1)
    status = models.CharField(max_length=20, choices=RowStatus.choices)
    key = models.CharField(max_length=64, blank=True)
    cells = models.JSONField(default=list)  # as typed, for the file of rows given back
    values = models.JSONField(default=dict)  # as read (dates in ISO form, codes)
    problems = models.JSONField(default=list)  # [[code, {params}], …]
    match = models.ForeignKey("cases.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["register_import", "position"], name="register_row_position_unique")
        ]
        indexes = [models.Index(fields=["register_import", "status", "position"], name="register_row_status_idx")]


class RegisterMapping(models.Model):
    """The columns a commune's register uses, remembered from its last import (by folded heading)."""

    commune = models.OneToOneField(
        "agencies.AdministrativeUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )
    headings = models.JSONField(default=dict)  # folded heading -> field code
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class ImportedRow(models.Model):
    """A register row already brought in: its key (commune + the register's own number and identifying
    fields) is unique, so importing the same register again changes nothing."""

    key = models.CharField(max_length=64, unique=True)
    register_import = models.ForeignKey(RegisterImport, on_delete=models.PROTECT, related_name="imported")
    case = models.ForeignKey("cases.CaseFile", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
