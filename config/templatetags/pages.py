"""What every page's forms and figures share: the error summary, required markers, Vietnamese numbers.

The error summary follows the GOV.UK Design System: at the top of the page, one line per error worded as
beside its field, each linking to the field itself (the first radio or checkbox of a group).
"""

from dataclasses import dataclass

from django import forms, template
from django.utils import numberformat
from django.utils.formats import get_format

register = template.Library()

CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def is_required(field) -> bool:
    """Required by the form, or by the service behind it (`Form.required_fields`, e.g. a new child's name)."""
    return field.field.required or field.name in getattr(field.form, "required_fields", ())


@register.filter
def required(field) -> bool:
    return is_required(field)


@register.filter
def required_unless(field) -> str:
    """The id of the checkbox that lifts the requirement (`Field.required_unless`: a field name), or ""."""
    name = getattr(field.field, "required_unless", "")
    return field.form[name].id_for_label if name else ""


@register.filter
def is_choice_group(field) -> bool:
    return isinstance(field.field.widget, CHOICE_WIDGETS)


def field_anchor(field) -> str:
    """The id a link to FIELD points at: the input, or the first input of a group of choices."""
    if isinstance(field.field.widget, CHOICE_WIDGETS):
        subwidgets = field.subwidgets
        return subwidgets[0].id_for_label if subwidgets else field.auto_id
    if field.is_hidden:
        return form_anchor(field.form)
    return field.id_for_label or field.auto_id


def form_anchor(form) -> str:
    """The id of the element around FORM: form-PREFIX, form-ID_PREFIX (see BootstrapMixin) or form-top."""
    name = form.prefix or getattr(form, "id_prefix", "")
    return f"form-{name}" if name else "form-top"


@dataclass(frozen=True)
class Problem:
    message: str
    anchor: str


def _form_problems(form, group: str = "") -> list[Problem]:
    problems = []
    prefix = f"{group} – " if group else ""
    for message in form.non_field_errors():
        problems.append(Problem(f"{prefix}{message}" if prefix else message, form_anchor(form)))
    for field in form:
        for message in field.errors:
            label = field.label if not field.is_hidden else ""
            text = f"{prefix}{label}: {message}" if label else f"{prefix}{message}"
            problems.append(Problem(text, field_anchor(field)))
    return problems


def _flattened(items):
    for item in items:
        if isinstance(item, forms.BaseForm | forms.BaseFormSet) or item is None:
            yield item
        else:  # a list or a dict's values: several forms of one page
            yield from item


def problems_of(*forms_and_formsets) -> list[Problem]:
    problems: list[Problem] = []
    for item in _flattened(forms_and_formsets):
        if item is None or not getattr(item, "is_bound", False):
            continue
        if isinstance(item, forms.BaseFormSet):
            container = getattr(item, "container_id", item.prefix)
            problems.extend(Problem(str(message), container) for message in item.non_form_errors())
            item_label = str(getattr(item, "item_label", ""))
            for number, form in enumerate(item.forms, start=1):
                problems.extend(_form_problems(form, f"{item_label} {number}".strip()))
        else:
            problems.extend(_form_problems(item))
    return problems


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms_and_formsets):
    """{% error_summary form formset %}: nothing when there is no error."""
    return {"problems": problems_of(*forms_and_formsets)}


@register.filter
def described_widget(field):
    """The widget, linked to its error message and help text (aria-describedby) and marked invalid."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if is_required(field):
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def number_vi(value, decimals=None):
    """1.234 and 16,7 in any language chosen (the page's locale formats decide the separators)."""
    if value is None or value == "":
        return "—"
    return _grouped(value, decimals)


def _grouped(value, decimals=None) -> str:
    """Groups of three whatever the locale says: Django's Vietnamese formats set no NUMBER_GROUPING (so 1200)."""
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
        use_l10n=True,
    )


@register.filter
def percent(value, decimals=1):
    """16,7 % (a non-breaking space before the sign, as Vietnamese and French typography write it)."""
    if value is None or value == "":
        return "—"
    return f"{_grouped(value, decimals)}\u00a0%"


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current page's query with another page number: filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
