import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import AdministrativeUnit
from reports import documents
from reports.indicators import compute
from reports.periods import PeriodError, parse


def unit_by_code(code: str):
    """Official codes: 2 digits for a province, 5 for a commune; VN for the whole country."""
    if code.upper() == "VN":
        return None
    units = list(AdministrativeUnit.objects.filter(code=code, is_active=True).order_by("level"))
    official = [unit for unit in units if unit.level in ("province", "commune")]
    if len(official) == 1 or len(units) == 1:
        return (official or units)[0]
    raise CommandError(f"Unknown or ambiguous unit code: {code}")


class Command(BaseCommand):
    help = "Compute a unit's indicators for a period and write them as PDF, XLSX or JSON (no names, counts only)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="official code (80, 25486) or VN for the country")
        parser.add_argument("--period", required=True, help="YYYY, YYYY-H1, YYYY-H2, YYYY-Qn, YYYY-MM or FROM..TO")
        parser.add_argument("--format", choices=["pdf", "xlsx", "json"], default="json")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, **options):
        try:
            period = parse(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from error
        unit = unit_by_code(options["unit"])
        data = compute(unit, period)
        if options["format"] == "json":
            content = json.dumps(data, ensure_ascii=False, indent=2).encode()
        elif options["format"] == "xlsx":
            content = documents.report_xlsx(data)
        else:
            content = documents.report_pdf(data)  # a draft: the unit's People's Committee, no number yet
        options["output"].write_bytes(content)
        self.stdout.write(
            f"{options['output']}: {data['unit']['name']}, {data['period']['label']}, "
            f"{data['indicators']['abused_children']['total']} abused children."
        )
