from django.core.management.base import BaseCommand, CommandError

from benchmarks import seed as generator


class Command(BaseCommand):
    help = (
        "Replace the case data of the configured PostgreSQL database with a generated country for the benchmarks "
        "(deterministic for a seed). Never run it against a database holding real case files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=1_000_000)
        parser.add_argument("--cases", type=int, default=200_000)
        parser.add_argument("--deadlines", type=int, default=1_000_000, help="open deadlines in all")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--yes", action="store_true", help="confirm that the database may be emptied")

    def handle(self, *args, children, cases, deadlines, seed, yes, **options):
        if not yes:
            raise CommandError("bench_seed empties the case data of this database: pass --yes to confirm.")
        if cases > children:
            raise CommandError("--cases cannot exceed --children (one case file per child and report).")
        try:
            result = generator.seed(
                children=children, cases=cases, deadlines=deadlines, seed_value=seed, log=self.stdout.write
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        total = sum(result["rows"].values())
        for table, count in sorted(result["rows"].items()):
            self.stdout.write(f"  {table:32} {count:>10,}")
        self.stdout.write(f"{total:,} rows written in {result['seconds']} s (seed {result['seed']}).")
