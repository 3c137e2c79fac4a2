"""Everything BaoVe holds about one child, for an authorised data-subject request (JSON and PDF)."""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.utils import timezone

from .models import AuditEvent, CaseFile, Child

# Internal columns that tell the child nothing and would only expose the system's workings.
SKIP = {"name_key", "version", "file", "sha256", "id"}


def _row(instance, extra: dict | None = None) -> dict:
    data = {key: value for key, value in model_to_dict(instance).items() if key not in SKIP}
    for field in instance._meta.concrete_fields:
        if field.choices and field.attname in data:
            data[field.attname] = getattr(instance, f"get_{field.attname}_display")()
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
                "attachments": [
                    {"name": a.original_name, "type": a.content_type, "size": a.size, "uploaded_at": a.uploaded_at}
                    for a in case.attachments.all()
                ],
                "timeline": [
                    {"at": e.at, "event": e.kind, "from": e.from_state, "to": e.to_state} for e in case.events.all()
                ],
                "consents": [_row(c) for c in case.consents.all()],
                "disclosures": [
                    _row(d, {"consents": [c.pk for c in d.consents.all()]}) for d in case.disclosures.all()
                ],
                "data_requests": [_row(r) for r in case.data_requests.all()],
                # Who read or changed the file: the right to know who saw one's data.
                "access_log": [
                    {"at": e.at, "user": e.user_id, "action": e.get_action_display(), "channel": e.channel}
                    for e in AuditEvent.objects.filter(case=case).order_by("at")
                ],
            }
        )
    return {"generated_at": timezone.now(), **sections}


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def flatten(value, prefix: str = "") -> list[tuple[str, str]]:
    """(label, text) lines for the PDF: nested sections become dotted labels."""
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            lines.extend(flatten(item, f"{prefix}.{key}" if prefix else key))
        return lines
    if isinstance(value, list):
        lines = []
        for index, item in enumerate(value, start=1):
            lines.extend(flatten(item, f"{prefix}[{index}]"))
        return lines
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).strftime("%H:%M %d/%m/%Y")
    elif isinstance(value, datetime.date):
        value = value.strftime("%d/%m/%Y")
    return [(prefix, "" if value is None else str(value))]
