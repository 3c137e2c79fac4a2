"""Open data: the indicators of a submitted report as a documented, versioned JSON and CSV, for the
ministry's national child information system (docs/open-data.md describes the format).

Read only from what the report froze when it was submitted (its figures and the definitions they were
computed with), so the file says exactly what the signed report says, however the indicators change later.
Every figure carries its PATH in the frozen indicator block, so a reader can check it against the report."""

import csv
import io
from collections.abc import Iterator

from .indicators.base import BREAKDOWN_LABELS, label_of
from .models import PeriodicReport, ReportStatus

SCHEMA = "baove-open-data-report"
# Major: a field removed or its meaning changed; minor: a field added. Readers check the major.
SCHEMA_VERSION = "1.1"  # 1.1: period.figures_until
PUBLISHED_STATES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
CSV_COLUMNS = [
    "schema_version", "unit_code", "unit_name", "unit_level", "period_code", "period_start", "period_end",
    "report_version", "indicator_id", "indicator_code", "indicator_name", "path", "breakdown", "breakdown_labels",
    "value", "figures_until",
]  # fmt: skip
# A breakdown key's dimension: by_sex → sex; assisted_by_group → group (its measure: assisted).
_KINDS = {key: kind for key, (_title, kind) in BREAKDOWN_LABELS.items()}


def is_published(report: PeriodicReport) -> bool:
    return report.status in PUBLISHED_STATES and bool(report.data)


def _dimension(key: str) -> tuple[str, str]:
    """(measure, dimension) of a breakdown key: "by_sex" → ("", "sex"), "assisted_by_group" → ("assisted", "group"),
    "cross_setting" → ("", "setting")."""
    if key.startswith("cross_"):
        return "", key.removeprefix("cross_")
    measure, _by, dimension = key.rpartition("by_")
    return measure.removesuffix("_"), _KINDS.get(key, dimension)


def _is_figure(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def figures(block: dict, data: dict, path: tuple = (), breakdown: tuple = ()) -> Iterator[dict]:
    """Every figure of an indicator's frozen block with its path and its breakdown (dimension, code, label)."""
    for key, value in block.items():
        here = (*path, str(key))
        if key == "total" and _is_figure(value):
            yield _figure(here, breakdown, value)
        elif "by_" in key or key.startswith("cross_"):
            if not isinstance(value, dict):
                continue
            measure, dimension = _dimension(key)
            outer = (*breakdown, {"dimension": "measure", "code": measure, "label": measure}) if measure else breakdown
            for code, inner in value.items():
                cell = {"dimension": dimension, "code": str(code), "label": _label(dimension, str(code), data)}
                if _is_figure(inner):
                    yield _figure((*here, str(code)), (*outer, cell), inner)
                elif isinstance(inner, dict):
                    yield from figures(inner, data, (*here, str(code)), (*outer, cell))
        elif _is_figure(value):
            yield _figure(here, (*breakdown, {"dimension": "measure", "code": key, "label": key}), value)
        elif isinstance(value, dict):
            yield from figures(value, data, here, (*breakdown, {"dimension": "measure", "code": key, "label": key}))


def _label(dimension: str, code: str, data: dict) -> str:
    """A breakdown code in words, from the report's own frozen names (a commune's name as of the report)."""
    if dimension in ("commune", "subunit") and not code:
        return (data.get("unit") or {}).get("name", "")  # the empty code is the unit itself (docs/open-data.md)
    if dimension == "commune":
        return (data.get("communes") or {}).get(code, {}).get("name", code)
    return label_of(dimension, code, data)


def _figure(path: tuple, breakdown: tuple, value) -> dict:
    return {"path": "/".join(path), "breakdown": list(breakdown), "value": value}


def document(report: PeriodicReport) -> dict:
    """The open-data document of a submitted report (JSON-able)."""
    data = report.data or {}
    definitions = {definition["id"]: definition for definition in data.get("definitions", [])}
    indicators = []
    for indicator_id, block in data.get("indicators", {}).items():
        definition = definitions.get(indicator_id, {})
        indicators.append(
            {
                "id": indicator_id,
                "code": definition.get("code", ""),
                "circular_name": definition.get("circular_name", ""),
                "name_vi": definition.get("name_vi", ""),
                "name_en": definition.get("name_en", ""),
                "group": definition.get("group", ""),
                "definition": definition.get("definition", ""),
                "figures": list(figures(block, data)) if isinstance(block, dict) else [],
            }
        )
    unit, period = data.get("unit", {}), data.get("period", {})
    issued = report.document
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "report": {
            "id": report.pk,
            "version": report.version,
            "status": report.status,
            "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
            "number_symbol": getattr(issued, "number_symbol", "") or "",
            "figures_sha256": report.data_sha256,
        },
        "unit": {"code": unit.get("code", ""), "name": unit.get("name", ""), "level": unit.get("level", "")},
        "period": {
            "code": period.get("code", ""),
            "start": period.get("start", ""),
            "end": period.get("end", ""),
            "label": period.get("label", ""),
            # The day the figures stop at, for a report submitted before its period ended (else null).
            "figures_until": period.get("figures_until"),
        },
        "subunits": [{"code": code, "name": name} for code, name in (data.get("subunits") or {}).items()],
        "indicators": indicators,
    }


def as_csv(opened: dict) -> str:
    """The document as CSV, one figure a line (UTF-8 with a BOM, so that Excel reads the Vietnamese)."""
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    unit, period = opened["unit"], opened["period"]
    for indicator in opened["indicators"]:
        for figure in indicator["figures"]:
            writer.writerow(
                [
                    opened["schema_version"], unit["code"], unit["name"], unit["level"], period["code"],
                    period["start"], period["end"], opened["report"]["version"], indicator["id"], indicator["code"],
                    indicator["name_vi"], figure["path"],
                    ";".join(f"{cell['dimension']}={cell['code']}" for cell in figure["breakdown"]),
                    "; ".join(str(cell["label"]) for cell in figure["breakdown"]),
                    "" if figure["value"] is None else figure["value"],
                    period.get("figures_until") or "",
                ]
            )  # fmt: skip
    return output.getvalue()


def file_name(report: PeriodicReport, extension: str) -> str:
    return f"du-lieu-mo-{report.unit.code}-{report.period_code}-v{SCHEMA_VERSION}.{extension}"


def response(report: PeriodicReport, extension: str):
    """The open-data file of REPORT as a download (the caller checked access and recorded it)."""
    from django.http import HttpResponse, JsonResponse
    from django.utils.http import content_disposition_header

    opened = document(report)
    if extension == "csv":
        answer = HttpResponse(as_csv(opened), content_type="text/csv; charset=utf-8")
    else:
        answer = JsonResponse(opened, json_dumps_params={"ensure_ascii": False, "indent": 1})
    answer["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=file_name(report, extension)
    )
    answer["X-Content-Type-Options"] = "nosniff"
    return answer
