"""The official 2025 list of provinces and communes, read and checked before anything is written.

The source is the `vietnam-provinces` package, or a JSON file in that package's nested format
(`[{"code", "name", "division_type", "wards": [{"code", "name", "division_type"}]}]`).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _


class OfficialUnitsError(Exception):
    """The official list is missing or damaged; nothing may be loaded from it."""


@dataclass(frozen=True)
class ProvinceRecord:
    code: str
    name: str
    division_type: str


@dataclass(frozen=True)
class CommuneRecord:
    code: str
    name: str
    division_type: str
    province_code: str


@dataclass(frozen=True)
class OfficialUnits:
    provinces: tuple[ProvinceRecord, ...]
    communes: tuple[CommuneRecord, ...]
    source: str


def province_code(value) -> str:
    return f"{int(value):02d}"


def commune_code(value) -> str:
    return f"{int(value):05d}"


def read_package() -> OfficialUnits:
    try:
        import vietnam_provinces
        from vietnam_provinces import Province, Ward

        provinces = [
            {"code": p.code, "name": p.name, "division_type": _enum_value(p.division_type)} for p in Province.iter_all()
        ]
        wards = [
            {
                "code": w.code,
                "name": w.name,
                "division_type": _enum_value(w.division_type),
                "province_code": w.province_code,
            }
            for w in Ward.iter_all()
        ]
    except (ImportError, AttributeError, KeyError, TypeError, ValueError) as error:
        raise OfficialUnitsError(
            _("The vietnam-provinces package is missing or damaged (%(error)s). Reinstall it: make install.")
            % {"error": error}
        ) from error
    source = f"vietnam-provinces {getattr(vietnam_provinces, '__version__', '?')}"
    return _checked(provinces, wards, source)


def read_file(path: Path) -> OfficialUnits:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise OfficialUnitsError(_("File not found: %(path)s") % {"path": path}) from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OfficialUnitsError(
            _("The file %(path)s is not valid JSON: %(error)s") % {"path": path, "error": error}
        ) from error
    if not isinstance(data, list):
        raise OfficialUnitsError(_("The file must hold a JSON list of provinces, each with its “wards”."))
    provinces, wards = [], []
    for index, province in enumerate(data):
        if not isinstance(province, dict) or not isinstance(province.get("wards"), list):
            raise OfficialUnitsError(_("Province #%(index)s has no list of “wards”.") % {"index": index + 1})
        provinces.append(province)
        wards.extend({**ward, "province_code": province.get("code")} for ward in province["wards"])
    return _checked(provinces, wards, str(path))


def _enum_value(value) -> str:
    return getattr(value, "value", value) or ""


def _checked(provinces: list[dict], wards: list[dict], source: str) -> OfficialUnits:
    """Validate everything first, so a damaged list is refused whole."""
    province_records = []
    for index, raw in enumerate(provinces):
        code = _code(raw.get("code"), province_code, _("province #%(index)s") % {"index": index + 1})
        name = _name(raw.get("name"), _("province %(code)s") % {"code": code})
        province_records.append(ProvinceRecord(code, name, str(raw.get("division_type") or "")))
    _no_repeats([r.code for r in province_records], _("province"))

    known = {record.code for record in province_records}
    commune_records = []
    for index, raw in enumerate(wards):
        code = _code(raw.get("code"), commune_code, _("commune #%(index)s") % {"index": index + 1})
        name = _name(raw.get("name"), _("commune %(code)s") % {"code": code})
        parent = _code(raw.get("province_code"), province_code, _("commune %(code)s") % {"code": code})
        if parent not in known:
            raise OfficialUnitsError(
                _("Commune %(code)s (%(name)s) names province %(parent)s, which is not in the list.")
                % {"code": code, "name": name, "parent": parent}
            )
        commune_records.append(CommuneRecord(code, name, str(raw.get("division_type") or ""), parent))
    _no_repeats([r.code for r in commune_records], _("commune"))

    if not province_records or not commune_records:
        raise OfficialUnitsError(
            _("The official list from %(source)s is empty (%(provinces)s provinces, %(communes)s communes).")
            % {"source": source, "provinces": len(province_records), "communes": len(commune_records)}
        )
    return OfficialUnits(tuple(province_records), tuple(commune_records), source)


def _code(value, formatter, what: str) -> str:
    try:
        if isinstance(value, bool) or int(value) <= 0:
            raise ValueError
        return formatter(value)
    except (TypeError, ValueError) as error:
        raise OfficialUnitsError(
            _("The code of %(what)s is missing or not a positive number: %(value)r") % {"what": what, "value": value}
        ) from error


def _name(value, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OfficialUnitsError(_("The name of %(what)s is missing.") % {"what": what})
    # Whitespace as one space: the published list writes a few names with two ("Phường  An Nhơn").
    return " ".join(value.split())


def _no_repeats(codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise OfficialUnitsError(
                _("The %(what)s code %(code)s appears twice in the list.") % {"what": what, "code": code}
            )
        seen.add(code)
