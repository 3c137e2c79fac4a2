import contextlib
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from config import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database and MEDIA_ROOT, replacing "
        "what is there, then check every table against the manifest's row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder (holds manifest.json)")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, folder, database, yes, **options):
        try:
            backup.read_manifest(Path(folder))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if not yes:
            answer = input("This replaces the current database and uploaded files. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            differences = backup.restore(Path(folder), alias=database)
        except (backup.BackupError, OSError) as error:
            raise CommandError(f"Restore failed: {error}") from error
        # Whatever was kept from the replaced database (memberships, counts, settings) is stale now.
        with contextlib.suppress(Exception):
            cache.clear()
        if differences:
            for table, (saved, now) in differences.items():
                self.stderr.write(f"{table}: backup {saved}, restored {now}")
            raise CommandError(f"Restored, but {len(differences)} tables differ from the manifest.")
        self.stdout.write(f"Restored {folder}: every table matches the manifest.")
