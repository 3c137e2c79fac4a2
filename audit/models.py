"""The audit trail: who viewed, created, changed, exported, printed or downloaded what, from where.

The bottom layer: any app records here, and this app imports none of them. A case-scoped row keeps
the case file's id as a plain number (no foreign key), so the trail survives whatever happens to
the rows it speaks of, and this app needs to know nothing about case files.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    EXPORT = "export", _("Exported")
    PRINT = "print", _("Printed")
    DOWNLOAD = "download", _("Downloaded")
    DENIED = "denied", _("Refused")
    CLOSE = "close", _("Closed")
    RECORD = "record", _("Recorded as a report")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Locked out")
    TWO_FACTOR_ENABLED = "2fa_enabled", _("Two-factor authentication turned on")
    TWO_FACTOR_VERIFIED = "2fa_verified", _("Two-factor code accepted")
    TWO_FACTOR_FAILED = "2fa_failed", _("Wrong two-factor code")
    TWO_FACTOR_RECOVERY = "2fa_recovery", _("Recovery code used")
    TWO_FACTOR_CODES = "2fa_codes", _("New recovery codes")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor authentication reset")


class AuditObject(models.TextChoices):
    """What a row of the trail is about (the apps record these; a new one is added here with its label)."""

    CASE = "case", _("Case file")
    CHILD = "child", _("Child")
    ATTACHMENT = "attachment", _("Attachment")
    ASSIGNMENT = "assignment", _("Assignment")
    USER = "user", _("User account")
    PERIODIC_REPORT = "periodic_report", _("Periodic report")
    CASE_LIST = "case_list", _("List of case files")
    CHILD_SEARCH = "child_search", _("Search for a child")
    OUTGOING_DOCUMENT = "outgoing_document", _("Outgoing document")
    COMMUNITY_REPORT = "community_report", _("Report from a collaborator or the public")
    HOTLINE_REPORTS = "hotline_reports", _("Reports passed on by the hotline 111")
    AUDIT = "audit", _("Audit trail")
    CASELOAD = "caseload", _("Officers' caseloads")
    EXPORT = "export", _("Export file")
    LIST_ENTRY = "list_entry", _("Entry of a kept list")
    EXTRA_FIELD = "extra_field", _("Extra field of a province")
    AGENCY = "agency", _("Agency")
    AGENCY_TYPE = "agency_type", _("Type of agency")


class AuditChannel(models.TextChoices):
    PAGE = "page", _("web page")
    API = "api", _("API")
    TASK = "task", _("background task")


# Reads of a case file (as opposed to changes): who has seen it.
READ_ACTIONS = (AuditAction.VIEW, AuditAction.PRINT, AuditAction.DOWNLOAD, AuditAction.EXPORT)


class AuditEvent(models.Model):
    """Who looked at or changed what, when, from where. Append-only: a trigger refuses UPDATE and DELETE."""

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=30, choices=AuditObject.choices)
    object_id = models.CharField(max_length=40, blank=True)
    # The case file the row speaks of, if any (a plain id: see the module's docstring).
    case_id = models.BigIntegerField(null=True, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True)
    channel = models.CharField(max_length=10, choices=AuditChannel.choices, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["case_id", "at"], name="audit_case_idx"),
            models.Index(fields=["user", "at"], name="audit_user_idx"),
        ]
