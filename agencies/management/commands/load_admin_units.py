from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.official_units import OfficialUnitsError, read_file, read_package
from agencies.services import units_load_official


class Command(BaseCommand):
    help = "Load or update the official 2025 provinces and communes (idempotent, one transaction)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            help="A JSON file in the nested format of vietnam-provinces instead of the installed package.",
        )

    def handle(self, *args, **options):
        try:
            units = read_file(options["file"]) if options["file"] else read_package()
        except OfficialUnitsError as error:
            raise CommandError(str(error)) from error
        report = units_load_official(units=units)
        self.stdout.write(
            f"Source: {units.source}: {len(units.provinces)} provinces, {len(units.communes)} communes.\n"
            f"Created: {report.created['province']} provinces, {report.created['commune']} communes. "
            f"Updated: {report.updated['province']} provinces, {report.updated['commune']} communes. "
            f"Unchanged: {report.unchanged['province']} provinces, {report.unchanged['commune']} communes. "
            f"Deactivated (no longer listed): {report.deactivated}."
        )
