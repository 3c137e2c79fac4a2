"""HTML forms. They only shape input; every rule lives in cases.services."""

import json
from html import escape

from django import forms
from django.utils import timezone
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit, Agency, ServiceProvider
from config.names import NameFormField
from config.vietnamese import sort_key

from . import lists
from .choices import (
    AgeGroup,
    CaseState,
    CircumstanceGroup,
    ReceivingPoint,
    ReportSource,
    ReviewRecommendation,
    RiskLevel,
    Setting,
    Sex,
    VisitKind,
)
from .ethnicities import ETHNICITY_CHOICES
from .models import ConsentGiver, LawfulBasis, RequestKind, RequestStatus, SafetyItemKind, Urgency

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _escaped(value) -> str:
    # html.escape, as Django's escape does, without its lazy-string and safe-string wrapping (costly in bulk).
    return value if isinstance(value, SafeData) else escape(str(value))


def _attributes(attrs: dict) -> str:
    """Django's widgets/attrs.html in Python: True gives a bare attribute, False none."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(f" {name}" if value is True else f' {name}="{_escaped(value)}"')
    return "".join(parts)


class FastSelect(forms.Select):
    """A <select> built in Python: Django renders each option through its own template, which made the
    case list's filter form cost more than the list's queries. Same markup, same escaping."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<option value="{_escaped(option["value"])}"{" selected" if option["selected"] else ""}>'
            f"{_escaped(option['label'])}</option>"
            for _group, group_options, _index in context["optgroups"]
            for option in group_options
        )
        # In flatatt's order, as before: valued attributes by name, then the boolean ones.
        attributes = sorted({"name": context["name"], **context["attrs"]}.items(), key=lambda a: (a[1] is True, a[0]))
        return SafeString(f"<select{_attributes(dict(attributes))}>{options}</select>")


class FastInputMixin:
    """An <input> built in Python with Django's markup (widgets/input.html), for forms shown on every visit of
    a busy page (the case list's filters): each widget template rendered costs more than the list's rows."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_escaped(widget["value"])}"'
        return SafeString(
            f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"{shown}'
            f"{_attributes(widget['attrs'])}>"
        )


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastCheckboxInput(FastInputMixin, forms.CheckboxInput):
    pass


class FastHiddenInput(FastInputMixin, forms.HiddenInput):
    pass


class InlineRadioSelect(forms.RadioSelect):
    """Radios side by side, for a few short choices (Cao / Trung bình / Thấp); nothing chosen beforehand."""

    inline = True


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render fields in a loop.

    `id_prefix` keeps the ids of several forms on one page apart (a consent's and a disclosure's
    "recipient") without changing the names they post."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == "---------":
                field.empty_label = "—"  # Django's dashes read as a code; the other lists start with a dash too
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):  # radios and checkbox groups too
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.HiddenInput):
                continue
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def offer_lists(form, province_id: int | None) -> None:
    """Offer on FORM the kept lists' entries of the case's province (its own reasons for closure…)."""
    if "closure_reason" in form.fields:
        form.fields["closure_reason"].choices = [("", "—"), *lists.offered("closure_reason", [province_id])]


def add_extra_fields(form, definitions, current=None) -> None:
    """The province's extra fields on FORM, typed, named "extra_<key>", marked required where they are.
    CURRENT: the record's values; an option it holds that the list no longer has stays offered (and chosen)."""
    current = current or {}
    for definition in definitions:
        common = {"label": definition.label, "required": definition.is_required, "help_text": definition.help_text}
        if definition.field_type == "number":
            # A text box read in the page's language: "1,5" is one and a half in Vietnamese, where a number box
            # (type=number) drops the comma and sends 15.
            field = forms.DecimalField(**common, localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        elif definition.field_type == "date":
            field = forms.DateField(**common, widget=DATE_WIDGET)
        elif definition.field_type == "choice":
            options = [(option, option) for option in definition.option_list]
            held = current.get(definition.key)
            if isinstance(held, str) and held and held not in definition.option_list:
                options.append((held, held))
            field = forms.ChoiceField(**common, choices=[("", "—"), *options])
        else:
            field = forms.CharField(**common, max_length=1000)
        if definition.is_required:
            field.error_messages["required"] = _("“%(label)s” is required.") % {"label": definition.label}
        widget = field.widget
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")
        form.fields[f"extra_{definition.key}"] = field
    form.extra_keys = [definition.key for definition in definitions]


class ExtraFieldsMixin:
    def extra_fields(self) -> list:
        """The bound extra fields, for templates to render in a loop."""
        return [self[f"extra_{key}"] for key in getattr(self, "extra_keys", [])]


def extra_values(form) -> dict:
    """The extra fields' cleaned values, key → value, for the services (which check them again)."""
    return {key: form.cleaned_data.pop(f"extra_{key}", None) for key in getattr(form, "extra_keys", [])}


class CaseExtraForm(ExtraFieldsMixin, BootstrapMixin, forms.Form):
    """A case file's extra fields (those its province asks)."""

    def __init__(self, *args, definitions=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        add_extra_fields(self, definitions, current)


class CommuneSelect(forms.Select):
    """The commune select of a form offering many communes (the hotline 111: every commune of the country):
    each option carries its province, and the page's script offers to choose the province first
    (static/js/report-form.js); without the script the full list stays usable."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        unit = getattr(value, "instance", None)
        if unit is not None and unit.path:
            option["attrs"]["data-province"] = unit.path.strip("/").split("/")[0]
        return option


# From this many communes on, the commune select offers to choose the province first.
MANY_COMMUNES = 60


class ReportForm(ExtraFieldsMixin, BootstrapMixin, forms.Form):
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=DATETIME_WIDGET,
        error_messages={"required": _("Enter when the report was received.")},
    )
    receiving_point = forms.ChoiceField(label=_("Receiving point"), choices=ReceivingPoint.choices)
    commune = forms.ModelChoiceField(
        label=_("Commune where the child lives"),
        queryset=AdministrativeUnit.objects.none(),
        error_messages={"required": _("Choose the commune where the child lives.")},
    )
    source = forms.ChoiceField(label=_("Source"), choices=ReportSource.choices)
    reporter_is_anonymous = forms.BooleanField(label=_("The reporter wishes to stay anonymous"), required=False)
    reporter_name = NameFormField(label=_("Reporter's name"), required=False, max_length=200)
    reporter_phone = forms.CharField(label=_("Reporter's phone (kept confidential)"), required=False, max_length=20)
    reporter_relation = forms.CharField(label=_("Reporter's relation to the child"), required=False, max_length=100)
    occurred_on = forms.DateField(label=_("Date of occurrence"), required=False, widget=DATE_WIDGET)
    place_of_occurrence = forms.CharField(label=_("Place of occurrence"), required=False, max_length=255)
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    abuse_forms = forms.MultipleChoiceField(
        label=_("Forms of abuse"),
        choices=lambda: lists.offered("abuse_form"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one form of abuse.")},
    )
    perpetrator_relation = forms.CharField(
        label=_("Alleged perpetrator's relation to the child"), required=False, max_length=100
    )
    perpetrator_age_group = forms.ChoiceField(
        label=_("Alleged perpetrator's age group"), choices=[("", "—"), *AgeGroup.choices], required=False
    )
    narrative = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe what happened.")},
    )

    # The service asks for the reporter's name unless the reporter stays anonymous: marked, and lifted by the box.
    required_fields = ("reporter_name",)

    def __init__(self, *args, communes=None, province_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter_name"].required_unless = "reporter_is_anonymous"
        self.fields["commune"].queryset = communes if communes is not None else AdministrativeUnit.objects.none()
        if communes is not None and communes.count() > MANY_COMMUNES:
            self._offer_provinces_first(communes)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["abuse_forms"].choices = lists.offered("abuse_form", province_ids)
        # The province's own questions, after the law's (the service checks them again against the commune's).
        definitions = {}
        for province_id in province_ids:
            for definition in lists.extra_definitions(province_id, "report"):
                definitions.setdefault(definition.key, definition)
        add_extra_fields(self, definitions.values())

    def _offer_provinces_first(self, communes) -> None:
        field = self.fields["commune"]
        paths = communes.order_by().values_list("path", flat=True)
        pks = {int(path.strip("/").split("/")[0]) for path in paths if path}
        provinces = sorted(
            AdministrativeUnit.objects.filter(pk__in=pks).values_list("pk", "name"),
            # "Thành phố Hà Nội" among the H's, Đồng Nai among the D's.
            key=lambda row: sort_key(row[1].removeprefix("Thành phố ").removeprefix("Tỉnh ")),
        )
        attrs = {**field.widget.attrs, "data-provinces": json.dumps([[pk, name] for pk, name in provinces])}
        attrs["data-province-label"] = _("Province or city")
        attrs["data-province-any"] = _("— every province —")
        field.widget = CommuneSelect(attrs=attrs, choices=field.widget.choices)
        field.widget.choices = field.choices

    def clean(self):
        data = super().clean()
        if (
            not data.get("reporter_is_anonymous")
            and not data.get("reporter_name")
            and "reporter_name" not in self.errors
        ):
            self.add_error("reporter_name", _("Enter the reporter's name, or mark the reporter as anonymous."))
        return data


class ChildForm(BootstrapMixin, forms.Form):
    existing_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    full_name = NameFormField(label=_("Child's full name"), required=False, max_length=200)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)
    birth_year_only = forms.BooleanField(
        label=_("Only the year is known (enter 1 January of that year)"), required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    ethnicity = forms.ChoiceField(label=_("Ethnic group"), choices=[("", "—"), *ETHNICITY_CHOICES], required=False)
    personal_id = forms.CharField(label=_("Personal identification number (12 digits)"), required=False, max_length=12)
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    school = forms.CharField(label=_("School"), required=False, max_length=200)
    disability = forms.CharField(label=_("Disability"), required=False, max_length=200)
    circumstances = forms.MultipleChoiceField(
        label=_("Special circumstances (Law on Children, Art. 10)"),
        choices=CircumstanceGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    caregiver_name = NameFormField(label=_("Caregiver's name"), required=False, max_length=200)
    caregiver_relation = forms.CharField(label=_("Caregiver's relation"), required=False, max_length=100)
    caregiver_phone = forms.CharField(label=_("Caregiver's phone"), required=False, max_length=20)
    caregiver_is_legal_representative = forms.BooleanField(label=_("Legal representative"), required=False)
    caregiver_is_alleged_perpetrator = forms.BooleanField(label=_("Alleged perpetrator"), required=False)

    # Optional to Django because a child already registered needs neither; asked of a new child in clean(),
    # so that a failed save lists every gap at once (the service checks the same again).
    required_fields = ("full_name", "birth_date")

    def clean(self):
        data = super().clean()
        if not data.get("existing_id"):
            if not data.get("full_name") and "full_name" not in self.errors:
                self.add_error("full_name", _("Enter the child's full name."))
            if not data.get("birth_date") and "birth_date" not in self.errors:
                self.add_error("birth_date", _("Enter the date of birth (or the year, if only the year is known)."))
            typed = data.get("caregiver_phone") or data.get("caregiver_relation")
            if typed and not data.get("caregiver_name") and "caregiver_name" not in self.errors:
                # Without a name no caregiver is recorded: their phone would be dropped without a word.
                self.add_error("caregiver_name", _("Enter the caregiver's name, or clear their relation and phone."))
        return data


class RepeatedFormSet(forms.BaseFormSet):
    """A formset whose items are added and removed on the page (static/js/formset.js).

    `item_label` names one item in the error summary ("Trẻ em 2"); each subclass words "too few" itself,
    as Django's "Please submit at least 1 form." has no Vietnamese translation."""

    item_label = ""

    def full_clean(self):
        super().full_clean()
        # An item left empty already says what it lacks: "add at least one" beside that says it twice.
        if self.is_bound and any(form.errors for form in self.forms):
            kept = [error for error in self._non_form_errors.as_data() if error.code != "too_few_forms"]
            self._non_form_errors = self.error_class(kept, error_class="nonform", renderer=self.renderer)

    def filled_forms(self) -> list:
        """The forms but those added and left empty (the first, required one is always there)."""
        return [form for form in self.forms if form.has_changed() or not form.empty_permitted]


class ChildFormSetBase(RepeatedFormSet):
    item_label = _("Child")
    default_error_messages = {"too_few_forms": _("Add at least one child.")}


ChildFormSet = forms.formset_factory(
    ChildForm, formset=ChildFormSetBase, extra=0, min_num=1, max_num=20, validate_min=True
)


class VersionForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssessForm(VersionForm):
    # Radios with nothing chosen beforehand: each criterion is a decision, never a default left in place.
    severity = forms.ChoiceField(label=_("Severity of harm"), choices=RiskLevel.choices, widget=InlineRadioSelect)
    perpetrator_access = forms.ChoiceField(
        label=_("Abuser's access to the child"), choices=RiskLevel.choices, widget=InlineRadioSelect
    )
    care_environment = forms.ChoiceField(
        label=_("Obstacles to safety in the care environment"), choices=RiskLevel.choices, widget=InlineRadioSelect
    )
    child_capacity = forms.ChoiceField(
        label=_("Child's capacity to protect themself and recover (risk)"),
        choices=RiskLevel.choices,
        widget=InlineRadioSelect,
    )
    risk_level = forms.ChoiceField(
        label=_("Overall risk level (empty: the highest of the four)"),
        choices=[("", "—"), *RiskLevel.choices],
        required=False,
    )
    is_emergency = forms.TypedChoiceField(
        label=_("Are emergency measures needed?"),
        choices=[("no", _("No")), ("yes", _("Yes: life or health is threatened, or a parent is the abuser"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether emergency measures are needed.")},
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA)
    # Shown only when the risk is high and no emergency is answered: that answer is confirmed, not slipped in.
    confirm_no_emergency = forms.BooleanField(
        label=_("I confirm: no emergency measures are needed, although the risk is high"),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self):
        data = super().clean()
        criteria = [data.get(name) for name in ("severity", "perpetrator_access", "care_environment", "child_capacity")]
        overall = data.get("risk_level") or (RiskLevel.HIGH if RiskLevel.HIGH in criteria else "")
        if overall == RiskLevel.HIGH and data.get("is_emergency") is False and not data.get("confirm_no_emergency"):
            self.fields["confirm_no_emergency"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
            self.add_error(
                "confirm_no_emergency",
                _(
                    "The risk is high: check whether the child's life or health is threatened or a parent is the "
                    "abuser. If no emergency measures are needed all the same, confirm it here."
                ),
            )
        data.pop("confirm_no_emergency", None)  # the page's question, not the assessment's
        return data


class EmergencyForm(VersionForm):
    description = forms.CharField(label=_("Measure taken"), widget=TEXTAREA)
    taken_by = forms.CharField(label=_("Taken by (person or agency)"), max_length=200)
    taken_at = forms.DateTimeField(label=_("Taken at"), widget=DATETIME_WIDGET)


class InvestigateForm(VersionForm):
    information = forms.CharField(label=_("Information collected"), widget=TEXTAREA)
    risk_level = forms.ChoiceField(label=_("Risk level after the specific assessment"), choices=RiskLevel.choices)
    needs = forms.CharField(label=_("Needs of the child and family"), widget=TEXTAREA)
    meeting_at = forms.DateTimeField(label=_("Needs meeting held at"), widget=DATETIME_WIDGET)
    participants = forms.CharField(label=_("Participants"), widget=TEXTAREA)
    minutes = forms.CharField(label=_("Minutes of the meeting"), widget=forms.Textarea(attrs={"rows": 5}))


class PlanForm(VersionForm):
    objectives = forms.CharField(label=_("Objectives of the plan"), widget=TEXTAREA)


class MeasureForm(BootstrapMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    service_type = forms.ChoiceField(label=_("Service"), choices=lambda: lists.offered("service_type"))
    description = forms.CharField(label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)
    provider = forms.ModelChoiceField(
        label=_("Service from the directory (optional)"),
        queryset=ServiceProvider.objects.none(),
        required=False,
        help_text=_("The shelter, clinic, legal aid or counselling service that will do it, if there is one."),
    )

    def __init__(self, *args, agencies=None, providers=None, province_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = lists.offered("service_type", [province_id])
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()
        self.fields["provider"].queryset = providers if providers is not None else ServiceProvider.objects.none()


class MeasureFormSetBase(RepeatedFormSet):
    item_label = _("Measure")
    default_error_messages = {"too_few_forms": _("Add at least one measure.")}


MeasureFormSet = forms.formset_factory(
    MeasureForm, formset=MeasureFormSetBase, extra=0, min_num=1, max_num=30, validate_min=True
)


class ApprovePlanForm(VersionForm):
    decision_number = forms.CharField(label=_("Number of the approval decision"), max_length=50)
    note = forms.CharField(label=_("Comments"), required=False, widget=TEXTAREA)


class NoteRequiredForm(VersionForm):
    note = forms.CharField(label=_("Comments"), widget=TEXTAREA)


class ReviewForm(VersionForm):
    findings = forms.CharField(label=_("Findings of the review"), widget=forms.Textarea(attrs={"rows": 4}))
    child_is_safe = forms.BooleanField(label=_("The child is safe and stable"), required=False)
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=ReviewRecommendation.choices, widget=forms.RadioSelect
    )
    closure_reason = forms.ChoiceField(
        label=_("Reason for ending the plan"),
        choices=lambda: [("", "—"), *lists.offered("closure_reason")],
        required=False,
        help_text=_("Only when the review proposes to end the plan."),
    )


class ApproveClosureForm(VersionForm):
    note = forms.CharField(label=_("Comments"), required=False, widget=TEXTAREA)


class TransferForm(VersionForm):
    to_commune = forms.ModelChoiceField(
        label=_("Commune to transfer to"), queryset=AdministrativeUnit.objects.filter(level="commune", is_active=True)
    )
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Thousands of communes: a code field would be friendlier; the select is searchable by typing.
        self.fields["to_commune"].label_from_instance = lambda unit: f"{unit.name} ({unit.code})"


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA)


class NoteForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("New note"), widget=TEXTAREA)


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("File (PDF, image or office document, at most 20 MB)"))
    description = forms.CharField(label=_("Description"), required=False, max_length=255)


FAST_DATE_WIDGET = FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Child's name or reference"), required=False, widget=FastTextInput)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *CaseState.choices], required=False)
    risk_level = forms.ChoiceField(label=_("Risk"), choices=[("", _("All levels")), *RiskLevel.choices], required=False)
    abuse_form = forms.ChoiceField(
        label=_("Form of abuse"), choices=lambda: [("", _("All forms")), *lists.abuse_form_choices()], required=False
    )
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=AdministrativeUnit.objects.none(), required=False)
    opened_from = forms.DateField(label=_("Received from"), required=False, widget=FAST_DATE_WIDGET)
    opened_to = forms.DateField(label=_("Received until"), required=False, widget=FAST_DATE_WIDGET)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False, widget=FastCheckboxInput)
    open = forms.BooleanField(label=_("Open files only"), required=False, widget=FastCheckboxInput)
    # From the caseload page: the files one officer answers for (kept through the filter form).
    officer = forms.IntegerField(required=False, min_value=1, widget=FastHiddenInput)

    def __init__(self, *args, communes=None, commune_choices=None, abuse_forms=None, **kwargs):
        """COMMUNES: those the filter accepts; COMMUNE_CHOICES: the same as (pk, name) when already known
        (cases.access.commune_choices), else read from COMMUNES. ABUSE_FORMS: the forms of abuse offered (the
        national ones and those of the user's provinces), else every one kept."""
        super().__init__(*args, **kwargs)
        if abuse_forms is not None:
            self.fields["abuse_form"].choices = [("", _("All forms")), *abuse_forms]
        self.fields["commune"].queryset = communes if communes is not None else AdministrativeUnit.objects.none()
        for name in ("state", "risk_level", "abuse_form"):
            field = self.fields[name]
            field.widget = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
        # The communes read once with a plain query (a ModelChoiceField iterates with a server-side
        # cursor: three round trips for a handful of rows).
        field = self.fields["commune"]
        if commune_choices is None:
            commune_choices = [(unit.pk, str(unit)) for unit in field.queryset]
        field.widget = FastSelect(attrs=field.widget.attrs, choices=[("", field.empty_label), *commune_choices])

    def clean(self):
        data = super().clean()
        if data.get("opened_from") and data.get("opened_to") and data["opened_to"] < data["opened_from"]:
            self.add_error("opened_to", _("The end of the period is before its start."))
        return data


class AssignmentVersionForm(VersionForm):
    pass


class DeclineForm(VersionForm):
    reason = forms.CharField(label=_("Why your agency cannot take this on"), widget=TEXTAREA)


class ProgressForm(VersionForm):
    text = forms.CharField(label=_("What was done"), widget=TEXTAREA)
    file = forms.FileField(label=_("Evidence (PDF, image or office document, optional)"), required=False)


class CloseAssignmentForm(VersionForm):
    is_done = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("done", _("Done")), ("not_done", _("Not done"))],
        coerce=lambda value: value == "done",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the assignment was done.")},
    )
    outcome = forms.CharField(label=_("Outcome"), widget=TEXTAREA)


class ReassignForm(VersionForm):
    agency = forms.ModelChoiceField(label=_("New agency"), queryset=Agency.objects.none())
    request = forms.CharField(label=_("What is asked (empty: as before)"), required=False, widget=TEXTAREA)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()


class AuditFilterForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("User"), required=False)
    reference = forms.CharField(label=_("Case reference"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class UnrestrictForm(VersionForm):
    reason = forms.CharField(label=_("Why the restriction is no longer needed"), widget=TEXTAREA)


class RestrictForm(VersionForm):
    named_users = forms.ModelMultipleChoiceField(
        label=_("Who may still see this case file (you stay named)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason (e.g. the alleged perpetrator is staff or a relative of staff)"), widget=TEXTAREA
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_users"].queryset = staff
        self.fields["named_users"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class AssignOfficerForm(VersionForm):
    officer = forms.ModelChoiceField(label=_("Officer who will answer for the case file"), queryset=None)
    reason = forms.CharField(label=_("Reason (leave, departure, workload…)"), widget=TEXTAREA)

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class HandoverForm(BootstrapMixin, forms.Form):
    from_officer = forms.ModelChoiceField(
        label=_("Officer whose open case files are handed over"),
        queryset=None,
        error_messages={
            "required": _("Choose the officer whose case files are handed over."),
            "invalid_choice": _("This officer has no open case file in this commune any more."),
        },
    )
    to_officer = forms.ModelChoiceField(
        label=_("Officer who will answer for them"),
        queryset=None,
        error_messages={
            "required": _("Choose a child-protection officer of this commune."),
            "invalid_choice": _("Choose a child-protection officer of this commune."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (leave, departure, workload…)"),
        widget=TEXTAREA,
        max_length=500,
        error_messages={"required": _("Give the reason (leave, departure, workload…).")},
    )

    def __init__(self, *args, holders=None, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_officer"].queryset = holders
        self.fields["to_officer"].queryset = officers
        for name in ("from_officer", "to_officer"):
            self.fields[name].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def clean(self):
        """Every mistake said at once (the service says the same when called on its own)."""
        data = super().clean()
        if data.get("from_officer") and data.get("from_officer") == data.get("to_officer"):
            self.add_error("to_officer", _("Choose another officer than the one whose case files are handed over."))
        return data


# ---------------------------------------------------------------------------------------------- privacy


class LawfulBasisForm(VersionForm):
    id_prefix = "basis"
    lawful_basis = forms.ChoiceField(label=_("Lawful basis"), choices=LawfulBasis.choices)
    lawful_basis_note = forms.CharField(
        label=_("Details (decision or request number; required unless the legal duty)"),
        required=False,
        max_length=255,
    )


class ConsentForm(BootstrapMixin, forms.Form):
    id_prefix = "consent"
    giver = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    representative = forms.ModelChoiceField(
        label=_("Legal representative (when given by the representative)"), queryset=None, required=False
    )
    recipient = forms.CharField(label=_("Disclosed to"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=500)
    given_on = forms.DateField(label=_("Given on"), widget=DATE_WIDGET)
    evidence = forms.CharField(label=_("How it was given (e.g. signed form kept in the paper file)"), max_length=255)

    def __init__(self, *args, caregivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = caregivers

        def label(caregiver):
            text = f"{caregiver.full_name} ({caregiver.relation})"
            return f"{text} – {_('alleged perpetrator')}" if caregiver.is_alleged_perpetrator else text

        self.fields["representative"].label_from_instance = label


class DisclosureForm(BootstrapMixin, forms.Form):
    id_prefix = "disclosure"
    recipient = forms.CharField(label=_("Disclosed to"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=500)
    disclosed_on = forms.DateField(label=_("Disclosed on"), widget=DATE_WIDGET)
    consents = forms.ModelMultipleChoiceField(
        label=_("Consents relied on"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, consents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consents"].queryset = consents
        self.fields["consents"].label_from_instance = lambda consent: (
            f"{consent.get_giver_display()} · {consent.recipient} · {consent.given_on:%d/%m/%Y}"
        )


class DataRequestForm(BootstrapMixin, forms.Form):
    id_prefix = "request"
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    requester_name = forms.CharField(label=_("Requester's name"), max_length=200)
    requester_relation = forms.CharField(
        label=_("Requester's relation to the child (the child, mother, guardian…)"), max_length=100
    )
    details = forms.CharField(label=_("Details"), required=False, widget=TEXTAREA)
    received_at = forms.DateTimeField(label=_("Received at"), widget=DATETIME_WIDGET)


class DataRequestAnswerForm(VersionForm):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (RequestStatus.ANSWERED, RequestStatus.ANSWERED.label),
            (RequestStatus.REFUSED, RequestStatus.REFUSED.label),
        ],
    )
    answer = forms.CharField(label=_("Answer given (for a refusal, its reasons)"), widget=TEXTAREA)


# ---------------------------------------------------------------------------------------------- the community


class CommunityReportForm(BootstrapMixin, forms.Form):
    """The collaborator's short form: who, where, what, how urgent."""

    hamlet = forms.ModelChoiceField(
        label=_("Hamlet"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("Not in a hamlet of mine / not known"),
    )
    child = forms.CharField(
        label=_("Who: the child"),
        max_length=200,
        help_text=_("A name, or a few words: age, whose child, which school."),
        error_messages={"required": _("Say who the child is: a name, or a few words (age, whose child).")},
    )
    place = forms.CharField(
        label=_("Where"),
        max_length=255,
        help_text=_("Where the child is now, or where it happened."),
        error_messages={"required": _("Say where the child is or where it happened.")},
    )
    what = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what happened.")},
    )
    urgency = forms.ChoiceField(
        label=_("How urgent"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how urgent it is.")},
    )

    def __init__(self, *args, hamlets=None, communes=None, **kwargs):
        """COMMUNES: a collaborator's communes, when they have several: which one a report outside their
        hamlets goes to is then asked (the field is left out otherwise)."""
        super().__init__(*args, **kwargs)
        self.fields["hamlet"].queryset = hamlets if hamlets is not None else AdministrativeUnit.objects.none()
        if communes is not None and len(communes) > 1:
            self.fields["commune"] = forms.TypedChoiceField(
                label=_("Commune (for a child outside your hamlets)"),
                choices=[("", "—"), *((commune.pk, commune.name) for commune in communes)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),  # added after BootstrapMixin's pass
            )
            self.order_fields(["hamlet", "commune"])


class PublicReportForm(CommunityReportForm):
    """The public page: the same questions in plain words, where the child lives, an optional photo and
    optional contact details; the proof-of-work answer comes from the widget."""

    province = forms.ModelChoiceField(
        label=_("Province or city"),
        queryset=AdministrativeUnit.objects.filter(level="province", is_active=True).order_by("name"),
        error_messages={"required": _("Choose the province or city where the child lives.")},
    )
    commune = forms.ModelChoiceField(
        label=_("Commune, ward or special zone"),
        queryset=AdministrativeUnit.objects.filter(level="commune", is_active=True),
        help_text=_("Choose the province first; or type part of the name below to find it."),
        error_messages={
            "required": _("Choose the commune, ward or special zone where the child lives."),
            "invalid_choice": _("Choose the commune, ward or special zone where the child lives."),
        },
    )
    reporter_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=200,
        required=False,
        help_text=_("Leave it empty to stay anonymous."),
    )
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=20,
        required=False,
        help_text=_("Only the commune officer sees it, to call you back if needed."),
    )
    photo = forms.FileField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 8 MB. Do not put yourself in danger to take it."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    altcha = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = [
        "province",
        "commune",
        "child",
        "place",
        "what",
        "urgency",
        "photo",
        "reporter_name",
        "reporter_phone",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["hamlet"]
        # The communes of the chosen province only (3,321 in all would weigh on a phone).
        province = self.data.get(self.add_prefix("province")) if self.is_bound else self.initial.get("province")
        communes = AdministrativeUnit.objects.filter(level="commune", is_active=True).order_by("name")
        province_unit = (
            AdministrativeUnit.objects.filter(level="province", pk=province).first()
            if str(province or "").isdigit()
            else None
        )
        self.fields["commune"].queryset = (
            communes.filter(path__startswith=province_unit.path) if province_unit else communes.none()
        )
        self.fields["child"].label = _("Who is the child?")
        self.fields["place"].label = _("Where is the child, or where did it happen?")
        self.fields["place"].help_text = _("A hamlet, a street, or a place people know.")
        self.fields["what"].label = _("What happened?")
        self.fields["urgency"].label = _("How urgent is it?")


class ReceiptForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_("The code you were given when you sent the report, e.g. ABCD-EFGH-JKMN."),
        error_messages={"required": _("Type the receipt code.")},
    )


class CommunityCloseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is it closed without a case file?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why it is closed.")},
    )


class HouseholdLinkForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(
        label=_("Reference of the case file to link"),
        help_text=_("As on the case file, e.g. HS-2026-000123. The child of that file joins this family group."),
        max_length=30,
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class VisitScheduleForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of visit"),
        choices=VisitKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of visit.")},
    )
    planned_for = forms.DateField(
        label=_("Date of the visit"), widget=DATE_WIDGET, error_messages={"required": _("Enter the date of the visit.")}
    )


class VisitRecordForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of visit"),
        choices=VisitKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of visit.")},
    )
    done_on = forms.DateField(
        label=_("Date of the visit"), widget=DATE_WIDGET, error_messages={"required": _("Enter the date of the visit.")}
    )
    visitors = forms.ModelMultipleChoiceField(
        label=_("Who went"),
        help_text=_("Tick who went, or name them in the next box (at least one)."),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_visitors = forms.CharField(
        label=_("Others who went"),
        help_text=_("E.g. the hamlet's collaborator, the class teacher, the women's union."),
        required=False,
        max_length=255,
    )
    child_seen = forms.ChoiceField(
        label=_("Was the child seen?"),
        choices=YES_NO,
        widget=InlineRadioSelect,
        error_messages={"required": _("Say whether the child was seen.")},
    )
    people_seen = forms.CharField(
        label=_("Whom you saw"),
        help_text=_("E.g. the mother, the grandmother, the teacher."),
        required=False,
        max_length=255,
    )
    observations = forms.CharField(
        label=_("Observations"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what you observed.")},
    )
    next_visit_on = forms.DateField(
        label=_("Next visit"),
        help_text=_("A date here schedules the next visit."),
        widget=DATE_WIDGET,
        required=False,
    )

    def __init__(self, *args, companions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = companions
        self.fields["visitors"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class FlagForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the case file needs attention"),
        widget=TEXTAREA,
        error_messages={"required": _("Say why the case file needs attention.")},
    )
    until = forms.DateField(
        label=_("Until"),
        help_text=_("The flag lapses by itself after this date."),
        widget=DATE_WIDGET,
        error_messages={"required": _("Enter until when the flag holds.")},
    )


def add_siblings_field(form, siblings) -> None:
    """The "also apply to" checkboxes of a step recorded once for a family group: one per sibling's case
    file offered by the access door, each ticked beforehand (the usual case is the same for all)."""
    form.fields["also_apply_to"] = forms.TypedMultipleChoiceField(
        label=_("Record the same for the siblings"),
        help_text=_("Each case file keeps its own record and can be changed on its own afterwards."),
        choices=[
            (
                sibling.pk,
                _("also apply to: %(reference)s (%(child)s)")
                % {"reference": sibling.reference, "child": sibling.child.full_name},
            )
            for sibling in siblings
        ],
        coerce=int,
        required=False,
        initial=[sibling.pk for sibling in siblings],
        error_messages={
            "invalid_choice": _("One of the chosen case files cannot take this step now: reload the page.")
        },
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


# ---------------------------------------------------------------------------------------------- duplicates


class DuplicateMarkForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(
        label=_("Reference of the other child's case file"),
        help_text=_("As on the case file, e.g. HS-2026-000123. The two records are then shown side by side."),
        max_length=30,
    )


class ChildMergeForm(BootstrapMixin, forms.Form):
    kept = forms.TypedChoiceField(label=_("Record to keep"), coerce=int, choices=(), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Why are the two records the same child?"),
        help_text=_("E.g. same birth certificate, same parents; the name was typed without diacritics."),
        max_length=2000,
        widget=TEXTAREA,
    )
    confirm = forms.BooleanField(
        label=_(
            "I have compared the two records: they are the same child. Everything recorded for the other record "
            "moves to the record kept."
        ),
        error_messages={"required": _("Tick the box to confirm that the two records are the same child.")},
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].choices = [
            (child.pk, _("%(name)s (born %(birth)s, record no. %(number)s)")
            % {"name": child.full_name, "birth": birth_text(child), "number": child.pk})
            for child in children
        ]  # fmt: skip


def birth_text(child) -> str:
    return str(child.birth_date.year) if child.birth_year_only else child.birth_date.strftime("%d/%m/%Y")


class ChildMergeUndoForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Why undo the merge?"), max_length=2000, widget=TEXTAREA)


class DuplicateDismissForm(BootstrapMixin, forms.Form):
    id_prefix = "dismiss"
    reason = forms.CharField(
        label=_("Why are they two different children?"),
        help_text=_("E.g. twins; two children with the same name in the same hamlet."),
        max_length=2000,
        widget=TEXTAREA,
    )


class SafetyPlanForm(VersionForm):
    review_date = forms.DateField(
        label=_("Review date"),
        widget=DATE_WIDGET,
        help_text=_("The plan is looked at again on this date; it appears on your work list before it."),
        error_messages={"required": _("Enter the review date.")},
    )
    review_note = forms.CharField(
        label=_("What the review found"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Only when reviewing a plan: what changed since the last version."),
    )

    def __init__(self, *args, is_review: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_review:
            del self.fields["review_note"]


class SafetyItemForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=SafetyItemKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what this item is.")},
    )
    text = forms.CharField(
        label=_("What"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the item, or remove it.")},
    )
    who = forms.CharField(label=_("Who (person or agency)"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    provider = forms.ModelChoiceField(
        label=_("Service from the directory (optional)"), queryset=ServiceProvider.objects.none(), required=False
    )
    is_hidden_from_perpetrator = forms.BooleanField(
        label=_("Not to be shown to the alleged perpetrator (left out of the family's copy)"), required=False
    )

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers if providers is not None else ServiceProvider.objects.none()


class SafetyItemFormSetBase(RepeatedFormSet):
    item_label = _("Item")
    default_error_messages = {"too_few_forms": _("Add at least one item.")}


SafetyItemFormSet = forms.formset_factory(
    SafetyItemForm, formset=SafetyItemFormSetBase, extra=0, min_num=1, max_num=40, validate_min=True
)


class ExportForm(BootstrapMixin, forms.Form):
    file_format = forms.ChoiceField(
        label=_("File format"),
        choices=[("xlsx", _("Excel (XLSX)")), ("csv", _("CSV"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )


EXPORT_PASSWORD_LENGTH = 10


class ExportPasswordForm(BootstrapMixin, forms.Form):
    """The password that encrypts a download of personal data: chosen here, used once, never stored."""

    password = forms.CharField(
        label=_("Password for the file"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 10 characters, with letters and digits. Give it to the recipient another way than the file "
            "(by phone, not in the same e-mail or Zalo message)."
        ),
    )
    password_again = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, username: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.username = username

    def clean_password(self):
        password = self.cleaned_data["password"]
        problems = []
        if len(password) < EXPORT_PASSWORD_LENGTH:
            problems.append(_("The password must have at least 10 characters."))
        if not any(character.isalpha() for character in password) or not any(
            character.isdigit() for character in password
        ):
            problems.append(_("The password must contain both letters and digits."))
        if len(set(password)) < 4:
            problems.append(_("The password repeats too few characters; choose one that is harder to guess."))
        if self.username and self.username.lower() in password.lower():
            problems.append(_("The password must not contain your user name."))
        if problems:
            raise forms.ValidationError(problems)
        return password

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password_again") is not None
            and data["password"] != data["password_again"]
        ):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


# ---------------------------------------------------------------------------------------------- register import


class RegisterUploadForm(BootstrapMixin, forms.Form):
    commune = forms.ModelChoiceField(
        label=_("Commune whose register this is"), queryset=AdministrativeUnit.objects.none()
    )
    file = forms.FileField(
        label=_("Register file"),
        help_text=_("Excel (.xlsx) or CSV, up to 20 MB; the first row holds the column headings."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        only = list(communes[:2]) if communes is not None else []
        if len(only) == 1:
            self.fields["commune"].initial = only[0].pk


class RegisterMappingForm(BootstrapMixin, forms.Form):
    """One choice per BaoVe field: which column of the file holds it (or none)."""

    def __init__(self, *args, columns=(), headings=(), mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            ("", _("— not in the file —")),
            *[(str(index), heading or "—") for index, heading in enumerate(headings)],
        ]
        for column in columns:
            index = (mapping or {}).get(column.code)
            self.fields[column.code] = forms.TypedChoiceField(
                label=column.label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=column.required,
                error_messages={"required": _("Choose the column that holds this field: it is required.")},
                initial="" if index is None else str(index),
                widget=forms.Select(attrs={"class": "form-select"}),
            )
