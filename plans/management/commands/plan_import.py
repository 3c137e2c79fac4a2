from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.importer import PlanImportError, parse
from plans.services import plan_import


class Command(BaseCommand):
    help = "Import a plan (Kế hoạch) from a YAML file (schema: docs/plan-yaml.md). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            plan = plan_import(actor=None, spec=parse(text))
        except PlanImportError as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(
            f"Imported {plan.number}: {plan.tasks.count()} tasks, "
            f"{sum(t.occurrences.count() for t in plan.tasks.all())} occurrences."
        )
