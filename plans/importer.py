"""Read a plan from YAML (schema in docs/plan-yaml.md) and check all of it before anything is written.

Every refusal names the line and the field, so that a clerk can find it in the file.
"""

import datetime
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

from agencies.models import AgencyType

from .models import AppliesTo, PlanStatus, Recurrence, ScheduleKind


class PlanImportError(Exception):
    pass


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping under the key "__line__"; leaves dates as text, so that a bad
    date is reported with its field and line by this module rather than failing inside the parser."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _only(data: dict, allowed: set[str], where: str) -> None:
    for key in data:
        if key != "__line__" and key not in allowed:
            _fail(
                data["__line__"],
                f"{where}.{key}" if where else key,
                _("unknown field (a name with a comma needs quotes)."),
            )


@dataclass
class TaskSpec:
    line: int
    content: str
    lead: str
    cooperating: list[str]
    schedule_kind: str
    due_date: datetime.date | None = None
    window_start: datetime.date | None = None
    window_end: datetime.date | None = None
    recurrence: str = ""
    first_date: datetime.date | None = None
    applies_to: str = AppliesTo.ISSUING_UNIT
    expected_output: str = ""
    note: str = ""
    statistic: str = ""


@dataclass
class SectionSpec:
    number: str
    title: str
    text: str = ""
    tasks: list[TaskSpec] = field(default_factory=list)
    sections: list["SectionSpec"] = field(default_factory=list)


@dataclass
class PlanSpec:
    number: str
    title: str
    unit_level: str
    unit_code: str
    unit_province: str
    issuing_body: str
    issued_on: datetime.date
    signer: str
    legal_bases: list[str]
    period_start: datetime.date
    period_end: datetime.date
    purpose: str
    budget_source: str
    recipients: list[str]
    status: str
    agencies: dict[str, tuple[str, str, int]]  # key → (type code, name, line)
    sections: list[SectionSpec]


def _fail(line, field_name: str, message: str):
    raise PlanImportError(
        _("Line %(line)s, field “%(field)s”: %(message)s") % {"line": line, "field": field_name, "message": message}
    )


def _text(data: dict, key: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _fail(data.get("__line__", "?"), key, _("this field is required."))
        return ""
    if not isinstance(value, str | int | float):
        _fail(data.get("__line__", "?"), key, _("expected text."))
    return str(value).strip()


def _date(data: dict, key: str, *, required: bool = True) -> datetime.date | None:
    value = data.get(key)
    if value is None:
        if required:
            _fail(data.get("__line__", "?"), key, _("a date (YYYY-MM-DD) is required."))
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        _fail(data.get("__line__", "?"), key, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})


def _list_of_text(data: dict, key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        _fail(data.get("__line__", "?"), key, _("expected a list of texts."))
    return [item.strip() for item in value]


def parse(text: str) -> PlanSpec:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise PlanImportError(
            _("Line %(line)s: the file is not valid YAML (%(error)s).")
            % {"line": mark.line + 1 if mark else "?", "error": getattr(error, "problem", error)}
        ) from error
    if not isinstance(data, dict):
        raise PlanImportError(_("The file must describe one plan (a YAML mapping)."))
    unit = data.get("issuing_unit")
    if not isinstance(unit, dict):
        _fail(data["__line__"], "issuing_unit", _("give the level and official code of the issuing unit."))
    period = data.get("period")
    if not isinstance(period, dict):
        _fail(data["__line__"], "period", _("give the start and end of the plan's period."))
    period_start, period_end = _date(period, "start"), _date(period, "end")
    if period_end < period_start:
        _fail(period["__line__"], "period.end", _("the end of the period is before its start."))
    status = _text(data, "status", required=False) or PlanStatus.ISSUED
    if status not in PlanStatus.values:
        _fail(data["__line__"], "status", _("unknown status “%(value)s”.") % {"value": status})

    known_types = set(AgencyType.objects.values_list("code", flat=True))
    agencies: dict[str, tuple[str, str, int]] = {}
    raw_agencies = data.get("agencies")
    if not isinstance(raw_agencies, dict) or not [k for k in raw_agencies if k != "__line__"]:
        _fail(data["__line__"], "agencies", _("list the agencies of the plan, each with its type and name."))
    for key, spec in raw_agencies.items():
        if key == "__line__":
            continue
        if not isinstance(spec, dict):
            _fail(raw_agencies["__line__"], f"agencies.{key}", _("give its type and name."))
        _only(spec, {"type", "name"}, f"agencies.{key}")
        agency_type = _text(spec, "type")
        if agency_type not in known_types:
            _fail(
                spec["__line__"], f"agencies.{key}.type", _("unknown agency type “%(value)s”.") % {"value": agency_type}
            )
        agencies[key] = (agency_type, _text(spec, "name"), spec["__line__"])

    def task(raw: dict) -> TaskSpec:
        line = raw["__line__"]
        _only(raw, {"content", "lead", "cooperating", "schedule", "applies_to", "output", "note", "statistic"}, "")
        lead = _text(raw, "lead")
        if lead not in agencies:
            _fail(line, "lead", _("“%(value)s” is not one of the plan's agencies.") % {"value": lead})
        cooperating = _list_of_text(raw, "cooperating")
        for key in cooperating:
            if key not in agencies:
                _fail(line, "cooperating", _("“%(value)s” is not one of the plan's agencies.") % {"value": key})
        if lead in cooperating:
            _fail(line, "cooperating", _("the lead agency “%(value)s” cannot also be cooperating.") % {"value": lead})
        schedule = raw.get("schedule")
        if not isinstance(schedule, dict):
            _fail(line, "schedule", _("give the schedule: once (date), window (start, end) or recurring."))
        _only(schedule, {"kind", "date", "start", "end", "every", "first"}, "schedule")
        kind = _text(schedule, "kind")
        spec = TaskSpec(
            line=line,
            content=_text(raw, "content"),
            lead=lead,
            cooperating=cooperating,
            schedule_kind=kind,
            expected_output=_text(raw, "output", required=False),
            note=_text(raw, "note", required=False),
            statistic=_text(raw, "statistic", required=False),
            applies_to=_text(raw, "applies_to", required=False) or AppliesTo.ISSUING_UNIT,
        )
        if spec.applies_to not in AppliesTo.values:
            _fail(line, "applies_to", _("unknown value “%(value)s”.") % {"value": spec.applies_to})
        if kind == ScheduleKind.ONCE:
            spec.due_date = _date(schedule, "date")
        elif kind == ScheduleKind.WINDOW:
            spec.window_start, spec.window_end = _date(schedule, "start"), _date(schedule, "end")
            if spec.window_end < spec.window_start:
                _fail(schedule["__line__"], "schedule.end", _("the window ends before it starts."))
        elif kind == ScheduleKind.RECURRING:
            spec.recurrence = _text(schedule, "every")
            if spec.recurrence not in Recurrence.values:
                _fail(
                    schedule["__line__"],
                    "schedule.every",
                    _("unknown recurrence “%(value)s”.") % {"value": spec.recurrence},
                )
            first = schedule.get("first")
            if first is None:
                _fail(schedule["__line__"], "schedule.first", _("a recurring task needs its first date."))
            spec.first_date = _date(schedule, "first")
        else:
            _fail(
                schedule["__line__"],
                "schedule.kind",
                _("unknown schedule “%(value)s” (once, window, recurring).") % {"value": kind},
            )
        return spec

    def section(raw: dict) -> SectionSpec:
        if not isinstance(raw, dict):
            raise PlanImportError(_("Each section must be a mapping with number and title."))
        return SectionSpec(
            number=_text(raw, "number"),
            title=_text(raw, "title"),
            text=_text(raw, "text", required=False),
            tasks=[task(item) for item in raw.get("tasks") or []],
            sections=[section(item) for item in raw.get("sections") or []],
        )

    return PlanSpec(
        number=_text(data, "number"),
        title=_text(data, "title"),
        unit_level=_text(unit, "level"),
        unit_code=_text(unit, "code"),
        unit_province=_text(unit, "province", required=False),
        issuing_body=_text(data, "issuing_body"),
        issued_on=_date(data, "issued_on"),
        signer=_text(data, "signer", required=False),
        legal_bases=_list_of_text(data, "legal_bases"),
        period_start=period_start,
        period_end=period_end,
        purpose=_text(data, "purpose", required=False),
        budget_source=_text(data, "budget_source", required=False),
        recipients=_list_of_text(data, "recipients"),
        status=status,
        agencies=agencies,
        sections=[section(item) for item in data.get("sections") or []],
    )
