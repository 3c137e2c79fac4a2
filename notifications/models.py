from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.encrypted import EncryptedTextField


class DeadlineState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


class RecipientRole(models.TextChoices):
    """Who a step notifies, resolved by the handler of the deadline's target (cases, plans…)."""

    RESPONSIBLE = "responsible", _("The person responsible (officer, agency focal point)")
    SUPERVISOR = "supervisor", _("Their supervisor (commune chairman, agency head)")
    INTERMEDIATE_COORDINATOR = "intermediate_coordinator", _("Coordinator of the intermediate level")
    PROVINCE_COORDINATOR = "province_coordinator", _("Province coordinator")
    LEADER = "leader", _("Leader")


class StepTiming(models.TextChoices):
    SHARE_OF_TIME = "share", _("Share of the allowed time (per cent)")
    HOURS_AFTER_DUE = "hours_after", _("Hours after the deadline")
    WORKING_DAYS_AFTER_DUE = "working_days_after", _("Working days after the deadline")


class EscalationLadder(models.Model):
    """The steps a deadline of one kind climbs; a province may have its own, else the national default."""

    kind = models.CharField(_("deadline kind"), max_length=60)
    province = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": "province"},
        help_text=_("Empty: the national default."),
    )
    name = models.CharField(_("name"), max_length=200)
    hold_outside_hours = models.BooleanField(
        _("hold its non-urgent reminders outside working hours"),
        default=True,
        help_text=_("Off for emergencies (the 12-hour decision): every step goes out at once, night or day."),
    )

    class Meta:
        verbose_name = _("escalation ladder")
        verbose_name_plural = _("escalation ladders")
        constraints = [
            models.UniqueConstraint(fields=["kind", "province"], name="ladder_unique_per_province"),
            models.UniqueConstraint(fields=["kind"], condition=Q(province__isnull=True), name="ladder_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    ladder = models.ForeignKey(EscalationLadder, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    timing = models.CharField(_("timing"), max_length=20, choices=StepTiming.choices)
    amount = models.IntegerField(_("amount"), help_text=_("Per cent of the time, or hours / working days after."))
    recipient = models.CharField(_("who is told"), max_length=30, choices=RecipientRole.choices)
    is_urgent = models.BooleanField(_("urgent (sent at once, not in the daily digest)"), default=False)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["ladder", "position"]
        constraints = [models.UniqueConstraint(fields=["ladder", "position"], name="step_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_timing_display()} {self.amount} → {self.get_recipient_display()}"


class Deadline(models.Model):
    """A time limit on some object (a case file, an assignment, a plan task), stored as a row.

    Apps register and clear their deadlines through notifications.services; this app knows
    nothing about what the target is.
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)  # deadline_target_idx
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    kind = models.CharField(_("kind"), max_length=60)
    province = models.ForeignKey(
        "agencies.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=20, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The escalation engine's cursor: the next step to fire and when (NULL: nothing left to fire).
    ladder = models.ForeignKey(EscalationLadder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    next_step = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind"],
                condition=Q(state="open"),
                name="deadline_one_open_per_kind",
            ),
            models.CheckConstraint(condition=Q(due_at__gte=models.F("starts_at")), name="deadline_due_after_start"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="open"), name="deadline_open_due_idx"),
            models.Index(
                fields=["next_step_at"], condition=Q(state="open", next_step_at__isnull=False), name="deadline_scan_idx"
            ),
            models.Index(fields=["target_type", "target_id"], name="deadline_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.due_at:%Y-%m-%d %H:%M}"


class CalendarDay(models.Model):
    """An administrator's correction to the working-day calendar of the `holidays` package.

    E.g. a compensatory working Saturday, or a holiday the government adds by decision.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("calendar correction")
        verbose_name_plural = _("calendar corrections")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class EscalationFire(models.Model):
    """One step of one deadline, fired. The unique constraint makes a second firing impossible."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="fires")
    position = models.PositiveSmallIntegerField()
    recipient = models.CharField(max_length=30, choices=RecipientRole.choices)
    fired_at = models.DateTimeField()
    # False when a later step was already due at the scan (catch-up): recorded, but not announced.
    was_announced = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deadline", "position"], name="fire_once_per_step")]
        ordering = ["deadline", "position"]


class WorkingHours(models.Model):
    """When a province's staff may be sent reminders that are not urgent (the default is in the settings)."""

    province = models.OneToOneField(
        "agencies.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": "province"},
    )
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours for reminders")
        verbose_name_plural = _("working hours for reminders")
        constraints = [models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="working_hours_in_order")]

    def __str__(self) -> str:
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # A hand-off's notice carries the key of what it announces (e.g. "case-event:12"): one notice per
    # person per hand-off, however often the code that sends it runs.
    key = models.CharField(max_length=100, blank=True)
    # Not shown nor sent before this time: a reminder that is not urgent waits for working hours.
    deliver_at = models.DateTimeField(null=True, blank=True)
    # In Vietnamese: what the bell shows on Vietnamese pages and what email, SMS and Zalo carry.
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    # The same in the pages' other languages, made with it: {"en": {"title": …, "body": …}} (none for notices
    # made before it was kept: those show in Vietnamese).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    is_urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)
    # What the notice is about (a case file, an assignment…), for the rule that some people may never be told
    # about it (notifications.recipients); a deadline's notice is about the deadline's target.
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "deadline", "step"], condition=Q(deadline__isnull=False), name="notification_once"
            ),
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_key"),
        ]

    @property
    def shown_language(self) -> str:
        """The language the notice is shown in: the page's, or Vietnamese for a notice made before translations
        were kept."""
        language = (get_language() or "vi").split("-")[0]
        return language if (self.translations or {}).get(language) else "vi"

    def _shown(self, part: str) -> str:
        language = self.shown_language
        return getattr(self, part) if language == "vi" else self.translations[language].get(part, "")

    @property
    def shown_title(self) -> str:
        return self._shown("title")

    @property
    def shown_body(self) -> str:
        return self._shown("body")


class DeliveryState(models.TextChoices):
    HELD = "held", _("Held until working hours")
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReceiptState(models.TextChoices):
    DELIVERED = "delivered", _("Delivered to the phone")
    UNDELIVERED = "undelivered", _("Not delivered")
    OTHER = "other", _("Other status")


class Delivery(models.Model):
    """One notification sent through one outside channel, with its attempts and last error.

    A worker claims it (state "sending" with a lease, committed) before talking to the channel and
    records the outcome after; a claim whose lease ran out (the worker died) may be claimed again.
    """

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    # The channel's name in the registry of transports (notifications.transports): email, webhook…
    channel = models.CharField(_("channel"), max_length=20)
    endpoint = models.ForeignKey("WebhookEndpoint", null=True, blank=True, on_delete=models.CASCADE)
    state = models.CharField(max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    lease_until = models.DateTimeField(null=True, blank=True)
    # A held delivery is released (made pending and sent) at this time.
    not_before = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # SMS and Zalo: the number it goes to (84xxxxxxxxx), the account that carries it (notifications.accounts),
    # the gateway's id of the message, and what the gateway's delivery report said (callbacks).
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    account_key = models.CharField(_("account"), max_length=30, blank=True)
    provider_id = models.CharField(_("gateway's message id"), max_length=100, blank=True)
    receipt = models.CharField(_("delivery report"), max_length=20, choices=ReceiptState.choices, blank=True)
    receipt_detail = models.CharField(_("gateway's status"), max_length=100, blank=True)
    receipt_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["state", "created_at"], name="delivery_state_idx"),
            models.Index(fields=["not_before"], condition=Q(state="held"), name="delivery_held_idx"),
            models.Index(
                fields=["channel", "provider_id"], condition=~Q(provider_id=""), name="delivery_provider_id_idx"
            ),
        ]


class WebhookEndpoint(models.Model):
    """An outgoing webhook (e.g. a province's SMS or Zalo gateway): HMAC-SHA256 signed JSON."""

    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": "province"},
        help_text=_("Empty: every province."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("only the notices of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("An integration's own endpoint (e.g. the hotline 111's): it receives only this account's notices."),
    )
    url = models.URLField(_("URL"))
    secret = models.CharField(_("signing secret"), max_length=200)
    urgent_only = models.BooleanField(_("urgent messages only"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In a daily digest (urgent ones at once)")
    OFF = "off", _("Never (urgent ones still at once)")


class Preference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_mode = models.CharField(_("email"), max_length=20, choices=EmailMode.choices, default=EmailMode.DIGEST)
    # A number is used only once it is verified by a code sent to it (notifications.phones).
    phone = models.CharField(_("mobile phone"), max_length=15, blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    sms_enabled = models.BooleanField(_("by SMS"), default=False)
    zalo_enabled = models.BooleanField(_("by Zalo"), default=False)
    # SMS and Zalo messages that are not urgent wait until the quiet hours end (a span may cross midnight).
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="preference_quiet_hours_both_or_none",
            )
        ]
        indexes = [models.Index(fields=["phone"], condition=~Q(phone=""), name="preference_phone_idx")]

    @property
    def phone_verified(self) -> bool:
        return bool(self.phone and self.phone_verified_at)


class PhoneVerification(models.Model):
    """A one-time code sent by SMS to a number a user adds; the number is theirs once they type it back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=15)
    code = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="phone_verification_user_idx")]


class PhoneChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class ChannelAccount(models.Model):
    """A province's account with an SMS gateway or its Zalo Official Account (ZNS), kept in the administration.

    The secrets are stored encrypted. Environment variables give the same settings without a row
    (notifications.accounts); a row here wins over them.
    """

    channel = models.CharField(_("channel"), max_length=10, choices=PhoneChannel.choices)
    province = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": "province"},
        help_text=_("Empty: every province without an account of its own."),
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    urgent_only = models.BooleanField(_("urgent messages only"), default=False)
    url = models.URLField(_("URL of the sending API"), blank=True, help_text=_("Empty: the usual address."))
    api_key = EncryptedTextField(
        _("API key or access token"),
        blank=True,
        help_text=_("SMS: the ApiKey. Zalo: the Official Account's access token."),
    )
    secret_key = EncryptedTextField(_("secret key"), blank=True, help_text=_("SMS: the SecretKey."))
    callback_secret = EncryptedTextField(
        _("secret of the delivery reports"),
        blank=True,
        help_text=_("The gateway signs its delivery reports with it, or sends it as ?token=…"),
    )
    sender = models.CharField(_("brand name"), max_length=20, blank=True, help_text=_("SMS: the registered Brandname."))
    sms_type = models.CharField(_("SMS type"), max_length=5, blank=True, default="2")
    template_id = models.CharField(_("ZNS template"), max_length=20, blank=True)
    body_template = models.TextField(
        _("request body"),
        blank=True,
        help_text=_(
            "Empty: the usual one. JSON where {api_key}, {secret_key}, {phone}, {phone_local}, {content}, "
            "{sender}, {sms_type}, {request_id}, {callback_url}, {reference}, {title} and {link} are replaced."
        ),
    )
    plain_letters = models.BooleanField(
        _("without diacritics"),
        default=True,
        help_text=_("SMS: most brandname routes take letters without diacritics."),
    )

    class Meta:
        verbose_name = _("SMS or Zalo account")
        verbose_name_plural = _("SMS and Zalo accounts")
        constraints = [
            models.UniqueConstraint(fields=["channel", "province"], name="channel_account_one_per_province"),
            models.UniqueConstraint(
                fields=["channel"], condition=Q(province__isnull=True), name="channel_account_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OutboxMessage(models.Model):
    """A task to send to the broker, written in the same transaction as the change that needs it.

    Sent right after the commit; when the broker is down the row stays, and the relay (every
    minute, and at the next commit) sends it once the broker is back. Tasks are idempotent, so a
    message sent twice (relay racing the commit hook) does no harm.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outgoing task")
        verbose_name_plural = _("outgoing tasks")
        indexes = [
            models.Index(fields=["created_at"], name="outbox_unsent_idx", condition=models.Q(sent_at__isnull=True))
        ]
