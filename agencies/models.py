from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province / centrally-run city")
    INTERMEDIATE = "intermediate", _("Intermediate level (e.g. former district)")
    COMMUNE = "commune", _("Commune / ward / special zone")
    HAMLET = "hamlet", _("Hamlet / village / residential group")


# Levels whose codes are official and unique nationwide (the 2025 list of vietnam-provinces).
OFFICIAL_LEVELS = (UnitLevel.PROVINCE, UnitLevel.COMMUNE)

# Which level may sit under which: the depth of the tree is data, not a fixed assumption.
ALLOWED_PARENT_LEVELS = {
    UnitLevel.PROVINCE: (),
    UnitLevel.INTERMEDIATE: (UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE),
    UnitLevel.COMMUNE: (UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE),
    UnitLevel.HAMLET: (UnitLevel.COMMUNE,),
}


class AdministrativeUnit(models.Model):
    """A province, intermediate unit, commune or hamlet.

    `path` is the materialised chain of primary keys from the province down ("/12/345/"), so
    "every unit under X" is one indexed prefix query at any depth. Only services write it.
    """

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    division_type = models.CharField(
        _("division type"), max_length=60, blank=True, help_text=_("e.g. tỉnh, xã, phường, đặc khu, huyện (cũ), ấp")
    )
    level = models.CharField(_("level"), max_length=20, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(level__in=["province", "commune"]),
                name="unit_official_code_unique",
                violation_error_message=_("A unit of this level with this official code already exists."),
            ),
            models.UniqueConstraint(
                fields=["parent", "code"],
                name="unit_code_unique_within_parent",
                violation_error_message=_("Another unit under the same parent already has this code."),
            ),
            models.CheckConstraint(
                condition=(Q(level="province") & Q(parent__isnull=True))
                | (~Q(level="province") & Q(parent__isnull=False)),
                name="unit_only_provinces_are_roots",
                violation_error_message=_("A province has no parent; every other unit must have one."),
            ),
        ]
        indexes = [
            models.Index(fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "is_active"], name="unit_level_active_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def clean(self) -> None:
        allowed = ALLOWED_PARENT_LEVELS.get(self.level, ())
        if self.parent_id is None:
            if self.level != UnitLevel.PROVINCE:
                raise ValidationError({"parent": _("This level of unit must have a parent unit.")})
            return
        if self.level == UnitLevel.PROVINCE:
            raise ValidationError({"parent": _("A province cannot have a parent unit.")})
        if self.parent.level not in allowed:
            raise ValidationError(
                {
                    "parent": _("A unit of level “%(level)s” cannot be placed under a unit of level “%(parent)s”.")
                    % {"level": self.get_level_display(), "parent": self.parent.get_level_display()}
                }
            )
        if self.pk and self.path and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own sub-units.")})

    def contains(self, other: "AdministrativeUnit") -> bool:
        """True when OTHER is this unit or lies anywhere below it."""
        return bool(self.path) and other.path.startswith(self.path)


class AgencyType(models.Model):
    """A kind of agency (police, health, …): data, with the defaults of the domain brief."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("agency type")
        verbose_name_plural = _("agency types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class Agency(models.Model):
    """An agency serving one unit; an agency without unit serves the whole country (e.g. hotline 111)."""

    agency_type = models.ForeignKey(
        AgencyType, verbose_name=_("agency type"), on_delete=models.PROTECT, related_name="agencies"
    )
    name = models.CharField(_("name"), max_length=255)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("Leave empty only for a national agency such as the hotline 111."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="agency_name_unique_per_unit",
                violation_error_message=_("An agency with this name already serves this unit."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyNameChange(models.Model):
    """A renaming of an agency (the 2025 reorganisation renamed many): from EFFECTIVE_ON the agency is called
    NEW_NAME, before it OLD_NAME. `Agency.name` is always today's name; a document dated before a renaming
    prints the name in force on its date (agencies.selectors.agency_name_on)."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="renamings")
    old_name = models.CharField(_("former name"), max_length=255)
    new_name = models.CharField(_("new name"), max_length=255)
    effective_on = models.DateField(_("in force from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("renaming of an agency")
        verbose_name_plural = _("renamings of agencies")
        ordering = ["agency", "effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "effective_on"],
                name="agency_one_renaming_per_day",
                violation_error_message=_("This agency already has a renaming taking effect on this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name} ({self.effective_on:%d/%m/%Y})"


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Commune child-protection officer")
    COLLABORATOR = "collaborator", _("Child-protection collaborator")
    CHAIRMAN = "chairman", _("Commune chairman (approver)")
    FOCAL_POINT = "focal_point", _("Agency focal point")
    COORDINATOR = "coordinator", _("Coordinator")
    LEADER = "leader", _("Leader")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    HOTLINE_SUPERVISOR = "hotline_supervisor", _("Hotline 111 supervisor")


# Levels at which each role may be held; None stands for a national membership (no unit).
ROLE_LEVELS = {
    Role.COMMUNE_OFFICER: (UnitLevel.COMMUNE,),
    Role.COLLABORATOR: (UnitLevel.HAMLET, UnitLevel.COMMUNE),
    Role.CHAIRMAN: (UnitLevel.COMMUNE,),
    Role.FOCAL_POINT: (UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE, UnitLevel.COMMUNE, None),
    Role.COORDINATOR: (UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE, None),
    Role.LEADER: (UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE, UnitLevel.COMMUNE, None),
    Role.SYSTEM_ADMIN: (UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE, UnitLevel.COMMUNE, None),
    # Follows whether the communes met the legal limits on the reports the hotline passed on, nationwide.
    Role.HOTLINE_SUPERVISOR: (None,),
}


class StaffMembership(models.Model):
    """A user's role in an agency at a unit; the unit's subtree is the user's jurisdiction."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Empty means the whole country; only possible in a national agency."),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "unit", "role"],
                name="membership_unique",
                violation_error_message=_("This user already holds this role in this agency at this unit."),
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="membership_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency}"

    def clean(self) -> None:
        if self.agency_id is None or not self.role:
            return
        agency_unit = self.agency.unit
        if self.unit_id is None:
            if agency_unit is not None:
                raise ValidationError(
                    {"unit": _("Choose the unit: only staff of a national agency work without a unit.")}
                )
        elif agency_unit is not None and not agency_unit.contains(self.unit):
            raise ValidationError(
                {
                    "unit": _("The unit “%(unit)s” is outside the area served by the agency “%(agency)s” (%(area)s).")
                    % {"unit": self.unit, "agency": self.agency, "area": agency_unit}
                }
            )
        level = self.unit.level if self.unit_id else None
        if level not in ROLE_LEVELS[self.role]:
            raise ValidationError(
                {
                    "role": _("The role “%(role)s” cannot be held at this level of unit (%(level)s).")
                    % {
                        "role": self.get_role_display(),
                        "level": self.unit.get_level_display() if self.unit_id else _("whole country"),
                    }
                }
            )


class ProviderKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter, safe place")
    CLINIC = "clinic", _("Clinic, health station")
    LEGAL_AID = "legal_aid", _("Legal aid")
    COUNSELLING = "counselling", _("Counselling, psychological support")
    SOCIAL_WORK = "social_work", _("Social work, social protection centre")
    NGO = "ngo", _("Non-governmental organisation")
    AGENCY = "agency", _("State agency")
    HOTLINE = "hotline", _("Hotline")
    OTHER = "other", _("Other service")


class ServiceProvider(models.Model):
    """An entry of the directory of services (danh bạ dịch vụ): a shelter, a clinic, legal aid, counselling, an
    NGO or an agency, with what it offers, the administrative units it serves, its hours and contacts. Kept by
    administrators and coordinators for their area (agencies.access); plans' measures pick from it."""

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("type of service"), max_length=20, choices=ProviderKind.choices)
    services = models.TextField(_("services offered"))
    areas = models.ManyToManyField(
        AdministrativeUnit,
        verbose_name=_("areas served"),
        related_name="service_providers",
        help_text=_("Tick every unit it serves: a province or a former district counts for every commune in it."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    # A shelter's place is kept from anyone who might follow a child there: never printed for families,
    # shown to staff only on the keeper's page.
    address_is_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_("A shelter's address: never printed in the list for families nor shown in the directory."),
    )
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind", "is_active"], name="provider_kind_active_idx")]

    def __str__(self) -> str:
        return self.name
