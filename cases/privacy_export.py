"""Everything BaoVe holds about one child, for an authorised data-subject request (JSON and PDF)."""

import datetime
import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent

from .models import CaseFile, Child

# Internal columns that tell the child nothing and would only expose the system's workings.
SKIP = {"name_key", "version", "file", "sha256", "id", "lease_until"}
# Links shown by the name of what they point to; every other link (to a user, to the case itself) is left out.
NAMED_LINKS = {"residence_commune", "residence_hamlet", "commune", "agency", "representative"}

SECTION_LABELS = {
    "generated_at": gettext_lazy("Prepared at"),
    "child": gettext_lazy("Child"),
    "circumstances": gettext_lazy("Special circumstances"),
    "caregivers": gettext_lazy("Caregivers"),
    "case_files": gettext_lazy("Case files"),
    "report": gettext_lazy("Report (Form 01)"),
    "abuse_forms": gettext_lazy("Forms of abuse"),
    "initial_assessments": gettext_lazy("Initial risk assessment (Form 02)"),
    "emergency_measures": gettext_lazy("Emergency measures"),
    "specific_assessments": gettext_lazy("Information and needs meeting (Form 03)"),
    "plans": gettext_lazy("Intervention plans"),
    "measures": gettext_lazy("Measures"),
    "reviews": gettext_lazy("Reviews (Form 06)"),
    "assignments": gettext_lazy("Agency assignments"),
    "progress": gettext_lazy("Progress"),
    "notes": gettext_lazy("Notes"),
    "visits": gettext_lazy("Visits"),
    "visitors": gettext_lazy("who went"),
    "flags": gettext_lazy("flags"),
    "attachments": gettext_lazy("Attachments"),
    "timeline": gettext_lazy("Timeline"),
    "consents": gettext_lazy("Consents"),
    "disclosures": gettext_lazy("Disclosures"),
    "data_requests": gettext_lazy("Data-subject requests"),
    "access_log": gettext_lazy("Who opened the file"),
    "event": gettext_lazy("event"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "at": gettext_lazy("at"),
    "user": gettext_lazy("user"),
    "action": gettext_lazy("action"),
    "channel": gettext_lazy("channel"),
    "name": gettext_lazy("file name"),
    "type": gettext_lazy("type"),
    "size": gettext_lazy("size"),
    "created_at": gettext_lazy("created at"),
    "recorded_at": gettext_lazy("recorded at"),
    "uploaded_at": gettext_lazy("uploaded at"),
    "updated_at": gettext_lazy("updated at"),
}


def _row(instance, extra: dict | None = None) -> dict:
    data = {key: value for key, value in model_to_dict(instance).items() if key not in SKIP}
    for field in instance._meta.concrete_fields:
        if field.name not in data:
            continue
        if field.is_relation:
            if field.name in NAMED_LINKS:
                related = getattr(instance, field.name)
                data[field.name] = str(related) if related is not None else ""
            else:
                del data[field.name]
        elif field.choices:
            data[field.name] = getattr(instance, f"get_{field.name}_display")()
    for name in ("created_at", "recorded_at", "uploaded_at", "updated_at"):
        if hasattr(instance, name):
            data[name] = getattr(instance, name)
    return {**data, **(extra or {})}


def dossier(child: Child, cases: list[CaseFile]) -> dict:
    """The child's record and each case file the requester's officer may see, with who read them."""
    sections = {
        "child": _row(child),
        "circumstances": [_row(c) for c in child.circumstances.all()],
        "caregivers": [_row(c) for c in child.caregivers.all()],
        "case_files": [],
    }
    for case in cases:
        report = case.report
        sections["case_files"].append(
            {
                "reference": case.reference,
                "state": case.get_state_display(),
                "commune": case.commune.name,
                "opened_at": case.opened_at,
                "closed_at": case.closed_at,
                "lawful_basis": case.get_lawful_basis_display(),
                "report": _row(report, {"abuse_forms": [f.get_form_display() for f in report.abuse_forms.all()]}),
                "initial_assessments": [_row(a) for a in case.initial_assessments.all()],
                "emergency_measures": [_row(m) for m in case.emergency_measures.all()],
                "specific_assessments": [_row(a) for a in case.specific_assessments.all()],
                "plans": [
                    _row(plan, {"measures": [_row(m, {"agency": m.agency.name}) for m in plan.measures.all()]})
                    for plan in case.plans.all()
                ],
                "reviews": [_row(r) for r in case.reviews.all()],
                "assignments": [
                    _row(a, {"agency": a.agency.name, "progress": [_row(p) for p in a.progress.all()]})
                    for a in case.assignments.all()
                ],
                "notes": [_row(n) for n in case.notes.all()],
                "visits": [
                    _row(v, {"visitors": [u.get_full_name() or u.get_username() for u in v.visitors.all()]})
                    for v in case.visits.all()
                ],
                "flags": [_row(f) for f in case.flags.all()],
                "attachments": [
                    {"name": a.original_name, "type": a.content_type, "size": a.size, "uploaded_at": a.uploaded_at}
                    for a in case.attachments.all()
                ],
                "timeline": [
                    {
                        "at": e.at,
                        "event": e.get_kind_display(),
                        "from": e.get_from_state_display(),
                        "to": e.get_to_state_display(),
                    }
                    for e in case.events.all()
                ],
                "consents": [_row(c) for c in case.consents.all()],
                "disclosures": [
                    _row(d, {"consents": [c.pk for c in d.consents.all()]}) for d in case.disclosures.all()
                ],
                "data_requests": [_row(r) for r in case.data_requests.all()],
                # Who read or changed the file: the right to know who saw one's data.
                "access_log": [
                    {
                        "at": e.at,
                        "user": (e.user.get_full_name() or e.user.username) if e.user else "",
                        "action": e.get_action_display(),
                        "channel": e.get_channel_display(),
                    }
                    for e in AuditEvent.objects.filter(case_id=case.pk).select_related("user").order_by("at")
                ],
            }
        )
    return {"generated_at": timezone.now(), **sections}


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _field_labels() -> dict[str, str]:
    """Every field of the case data by its label in the active language."""
    labels = {}
    for model in apps.get_app_config("cases").get_models():
        for field in model._meta.concrete_fields:
            labels.setdefault(field.name, capfirst(str(field.verbose_name)))
    return labels


def flatten(value, prefix: str = "", labels: dict | None = None) -> list[tuple[str, str]]:
    """(label, text) lines for the PDF, in words: "Hồ sơ trường hợp 1 › Thông tin… › Nguồn"."""
    labels = (
        labels
        if labels is not None
        else {**_field_labels(), **{k: capfirst(str(v)) for k, v in SECTION_LABELS.items()}}
    )
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            label = labels.get(key, key.replace("_", " "))
            lines.extend(flatten(item, f"{prefix} › {label}" if prefix else label, labels))
        return lines
    if isinstance(value, list):
        lines = []
        for index, item in enumerate(value, start=1):
            lines.extend(flatten(item, f"{prefix} {index}", labels))
        return lines
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    elif isinstance(value, datetime.datetime):
        value = timezone.localtime(value).strftime("%H:%M %d/%m/%Y")
    elif isinstance(value, datetime.date):
        value = value.strftime("%d/%m/%Y")
    return [(prefix, "" if value is None else str(value))]
