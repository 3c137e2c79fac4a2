import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from config import storage


class Command(BaseCommand):
    help = (
        "List the files under MEDIA_ROOT that no row points to (left by an interrupted write) and the rows whose "
        "file is missing. Exits with status 1 when there is either, for monitoring."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", dest="as_json", action="store_true", help="print the two lists as JSON")
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=60,
            help="leave out files younger than this: their row may not be committed yet (60)",
        )

    def handle(self, *args, as_json: bool, grace_minutes: int, **options):
        result = storage.check(grace=datetime.timedelta(minutes=grace_minutes))
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        else:
            for name in result.files_without_rows:
                self.stdout.write(f"file without a row: {name}")
            for label, pk, name in result.rows_without_files:
                self.stdout.write(f"row without its file: {label} {pk}: {name}")
            if result.is_clean:
                self.stdout.write("Every file has its row and every row its file.")
        if not result.is_clean:
            raise CommandError(
                f"{len(result.files_without_rows)} file(s) without a row, "
                f"{len(result.rows_without_files)} row(s) without their file."
            )
