"""The outgoing-document register (sổ đăng ký văn bản đi) of Decree 30/2020/NĐ-CP: who issues, the
numbers they give, the documents issued under them, and the digital signatures put on them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IssuingBody(models.Model):
    """A body that issues documents under its own number sequence: a People's Committee, or one of its
    departments (Sở, Phòng). Its heading is printed in two parts: the superior body, when there is one
    (upper case, regular), then the body itself (upper case, bold; a line break splits a long name)."""

    unit = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a national body."),
    )
    superior_name = models.CharField(
        _("superior body"), max_length=200, blank=True, help_text=_("e.g. UBND TỈNH TÂY NINH above SỞ Y TẾ")
    )
    name = models.CharField(
        _("name of the body"),
        max_length=200,
        help_text=_("Upper case; a new line splits it, e.g. ỦY BAN NHÂN DÂN / TỈNH TÂY NINH"),
    )
    text_name = models.CharField(
        _("name in the text"),
        max_length=200,
        blank=True,
        help_text=_("As sentences write it: Ủy ban nhân dân tỉnh Tây Ninh"),
    )
    symbol = models.CharField(
        _("symbol"), max_length=30, help_text=_("Abbreviation after the type of document: UBND, SYT, VHXH")
    )
    place = models.CharField(_("place name of the date line"), max_length=100)
    authority = models.CharField(
        _("authority line of the signer"),
        max_length=100,
        blank=True,
        help_text=_("TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, KT. GIÁM ĐỐC, TL., TUQ.; empty when the head signs"),
    )
    signer_title = models.CharField(_("signer's title"), max_length=100, help_text=_("CHỦ TỊCH, PHÓ CHỦ TỊCH…"))
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer's account (digital signature)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.TextField(_("recipients (one per line)"), blank=True)
    is_default = models.BooleanField(_("default issuer of the unit"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")
        ordering = ["unit__path", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "symbol", "name"],
                name="issuing_body_unique",
                nulls_distinct=False,
                violation_error_message=_("This unit already has an issuing body with this name and symbol."),
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(is_default=True),
                nulls_distinct=False,
                name="issuing_body_one_default_per_unit",
                violation_error_message=_("A unit has one default issuing body."),
            ),
        ]

    def __str__(self) -> str:
        return " – ".join(part for part in (self.superior_name, self.name.replace("\n", " ")) if part)

    @property
    def signer_line(self) -> str:
        """The signer's title as the signature block prints it: "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"."""
        return " ".join(part for part in (self.authority, self.signer_title) if part)

    @property
    def name_in_text(self) -> str:
        return self.text_name or " ".join(self.name_lines).capitalize()

    @property
    def name_lines(self) -> list[str]:
        return [line.strip() for line in self.name.splitlines() if line.strip()]

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip(" -;.") for line in self.recipients.splitlines() if line.strip(" -;.")]


class DocumentKind(models.TextChoices):
    """Types of administrative documents (Decree 30/2020, Appendix III), with their abbreviations as codes."""

    REPORT = "BC", _("Report (Báo cáo)")
    PLAN = "KH", _("Plan (Kế hoạch)")
    DECISION = "QĐ", _("Decision (Quyết định)")
    MINUTES = "BB", _("Minutes (Biên bản)")
    RECORD = "PTN", _("Record of a report received (Phiếu tiếp nhận)")


class SubjectKind(models.TextChoices):
    PERIODIC_REPORT = "periodic_report", _("Periodic report")
    PLAN_RESULTS = "plan_results", _("Report on a plan's results")
    CASE_FORM = "case_form", _("Form of a case file (Mẫu 01–06)")


class RegisterCounter(models.Model):
    """The last number an issuing body gave in a year. Numbers are taken under this row's lock inside the
    transaction that issues the document: a rolled-back issue gives its number back (no gap), a committed one
    keeps it (never reused)."""

    issuing_body = models.ForeignKey(IssuingBody, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuing_body", "year"], name="register_counter_unique")]


class OutgoingDocument(models.Model):
    """One entry of the register: a numbered document, its file and its signature."""

    issuing_body = models.ForeignKey(
        IssuingBody, verbose_name=_("issuing body"), on_delete=models.PROTECT, related_name="documents"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("type of document"), max_length=5, choices=DocumentKind.choices)
    symbol = models.CharField(_("symbol"), max_length=60)
    issued_on = models.DateField(_("date of the document"))
    title = models.CharField(_("summary (trích yếu)"), max_length=500)
    subject_kind = models.CharField(_("what it issues"), max_length=30, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("number of what it issues"))
    # What makes an issue of the same thing the same document (e.g. a case's form for one record).
    subject_key = models.CharField(_("key of what it issues"), max_length=100)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf = models.FileField(_("PDF as issued"), upload_to="outgoing/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("fingerprint of the PDF (SHA-256)"), max_length=64, blank=True)
    signature_box = models.JSONField(_("place of the signature on the page"), null=True, blank=True)
    signed_pdf = models.FileField(_("signed PDF"), upload_to="outgoing/%Y/", blank=True)
    signed_sha256 = models.CharField(_("fingerprint of the signed PDF (SHA-256)"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("numbered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("numbered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuing_body", "year", "number"], name="outgoing_number_unique"),
            models.UniqueConstraint(
                fields=["subject_kind", "subject_key"],
                condition=Q(subject_kind="case_form"),
                name="outgoing_case_form_once",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="outgoing_number_positive"),
        ]
        indexes = [
            models.Index(fields=["subject_kind", "subject_id"], name="outgoing_subject_idx"),
            models.Index(fields=["issued_on"], name="outgoing_issued_idx"),
        ]

    def __str__(self) -> str:
        return self.number_symbol

    @property
    def number_symbol(self) -> str:
        return f"{self.number}/{self.symbol}"


class DeviceKind(models.TextChoices):
    PKCS12 = "pkcs12", _("Certificate file (PKCS#12, .p12/.pfx)")
    PKCS11 = "pkcs11", _("Token or remote signing service (PKCS#11)")


class SigningDevice(models.Model):
    """Where a signer's key is: a PKCS#12 file, or a PKCS#11 token (a USB token on the signing server, an HSM,
    or a licensed CA's remote signing library). The PIN or pass phrase is typed at each signature, never
    stored."""

    province = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The province that configured it; empty for a national body."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signer"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=DeviceKind.choices)
    pkcs12_file = models.FileField(_("PKCS#12 file"), upload_to="signing/", blank=True)
    pkcs11_module = models.CharField(
        _("PKCS#11 library"), max_length=255, blank=True, help_text=_("e.g. /usr/lib/softhsm/libsofthsm2.so")
    )
    token_label = models.CharField(_("token label"), max_length=100, blank=True)
    key_label = models.CharField(_("key label"), max_length=100, blank=True)
    cert_label = models.CharField(_("certificate label"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("signing device")
        verbose_name_plural = _("signing devices")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="pkcs12") & ~Q(pkcs12_file=""))
                | (Q(kind="pkcs11") & ~Q(pkcs11_module="") & ~Q(token_label="")),
                name="signing_device_configured",
                violation_error_message=_("A file needs its PKCS#12 file; a token its library and token label."),
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        super().clean()
        if self.kind == DeviceKind.PKCS11 and self.pkcs11_module not in settings.BAOVE_PKCS11_MODULES:
            raise ValidationError(
                {
                    "pkcs11_module": _(
                        "This library is not among those the operator allowed (BAOVE_PKCS11_MODULES): %(allowed)s"
                    )
                    % {"allowed": ", ".join(settings.BAOVE_PKCS11_MODULES) or "—"}
                }
            )


class TrustedCertificate(models.Model):
    """A certification authority whose certificates the document pages accept as trusted (e.g. the
    government's root CA or a licensed commercial CA), in PEM."""

    name = models.CharField(_("name"), max_length=200)
    pem = models.TextField(_("certificate (PEM)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("trusted certification authority")
        verbose_name_plural = _("trusted certification authorities")

    def __str__(self) -> str:
        return self.name
